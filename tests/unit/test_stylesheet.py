"""textbook.site.stylesheet: the project's CSS files joined into one, links dropped."""

from __future__ import annotations

import pytest

from textbook.site.stylesheet import BUNDLE, StylesheetError, is_local, join, rebase_urls, unlink


def test_join_keeps_order_and_names_each_source():
    css = join([("assets/css/b.css", ".b{color:red}\n"), ("assets/css/a.css", ".a{color:blue}")])
    assert css == "/* assets/css/b.css */\n.b{color:red}\n/* assets/css/a.css */\n.a{color:blue}\n"
    assert css.index(".b{") < css.index(".a{")


def test_relative_urls_resolve_from_the_bundle():
    katex = '@font-face{src:url(fonts/KaTeX_Main-Regular.woff2) format("woff2")}'
    assert "url(../katex/fonts/KaTeX_Main-Regular.woff2)" in rebase_urls(
        katex, "assets/katex/katex.min.css"
    )
    same_dir = rebase_urls(".x{background:url('img/a.svg')}", "assets/css/x.css")
    assert same_dir == ".x{background:url('img/a.svg')}"
    deeper = rebase_urls('.y{mask:url("../../icons/i.svg")}', "assets/cells/deep/y.css")
    assert deeper == '.y{mask:url("../icons/i.svg")}'


@pytest.mark.parametrize(
    "url", ["data:image/svg+xml,%3Csvg%3E", "/abs/a.svg", "https://x.test/a.svg", "#frag"]
)
def test_absolute_and_data_urls_are_left_alone(url):
    css = f".z{{background:url({url})}}"
    assert rebase_urls(css, "assets/katex/k.css") == css


@pytest.mark.parametrize("rule", ['@import "x.css";', '@charset "utf-8";'])
def test_import_and_charset_are_refused_with_the_file_named(rule):
    with pytest.raises(StylesheetError, match=r"assets/css/q\.css: @import or @charset"):
        join([("assets/css/ok.css", ".a{}"), ("assets/css/q.css", rule + ".b{}")])


def test_a_comment_mentioning_import_is_fine():
    assert ".b{}" in join([("assets/css/c.css", "/* no @import here */.b{}")])


def test_local_entries():
    assert is_local("assets/css/a.css")
    assert not is_local("https://cdn.test/a.css")
    assert not is_local("/assets/a.css")
    assert not is_local("assets/css/a.scss")


def test_unlink_drops_the_bundled_links_from_the_head_only():
    page = (
        "<html><head>\n"
        '<link rel="stylesheet" href="../assets/katex/katex.min.css">\n'
        '<link rel="preload" href="../assets/katex/fonts/a.woff2" as="font">\n'
        f'<link rel="stylesheet" href="../{BUNDLE}">\n'
        "</head><body>\n"
        '<link rel="stylesheet" href="../assets/katex/katex.min.css">\n'
        "</body></html>"
    )
    out = unlink(page, ["assets/katex/katex.min.css"])
    head, body = out.split("</head>")
    assert "katex.min.css" not in head
    assert "a.woff2" in head and BUNDLE in head
    assert "katex.min.css" in body  # page content is never touched
    assert unlink("<p>no head</p>", ["a.css"]) == "<p>no head</p>"
