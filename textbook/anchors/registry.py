"""Citable anchors: found in rendered pages, kept in one registry, guarded against loss.

Every equation, section, instrument, quiz, code cell and figure has an explicit id whose prefix
names its kind (`eq-`, `sec-`, `instrument-`, `quiz-`, `cell-`, `fig-`). `collect` reads them
from a page's HTML (before math is typeset) with their label, title, TeX and a preview
fragment; `Registry` holds the whole site's and refuses an id or label used twice.

Published anchors never break: see `textbook.anchors.guard`. Pages are read with
`textbook.anchors.html`.
"""

from __future__ import annotations

import functools
import html as htmlmod
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textbook.anchors.html import (  # noqa: F401 - the names callers import from here
    HEADINGS,
    Document,
    Edit,
    Element,
    ParsedPages,
    Text,
    apply_edits,
    parsed,
    plain_text,
    preview_fragment,
    scan,
)
from textbook.core.errors import SourceError, find_line, line_of

#: kind -> id prefix (the directives and the chapter hook enforce the prefixes).
PREFIXES = {
    "equation": "eq-",
    "section": "sec-",
    "instrument": "instrument-",
    "quiz": "quiz-",
    "cell": "cell-",
    "figure": "fig-",
}
KINDS = tuple(PREFIXES)
ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
SECTION_NUMBER_RE = re.compile(r"^(?P<number>\d+(?:\.(?:\d+|[A-Z]))+)\s+(?P<title>.+)$")
PUBLISHED = Path("anchors") / "published.json"
ALIASES = Path("anchors") / "aliases.yml"
GUARD_ENV = "TEXTBOOK_ANCHOR_GUARD"  # "off": build without the guard (used by --publish)


# -- the anchors of a page -----------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    id: str
    kind: str
    label: str | None
    title: str | None
    page: str  # the page's URL relative to the site root, e.g. "01-computer-vision/"
    tex: str | None = None
    preview: str = ""  # HTML (arithmatex markup, no ids or links) shown when a reference is hovered
    source: str = ""  # the page's Markdown file, for messages
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    def record(self, site_url: str, page_title: str | None = None) -> dict:
        data = {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "page": self.page,
            "page_title": page_title,
            "title": self.title,
            "url": absolute_url(site_url, self.page, self.id),
        }
        if self.kind == "equation":
            data["tex"] = self.tex
        return data


def absolute_url(site_url: str, page: str, anchor: str | None = None) -> str:
    base = site_url if site_url.endswith("/") else site_url + "/"
    return base + page + (f"#{anchor}" if anchor else "")


def kind_of(anchor: str) -> str | None:
    return next((kind for kind, prefix in PREFIXES.items() if anchor.startswith(prefix)), None)


def definition_line(source: str, anchor: str, occurrence: int = 0) -> int | None:
    """The line of `source` (a Markdown file) that gives `anchor` to its element; with
    `occurrence` n, to the n-th (from 0) element given it (a page that defines it twice)."""
    a = re.escape(anchor)
    for pattern in (
        rf"^\s+id:\s*{a}\s*$",
        rf"^/{{3,}}\s*quiz\s*\|\s*{a}\s*$",
        rf"\{{[^}}\n]*#{a}(?![\w-])[^}}\n]*\}}",
        rf"""\bid=["']{a}["']""",
    ):
        matches = list(re.finditer(pattern, source, re.MULTILINE))
        if matches:
            return line_of(source, matches[min(occurrence, len(matches) - 1)].start())
    return find_line(source, anchor)


def _heading(doc: Document, element: Element) -> tuple[str | None, str]:
    inner = doc.inner(element)
    for link in doc.descendants(element):
        if "headerlink" in link.classes:
            inner = (
                doc.html[element.open_end : link.start] + doc.html[link.end : element.close_start]
            )
    text = plain_text(inner)
    match = SECTION_NUMBER_RE.match(text)
    if match:
        return f"§{match.group('number')}", match.group("title")
    return None, text


def _section_preview(doc: Document, index: int) -> str:
    """The heading's first paragraph (the section's first lines)."""
    heading = doc.elements[index]
    for element in doc.elements[index + 1 :]:
        if element.parent != heading.parent or element.start < heading.end:
            continue
        if element.tag in HEADINGS:
            break
        if element.tag == "p":
            return preview_fragment(doc.outer(element))
    return ""


def _tex(doc: Document, box: Element) -> str | None:
    math = doc.first(box, cls="arithmatex")
    if math is None:
        return None
    body = htmlmod.unescape(doc.inner(math)).strip()
    if body.startswith("\\[") and body.endswith("\\]"):
        body = body[2:-2]
    return body.strip()


def _head(label: str | None, title: str | None) -> str:
    parts = [
        f'<span class="tb-preview__{cls}">{htmlmod.escape(text, quote=False)}</span>'
        for cls, text in (("label", label), ("title", title))
        if text
    ]
    return f'<p class="tb-preview__head">{" ".join(parts)}</p>'


def math_markup(tex: str) -> str:
    """Display math as arithmatex writes it; the math hook typesets it in the finished page."""
    return f'<div class="arithmatex">\\[{htmlmod.escape(tex, quote=False)}\\]</div>'


def _is_block(element: Element, kind: str) -> bool:
    """Sections are headings; other kinds are the `tb-<kind>` blocks of textbook.chapter.blocks."""
    if kind == "section":
        return element.tag in HEADINGS
    return f"tb-{kind}" in element.classes


def collect(
    html: str, page: str, source_path: str = "", source: str = "", doc: Document | None = None
) -> list[Anchor]:
    """The citable anchors of one rendered page, in document order.

    `page` is the page's URL relative to the site; `source` its Markdown (for line numbers);
    `doc` the page already parsed, if it is (used only if parsed from `html`).
    """
    doc = parsed(html, doc)
    found = []
    seen: dict[str, int] = {}  # an id given twice on the page: name each definition's own line
    for index, element in enumerate(doc.elements):
        anchor = element.attrs.get("id", "")
        kind = kind_of(anchor)
        if kind is None or not _is_block(element, kind):
            continue
        label = title = tex = None
        preview = ""
        if kind == "section":
            label, title = _heading(doc, element)
            preview = _head(label, title) + _section_preview(doc, index)
        elif kind == "equation":
            label = doc.text(doc.first(element, cls="tb-equation__label")) or None
            title = doc.text(doc.first(element, cls="tb-equation__title")) or None
            tex = _tex(doc, element)
            preview = _head(label, title) + (math_markup(tex) if tex else "")
        elif kind == "instrument":
            label = doc.text(doc.first(element, cls="tb-instrument__label")) or None
            title = doc.text(doc.first(element, cls="tb-instrument__title")) or None
            caption = doc.first(element, tag="figcaption")
            body = preview_fragment(doc.inner(caption)) if caption else ""
            preview = _head(label, title) + f'<div class="tb-preview__body">{body}</div>'
        elif kind == "quiz":
            title = doc.text(doc.first(element, cls="tb-quiz__question")) or None
        elif kind == "cell":
            title = element.attrs.get("data-title") or None
        elif kind == "figure":
            title = doc.text(doc.first(element, tag="figcaption")) or None
        if kind in ("quiz", "cell", "figure"):
            preview = _head(None, title) if title else ""
        occurrence = seen[anchor] = seen.get(anchor, -1) + 1
        line = definition_line(source, anchor, occurrence) if source else None
        found.append(Anchor(anchor, kind, label, title, page, tex, preview, source_path, line))
    return found


# -- the site's registry -------------------------------------------------------------------------


@dataclass
class Registry:
    anchors: dict[str, Anchor]
    by_label: dict[str, Anchor]
    pages: set[str]

    def __contains__(self, anchor: str) -> bool:
        return anchor in self.anchors

    def __getitem__(self, anchor: str) -> Anchor:
        return self.anchors[anchor]

    @functools.cached_property
    def equations(self) -> dict[str, Anchor]:
        """The equations by id, worked out once: every page asks (site-wide: O(pages) each)."""
        return {anchor.id: anchor for anchor in self.anchors.values() if anchor.kind == "equation"}


def build_registry(anchors: Iterable[Anchor], pages: Iterable[str] = ()) -> Registry:
    """All anchors of the site; raises SourceError for an id or label used twice."""
    by_id: dict[str, Anchor] = {}
    by_label: dict[str, Anchor] = {}
    for anchor in anchors:
        other = by_id.get(anchor.id)
        if other is not None:
            raise SourceError(
                anchor.source,
                anchor.line,
                f"id '{anchor.id}' is already used at {other.where}; citable ids must be "
                "unique across the site: choose another id",
            )
        by_id[anchor.id] = anchor
        if anchor.label:
            other = by_label.get(anchor.label)
            if other is not None:
                raise SourceError(
                    anchor.source,
                    anchor.line,
                    f"label '{anchor.label}' is already the label of '{other.id}' "
                    f"({other.where}); labels must be unique across the site",
                )
            by_label[anchor.label] = anchor
    all_pages = set(pages) | {a.page for a in by_id.values()}
    return Registry(by_id, by_label, all_pages)
