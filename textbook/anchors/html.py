"""Reading rendered HTML with source offsets: the anchors package's one HTML scanner.

`scan` turns a page's HTML into a flat `Document` of elements and text with their offsets, so
that `collect`, `xref`, `cite` and `quiz` can find things once and rewrite them by `Edit`s
(`apply_edits`) without re-serialising the page. `ParsedPages` keeps one parse per page for the
anchors stage's two passes.
"""

from __future__ import annotations

import html as htmlmod
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
VOID |= {"track", "wbr", "param"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    start: int  # offset of "<"
    open_end: int  # offset just after the start tag
    close_start: int = -1  # offset of the end tag ("</"), or open_end for void elements
    end: int = -1  # offset just after the end tag
    parent: int | None = None

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


@dataclass
class Text:
    start: int
    end: int
    ancestors: tuple[int, ...]  # element indexes, outermost first


@dataclass
class Document:
    html: str
    elements: list[Element] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)

    def inner(self, element: Element) -> str:
        return self.html[element.open_end : element.close_start]

    def outer(self, element: Element) -> str:
        return self.html[element.start : element.end]

    def descendants(self, element: Element) -> Iterable[Element]:
        return (e for e in self.elements if element.open_end <= e.start < element.close_start)

    def first(self, element: Element, cls: str | None = None, tag: str | None = None):
        for candidate in self.descendants(element):
            if (cls is None or cls in candidate.classes) and (tag is None or candidate.tag == tag):
                return candidate
        return None

    def text(self, element: Element | None) -> str:
        return "" if element is None else plain_text(self.inner(element))


class _Scanner(HTMLParser):
    def __init__(self, doc: Document):
        super().__init__(convert_charrefs=False)
        self.doc = doc
        self.stack: list[int] = []  # indexes of the open elements
        self.open_tags: list[str] = []  # their tags, for a quick look-up
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", doc.html)]

    def _at(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        start = self._at()
        raw = self.get_starttag_text() or ""
        element = Element(
            tag,
            {k: v or "" for k, v in attrs},
            start,
            start + len(raw),
            parent=self.stack[-1] if self.stack else None,
        )
        self.doc.elements.append(element)
        if tag in VOID or raw.endswith("/>"):
            element.close_start = element.end = element.open_end
        else:
            self.stack.append(len(self.doc.elements) - 1)
            self.open_tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)  # "<x/>": handle_starttag leaves it closed

    def handle_endtag(self, tag):
        if tag not in self.open_tags:
            return
        start = self._at()
        end = self.doc.html.index(">", start) + 1
        while self.stack:
            self.open_tags.pop()
            element = self.doc.elements[self.stack.pop()]
            element.close_start, element.end = start, end
            if element.tag == tag:
                break

    def handle_data(self, data):
        start = self._at()
        self.doc.texts.append(Text(start, start + len(data), tuple(self.stack)))

    def close(self):
        super().close()
        for index in self.stack:
            element = self.doc.elements[index]
            element.close_start = element.end = len(self.doc.html)


def scan(html: str) -> Document:
    """Elements and text runs of `html`, with their offsets in `html`."""
    doc = Document(html)
    scanner = _Scanner(doc)
    scanner.feed(html)
    scanner.close()
    return doc


def parsed(html: str, doc: Document | None = None) -> Document:
    """`doc` if it was parsed from exactly `html`, else `html` parsed now."""
    return doc if doc is not None and doc.html == html else scan(html)


class ParsedPages:
    """Pages parsed by `collect` (on_page_content), kept for `xref.decorate_page`
    (on_page_context), which reads the same HTML: html.parser takes ~15 ms per chapter page,
    now once per page instead of twice. A kept Document serves only the HTML it was parsed
    from (`parsed`). It takes ~16 bytes per character of its page, so at most `budget`
    characters of HTML are kept; pages beyond that (large sites) are parsed again."""

    def __init__(self, budget: int = 4_000_000):
        self.budget = budget
        self._docs: dict[str, Document] = {}
        self._kept = 0

    def scan(self, key: str, html: str) -> Document:
        """`html` parsed, and kept under `key` if the budget allows."""
        self.take(key)
        doc = scan(html)
        if self._kept + len(html) <= self.budget:
            self._docs[key] = doc
            self._kept += len(html)
        return doc

    def take(self, key: str) -> Document | None:
        """The Document kept under `key`, if any, forgotten here."""
        doc = self._docs.pop(key, None)
        if doc is not None:
            self._kept -= len(doc.html)
        return doc


@dataclass(frozen=True)
class Edit:
    """Replace html[start:end] with `text` (start == end: insert)."""

    start: int
    end: int
    text: str


def apply_edits(html: str, edits: Iterable[Edit]) -> str:
    """`html` with the edits applied; insertions at one offset keep their given order."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    parts, cursor = [], 0
    for _, edit in ordered:
        if edit.start < cursor:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        parts.append(html[cursor : edit.start])
        parts.append(edit.text)
        cursor = edit.end
    parts.append(html[cursor:])
    return "".join(parts)


TAG_RE = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, whitespace collapsed."""
    return " ".join(htmlmod.unescape(TAG_RE.sub("", fragment)).split())


ID_ATTR_RE = re.compile(r"""\s(?:id|tabindex)=(["'])[^"']*\1""")


def preview_fragment(fragment: str) -> str:
    """HTML safe to repeat elsewhere on a page: no ids, no focus stops, no nested links."""

    def clean(match: re.Match[str]) -> str:
        tag = match.group(0)
        if re.match(r"<a\b", tag):
            return "<span>"
        if tag == "</a>":
            return "</span>"
        return ID_ATTR_RE.sub("", tag)

    return TAG_RE.sub(clean, fragment)
