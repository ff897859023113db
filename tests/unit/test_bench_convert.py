"""The Markdown -> baseline converter (bench.baseline.convert) and the default-state figure."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from bench.baseline import convert
from bench.baseline.generate import default_figure, merge, resolve_refs

ROOT = Path(__file__).resolve().parents[2]
FACTS = {"vit_patches": "196", "iou_example": "0.333"}
ASSETS = convert.Assets(
    facts=FACTS,
    figures={"curve": convert.Figure("assets/figures/curve.svg", "A [CLS] curve", "Cap <b>")},
    instruments={"dial": "<div>\n        <script>var a = 1 < 2;</script>\n</div>"},
    cells={"cells/x.py": convert.Cell("print(1)\n", "1\n")},
)
# The extensions of the generated baseline's mkdocs.yml (minus the theme's).
EXTENSIONS = [
    "attr_list", "md_in_html", "tables", "footnotes", "admonition", "pymdownx.details",
    "pymdownx.superfences", "pymdownx.highlight", "toc", "pymdownx.arithmatex",
]  # fmt: skip


def html_of(text: str) -> str:
    md = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs={"pymdownx.arithmatex": {"generic": True}}
    )
    return md.convert(text)


def test_equation_keeps_its_id_label_math_and_caption():
    source = (
        "/// equation | Patch count\n    id: eq-mm1-2\n    label: EQ MM1.2\n\n"
        "$$\nN = \\frac{H}{P}\n$$\n\nSo \\(N\\) is {{ vit_patches }}.\n///\n"
    )
    out = convert.convert(source, ASSETS)
    assert out.startswith('<div class="equation" id="eq-mm1-2" markdown>')
    assert "**[EQ MM1.2](#eq-mm1-2)** Patch count" in out
    html = html_of(out)
    assert 'id="eq-mm1-2"' in html
    assert '<div class="arithmatex">\\[' in html
    assert 'So <span class="arithmatex">\\(N\\)</span> is 196.' in html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Grid of {{ vit_patches }} patches.\n", "Grid of 196 patches.\n"),
        ("```py\nx = {{ vit_patches }}\n```\n", "```py\nx = {{ vit_patches }}\n```\n"),
        ("{{vit_patches}}/{{ iou_example }}\n", "196/0.333\n"),
    ],
)
def test_facts_are_typed_in_outside_code(source, expected):
    assert convert.substitute_facts(source, FACTS) == expected


def test_unknown_fact_is_an_error():
    with pytest.raises(convert.ConvertError, match="nope"):
        convert.substitute_facts("{{ nope }}", FACTS)


def test_figure_follows_materials_caption_recipe_with_escaped_alt():
    out = convert.convert("/// figure\n    id: fig-curve\n    name: curve\n///\n", ASSETS)
    assert '<figure id="fig-curve" markdown="span">' in out
    assert "![A \\[CLS\\] curve](assets/figures/curve.svg){ loading=lazy }" in out
    html = html_of(out)
    assert 'alt="A [CLS] curve"' in html
    assert "<figcaption>Cap &lt;b&gt;</figcaption>" in html


def test_instrument_is_a_labelled_paragraph_then_raw_plotly_html():
    source = (
        "/// instrument | Dial\n    id: instrument-mm1-1\n    label: INSTRUMENT MM1.1\n"
        "    subtitle: turn it\n    name: dial\n\nCaption with \\(x\\).\n///\n"
    )
    html = html_of(convert.convert(source, ASSETS))
    assert '<p id="instrument-mm1-1"><strong><a href="#instrument-mm1-1">' in html
    assert "<em>turn it</em>" in html
    assert "<script>var a = 1 < 2;</script>" in html  # raw, not escaped into a code block
    assert "Caption with" in html


def test_cell_becomes_code_and_output():
    source = "/// cell | Try it\n    id: cell-x\n    source: cells/x.py\n///\n"
    out = convert.convert(source, ASSETS)
    assert '``` python title="Try it"\nprint(1)\n```' in out
    assert "``` text\n1\n```" in out
    assert 'id="cell-x"' in html_of(out)


def test_quiz_shows_question_and_collapsible_answer():
    source = (
        "/// quiz | quiz-iou\n    kind: number\n    answer: iou_example\n    tolerance: 0.01\n\n"
        "What is the IoU?\n\n//// explanation\nOne third.\n////\n///\n"
        "\n/// quiz | quiz-tf\n    kind: truefalse\n    answer: true\n\nTrue?\n///\n"
    )
    out = convert.convert(source, ASSETS)
    html = html_of(out)
    assert '<div class="quiz" id="quiz-iou">' in html
    assert '<details class="success">\n<summary>Answer: 0.333</summary>' in html
    assert "<p>One third.</p>" in html
    assert "<summary>Answer: True</summary>" in html
    assert "////" not in out


def test_front_matter_keeps_only_title_and_description():
    source = '---\ntitle: T\nchapter: 1\ndescription: "D"\n---\n\n# T { #t }\n'
    out = convert.convert(source, ASSETS)
    assert out.startswith('---\ntitle: T\ndescription: "D"\n---\n')


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("/// figure\n    id: fig-a\n    name: missing\n///\n", "no figure 'missing'"),
        ("/// equation | E\n    id: eq-a\n    label: EQ A1.1\n", "never closed"),
        ("/// poster\n///\n", "unknown block 'poster'"),
    ],
)
def test_problems_are_reported(source, message):
    with pytest.raises(convert.ConvertError, match=message):
        convert.convert(source, ASSETS)


def test_the_real_chapter_converts_to_plain_markdown_with_every_anchor():
    source = (ROOT / "docs" / "01-computer-vision.md").read_text(encoding="utf-8")
    names = set(re.findall(r"^ {4}name:\s*(\S+)", source, re.MULTILINE))
    facts = {n: "1" for n in re.findall(r"\{\{\s*([a-z0-9_]+)\s*\}\}", source)}
    facts.update({a: "1" for a in re.findall(r"^ {4}answer:\s*(\S+)", source, re.MULTILINE)})
    assets = convert.Assets(
        facts=facts,
        figures={n: convert.Figure(f"{n}.svg", n, n) for n in names},
        instruments={n: f'<div id="plot-{n}"></div>' for n in names},
        cells={s: convert.Cell("x = 1\n", "") for s in convert.OPTION_SOURCE_RE.findall(source)},
    )
    out = convert.convert(source, assets)
    assert "///" not in out and "{{" not in out
    html = html_of(out)
    links = set(re.findall(r'href="#([^"]+)"', html))
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert links and links <= ids, sorted(links - ids)


def test_default_figure_merges_state_and_palette_and_resolves_refs():
    light = {"data": [{"marker": {"color": "red"}}], "layout": {"font": {"color": "k"}}}
    spec = {
        "default": "a|b",
        "figure": {"data": [{"type": "bar", "x": [1]}], "layout": {"font": {"size": 12}}},
        "states": {"a|b": {"data": [{"y": {"$ref": "ys"}}], "layout": {"title": {"text": "A"}}}},
        "themes": {"light": light},
        "refs": {"ys": [3]},
    }
    figure = default_figure(spec)
    assert figure["data"] == [{"type": "bar", "x": [1], "y": [3], "marker": {"color": "red"}}]
    assert figure["layout"] == {"font": {"size": 12, "color": "k"}, "title": {"text": "A"}}


@pytest.mark.parametrize(
    ("base", "patch", "expected"),
    [
        ({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}, {"a": {"b": 1, "c": 3}}),
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
        ({"a": 1}, {"b": 2}, {"a": 1, "b": 2}),
        (1, {"a": 1}, {"a": 1}),
    ],
)
def test_merge_objects_merge_lists_replace(base, patch, expected):
    assert merge(base, patch) == expected


def test_resolve_refs_only_replaces_single_key_refs():
    refs = {"r": "X"}
    value = {"a": {"$ref": "r"}, "b": [{"$ref": "r"}], "c": {"$ref": "r", "d": 1}}
    assert resolve_refs(value, refs) == {"a": "X", "b": ["X"], "c": {"$ref": "r", "d": 1}}
