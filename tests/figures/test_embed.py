"""Placeholder replacement, driven on HTML strings without building a site."""

from __future__ import annotations

from pathlib import Path

import pytest

from textbook.core.errors import find_name_line as find_source_line
from textbook.figures.embed import FigureEmbedError, replace_placeholders
from textbook.figures.render import Artifact, FigureRecord

PLACEHOLDER = (
    '<figure class="tb-figure" id="fig-imagenet-error" data-figure="imagenet_error"></figure>'
)


def record(name: str = "imagenet_error", **overrides) -> FigureRecord:
    artifacts = {
        f"{theme}.svg": Artifact(Path(f"/cache/{name}/{theme}.svg"), "0" * 64, 672, 326)
        for theme in ("light", "dark")
    }
    fields = {
        "name": name,
        "alt": 'AlexNet (2012) 16.4% "top-5" <error>',
        "caption": "Top-5 error, 2012–2015 & beyond.",
        "artifacts": artifacts,
    }
    return FigureRecord(**{**fields, **overrides})


EXPECTED = (
    '<figure class="tb-figure" id="fig-imagenet-error" data-figure="imagenet_error">\n'
    '<img class="tb-figure__img tb-figure__img--light" '
    'src="../assets/figures/imagenet_error/light.svg" width="672" height="326" '
    'alt="AlexNet (2012) 16.4% &quot;top-5&quot; &lt;error&gt;" loading="lazy" decoding="async">\n'
    '<img class="tb-figure__img tb-figure__img--dark" '
    'src="../assets/figures/imagenet_error/dark.svg" width="672" height="326" '
    'alt="AlexNet (2012) 16.4% &quot;top-5&quot; &lt;error&gt;" loading="lazy" decoding="async">\n'
    "<figcaption>Top-5 error, 2012–2015 &amp; beyond.</figcaption>\n"
    "</figure>"
)


def test_placeholder_becomes_light_and_dark_images_with_size_alt_and_caption():
    html = f"<p>Before.</p>\n{PLACEHOLDER}\n<p>After.</p>"
    out = replace_placeholders(html, {"imagenet_error": record()}, "../assets/figures")
    assert out == f"<p>Before.</p>\n{EXPECTED}\n<p>After.</p>"


@pytest.mark.parametrize(
    ("base_url", "src"),
    [
        ("../assets/figures", "../assets/figures/imagenet_error/light.svg"),
        ("assets/figures", "assets/figures/imagenet_error/light.svg"),
        ("../../assets/figures/", "../../assets/figures/imagenet_error/light.svg"),
    ],
)
def test_urls_are_relative_to_the_page(base_url, src):
    out = replace_placeholders(PLACEHOLDER, {"imagenet_error": record()}, base_url)
    assert f'src="{src}"' in out


def test_every_placeholder_on_a_page_is_filled_and_other_markup_is_untouched():
    other = '<figure class="tb-instrument" id="instrument-mm1-1" data-instrument="rf"></figure>'
    html = PLACEHOLDER + other + PLACEHOLDER.replace("imagenet_error", "patch_cost")
    records = {"imagenet_error": record(), "patch_cost": record("patch_cost")}
    out = replace_placeholders(html, records, "x")
    assert out.count("<img ") == 4
    assert 'src="x/patch_cost/dark.svg"' in out
    assert other in out
    assert replace_placeholders("<p>no figures</p>", {}, "x") == "<p>no figures</p>"


def test_unknown_figure_names_the_figure_and_the_known_ones():
    html = PLACEHOLDER.replace('data-figure="imagenet_error"', 'data-figure="imagenet_eror"')
    with pytest.raises(FigureEmbedError) as caught:
        replace_placeholders(html, {"imagenet_error": record(), "iou": record("iou")}, "x")
    assert caught.value.name == "imagenet_eror"
    assert str(caught.value) == (
        "unknown figure 'imagenet_eror': add figures_src/figures/imagenet_eror.py "
        "or use one of: imagenet_error, iou"
    )


def test_a_record_without_light_and_dark_svgs_cannot_fill_a_figure_placeholder():
    instrument = record(artifacts={"figure.json": Artifact(Path("/c/f.json"), "0" * 64)})
    with pytest.raises(FigureEmbedError, match="has no light.svg artifact with a size"):
        replace_placeholders(PLACEHOLDER, {"imagenet_error": instrument}, "x")


@pytest.mark.parametrize(
    "markup",
    [
        # Python-Markdown's serializer may order attributes differently; whitespace is empty.
        '<figure class="tb-figure" data-figure="imagenet_error" id="fig-imagenet-error"></figure>',
        '<figure data-figure="imagenet_error" id="fig-imagenet-error" class="tb-figure">\n'
        "</figure>",
    ],
)
def test_attribute_order_does_not_matter(markup):
    assert (
        replace_placeholders(markup, {"imagenet_error": record()}, "../assets/figures") == EXPECTED
    )


@pytest.mark.parametrize(
    "markup",
    [
        '<figure class="tb-figure" data-figure="imagenet_error"></figure>',
        '<figure class="tb-figure" id="" data-figure="imagenet_error"></figure>',
        '<figure class="tb-figure wide" id="fig-a" data-figure="imagenet_error"></figure>',
        '<figure class="tb-figure" id="fig-a" data-figure="imagenet_error" title="t"></figure>',
        '<figure class="tb-figure" id="fig-a" id="fig-b" data-figure="imagenet_error"></figure>',
        "<figure class='tb-figure' id='fig-a' data-figure=\"imagenet_error\"></figure>",
    ],
)
def test_a_placeholder_of_another_shape_is_an_error_not_left_as_is(markup):
    with pytest.raises(FigureEmbedError, match="malformed figure placeholder for 'imagenet_error'"):
        replace_placeholders(markup, {"imagenet_error": record()}, "x")


MARKDOWN = """# Title

/// figure
    id: fig-a
    name: alpha
///

/// figure
    id: fig-b
    name: "beta"
///
"""


@pytest.mark.parametrize(("name", "line"), [("alpha", 5), ("beta", 10), ("alph", None)])
def test_find_source_line(name, line):
    assert find_source_line(MARKDOWN, name) == line
