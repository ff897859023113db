"""Replace arithmatex's generic math markup in a page with KaTeX output.

`pymdownx.arithmatex` (`generic: true`) marks inline math as
`<span class="arithmatex">\\(...\\)</span>` and display math as
`<div class="arithmatex">\\[...\\]</div>` (TeX HTML-escaped). `typeset_page` finds those,
typesets them in one batch and swaps them for KaTeX's HTML + MathML; display math is wrapped in
`<div class="math-display">` so it scrolls sideways on narrow screens. A formula KaTeX rejects
becomes a `MathError` naming the Markdown file and line, found by locating the formula in the
page's source file.

The rest links the page to the KaTeX assets the site self-hosts; which fonts a page's math
uses (so that only those are preloaded) is `textbook.math.fonts`.
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Protocol

from textbook.core.errors import SourceError, line_of
from textbook.core.front_matter import body_start
from textbook.math.fonts import ASSET_DIR, STYLESHEET
from textbook.math.katex import TexError

RE_MATH = re.compile(
    r"<(?P<tag>span|div)(?P<attrs>\s[^>]*?\bclass=\"(?P<classes>[^\"]*)\"[^>]*)>"
    r"(?P<body>[^<]*)</(?P=tag)>"
)
DELIMITERS = {("\\(", "\\)"): False, ("\\[", "\\]"): True}
MESSAGE_FORMULA_CHARS = 60


class Renderer(Protocol):
    def render_many(self, items: list[tuple[str, bool]]) -> list[str]: ...


class MathError(SourceError):
    """Bad math in an author's file: formats as `path:line: message`."""


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool
    start: int  # span of the arithmatex element in the page's HTML
    end: int
    attrs: str  # the element's attributes, e.g. ' class="arithmatex"'


def _arithmatex_elements(page_html: str) -> list[re.Match]:
    """The matches of `RE_MATH.finditer` whose classes include arithmatex, found faster.

    `finditer` tries the pattern at each `<` past its last match, and an element with the class
    holds "arithmatex" before its tag's `>`: only the `<` before each "arithmatex" is tried (a
    site's navigation, hundreds of spans on every page, is skipped). Should a tried `<` follow
    a `<` with no `>` between them (a "<" inside an attribute), an earlier match could cover
    it: then every `<` is tried, as before."""
    found, tried, end = [], -1, 0
    at = page_html.find("arithmatex")
    while at >= 0:
        start = page_html.rfind("<", 0, at)
        if start > tried and start >= end:
            tried = start
            if page_html.rfind("<", 0, start) > page_html.rfind(">", 0, start):
                return [m for m in RE_MATH.finditer(page_html) if _is_arithmatex(m)]
            if match := RE_MATH.match(page_html, start):
                end = match.end()
                if _is_arithmatex(match):
                    found.append(match)
        at = page_html.find("arithmatex", at + 1)
    return found


def _is_arithmatex(match: re.Match) -> bool:
    return "arithmatex" in match["classes"].split()


def find_formulas(page_html: str) -> list[Formula]:
    """The arithmatex elements of `page_html`, in document order."""
    formulas = []
    for match in _arithmatex_elements(page_html):
        body = htmlmod.unescape(match["body"])
        for (opening, closing), display in DELIMITERS.items():
            if body.startswith(opening) and body.endswith(closing) and len(body) >= 4:
                tex = body[len(opening) : -len(closing)]
                formulas.append(Formula(tex, display, match.start(), match.end(), match["attrs"]))
                break
        else:
            raise ValueError(
                f"arithmatex markup without \\( \\) or \\[ \\] delimiters: {match[0][:80]!r}; "
                "configure pymdownx.arithmatex with `generic: true`"
            )
    return formulas


def display_wrapper(attrs: str, katex_html: str) -> str:
    """Display math in a focusable box that scrolls sideways (classes and id kept)."""
    attrs = re.sub(
        r'\bclass="([^"]*)"',
        lambda m: 'class="{}"'.format(
            " ".join("math-display" if c == "arithmatex" else c for c in m[1].split())
        ),
        attrs,
        count=1,
    )
    return f'<div{attrs} tabindex="0">{katex_html}</div>'


def replace_formulas(page_html: str, formulas: list[Formula], rendered: list[str]) -> str:
    """`page_html` with each formula's element replaced by its KaTeX HTML."""
    parts = []
    cursor = 0
    for formula, katex_html in zip(formulas, rendered, strict=True):
        parts.append(page_html[cursor : formula.start])
        parts.append(display_wrapper(formula.attrs, katex_html) if formula.display else katex_html)
        cursor = formula.end
    parts.append(page_html[cursor:])
    return "".join(parts)


def typeset_page(
    page_html: str, renderer: Renderer, source: str | None = None, path: str = "<page>"
) -> tuple[str, list[Formula], list[str]]:
    """Typeset all math of `page_html`; returns (new HTML, formulas, their KaTeX HTML).

    `source` is the page's Markdown file as read from disk (front matter included) and `path`
    how to name it in errors. Raises `MathError` for the first formula KaTeX rejects."""
    formulas = find_formulas(page_html)
    if not formulas:
        return page_html, [], []
    try:
        rendered = renderer.render_many([(f.tex, f.display) for f in formulas])
    except TexError as err:
        index = next(
            i for i, f in enumerate(formulas) if (f.tex, f.display) == (err.tex, err.display)
        )
        raise math_error(err, formulas, index, source, path) from None
    return replace_formulas(page_html, formulas, rendered), formulas, rendered


RE_TITLE_MATH = re.compile(r"\\\((?P<tex>.+?)\\\)")


def check_headings(titles: list[str], source: str | None = None, path: str = "<page>") -> None:
    """Raise `MathError` if a heading has math: its text also becomes the page title, the
    header and the tables of contents, which are plain text and would show raw TeX."""
    for title in titles:
        match = RE_TITLE_MATH.search(htmlmod.unescape(title))
        if match is None:
            continue
        line = None
        if source is not None:
            span = locate(source, match["tex"], display=False)
            line = None if span is None else line_of(source, span[0])
        raise MathError(
            path,
            line,
            f"math in the heading '{shorten(htmlmod.unescape(title))}': the page title and "
            "tables of contents would show raw TeX; write it as text (Unicode, e.g. x²)",
        )


# -- where a bad formula is in the Markdown source ----------------------------------------------


def _flexible(tex: str) -> str:
    """Regex for `tex` as written in the source, where Markdown may have removed indentation,
    blockquote markers or tabs from continuation lines: whitespace runs match loosely."""
    pieces = re.split(r"(\s+)", tex)
    return "".join(r"[\s>]*" if piece.isspace() else re.escape(piece) for piece in pieces)


def _source_pattern(tex: str, display: bool) -> re.Pattern[str]:
    body = f"({_flexible(tex)})"
    if display and tex.lstrip().startswith("\\begin{"):
        return re.compile(body)
    if display:
        return re.compile(r"(?:\$\$|\\\[)" + body + r"(?:\$\$|\\\])")
    return re.compile(r"(?<!\$)(?:\$|\\\()" + body + r"(?:\$|\\\))")


def locate(source: str, tex: str, display: bool, occurrence: int = 0) -> tuple[int, int] | None:
    """Offsets (start, end) of the `occurrence`-th appearance of the formula's TeX in `source`,
    past any front matter; the last one if there are fewer, None if there is none."""
    pattern = _source_pattern(tex, display)
    found = None
    for count, match in enumerate(pattern.finditer(source, body_start(source))):
        found = match.span(1)
        if count == occurrence:
            break
    return found


def source_offset(source: str, start: int, tex: str, position: int) -> int:
    """Offset in `source` of character `position` of `tex`, whose text begins at `start`
    (skipping what Markdown stripped from the source: indentation, `>` markers)."""
    i, j = 0, start
    while i < position and j < len(source):
        if source[j] == tex[i]:
            i, j = i + 1, j + 1
        elif source[j] in " \t>":
            j += 1
        elif tex[i].isspace():
            i += 1
        else:
            break
    target = tex[position] if position < len(tex) else None
    while j < len(source) and source[j] in " \t>" and source[j] != target:
        j += 1  # stripped characters just before the character itself
    return j


def shorten(tex: str, limit: int = MESSAGE_FORMULA_CHARS) -> str:
    """The formula on one line, cut to `limit` characters."""
    flat = " ".join(tex.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def math_error(
    err: TexError, formulas: list[Formula], index: int, source: str | None, path: str
) -> MathError:
    """A `MathError` naming the line of `path` where KaTeX's error is."""
    formula = formulas[index]
    delimiter = "$$" if formula.display else "$"
    message = f"invalid TeX in {delimiter}{shorten(formula.tex)}{delimiter}: {err.message}"
    line = None
    if source is not None:
        occurrence = sum(
            1 for f in formulas[:index] if (f.tex, f.display) == (formula.tex, formula.display)
        )
        span = locate(source, formula.tex, formula.display, occurrence)
        if span is None:
            message += " (formula not found in the Markdown source)"
        else:
            position = err.position if err.position is not None else 0
            line = line_of(source, source_offset(source, span[0], formula.tex, position))
    return MathError(path, line, message)


def head_links(page_url: str, fonts: list[str]) -> str:
    """`<link>` tags for the KaTeX stylesheet and font preloads, relative to the page at
    `page_url` (a directory URL like `chapter/` or a file URL like `index.html`)."""
    base = PurePosixPath(page_url) if page_url.endswith("/") else PurePosixPath(page_url).parent
    depth = len([part for part in base.parts if part not in ("", ".")])
    prefix = "../" * depth
    links = [f'<link rel="stylesheet" href="{prefix}{STYLESHEET}">']
    links += [
        f'<link rel="preload" href="{prefix}{ASSET_DIR}/fonts/{font}" as="font" '
        'type="font/woff2" crossorigin>'
        for font in fonts
    ]
    return "\n".join(links)


_HEAD_START_RE = re.compile(r"<head\b[^>]*>\s*(?:<meta\s+charset=[^>]*>)?", re.I)


def inject_head(page_html: str, links: str) -> str:
    """`page_html` with `links` inserted just before `</head>`, except the font preloads, which
    go first in `<head>` (after `<meta charset>`; the site's policy `<meta>` goes before them).

    Why first: a Content-Security-Policy `<meta>` turns Chromium's preload scanner off for the
    page, so a preload is fetched only when the parser meets it, and at the end of `<head>` the
    parser meets it only after waiting at the head's inline scripts for the stylesheets; the
    first frame then waited for those fonts (chapter page, 1x: FCP 320 -> 260 ms, 4x: 592 -> 360 ms;
    see README "Results (2026-12-07)").
    """
    index = page_html.find("</head>")
    if index < 0:
        raise ValueError("page has no </head> to add the KaTeX stylesheet to")
    lines = links.splitlines()
    early = [line for line in lines if line.startswith('<link rel="preload"')]
    late = [line for line in lines if not line.startswith('<link rel="preload"')]
    tail = "".join(line + "\n" for line in late)
    page_html = page_html[:index] + tail + page_html[index:]
    start = _HEAD_START_RE.search(page_html)
    if not early or start is None:
        return page_html
    at = start.end()
    return page_html[:at] + "".join(f"\n{line}" for line in early) + page_html[at:]
