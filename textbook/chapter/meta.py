"""A chapter page's metadata: front matter checked against a schema, and the header it renders.

The header (breadcrumb, "Chapter 01 / 06", level, reading time, what the chapter builds on,
its instruments) and the next-chapter element come from front matter, so every chapter of
the volume looks alike and nothing in them is typed twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import yaml

from textbook.chapter import schema
from textbook.core.errors import SourceError
from textbook.core.front_matter import find_front_matter, opens_front_matter

HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*$")
HEADING_ID_RE = re.compile(r"\{\s*[^}]*#[a-z][a-z0-9-]*[^}]*\}\s*$")
FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class NextChapter:
    number: int
    title: str
    summary: str


@dataclass(frozen=True)
class ChapterMeta:
    title: str
    chapter: int
    chapter_count: int
    volume: str
    breadcrumb: tuple[str, ...]
    level: str
    builds_on: tuple[str, ...]
    instruments: tuple[str, ...]
    next: NextChapter | None


def split_front_matter(source: str, path: str) -> tuple[dict, int]:
    """Parse the YAML front matter of a Markdown file strictly.

    Returns (data, number of lines it takes). MkDocs ignores malformed front matter
    silently; here it is an error naming the line.
    """
    block = find_front_matter(source)
    if block is None:
        if opens_front_matter(source):
            raise SourceError(path, 1, "front matter starts with '---' but is never closed")
        return {}, 0
    try:
        data = yaml.safe_load(block.yaml) or {}
    except yaml.YAMLError as error:
        # "while scanning a quoted scalar" (context) points at the start of the unclosed value;
        # the problem's own mark is where YAML gave up, often the closing '---'.
        context = getattr(error, "context", None)
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for '---', +1 for 1-based
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        problem = f"{context}, {problem}" if context else problem
        raise SourceError(
            path, line, f"malformed front matter: {problem}; fix the YAML between the '---' lines"
        ) from None
    if not isinstance(data, dict):
        raise SourceError(path, 2, "front matter must be a mapping of 'key: value' lines")
    return data, block.lines


def chapter_meta(data: dict, path: str, source: str) -> ChapterMeta | None:
    """Validate a page's front matter (textbook.chapter.schema); None for pages that are not
    chapters."""
    if "chapter" not in data:
        schema.validate(data, path, source, chapter=False)
        return None
    schema.validate(data, path, source)
    nxt = data.get("next")
    return ChapterMeta(
        title=data["title"],
        chapter=data["chapter"],
        chapter_count=data["chapter_count"],
        volume=data["volume"],
        breadcrumb=tuple(str(v) for v in data["breadcrumb"]),
        level=data["level"],
        builds_on=tuple(str(v) for v in data["builds_on"]),
        instruments=tuple(str(v) for v in data["instruments"]),
        next=NextChapter(nxt["number"], nxt["title"], nxt["summary"]) if nxt else None,
    )


def headings_without_id(markdown: str, first_line: int = 1) -> list[int]:
    """File lines of ATX headings lacking an explicit `{ #id }` (ids never come from titles)."""
    missing = []
    fence = None
    for index, text in enumerate(markdown.splitlines()):
        fence_match = FENCE_RE.match(text)
        if fence_match:
            marker = fence_match.group(1)
            fence = None if fence and marker.startswith(fence) else (fence or marker)
            continue
        if fence:
            continue
        match = HEADING_RE.match(text)
        if match and not HEADING_ID_RE.search(match.group("text")):
            missing.append(first_line + index)
    return missing


def _two(n: int) -> str:
    return f"{n:02d}"


def header_html(meta: ChapterMeta, home_url: str) -> str:
    """Breadcrumb and kicker (above the title)."""
    crumbs = []
    for index, crumb in enumerate(meta.breadcrumb):
        last = index == len(meta.breadcrumb) - 1
        if last:
            crumbs.append(f'<li aria-current="page">{escape(crumb)}</li>')
        elif crumb == meta.volume:
            crumbs.append(f'<li><a href="{escape(home_url)}">{escape(crumb)}</a></li>')
        else:
            crumbs.append(f"<li>{escape(crumb)}</li>")
    return (
        '<nav class="tb-breadcrumb" aria-label="Breadcrumb"><ol>' + "".join(crumbs) + "</ol></nav>"
        f'<p class="tb-kicker">{escape(meta.volume)} · Chapter {_two(meta.chapter)} / '
        f"{_two(meta.chapter_count)}</p>"
    )


def meta_html(meta: ChapterMeta, minutes: int, instrument_titles: dict[str, str]) -> str:
    """The facts strip under the title: level, reading time, builds on, instruments."""
    instruments = " · ".join(
        f'<a href="#{escape(anchor)}">{escape(instrument_titles.get(anchor, anchor))}</a>'
        for anchor in meta.instruments
    )
    rows = [
        ("Level", escape(meta.level)),
        (
            "Reading time",
            f'<span class="tb-reading-time" data-minutes="{minutes}">≈ {minutes} min</span>',
        ),
        ("Builds on", " · ".join(escape(b) for b in meta.builds_on)),
        (f"{len(meta.instruments)} instruments", instruments),
    ]
    cells = "".join(f"<div><dt>{dt}</dt><dd>{dd}</dd></div>" for dt, dd in rows)
    return f'<dl class="tb-chapter-meta">{cells}</dl>'


def next_html(meta: ChapterMeta) -> str:
    nxt = meta.next
    if nxt is None:
        return ""
    return (
        '<aside class="tb-next" aria-labelledby="tb-next-title">'
        f'<p class="tb-next__kicker">Next · Chapter {_two(nxt.number)}</p>'
        f'<p class="tb-next__title" id="tb-next-title">{escape(nxt.title)}</p>'
        f'<p class="tb-next__summary">{escape(nxt.summary)}</p>'
        '<p class="tb-next__status">Coming soon</p>'
        "</aside>"
    )


H1_RE = re.compile(r"<h1\b[^>]*>.*?</h1>", re.DOTALL)
REFERENCES_RE = re.compile(r'<h2\b[^>]*\bid="sec-\d+-r"')


def decorate(html: str, meta: ChapterMeta, minutes: int, titles: dict[str, str], home: str) -> str:
    """Put the header around the page's <h1> and the next-chapter element before References."""
    h1 = H1_RE.search(html)
    if h1 is None:
        raise ValueError("a chapter page needs a '# Title' heading")
    html = (
        html[: h1.start()]
        + header_html(meta, home)
        + h1.group(0)
        + meta_html(meta, minutes, titles)
        + html[h1.end() :]
    )
    refs = REFERENCES_RE.search(html)
    at = refs.start() if refs else len(html)
    return html[:at] + next_html(meta) + html[at:]
