"""The KaTeX fonts a page needs at load: preload those, let the rest load when drawn.

The math hook preloads every woff2 file the page's formulas use (seven on the chapter page,
~115 KB gzip). But `textbook.css` renders most blocks after the first `<h2>` only when they near
the viewport (`content-visibility: auto`), and a browser fetches a web font only when it lays out
text set in it, so fonts used only in those blocks were preloaded for nothing. Kept: the fonts
of formulas in what is laid out at load: every top-level block of the article before its first
`<h2>`, the first `EAGER_AFTER_FIRST_H2` blocks after it, and each block the stylesheet never
defers (headings, instruments, admonitions...). A font fetched there without its preload would
swap in after the first paint and shift the text around it; one fetched later is drawn before it
scrolls into view, as the block's rendering starts a screen ahead.

`DEFERRED_TAGS` / `DEFERRED_CLASSES` mirror the selector in `docs/assets/css/textbook.css`
(a unit test reads it back).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import textbook.math.fonts as mathfonts
from textbook.core.cache import Cache, digest

EAGER_AFTER_FIRST_H2 = 3
DEFERRED_TAGS = frozenset({"p", "ul", "ol", "figure", "table"})
DEFERRED_CLASSES = frozenset({"md-typeset__scrollwrap", "tb-equation", "tb-cell-block", "tb-quiz"})
NEVER_DRAWN = frozenset({"template", "script", "style", "noscript"})

_ARTICLE_RE = re.compile(r'<article class="md-content__inner[^"]*">')
_TOKEN_RE = re.compile(
    r"<!--.*?-->|<(?P<close>/?)(?P<tag>[a-zA-Z][\w-]*)(?P<attrs>(?:\"[^\"]*\"|'[^']*'|[^'\">])*)>",
    re.S,
)
_CLASS_RE = re.compile(r"""\bclass=(?:"([^"]*)"|'([^']*)')""")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
_PRELOAD_RE = re.compile(
    r'[ \t]*<link rel="preload" href="[^"]*/fonts/(?P<font>[^"/]+\.woff2)" as="font"[^>]*>\n?'
)


def _classes(attrs: str) -> set[str]:
    match = _CLASS_RE.search(attrs)
    return set((match[1] or match[2] or "").split()) if match else set()


def top_level_blocks(page_html: str) -> Iterator[tuple[str, set[str], int, int]]:
    """(tag, classes, start, end) of each child element of the page's article, in order."""
    article = _ARTICLE_RE.search(page_html)
    if article is None:
        return
    depth, start, tag, classes = 0, 0, "", set()
    for token in _TOKEN_RE.finditer(page_html, article.end()):
        name = token["tag"]
        if name is None:  # a comment
            continue
        name = name.lower()
        self_closing = token["attrs"].rstrip().endswith("/") or name in _VOID
        if token["close"]:
            if depth == 0:
                return  # </article>
            depth -= 1
            if depth == 0:
                yield tag, classes, start, token.end()
        elif depth == 0:
            tag, classes, start = name, _classes(token["attrs"]), token.start()
            if self_closing:
                yield tag, classes, start, token.end()
            else:
                depth = 1
        elif not self_closing:
            depth += 1


def laid_out_at_load(page_html: str) -> list[str]:
    """The HTML of the article's top-level blocks the stylesheet does not defer."""
    blocks, after_h2 = [], None
    for tag, classes, start, end in top_level_blocks(page_html):
        if after_h2 is None and tag == "h2":
            after_h2 = 0
        elif after_h2 is not None:
            after_h2 += 1
        deferred = tag in DEFERRED_TAGS or bool(classes & DEFERRED_CLASSES)
        if tag in NEVER_DRAWN:
            continue
        if after_h2 is None or after_h2 <= EAGER_AFTER_FIRST_H2 or not deferred:
            blocks.append(page_html[start:end])
    return blocks


_KATEX_RE = re.compile(r'<span class="katex">')
_SPAN_RE = re.compile(r"<(/?)span\b[^>]*>")


def katex_formulas(html: str) -> list[str]:
    """The `<span class="katex">...</span>` elements of `html` (KaTeX's output), in order."""
    found, position = [], 0
    while (match := _KATEX_RE.search(html, position)) is not None:
        depth = 0
        for span in _SPAN_RE.finditer(html, match.start()):
            depth += -1 if span[1] else 1
            if depth == 0:
                found.append(html[match.start() : span.end()])
                break
        else:
            raise ValueError(f"unclosed KaTeX span at offset {match.start()}")
        position = match.start() + len(found[-1])
    return found


def fonts_at_load(page_html: str, katex_css: str, cache: Cache | None = None) -> list[str]:
    """Sorted woff2 files of the formulas in the blocks laid out at load.

    A pure function of its inputs; with ``cache`` (the build's one verified cache kind) the
    answer is kept under the digest of what it reads: walking the page's blocks costs ~50 ms on the chapter
    page, every warm build.
    """

    def compute() -> list[str]:
        formulas = [f for block in laid_out_at_load(page_html) for f in katex_formulas(block)]
        return mathfonts.fonts_used(formulas, katex_css)

    if cache is None:
        return compute()
    # Keyed on the article and what follows it, all the walk reads: not on the navigation
    # before it, which changes on every page when a page is added or renamed.
    article = _ARTICLE_RE.search(page_html)
    key = digest(
        str(EAGER_AFTER_FIRST_H2), katex_css, page_html[article.start() :] if article else ""
    )
    return cache.fetch(key, compute, valid=_font_list)


def _font_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(f, str) for f in value)


def keep_font_preloads(page_html: str, fonts: list[str]) -> str:
    """`page_html` without the font preloads of its head other than those of `fonts`."""
    head_end = page_html.find("</head>")
    if head_end < 0:
        return page_html
    keep = set(fonts)
    head = _PRELOAD_RE.sub(lambda m: m[0] if m["font"] in keep else "", page_html[:head_end])
    return head + page_html[head_end:]
