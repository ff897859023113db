"""textbook.site.critical: which KaTeX fonts a page needs at load; the other preloads go."""

from __future__ import annotations

import re
from pathlib import Path

from textbook.core.cache import Cache
from textbook.site.critical import (
    DEFERRED_CLASSES,
    DEFERRED_TAGS,
    EAGER_AFTER_FIRST_H2,
    fonts_at_load,
    katex_formulas,
    keep_font_preloads,
    laid_out_at_load,
    top_level_blocks,
)

ROOT = Path(__file__).resolve().parents[2]
KATEX_CSS = (ROOT / "node_modules" / "katex" / "dist" / "katex.min.css").read_text("utf-8")

ITALIC_X = '<span class="katex"><span class="katex-html"><span class="mord mathnormal">x</span></span></span>'  # noqa: E501
BOLD_Y = (
    '<span class="katex"><span class="katex-html"><span class="mord mathbf">y</span></span></span>'  # noqa: E501
)
CAL_Z = (
    '<span class="katex"><span class="katex-html"><span class="mord mathcal">Z</span></span></span>'  # noqa: E501
)


def page(*blocks: str) -> str:
    body = "\n".join(blocks)
    return (
        '<html><head>\n<link rel="preload" href="../assets/katex/fonts/KaTeX_Math-Italic.woff2" '
        'as="font" type="font/woff2" crossorigin>\n<link rel="preload" '
        'href="../assets/katex/fonts/KaTeX_Main-Bold.woff2" as="font" type="font/woff2" '
        'crossorigin>\n</head><body><div><article class="md-content__inner md-typeset">'
        f"{body}</article></div><p>after {CAL_Z}</p></body></html>"
    )


def test_top_level_blocks_follow_nesting_void_and_self_closing_tags():
    html = page(
        "<p>a<br>b<img src=x></p>",
        '<div class="x"><div><svg><path d="M0"/></svg></div><!-- <p> --></div>',
        "<hr>",
    )
    blocks = [(tag, classes) for tag, classes, _, _ in top_level_blocks(html)]
    assert blocks == [("p", set()), ("div", {"x"}), ("hr", set())]


def test_blocks_after_the_first_h2_are_laid_out_only_while_eager_or_never_deferred():
    deferred = [f"<p>later {i}</p>" for i in range(EAGER_AFTER_FIRST_H2 + 2)]
    html = page(
        "<p>intro</p>",
        "<h2>One</h2>",
        *deferred,
        '<div class="tb-quiz">quiz</div>',
        '<div class="admonition">note</div>',
        "<h2>Two</h2>",
        '<template class="tb-xref-preview"><p>preview</p></template>',
    )
    shown = laid_out_at_load(html)
    assert shown[:2] == ["<p>intro</p>", "<h2>One</h2>"]
    assert shown[2 : 2 + EAGER_AFTER_FIRST_H2] == deferred[:EAGER_AFTER_FIRST_H2]
    assert (
        deferred[EAGER_AFTER_FIRST_H2] not in shown
        and '<div class="tb-quiz">quiz</div>' not in shown
    )
    assert shown[-2:] == ['<div class="admonition">note</div>', "<h2>Two</h2>"]
    assert not any("preview" in block for block in shown)  # a template is never drawn


def test_fonts_at_load_are_those_of_laid_out_formulas_only(tmp_path):
    html = page(
        f"<p>see {ITALIC_X}</p>",
        "<h2>One</h2>",
        *["<p>filler</p>"] * EAGER_AFTER_FIRST_H2,
        f"<p>far below {BOLD_Y}</p>",
        f'<template class="tb-xref-preview">{BOLD_Y}</template>',
    )
    assert fonts_at_load(html, KATEX_CSS) == ["KaTeX_Math-Italic.woff2"]
    html_bold_heading = html.replace("<h2>One</h2>", f"<h2>One {BOLD_Y}</h2>")
    cache = Cache(tmp_path)
    assert fonts_at_load(html_bold_heading, KATEX_CSS, cache) == [
        "KaTeX_Main-Bold.woff2",
        "KaTeX_Math-Italic.woff2",
    ]
    assert len(list(tmp_path.glob("*.json"))) == 1
    later = Cache(tmp_path)  # the next build: asks for one page only
    assert fonts_at_load(html, KATEX_CSS, later) == ["KaTeX_Math-Italic.woff2"]
    assert len(list(tmp_path.glob("*.json"))) == 2
    assert len(later.prune()) == 1 and len(list(tmp_path.glob("*.json"))) == 1
    # a second call is answered from the cache, the same; a damaged entry is recomputed
    again = Cache(tmp_path)
    assert fonts_at_load(html, KATEX_CSS, again) == ["KaTeX_Math-Italic.woff2"]
    assert again.misses == 0
    (entry,) = tmp_path.glob("*.json")
    entry.write_bytes(entry.read_bytes().replace(b"Italic", b"Bold!!"))
    damaged = Cache(tmp_path)
    assert fonts_at_load(html, KATEX_CSS, damaged) == ["KaTeX_Math-Italic.woff2"]
    assert damaged.misses == 1


def test_katex_formulas_are_whole_elements():
    html = f"<p>{ITALIC_X} and {BOLD_Y}</p>"
    assert katex_formulas(html) == [ITALIC_X, BOLD_Y]


def test_keep_font_preloads_drops_the_others_from_the_head_only():
    html = page("<p>x</p>")
    out = keep_font_preloads(html, ["KaTeX_Math-Italic.woff2"])
    assert "KaTeX_Math-Italic.woff2" in out and "KaTeX_Main-Bold.woff2" not in out
    assert out.count('rel="preload"') == 1
    assert keep_font_preloads(html, []).count('rel="preload"') == 0


def test_the_deferred_blocks_mirror_textbook_css():
    css = (ROOT / "docs" / "assets" / "css" / "textbook.css").read_text("utf-8")
    rule = re.search(r"h2 ~ :is\(([^)]*)\)\s*\{\s*content-visibility: auto", css)
    assert rule, "textbook.css no longer defers blocks after the first h2 this way"
    selectors = {s.strip() for s in rule[1].split(",")}
    assert {s for s in selectors if not s.startswith(".")} == DEFERRED_TAGS
    assert {s[1:] for s in selectors if s.startswith(".")} == DEFERRED_CLASSES
    eager = "h2:first-of-type" + " + *" * EAGER_AFTER_FIRST_H2 + " { content-visibility: visible; }"
    assert eager in css


def test_fonts_at_load_are_kept_across_a_change_of_the_navigation_before_the_article(tmp_path):
    html = page(f"<p>see {ITALIC_X}</p>")
    assert fonts_at_load(html, KATEX_CSS, Cache(tmp_path)) == ["KaTeX_Math-Italic.woff2"]
    renamed = html.replace("<body><div>", '<body><nav><a href="new/">A new page</a></nav><div>')
    later = Cache(tmp_path)
    assert fonts_at_load(renamed, KATEX_CSS, later) == ["KaTeX_Math-Italic.woff2"]
    assert later.misses == 0
    edited = html.replace("<p>see", "<p>now see")  # the article changed: computed again
    assert fonts_at_load(edited, KATEX_CSS, later) == ["KaTeX_Math-Italic.woff2"]
    assert later.misses == 1
