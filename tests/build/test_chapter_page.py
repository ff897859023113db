"""The built chapter, read as HTML: structure, ids, math, table, references, reading time."""

from __future__ import annotations

import csv
import math
import re
from html.parser import HTMLParser

import markdown
import pytest
import yaml

from tests.conftest import ROOT
from textbook.chapter import facts
from textbook.chapter.reading_time import (
    WORDS_PER_MINUTE,
    count_content,
    item_seconds,
    reading_minutes,
)

SECTION_IDS = ["sec-1-1", "sec-1-2", "sec-1-3", "sec-1-4", "sec-1-5", "sec-1-r"]
EQUATION_IDS = ["eq-mm1-1", "eq-mm1-2", "eq-mm1-3", "eq-mm1-4"]
INSTRUMENT_IDS = ["instrument-mm1-1", "instrument-mm1-2", "instrument-mm1-3"]
TEX_COMMAND_RE = re.compile(r"\\(frac|mathbb|mathcal|times|qquad|cdot|hat|theta|mathrm|lVert)\b")


class VisibleText(HTMLParser):
    """Text a reader sees: skips scripts, styles, MathML annotations and hidden templates."""

    HIDDEN = {"script", "style", "annotation", "template", "math"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def element(html: str, anchor: str) -> str:
    """The whole element with this id (balanced by counting its tag name)."""
    match = re.search(rf'<([a-z0-9]+)[^>]*\bid="{re.escape(anchor)}"', html)
    assert match, f"no element with id {anchor!r}"
    tag = match.group(1)
    depth = 0
    for tag_match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[match.start() :]):
        depth += -1 if tag_match.group(1) else 1
        if depth == 0:
            return html[match.start() : match.start() + tag_match.end()]
    raise AssertionError(f"element {anchor!r} is never closed")


@pytest.mark.parametrize("anchor", SECTION_IDS + EQUATION_IDS + INSTRUMENT_IDS)
def test_explicit_ids_present_once(chapter_html, anchor):
    assert len(re.findall(rf'\bid="{anchor}"', chapter_html)) == 1


def test_sections_in_order_with_numbers(chapter_html):
    positions = [chapter_html.index(f'id="{a}"') for a in SECTION_IDS]
    assert positions == sorted(positions)
    for anchor, number in zip(SECTION_IDS, ["1.1", "1.2", "1.3", "1.4", "1.5", "1.R"], strict=True):
        heading = re.search(rf'<h2 id="{anchor}">(.*?)</h2>', chapter_html, re.DOTALL)
        assert heading and heading.group(1).startswith(number)


@pytest.mark.parametrize(
    ("anchor", "label", "title"),
    [
        ("eq-mm1-1", "EQ MM1.1", "An image as a function to a label"),
        ("eq-mm1-2", "EQ MM1.2", "Patch embedding &amp; sequence length"),
        ("eq-mm1-3", "EQ MM1.3", "Intersection over Union (IoU)"),
        ("eq-mm1-4", "EQ MM1.4", "Cosine similarity &amp; the contrastive objective"),
    ],
)
def test_equation_block_has_self_link_title_mathml_caption(chapter_html, anchor, label, title):
    block = element(chapter_html, anchor)
    assert f'<a class="tb-equation__label" href="#{anchor}">{label}</a>' in block
    assert f'<span class="tb-equation__title">{title}</span>' in block
    body = block[: block.index("tb-equation__caption")]
    assert "<math" in body and 'encoding="application/x-tex"' in body
    assert 'class="tb-equation__caption"' in block


def test_no_raw_tex_and_no_math_script(chapter_html):
    text = visible_text(chapter_html)
    for marker in ("$$", "\\(", "\\)", "\\[", "\\]"):
        assert marker not in text
    assert not TEX_COMMAND_RE.search(text), TEX_COMMAND_RE.search(text)
    scripts = re.findall(r"<script[^>]*>", chapter_html)
    assert not [s for s in scripts if re.search(r"katex|mathjax|arithmatex", s, re.I)]
    assert "arithmatex" not in chapter_html  # every formula was replaced by KaTeX output


def test_katex_assets_are_self_hosted(chapter_html, built_site):
    links = re.findall(r'<link[^>]+href="([^"]*katex[^"]*)"', chapter_html)  # font preloads
    assert links and all(not link.startswith(("http:", "https:", "//")) for link in links)
    page_dir = built_site / "01-computer-vision"
    assert all((page_dir / link).resolve().is_file() for link in links)
    # KaTeX's rules are in the one project stylesheet, their fonts resolve from there.
    ours = next(link for link in stylesheets(chapter_html) if "textbook.bundle" in link)
    bundle = page_dir / ours
    css = bundle.read_text(encoding="utf-8")
    assert ".katex{" in css
    fonts = re.findall(r"url\(([^)]*\.woff2)\)", css)
    assert fonts and all((bundle.parent / font).resolve().is_file() for font in fonts)


def stylesheets(page_html: str) -> list[str]:
    head = page_html[: page_html.index("</head>")]
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', head)


def test_one_project_stylesheet_holds_every_project_css_file_in_order(chapter_html, built_site):
    sheets = stylesheets(chapter_html)
    ours = [s for s in sheets if "/assets/stylesheets/" not in f"/{s.lstrip('./')}"]
    assert len(ours) == 1 and "textbook.bundle" in ours[0], sheets
    assert len(sheets) == 3  # Material's main and palette stylesheets, and ours
    css = (built_site / "01-computer-vision" / ours[0]).read_text(encoding="utf-8")
    named = re.findall(r"^/\* (assets/\S+\.css) \*/$", css, re.M)
    assert named[0] == "assets/css/textbook.css" and named[-1] == "assets/katex/katex.min.css"
    sources = ("textbook", "math", "figures", "instruments", "anchors", "quiz", "a11y", "print")
    for source in sources:
        assert f"assets/css/{source}.css" in named
    assert "assets/cells/cells.css" in named
    for name in named[:-1]:
        assert (built_site / name).read_text(encoding="utf-8").strip() in css, name


def test_results_table_matches_the_data_file(chapter_html):
    table = re.search(r"<table>.*?</table>", chapter_html, re.DOTALL).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]
    cells = [re.findall(r"<td>(.*?)</td>", row, re.DOTALL) for row in rows]
    with open(ROOT / "figures_src" / "data" / "imagenet_top5.csv", newline="") as handle:
        data = list(csv.DictReader(handle))
    assert [c[0] for c in cells] == [d["model"] for d in data]
    assert [c[0] for c in cells] == ["AlexNet", "VGG-16/19", "GoogLeNet", "ResNet-152"]
    assert [c[1] for c in cells] == [d["year"] for d in data] == ["2012", "2014", "2014", "2015"]
    errors = [float(re.sub(r"[^0-9.]", "", c[2])) for c in cells]
    column = "ilsvrc_entry_top5_error_percent"
    assert errors == [float(d[column]) for d in data] == [16.4, 7.3, 6.7, 3.6]
    header = re.findall(r"<th>(.*?)</th>", table)
    assert header[2] == "Top-5 error (ILSVRC entry)"


def test_four_task_families(chapter_html):
    for family in (
        "Object detection",
        "Semantic segmentation",
        "Instance segmentation",
        "Panoptic segmentation",
    ):
        assert f"<strong>{family}</strong>" in chapter_html


def test_references_complete_with_links(chapter_html):
    refs = chapter_html[chapter_html.index('id="sec-1-r"') :]
    items = re.findall(r"<li>(.*?)</li>", refs[: refs.index("</ol>")], re.DOTALL)
    assert len(items) == 9
    for needle in (
        "https://arxiv.org/abs/2010.11929",
        "https://arxiv.org/abs/2103.00020",
        "https://doi.org/10.1109/CVPR.2016.90",
        "https://doi.org/10.1007/s11263-015-0816-y",
        "https://arxiv.org/abs/2005.12872",
        "https://arxiv.org/abs/2304.02643",
        "https://arxiv.org/abs/2408.00714",  # SAM 2 (Ravi et al., 2024)
        "https://arxiv.org/abs/2203.02053",  # the modality gap (Liang et al., 2022)
    ):
        assert needle in refs


def test_header_metadata(chapter_html):
    assert "Chapter 01 / 06" in chapter_html
    assert 'aria-label="Breadcrumb"' in chapter_html
    assert "<dt>Level</dt><dd>Core</dd>" in chapter_html
    assert "Deep Learning · Ch 02 (Vol II)" in chapter_html
    for anchor in INSTRUMENT_IDS:
        assert f'<a href="#{anchor}">' in chapter_html
    nxt = chapter_html[chapter_html.index('class="tb-next"') :]
    assert "Chapter 02" in nxt[:400] and "Multimodal LLMs" in nxt[:600]
    assert nxt.index("Multimodal LLMs") < nxt.index('id="sec-1-r"')


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving its `!ENV` tags."""


_ConfigLoader.add_constructor("!ENV", lambda loader, node: None)


def rendered_chapter_content() -> str:
    """The chapter's Markdown rendered the way the build does, before the page is decorated."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=_ConfigLoader)
    source = (ROOT / "docs" / "01-computer-vision.md").read_text(encoding="utf-8")
    body = source.split("\n---\n", 1)[1]
    extensions, configs = [], {}
    for ext in config["markdown_extensions"]:
        name, options = next(iter(ext.items())) if isinstance(ext, dict) else (ext, {})
        extensions.append(name)
        configs[name] = options or {}
    return markdown.Markdown(extensions=extensions, extension_configs=configs).convert(
        facts.substitute(body, "docs/01-computer-vision.md")
    )


def test_reading_time_is_the_formula_applied_to_the_content(chapter_html):
    """Re-render the page's Markdown the way the build does and apply the formula."""
    expected = reading_minutes(rendered_chapter_content())
    assert 17 <= expected <= 26  # the range the issue and the source design point to
    shown = re.search(r'class="tb-reading-time" data-minutes="(\d+)">≈ (\d+) min', chapter_html)
    assert shown and int(shown.group(1)) == int(shown.group(2)) == expected


def markdown_prose_words(source: str) -> int:
    """Prose words of a chapter counted straight from its Markdown, independently of the
    HTML counter: drop front matter, code, math, directive lines and options, link targets,
    ids, tags and the References section, then count blank-separated tokens holding a letter
    or a digit."""
    body = facts.substitute(source.split("\n---\n", 1)[1], "docs/01-computer-vision.md")
    body = body[: body.index("\n## 1.R References")]
    body = re.sub(r"^```.*?^```$", " ", body, flags=re.M | re.S)
    body = re.sub(r"\$\$.*?\$\$", " ", body, flags=re.S)
    body = re.sub(r"\\\(.*?\\\)", " ", body)
    body = re.sub(r"^/{3,}.*$", " ", body, flags=re.M)  # directive openers, closers, titles
    body = re.sub(r"^ {4}[a-z_]+:.*$", " ", body, flags=re.M)  # directive options
    body = re.sub(r"\]\([^)]*\)", "]", body)  # link targets
    body = re.sub(r"\{ #[^}]*\}", " ", body)
    body = re.sub(r"<[^>]+>", " ", body)
    body = re.sub(r"^\|[-| ]+\|$", " ", body, flags=re.M)  # table rule
    return sum(1 for token in body.split() if re.search(r"[^\W_]", token))


def test_prose_word_count_agrees_with_an_independent_count_of_the_markdown():
    source = (ROOT / "docs" / "01-computer-vision.md").read_text(encoding="utf-8")
    independent = markdown_prose_words(source)
    counted = count_content(rendered_chapter_content())
    assert 3000 <= independent <= 6000
    # The two methods split "16×16", "§1.2" or "encoder–decoder" differently: within 3 %.
    assert abs(counted.prose_words - independent) <= 0.03 * independent
    # Either count gives the same time to within a minute.
    alternative = math.ceil(
        (independent + counted.inline_formulas) / WORDS_PER_MINUTE
        + item_seconds(counted.items) / 60
    )
    assert abs(alternative - counted.minutes()) <= 1


def test_home_page_lists_chapters(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'href="01-computer-vision/"' in home
    assert "Multimodal LLMs" in home
    # Chapter pages are named NN-slug; content-hashed asset names may hold "02" anywhere.
    assert not re.search(r'href="(?:[^"]*/)?02-[^"]*"', home), "chapter 02 must not be a link yet"
