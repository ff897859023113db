"""textbook.anchors.quiz: the answer form each quiz block gets at build time."""

from __future__ import annotations

import pytest

from textbook.anchors.quiz import form_edits, form_html
from textbook.anchors.registry import apply_edits, scan

QUIZ = (
    '<div class="tb-quiz" data-answer="{answer}" data-kind="{kind}" id="quiz-a">'
    '<div class="tb-quiz__head"><a class="tb-quiz__label" href="#quiz-a">Check</a></div>'
    '<div class="tb-quiz__question"><p>Q?</p></div>'
    '<details class="tb-quiz__explanation"><summary>Show</summary></details></div>'
)


@pytest.mark.parametrize(
    ("kind", "answer", "controls"),
    [
        (
            "number",
            "196.0",
            [
                '<span class="tb-quiz__input tb-quiz__input--unbound" aria-hidden="true"></span>'
                '<template class="tb-quiz__input-template">'
                '<input class="tb-quiz__input" type="text" name="answer"'
            ],
        ),
        (
            "truefalse",
            "true",
            ['<input type="radio" name="answer" value="true"> True', 'value="false"> False'],
        ),
    ],
)
def test_form_goes_between_question_and_explanation(kind, answer, controls):
    page = QUIZ.format(kind=kind, answer=answer)
    out = apply_edits(page, form_edits(scan(page)))
    question_end = out.index("</p></div>") + len("</p></div>")
    form = out.index('<form class="tb-quiz__form" hidden>')
    assert form == question_end
    assert out.index("</form>") < out.index('<details class="tb-quiz__explanation">')
    for control in controls:
        assert control in out
    assert '<button type="submit" class="tb-quiz__check">Check</button>' in out
    assert '<p class="tb-quiz__feedback" role="status" aria-live="polite"></p>' in out
    assert " id=" not in out.replace(' id="quiz-a"', "")  # ids stay unique on the page


def test_each_quiz_gets_one_form():
    page = QUIZ.format(kind="number", answer="1") + QUIZ.format(kind="truefalse", answer="false")
    assert apply_edits(page, form_edits(scan(page))).count("<form") == 2


def test_unknown_kind_is_an_error():
    page = QUIZ.format(kind="essay", answer="x")
    with pytest.raises(ValueError, match="quiz 'quiz-a': quiz kind 'essay' has no answer field"):
        form_edits(scan(page))
    with pytest.raises(ValueError):
        form_html("")
