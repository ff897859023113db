"""textbook.math.page (page rewriting, error lines, assets, fonts) and the math hook end to end."""

from __future__ import annotations

import importlib
import logging
import os
import random
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from tests.damage import DAMAGES
from textbook.core.cache import Cache
from textbook.core.front_matter import body_start
from textbook.math import fonts as mathfonts
from textbook.math import page as mathpage
from textbook.math.katex import KatexRenderer, TexError
from textbook.math.page import RE_MATH, Formula, MathError, _arithmatex_elements

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
KATEX_CSS = (ROOT / "node_modules" / "katex" / "dist" / "katex.min.css").read_text(encoding="utf-8")


def to_html(source: str) -> str:
    """The page body the way the site's Markdown produces it (front matter removed)."""
    body = source[body_start(source) :]
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "md_in_html"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(body)


class FakeRenderer:
    """Echoes `[tex|display]`; raises `TexError` at `bad[tex]` (a str index) for bad formulas."""

    def __init__(self, bad: dict[str, int | None] | None = None):
        self.bad = bad or {}
        self.batches: list[list[tuple[str, bool]]] = []

    def render_many(self, items):
        self.batches.append(list(items))
        for tex, display in items:
            if tex in self.bad:
                raise TexError(tex, "KaTeX parse error: nope", self.bad[tex], 1, display)
        return [f"[{tex}|{display}]" for tex, display in items]


@pytest.fixture(scope="module")
def renderer():
    with KatexRenderer(ROOT) as r:
        yield r


# -- finding and replacing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<span class="arithmatex">\\(x^2\\)</span>', [("x^2", False)]),
        ('<div class="arithmatex">\\[\n\\frac{a}{b}\n\\]</div>', [("\n\\frac{a}{b}\n", True)]),
        (
            '<span class="arithmatex">\\(a &lt; b &amp;&amp; c &gt; d\\)</span>',
            [("a < b && c > d", False)],
        ),
        ('<div id="eq-1" class="arithmatex wide">\\[y\\]</div>', [("y", True)]),
        ('<span class="arithmatexx">\\(no\\)</span><span class="x">\\(no\\)</span>', []),
        ('<code>&lt;span class="arithmatex"&gt;\\(x\\)&lt;/span&gt;</code>', []),
        (
            '<p><span class="arithmatex">\\(a\\)</span> and <span class="arithmatex">\\(b\\)</span>'
            '</p><div class="arithmatex">\\[a\\]</div>',
            [("a", False), ("b", False), ("a", True)],
        ),
    ],
)
def test_find_formulas(html, expected):
    assert [(f.tex, f.display) for f in mathpage.find_formulas(html)] == expected


def test_find_formulas_rejects_non_generic_arithmatex():
    html = '<span class="arithmatex"><script type="math/tex">x</script></span>'
    html2 = '<span class="arithmatex">x</span>'
    assert mathpage.find_formulas(html) == []  # a nested tag is not generic markup
    with pytest.raises(ValueError, match="generic: true"):
        mathpage.find_formulas(html2)


def test_typeset_page_replaces_in_one_batch_and_wraps_display_math():
    html = (
        '<p>A <span class="arithmatex">\\(a &lt; b\\)</span>, B <span class="arithmatex">'
        '\\(c\\)</span>.</p>\n<div id="eq-iou" class="arithmatex">\\[d\\]</div>\n<p>end</p>'
    )
    fake = FakeRenderer()
    out, formulas, rendered = mathpage.typeset_page(html, fake)
    assert fake.batches == [[("a < b", False), ("c", False), ("d", True)]]
    assert out == (
        "<p>A [a < b|False], B [c|False].</p>\n"
        '<div id="eq-iou" class="math-display" tabindex="0">[d|True]</div>\n<p>end</p>'
    )
    assert len(formulas) == 3 and rendered == ["[a < b|False]", "[c|False]", "[d|True]"]


def test_typeset_page_without_math_is_untouched_and_renders_nothing():
    fake = FakeRenderer()
    html = "<p>No math, only $5 and 10 \\$.</p>"
    assert mathpage.typeset_page(html, fake) == (html, [], [])
    assert fake.batches == []


def test_real_katex_output_has_mathml_and_no_tex_delimiters(renderer):
    html = to_html("Text $x^2$ and\n\n$$\n\\int_0^1 f\n$$\n")
    out, _, _ = mathpage.typeset_page(html, renderer)
    assert out.count("<math ") == 2 and '<div class="math-display" tabindex="0">' in out
    assert "\\(" not in out and "\\[" not in out and "arithmatex" not in out


# -- error location ------------------------------------------------------------------------------

FRONT = "---\ntitle: T\ntags:\n  - a\n---\n"


@pytest.mark.parametrize(
    ("source", "marker", "line"),
    [
        # front matter (5 lines) counted; the bad formula is the fourth on line 10
        (FRONT + "\n# T\n\nx\n$a$ and \\(b\\) and $c$ and \\(\\bad\\) here.\n", "\\bad", 10),
        # the same bad TeX twice: the first one is reported
        ("# T\n\nok $\\bad$\n\nagain $\\bad$\n", "\\bad", 3),
        # a display formula: the line inside it where the error is
        ("# T\n\n$$\n\\frac{1}{2}\n+ \\bad\n$$\n", "\\bad", 5),
        ("# T\n\n\\[ x \\]\n\n\\[\n\\frac{1}{2}\n+ \\bad\n\\]\n", "\\bad", 7),
        # \begin{...} blocks are in the source verbatim
        ("# T\n\n\\begin{align}\na &= b \\\\\nc &= \\bad\n\\end{align}\n", "\\bad", 5),
        # formula broken over lines in a list item
        ("# T\n\n- item $a +\n  b +\n  \\bad$\n", "\\bad", 5),
        # in a nested paragraph Markdown removed the indentation ...
        ("# T\n\n1. item\n\n    para $a +\n    \\bad$\n", "\\bad", 6),
        # ... and in a blockquote the `> ` markers
        ("# T\n\n> $$\n> \\frac{1}{\n> 2} + \\bad\n> $$\n", "\\bad", 5),
        # a formula that also occurs inside a longer one before it is still found
        ("# T\n\n$x + y$ then\n$y$\n", "y", 4),
    ],
)
def test_error_names_the_markdown_line(source, marker, line):
    html = to_html(source)
    bad = [f.tex for f in mathpage.find_formulas(html) if marker in f.tex][-1]
    fake = FakeRenderer({bad: bad.index(marker)})
    with pytest.raises(MathError) as caught:
        mathpage.typeset_page(html, fake, source, "docs/p.md")
    assert caught.value.line == line
    assert str(caught.value).startswith(f"docs/p.md:{line}: invalid TeX in $")


def test_error_message_with_real_katex(renderer):
    source = (
        FRONT
        + "\n# T\n\nFine \\(x^2\\) then \\(\\frac{1}{2}\\) and \\(\\frac{1}{\\badcommand}\\).\n"
    )
    with pytest.raises(MathError) as caught:
        mathpage.typeset_page(to_html(source), renderer, source, "docs/index.md")
    assert str(caught.value) == (
        "docs/index.md:9: invalid TeX in $\\frac{1}{\\badcommand}$: KaTeX parse error: "
        "Undefined control sequence: \\badcommand at position 10: \\frac{1}{\\badcommand}"
    )


def test_error_line_uses_python_index_after_astral_characters(renderer):
    # KaTeX reports \bad at UTF-16 unit 9; unconverted, it would point into the next line.
    source = "# T\n\n$$\n𝐱𝐱𝐱𝐱 \\bad\n+ y\n$$\n"
    with pytest.raises(MathError) as caught:
        mathpage.typeset_page(to_html(source), renderer, source, "p.md")
    assert caught.value.line == 4


def test_display_error_message_uses_double_dollars_and_shortens(renderer):
    tex = " + ".join(["x_{1}"] * 20) + " + \\oops"
    source = f"$$\n{tex}\n$$\n"
    with pytest.raises(MathError) as caught:
        mathpage.typeset_page(to_html(source), renderer, source, "p.md")
    message = str(caught.value)
    assert message.startswith("p.md:2: invalid TeX in $$x_{1} + x_{1}")
    assert "…$$: KaTeX parse error: Undefined control sequence: \\oops" in message


def test_formula_missing_from_source_has_no_line():
    html = '<span class="arithmatex">\\(\\bad\\)</span>'
    with pytest.raises(MathError) as caught:
        mathpage.typeset_page(html, FakeRenderer({"\\bad": 0}), "# nothing here\n", "p.md")
    assert caught.value.line is None
    assert str(caught.value) == (
        "p.md: invalid TeX in $\\bad$: KaTeX parse error: nope "
        "(formula not found in the Markdown source)"
    )


@pytest.mark.parametrize(
    ("source", "start", "tex", "position", "offset"),
    [
        ("ab$x + y$", 3, "x + y", 4, 7),
        ("- $a +\n  b$", 3, "a +\nb", 4, 9),
        ("> $$\n> a\n> b\n> $$", 4, "\na\nb\n", 3, 11),
    ],
)
def test_source_offset(source, start, tex, position, offset):
    assert source[offset] == tex[position]
    assert mathpage.source_offset(source, start, tex, position) == offset


def test_headings_with_math_are_rejected_with_their_line():
    source = "# Title\n\ntext\n\n## Loss $\\mathcal{L}$ &amp; more\n"
    mathpage.check_headings(["Title", "Other"], source, "p.md")
    with pytest.raises(MathError) as caught:
        mathpage.check_headings(["Title", "Loss \\(\\mathcal{L}\\) &amp;amp; more"], source, "p.md")
    assert caught.value.line == 5
    assert "math in the heading 'Loss \\(\\mathcal{L}\\) &amp; more'" in str(caught.value)


# -- assets, fonts, head links -------------------------------------------------------------------


def test_stylesheet_keeps_only_woff2_sources():
    css = mathfonts.stylesheet(KATEX_CSS)
    assert ".woff)" not in css and ".ttf)" not in css and "truetype" not in css
    assert css.count('format("woff2")') == KATEX_CSS.count('format("woff2")') == 20
    with pytest.raises(ValueError, match="woff2"):
        mathfonts.stylesheet(KATEX_CSS.replace('format("woff")', 'format("x-woff")'))


def test_font_assets_are_the_woff2_files_only():
    assets = mathfonts.font_assets(ROOT / "node_modules" / "katex")
    assert len(assets) == 20
    for site_path, path in assets:
        assert site_path == f"assets/katex/fonts/{path.name}" and path.suffix == ".woff2"
        assert path.is_file()


def test_base_font_matches_the_stylesheet():
    assert ".katex{font:normal 1.21em KaTeX_Main," in KATEX_CSS
    assert mathfonts.font_rules(KATEX_CSS).faces[mathfonts.BASE_FONT] == "KaTeX_Main-Regular.woff2"


@pytest.mark.parametrize(
    ("tex", "display", "fonts"),
    [
        ("x", False, {"KaTeX_Math-Italic.woff2"}),
        ("2", False, {"KaTeX_Main-Regular.woff2"}),
        ("\\mathbb{R}", False, {"KaTeX_AMS-Regular.woff2"}),
        ("\\mathbf{u}", False, {"KaTeX_Main-Bold.woff2"}),
        ("\\mathcal{L}", False, {"KaTeX_Caligraphic-Regular.woff2"}),
        ("\\sum", True, {"KaTeX_Size2-Regular.woff2"}),
        ("\\sum", False, {"KaTeX_Size1-Regular.woff2"}),
        ("\\big[", False, {"KaTeX_Size1-Regular.woff2"}),
        ("\\boldsymbol{x}", False, {"KaTeX_Math-BoldItalic.woff2"}),
        ("\\text{\\textit{a}}", False, {"KaTeX_Main-Italic.woff2"}),
    ],
)
def test_fonts_used_follow_katex_classes(renderer, tex, display, fonts):
    # Every formula also has its MathML copy, drawn in KaTeX_Main (assets/css/math.css).
    used = set(mathfonts.fonts_used([renderer.render(tex, display)], KATEX_CSS))
    assert used == fonts | {"KaTeX_Main-Regular.woff2"}


def test_fonts_used_count_the_mathml_copy_as_katex_main_and_skip_svg():
    visible = (
        '<span class="katex-html" aria-hidden="true"><span class="mord mathbb">R</span>'
        '<svg><path d="M0 0"/><text>1</text></svg></span>'
    )
    mathml = '<span class="katex-mathml"><math><mi>x</mi></math></span>'
    without = f'<span class="katex">{visible}</span>'
    with_mathml = f'<span class="katex">{mathml}{visible}</span>'
    assert mathfonts.fonts_used([without], KATEX_CSS) == ["KaTeX_AMS-Regular.woff2"]
    assert mathfonts.fonts_used([with_mathml], KATEX_CSS) == [
        "KaTeX_AMS-Regular.woff2",
        "KaTeX_Main-Regular.woff2",
    ]


@pytest.mark.parametrize(
    ("url", "prefix"),
    [("", ""), ("chapter/", "../"), ("a/b/", "../../"), ("page.html", ""), ("a/p.html", "../")],
)
def test_head_links_are_relative_to_the_page(url, prefix):
    links = mathpage.head_links(url, ["KaTeX_Main-Regular.woff2"]).splitlines()
    assert links == [
        f'<link rel="stylesheet" href="{prefix}assets/katex/katex.min.css">',
        f'<link rel="preload" href="{prefix}assets/katex/fonts/KaTeX_Main-Regular.woff2" '
        'as="font" type="font/woff2" crossorigin>',
    ]


def test_inject_head():
    assert mathpage.inject_head("<head><title>t</title></head><body>", "<link>") == (
        "<head><title>t</title><link>\n</head><body>"
    )
    with pytest.raises(ValueError, match="</head>"):
        mathpage.inject_head("<p>fragment</p>", "<link>")


def test_font_preloads_go_first_in_head_and_the_stylesheet_last():
    links = mathpage.head_links("chapter/", ["KaTeX_Main-Regular.woff2"])
    page = '<head>\n  <meta charset="utf-8">\n  <title>t</title>\n</head><body>'
    out = mathpage.inject_head(page, links)
    preload, stylesheet = links.splitlines()[1], links.splitlines()[0]
    assert out.startswith(f'<head>\n  <meta charset="utf-8">\n{preload}\n  <title>')
    assert out.endswith(f"<title>t</title>\n{stylesheet}\n</head><body>")
    assert out.count("<link") == 2


def test_display_wrapper_keeps_id_and_extra_classes():
    formula = Formula("x", True, 0, 0, ' id="e" class="arithmatex big"')
    assert mathpage.display_wrapper(formula.attrs, "K") == (
        '<div id="e" class="math-display big" tabindex="0">K</div>'
    )


# -- the hook, building tiny sites --------------------------------------------------------------

CONFIG = """\
site_name: Math fixture
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - textbook:
      stages: [math]
markdown_extensions:
  - pymdownx.arithmatex:
      generic: true
"""


def build(fixture: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, Path]:
    site = tmp_path / "site"
    if not (tmp_path / "docs").exists():
        shutil.copytree(FIXTURES / fixture / "docs", tmp_path / "docs")
        (tmp_path / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return done, site


class VisibleText(HTMLParser):
    """Text a reader sees: no code, scripts, styles or the TeX annotations."""

    SKIP = {"code", "pre", "script", "style", "annotation"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.depth += tag in self.SKIP

    def handle_endtag(self, tag):
        self.depth -= tag in self.SKIP

    def handle_data(self, data):
        if not self.depth:
            self.chunks.append(data)


def test_bad_tex_fails_the_strict_build_with_file_line_and_katex_message(tmp_path):
    done, _ = build("math_bad", tmp_path)
    assert done.returncode == 1
    assert (
        "docs/index.md:9: invalid TeX in $\\frac{1}{\\badcommand}$: KaTeX parse error: "
        "Undefined control sequence: \\badcommand at position 10: \\frac{1}{\\badcommand}"
    ) in done.stderr
    assert "Aborted with a BuildError!" in done.stdout + done.stderr


def test_good_site_has_typeset_math_self_hosted_assets_and_a_warm_cache(tmp_path):
    done, site = build("math_site", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "math: 9 formulas, 8 rendered, 1 cached" in done.stderr
    page = (site / "chapter" / "index.html").read_text(encoding="utf-8")

    assert page.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') == 9
    assert page.count('<annotation encoding="application/x-tex">') == 9
    assert page.count('<div class="math-display" tabindex="0">') == 2
    assert "arithmatex" not in page and "katex.min.js" not in page and "mathjax" not in page
    parser = VisibleText()
    parser.feed(page)
    visible = "".join(parser.chunks)
    for raw in ("\\(", "\\[", "\\frac", "\\mathbb", "$"):
        assert raw not in visible
    assert "<code>$x$</code> and <code>\\(y\\)</code>" in page  # code stays as written

    head = page[: page.index("</head>")]
    assert '<link rel="stylesheet" href="../assets/katex/katex.min.css">' in head
    preloads = re.findall(r'<link rel="preload" href="\.\./assets/katex/fonts/([^"]+)"', head)
    assert preloads == [
        "KaTeX_AMS-Regular.woff2",
        "KaTeX_Caligraphic-Regular.woff2",
        "KaTeX_Main-Bold.woff2",
        "KaTeX_Main-Regular.woff2",
        "KaTeX_Math-Italic.woff2",
        "KaTeX_Size1-Regular.woff2",
    ]
    assert "katex" not in (site / "index.html").read_text(encoding="utf-8")  # no math there

    assets = site / "assets" / "katex"
    css = (assets / "katex.min.css").read_text(encoding="utf-8")
    assert css == mathfonts.stylesheet(KATEX_CSS)
    fonts = sorted(p.name for p in (assets / "fonts").iterdir())
    assert len(fonts) == 20 and all(name.endswith(".woff2") for name in fonts)
    assert not (tmp_path / "docs" / "assets").exists()  # nothing written into docs/

    search = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "katex" not in search and "\\\\(I \\\\in \\\\mathbb{R}" in search

    again, _ = build("math_site", tmp_path)
    assert again.returncode == 0, again.stderr
    assert "math: 9 formulas, 0 rendered, 9 cached" in again.stderr
    assert (site / "chapter" / "index.html").read_text(encoding="utf-8") == page


def test_hook_events_dispatched_by_mkdocs(tmp_path, caplog):
    shutil.copytree(FIXTURES / "math_site" / "docs", tmp_path / "docs")
    shutil.copytree(FIXTURES / "math_bad" / "docs", tmp_path / "docs" / "bad")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(
        "site_name: t\nplugins: [{textbook: {stages: [math]}}]\n"
        "markdown_extensions: [pymdownx.arithmatex]\n"
    )
    config = load_config(str(config_file))
    plugins = config.plugins
    hook = importlib.import_module("textbook.adapters.math")
    plugins.on_startup(command="build", dirty=False)
    config = plugins.on_config(config)
    files = plugins.on_files(Files([]), config=config)
    uris = sorted(f.src_uri for f in files)
    assert uris[-1] == "assets/katex/katex.min.css" and len(uris) == 21
    assert all(uri.endswith(".woff2") for uri in uris[:-1])
    assert files.get_file_from_path("assets/katex/katex.min.css").content_string == (
        mathfonts.stylesheet(KATEX_CSS)
    )

    def page(src_uri: str, url: str) -> tuple[SimpleNamespace, str]:
        file = File(src_uri, config.docs_dir, config.site_dir, True)
        html = f"<html><head><title>t</title></head><body>{to_html(file.content_string)}</body>"
        return SimpleNamespace(file=file, url=url, toc=[]), html

    chapter, html = page("chapter.md", "chapter/")
    out = plugins.on_post_page(html, page=chapter, config=config)
    assert '<link rel="stylesheet" href="../assets/katex/katex.min.css">' in out
    assert out.count("<math ") == 9 and "arithmatex" not in out
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.math"):
        plugins.on_post_build(config=config)
    assert re.search(r"math: 9 formulas, 8 rendered, 1 cached \(\d+\.\d\d s\)", caplog.text)
    assert hook.state.renderer is None  # node stopped after the build

    config = plugins.on_config(config)  # the next build
    bad, html = page("bad/index.md", "bad/")
    with pytest.raises(PluginError) as caught:
        plugins.on_post_page(html, page=bad, config=config)
    assert str(caught.value).startswith(
        "docs/bad/index.md:9: invalid TeX in $\\frac{1}{\\badcommand}$: KaTeX parse error:"
    )
    plugins.on_build_error(error=caught.value)
    assert hook.state.renderer is None
    plugins.on_shutdown()


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_fonts_used_cache_serves_only_sound_entries(renderer, tmp_path, monkeypatch, damage):
    rendered = [renderer.render("\\mathbb{R}", False), renderer.render("\\sum", True)]
    fresh = mathfonts.fonts_used(rendered, KATEX_CSS)
    assert mathfonts.fonts_used(rendered, KATEX_CSS, tmp_path) == fresh
    (entry,) = tmp_path.glob("*.json")
    walks = []
    real = mathfonts._fonts_of
    monkeypatch.setattr(mathfonts, "_fonts_of", lambda *a: walks.append(1) or real(*a))
    assert mathfonts.fonts_used(rendered, KATEX_CSS, tmp_path) == fresh and walks == []
    damage(entry)
    assert mathfonts.fonts_used(rendered, KATEX_CSS, tmp_path) == fresh and walks
    other = mathfonts.fonts_used([renderer.render("x", False)], KATEX_CSS, tmp_path)
    assert other != fresh and len(list(tmp_path.glob("*.json"))) == 2


def test_fonts_used_cache_never_serves_a_font_the_stylesheet_lacks(renderer, tmp_path):
    rendered = [renderer.render("\\sum", True)]
    fresh = mathfonts.fonts_used(rendered, KATEX_CSS, tmp_path)
    (entry,) = tmp_path.glob("*.json")
    Cache(tmp_path).put(entry.stem, ["Nope.woff2"])  # verified, but not a declared font
    assert mathfonts.fonts_used(rendered, KATEX_CSS, tmp_path) == fresh


def test_arithmatex_elements_are_the_patterns_matches_with_that_class():
    def reference(html: str) -> list[tuple[int, int]]:
        return [m.span() for m in RE_MATH.finditer(html) if "arithmatex" in m["classes"].split()]

    pieces = ["<span", "<div", "<", ">", " ", ' class="arithmatex"', ' class="x"', "\\(x\\)"]
    pieces += [' class="a arithmatex"', "arithmatex", "</span>", "</div>", '"', "y", "<p>"]
    pieces += [' title="<"']  # a "<" inside an attribute: an earlier match may cover a tag
    generated = ["".join(random.Random(n).choices(pieces, k=20)) for n in range(8000)]
    assert sum(bool(reference(html)) for html in generated) > 200  # formulas are exercised
    for html in generated:
        assert [m.span() for m in _arithmatex_elements(html)] == reference(html), html
