"""Quiz widgets: the answer form each `.tb-quiz` block gets, written at build time.

The block itself (question, answer data, collapsible worked explanation) comes from
`textbook.chapter.blocks`; without JavaScript it stays a question with a collapsible explanation.
The form added here is `hidden` until `quiz.js` shows it and binds Check, feedback and progress
(and puts a number quiz's text field, kept in a `<template>` until then, in its place).
"""

from __future__ import annotations

from html import escape

from textbook.anchors.registry import Document, Edit

KINDS = ("number", "truefalse")

# The text field is a <template> until quiz.js binds the form, with a box of the same size in
# its place: at DOMContentLoaded Chromium's form scan lays out every block skipped by
# `content-visibility` that holds a text field or a <select> (~15 ms per quiz at 4x CPU, in the
# page's longest task). The radio buttons of true/false quizzes cost nothing there.
NUMBER_INPUT = (
    '<input class="tb-quiz__input" type="text" name="answer" inputmode="decimal" '
    'autocomplete="off" spellcheck="false">'
)
UNBOUND_SLOT = '<span class="tb-quiz__input tb-quiz__input--unbound" aria-hidden="true"></span>'


def answer_field(kind: str) -> str:
    if kind == "number":
        return (
            '<label class="tb-quiz__field"><span class="tb-quiz__prompt">Your answer '
            '<span class="tb-quiz__hint">(a number or a fraction such as 1/3)</span></span>'
            f'{UNBOUND_SLOT}<template class="tb-quiz__input-template">{NUMBER_INPUT}</template>'
            "</label>"
        )
    if kind == "truefalse":
        choices = "".join(
            f'<label class="tb-quiz__choice"><input type="radio" name="answer" value="{value}">'
            f" {escape(text)}</label>"
            for value, text in (("true", "True"), ("false", "False"))
        )
        return (
            '<fieldset class="tb-quiz__choices"><legend class="tb-quiz__prompt">Your answer'
            f"</legend>{choices}</fieldset>"
        )
    raise ValueError(f"quiz kind '{kind}' has no answer field (known: {', '.join(KINDS)})")


def form_html(kind: str) -> str:
    return (
        '<form class="tb-quiz__form" hidden>'
        + answer_field(kind)
        + '<div class="tb-quiz__actions"><button type="submit" class="tb-quiz__check">Check'
        "</button></div>"
        '<p class="tb-quiz__feedback" role="status" aria-live="polite"></p></form>'
    )


def form_edits(doc: Document) -> list[Edit]:
    """Insert the form after each quiz's question (before its explanation)."""
    edits = []
    for element in doc.elements:
        if "tb-quiz" not in element.classes:
            continue
        question = doc.first(element, cls="tb-quiz__question")
        at = question.end if question is not None else element.close_start
        kind = element.attrs.get("data-kind", "")
        try:
            edits.append(Edit(at, at, form_html(kind)))
        except ValueError as error:
            raise ValueError(f"quiz '{element.attrs.get('id', '?')}': {error}") from None
    return edits
