"""Markdown extension: the chapter's labelled blocks (equation, instrument, figure, cell, quiz).

Each block writes the page structure and, where another build step supplies the content
(a rendered figure, an instrument, a code cell), an empty placeholder element that step
fills. Options are validated beforehand by `textbook.chapter.directives` (with file and line), so
the option types here accept any string.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block, type_any

from textbook.chapter import facts

# YAML turns `answer: true` into a bool and `tolerance: 0` into an int: keep any scalar and
# read it back as text (textbook.chapter.directives has already validated it).
ANY = ("", type_any)


def _self_link(parent: etree.Element, anchor: str, label: str, css: str) -> etree.Element:
    link = etree.SubElement(parent, "a", {"class": css, "href": f"#{anchor}"})
    link.text = label
    return link


class TextbookBlock(Block):
    """Options read back as text (see ANY); the body goes into ``self.content`` when set."""

    # The element on_create made to hold the block's Markdown body (None: the block itself).
    content: etree.Element | None = None
    # Most blocks take a title or id after `|`; the others say ARGUMENT = False.
    ARGUMENT = True

    def opt(self, key: str) -> str:
        value = self.options[key]
        return "" if value is None else str(value)

    def on_add(self, block: etree.Element) -> etree.Element:
        return block if self.content is None else self.content


class EquationBlock(TextbookBlock):
    """`/// equation | Title` with `id:` and `label:`; body = display math, then caption."""

    NAME = "equation"
    OPTIONS = {"id": ANY, "label": ANY}

    def on_create(self, parent: etree.Element) -> etree.Element:
        anchor = self.opt("id")
        box = etree.SubElement(parent, "div", {"class": "tb-equation", "id": anchor})
        head = etree.SubElement(box, "div", {"class": "tb-equation__head"})
        _self_link(head, anchor, self.opt("label"), "tb-equation__label")
        title = etree.SubElement(head, "span", {"class": "tb-equation__title"})
        title.text = self.argument
        self.content = etree.SubElement(box, "div", {"class": "tb-equation__body"})
        return box

    def on_end(self, block: etree.Element) -> None:
        # The display formula stays on top; everything after it is the caption.
        children = list(self.content)
        math_index = next(
            (i for i, c in enumerate(children) if "arithmatex" in c.get("class", "")), None
        )
        if math_index is None:
            return
        caption = etree.Element("div", {"class": "tb-equation__caption"})
        for child in children[math_index + 1 :]:
            self.content.remove(child)
            caption.append(child)
        children[math_index].set("class", children[math_index].get("class") + " tb-equation__math")
        if len(caption):
            self.content.append(caption)


class InstrumentBlock(TextbookBlock):
    """`/// instrument | Title`: label, subtitle, a stage the instruments step fills, caption."""

    NAME = "instrument"
    OPTIONS = {"id": ANY, "label": ANY, "name": ANY, "subtitle": ANY}

    def on_create(self, parent: etree.Element) -> etree.Element:
        anchor = self.opt("id")
        name = self.opt("name")
        box = etree.SubElement(
            parent, "figure", {"class": "tb-instrument", "id": anchor, "data-instrument": name}
        )
        head = etree.SubElement(box, "div", {"class": "tb-instrument__head"})
        _self_link(head, anchor, self.opt("label"), "tb-instrument__label")
        title = etree.SubElement(head, "span", {"class": "tb-instrument__title"})
        title.text = self.argument
        if self.opt("subtitle"):
            sub = etree.SubElement(head, "span", {"class": "tb-instrument__subtitle"})
            sub.text = self.opt("subtitle")
        stage = etree.SubElement(
            box, "div", {"class": "tb-instrument__stage", "data-instrument-stage": name}
        )
        stage.text = ""
        self.content = etree.SubElement(box, "figcaption", {"class": "tb-instrument__caption"})
        return box


class FigureBlock(TextbookBlock):
    """`/// figure` with `id:` and `name:`: a placeholder the figures step fills."""

    NAME = "figure"
    ARGUMENT = False
    OPTIONS = {"id": ANY, "name": ANY}

    def on_create(self, parent: etree.Element) -> etree.Element:
        element = etree.SubElement(
            parent,
            "figure",
            {"class": "tb-figure", "id": self.opt("id"), "data-figure": self.opt("name")},
        )
        element.text = ""
        return element


class CellBlock(TextbookBlock):
    """`/// cell | Title` with `id:` and `source:`: optional intro, then the cell placeholder."""

    NAME = "cell"
    OPTIONS = {"id": ANY, "source": ANY}

    def on_create(self, parent: etree.Element) -> etree.Element:
        return etree.SubElement(parent, "div", {"class": "tb-cell-block"})

    def on_end(self, block: etree.Element) -> None:
        placeholder = etree.SubElement(
            block,
            "div",
            {
                "class": "tb-cell",
                "id": self.opt("id"),
                "data-source": self.opt("source"),
                "data-title": self.argument,
            },
        )
        placeholder.text = ""


class QuizBlock(TextbookBlock):
    """`/// quiz | quiz-id` with kind/answer/tolerance; body = question, then explanation."""

    NAME = "quiz"
    OPTIONS = {"kind": ANY, "answer": ANY, "tolerance": ANY}

    def on_create(self, parent: etree.Element) -> etree.Element:
        kind = self.opt("kind")
        answer = self.opt("answer").lower()
        attrs = {"class": "tb-quiz", "id": self.argument, "data-kind": kind}
        if kind == "number":
            # The expected answer is the kernel's value, never a typed-in number.
            attrs["data-answer"] = repr(facts.value(answer))
            attrs["data-tolerance"] = self.opt("tolerance") or "0"
        else:
            attrs["data-answer"] = answer
        box = etree.SubElement(parent, "div", attrs)
        head = etree.SubElement(box, "div", {"class": "tb-quiz__head"})
        _self_link(head, self.argument, "Check your understanding", "tb-quiz__label")
        # The body is the question; nested explanation blocks attach to the quiz itself.
        self.content = etree.SubElement(box, "div", {"class": "tb-quiz__question"})
        return box


class ExplanationBlock(TextbookBlock):
    """`//// explanation` inside a quiz: the worked answer, collapsible."""

    NAME = "explanation"
    ARGUMENT = False

    def on_create(self, parent: etree.Element) -> etree.Element:
        quiz = parent
        if "tb-quiz__question" in parent.get("class", ""):
            quiz = self._quiz_of(parent)
        details = etree.SubElement(quiz, "details", {"class": "tb-quiz__explanation"})
        summary = etree.SubElement(details, "summary")
        summary.text = "Show the worked answer"
        return etree.SubElement(details, "div", {"class": "tb-quiz__explanation-body"})

    def _quiz_of(self, question: etree.Element) -> etree.Element:
        for element in self.md.parser.root.iter():
            if question in list(element):
                return element
        return question


class TextbookBlocksExtension(BlocksExtension):
    def extendMarkdownBlocks(self, md: Markdown, block_mgr) -> None:  # noqa: N802 (API name)
        for block in (
            EquationBlock,
            InstrumentBlock,
            FigureBlock,
            CellBlock,
            QuizBlock,
            ExplanationBlock,
        ):
            block_mgr.register(block, {})


def makeExtension(*args, **kwargs) -> TextbookBlocksExtension:  # noqa: N802 (Markdown API)
    return TextbookBlocksExtension(*args, **kwargs)
