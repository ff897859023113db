"""Reading time of a page, computed from its rendered content.

The formula (documented in the README with its sources):

    minutes = ceil( (prose_words + inline_formulas) / 238
                    + item_seconds(figures + display equations + instruments
                                   + code cells + quizzes) / 60 )

- 238 words per minute is the average silent reading rate of adults for English non-fiction
  in Brysbaert's meta-analysis (2019, Journal of Memory and Language 109, 104047).
- The items follow Medium's published read-time rule for images: 12 s for the first, one second
  less for each next one, and 3 s for the tenth and every one after it. Every figure, display
  equation, instrument, code cell and quiz is one such item, counted in one sequence.

Prose words are the words a reader reads as text: code, math, the chrome of blocks (labels,
titles, subtitles, buttons) and the References section are left out; an inline formula counts
as one word.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html.parser import HTMLParser

WORDS_PER_MINUTE = 238
# Medium's rule for images: the k-th item (from 1) costs max(FLOOR, FIRST - (k - 1)) seconds.
FIRST_ITEM_SECONDS = 12
ITEM_FLOOR_SECONDS = 3

WORD_RE = re.compile(r"[\w’'-]+")
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Block chrome: what labels a block, not what the author wrote for reading.
CHROME_CLASSES = {"headerlink", "tb-equation__head", "tb-instrument__head", "tb-quiz__head"}
REFERENCES_HEADING_RE = re.compile(r"^(?:[\d.]+[A-Z]?\s+)?References$")


def item_seconds(count: int) -> int:
    """Seconds for `count` visual or interactive items under Medium's image rule."""
    return sum(max(ITEM_FLOOR_SECONDS, FIRST_ITEM_SECONDS - k) for k in range(count))


@dataclass
class ContentCounts:
    prose_words: int = 0
    inline_formulas: int = 0
    display_equations: int = 0
    figures: int = 0
    instruments: int = 0
    code_cells: int = 0
    quizzes: int = 0

    @property
    def items(self) -> int:
        return (
            self.figures
            + self.display_equations
            + self.instruments
            + self.code_cells
            + self.quizzes
        )

    def seconds(self) -> float:
        words = self.prose_words + self.inline_formulas
        return words * 60 / WORDS_PER_MINUTE + item_seconds(self.items)

    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds() / 60))


class _Counter(HTMLParser):
    """Counts prose words outside math, code, chrome and references; counts the items."""

    SKIP_TAGS = {"script", "style", "pre", "code", "summary"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.counts = ContentCounts()
        self.stack: list[bool] = []  # per open element: is text inside it skipped?
        self.heading: tuple[int, list[str]] | None = None  # (level, text) while in a heading
        self.in_references: int = 0  # level of the References heading, 0 outside it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        classes = set(attr.get("class", "").split())
        if tag in HEADING_TAGS:
            level = int(tag[1])
            if self.in_references and level <= self.in_references:
                self.in_references = 0  # the next section of the same rank ends the list
            self.heading = (level, [])
        skip = bool(self.stack and self.stack[-1]) or tag in self.SKIP_TAGS
        skip = skip or bool(CHROME_CLASSES & classes)
        if "arithmatex" in classes:
            skip = True
            if tag == "div":
                self.counts.display_equations += 1
            else:
                self.counts.inline_formulas += 1
        self.counts.figures += "tb-figure" in classes
        self.counts.instruments += "tb-instrument" in classes
        self.counts.quizzes += "tb-quiz" in classes
        self.counts.code_cells += "tb-cell" in classes
        if tag not in VOID_TAGS:
            self.stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()
        if tag in HEADING_TAGS and self.heading is not None:
            level, parts = self.heading
            self.heading = None
            text = " ".join("".join(parts).split())
            if REFERENCES_HEADING_RE.match(text):
                self.in_references = level
            elif not self.in_references:
                self.counts.prose_words += len(WORD_RE.findall(text))

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1]:
            return
        if self.heading is not None:
            self.heading[1].append(data)  # counted at the heading's end, unless References
        elif not self.in_references:
            self.counts.prose_words += len(WORD_RE.findall(data))


VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"}


def count_content(html: str) -> ContentCounts:
    """Count what a reader reads in `html` (page content before math is typeset)."""
    counter = _Counter()
    counter.feed(html)
    counter.close()
    return counter.counts


def reading_minutes(html: str) -> int:
    return count_content(html).minutes()
