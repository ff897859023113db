"""Reading time of a page, computed from its rendered content.

The formula (documented in the README; each constant is a reader's time for one item):

    minutes = ceil( prose_words / 230
                    + inline_formulas * 2 s + display_equations * 20 s
                    + figures * 15 s + instruments * 45 s
                    + code_cells * (15 s + 2 s per non-blank line) + quizzes * 30 s )

230 words per minute is a typical adult's silent reading pace for non-fiction; the item times
are what it takes to read a formula, study a chart, try an instrument or a cell, and answer a
quiz.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html.parser import HTMLParser

WORDS_PER_MINUTE = 230
SECONDS = {
    "inline_formulas": 2,
    "display_equations": 20,
    "figures": 15,
    "instruments": 45,
    "code_cells": 15,
    "code_lines": 2,
    "quizzes": 30,
}

WORD_RE = re.compile(r"[\w’'-]+")


@dataclass
class ContentCounts:
    prose_words: int = 0
    inline_formulas: int = 0
    display_equations: int = 0
    figures: int = 0
    instruments: int = 0
    code_cells: int = 0
    code_lines: int = 0
    quizzes: int = 0

    def seconds(self) -> float:
        total = self.prose_words * 60 / WORDS_PER_MINUTE
        for item, cost in SECONDS.items():
            total += getattr(self, item) * cost
        return total

    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds() / 60))


class _Counter(HTMLParser):
    """Counts prose words outside math, code and placeholders; counts the items."""

    SKIP_TAGS = {"script", "style", "pre", "code"}

    def __init__(self, code_lines: dict[str, int]):
        super().__init__(convert_charrefs=True)
        self.counts = ContentCounts()
        self.code_lines = code_lines
        self.stack: list[bool] = []  # per open element: is text inside it skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        classes = attr.get("class", "").split()
        skip = bool(self.stack and self.stack[-1]) or tag in self.SKIP_TAGS
        if "arithmatex" in classes:
            skip = True
            if tag == "div":
                self.counts.display_equations += 1
            else:
                self.counts.inline_formulas += 1
        if "tb-figure" in classes:
            self.counts.figures += 1
        if "tb-instrument" in classes:
            self.counts.instruments += 1
        if "tb-quiz" in classes:
            self.counts.quizzes += 1
        if "tb-cell" in classes:
            self.counts.code_cells += 1
            self.counts.code_lines += self.code_lines.get(attr.get("data-source", ""), 0)
        if "headerlink" in classes:
            skip = True
        if tag not in VOID_TAGS:
            self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.counts.prose_words += len(WORD_RE.findall(data))


VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"}


def count_content(html: str, code_lines: dict[str, int] | None = None) -> ContentCounts:
    """Count what a reader reads in `html` (page content before math is typeset).

    `code_lines` maps a cell's source path to its number of non-blank lines.
    """
    counter = _Counter(code_lines or {})
    counter.feed(html)
    counter.close()
    return counter.counts


def reading_minutes(html: str, code_lines: dict[str, int] | None = None) -> int:
    return count_content(html, code_lines).minutes()
