"""textbook.instruments.page: stage HTML from figure meta, errors with file and line, Plotly CSS;
and textbook/adapters/instruments.py called directly."""

from __future__ import annotations

import difflib
import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from textbook.core.errors import find_name_line
from textbook.core.ids import duplicate_ids
from textbook.instruments import page as ti
from textbook.site import scripts

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"

PAGE = (
    '<p>Before.</p>\n<figure class="tb-instrument" data-instrument="demo" id="instrument-x-1">'
    '<div class="tb-instrument__head"><a class="tb-instrument__label" href="#instrument-x-1">'
    'INSTRUMENT X.1</a><span class="tb-instrument__title">Demo</span></div>\n'
    '<div class="tb-instrument__stage" data-instrument-stage="demo"></div>\n'
    '<figcaption class="tb-instrument__caption"><p>Caption.</p></figcaption></figure>'
)
META = {
    "alt": 'Chart "A" & B.',
    "controls": [
        {
            "default": "2",
            "ends": ["sharper", "flatter"],
            "kind": "range",
            "label": "Depth",
            "name": "depth",
            "options": [{"label": "1 layer", "value": "1"}, {"label": "2 layers", "value": "2"}],
        },
        {
            "default": "b",
            "hint": "Only some.",
            "kind": "radio",
            "label": "Kind",
            "name": "kind",
            "options": [
                {"label": "A", "value": "a"},
                {"image": "thumb-b.png", "label": "B", "value": "b"},
            ],
        },
        {
            "default": "64",
            "kind": "select",
            "label": "Side",
            "name": "side",
            "options": [{"label": "32 px", "value": "32"}, {"label": "64 px", "value": "64"}],
        },
    ],
    "format": 1,
    "narrow_media": "(max-width: 599px)",
    "readouts": [{"label": "ViT receptive field", "name": "vit", "value": "FULL"}],
}
SIZES = {
    "poster-light.svg": (700, 400),
    "poster-dark.svg": (700, 400),
    "poster-narrow-light.svg": (380, 520),
    "poster-narrow-dark.svg": (380, 520),
}
ASSETS = ti.InstrumentAssets("demo", META, SIZES, frozenset([*SIZES, "figure.json"]))
URLS = ti.Urls("../assets/figures", "../v/plotly.js", "../v/plotly.css")

EXPECTED_STAGE = (
    '<div class="tb-instrument__stage" data-instrument-stage="demo" '
    'data-src="../assets/figures/demo/figure.json" data-plotly="../v/plotly.js" '
    'data-plotly-css="../v/plotly.css">'
    '<div class="tb-instrument__controls" role="group" aria-label="INSTRUMENT X.1: controls">'
    '<fieldset class="tb-instrument__fieldset" disabled>'
    '<div class="tb-control tb-control--range">'
    '<label class="tb-control__label" for="instrument-x-1-depth">Depth</label>'
    '<input type="range" id="instrument-x-1-depth" data-control="depth" min="0" max="1" '
    'step="1" value="1" aria-valuetext="2 layers">'
    '<output class="tb-control__value" for="instrument-x-1-depth" data-output="depth">'
    "2 layers</output>"
    '<span class="tb-control__ends" aria-hidden="true"><span>← sharper</span>'
    "<span>flatter →</span></span></div>"
    '<fieldset class="tb-control tb-control--radio" data-control="kind" '
    'aria-describedby="instrument-x-1-kind-hint">'
    '<legend class="tb-control__label">Kind</legend><span class="tb-control__choices">'
    '<span class="tb-choice"><input type="radio" id="instrument-x-1-kind-a" '
    'name="instrument-x-1-kind" value="a"><label for="instrument-x-1-kind-a">A</label></span>'
    '<span class="tb-choice tb-choice--image"><input type="radio" id="instrument-x-1-kind-b" '
    'name="instrument-x-1-kind" value="b" checked><label for="instrument-x-1-kind-b">'
    '<img src="../assets/figures/demo/thumb-b.png" width="48" height="48" alt="" loading="lazy" '
    'decoding="async"><span class="tb-choice__text">B</span></label></span></span>'
    '<p class="tb-control__hint" id="instrument-x-1-kind-hint">Only some.</p></fieldset>'
    '<div class="tb-control tb-control--select">'
    '<label class="tb-control__label" for="instrument-x-1-side">Side</label>'
    '<select id="instrument-x-1-side" data-control="side"><option value="32">32 px</option>'
    '<option value="64" selected>64 px</option></select></div></fieldset></div>'
    '<div class="tb-instrument__chart">'
    '<picture class="tb-instrument__poster tb-instrument__poster--light">'
    '<source media="(max-width: 599px)" srcset="../assets/figures/demo/poster-narrow-light.svg" '
    'width="380" height="520"><img src="../assets/figures/demo/poster-light.svg" width="700" '
    'height="400" alt="Chart &quot;A&quot; &amp; B." loading="lazy" decoding="async"></picture>'
    '<picture class="tb-instrument__poster tb-instrument__poster--dark">'
    '<source media="(max-width: 599px)" srcset="../assets/figures/demo/poster-narrow-dark.svg" '
    'width="380" height="520"><img src="../assets/figures/demo/poster-dark.svg" width="700" '
    'height="400" alt="Chart &quot;A&quot; &amp; B." loading="lazy" decoding="async"></picture>'
    "</div>"
    '<dl class="tb-instrument__readouts" aria-live="polite" aria-atomic="true">'
    '<div class="tb-readout"><dt>ViT RECEPTIVE FIELD</dt><dd data-readout="vit">FULL</dd></div>'
    "</dl></div>"
)


def test_stage_html_matches_the_expected_markup():
    got = ti.stage_html("instrument-x-1", "INSTRUMENT X.1", ASSETS, URLS)
    if got != EXPECTED_STAGE:
        diff = difflib.unified_diff(
            EXPECTED_STAGE.replace("><", ">\n<").splitlines(),
            got.replace("><", ">\n<").splitlines(),
            "expected",
            "got",
            lineterm="",
        )
        pytest.fail("\n".join(diff))


def test_fill_stages_replaces_only_the_stage_and_keeps_ids_unique():
    filled = ti.fill_stages(PAGE, {"demo": ASSETS}, URLS)
    assert filled.startswith(PAGE[: PAGE.index('<div class="tb-instrument__stage"')])
    assert filled.endswith(PAGE[PAGE.index("</div>\n<figcaption") + len("</div>") :])
    assert EXPECTED_STAGE in filled
    assert duplicate_ids(filled) == []
    assert ti.fill_stages("<p>no instruments</p>", {}, URLS) == "<p>no instruments</p>"


def test_every_control_has_a_visible_label():
    filled = ti.fill_stages(PAGE, {"demo": ASSETS}, URLS)
    for control_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', filled):
        assert f'for="{control_id}"' in filled, control_id


@pytest.mark.parametrize(
    ("instruments", "message"),
    [
        ({}, "unknown instrument 'demo': add figures_src/figures/demo.py"),
        (
            {"demo": ti.InstrumentAssets("demo", {"format": 0}, SIZES, frozenset(SIZES))},
            "figures_src/figures/demo.py is not an instrument",
        ),
        (
            {"demo": ti.InstrumentAssets("demo", META, SIZES, frozenset(SIZES))},
            "instrument 'demo' lacks artifacts ['figure.json']",
        ),
    ],
)
def test_fill_stages_errors_name_what_to_fix(instruments, message):
    with pytest.raises(ti.InstrumentError, match=re.escape(message)) as caught:
        ti.fill_stages(PAGE, instruments, URLS)
    assert caught.value.name == "demo"


def test_a_stray_stage_is_an_error():
    stray = '<div class="tb-instrument__stage" data-instrument-stage="demo"></div>'
    with pytest.raises(ti.InstrumentError, match="outside a <figure"):
        ti.fill_stages(stray, {"demo": ASSETS}, URLS)


def test_find_source_line():
    source = "# T\n\n/// instrument | X\n    id: instrument-x-1\n    name: demo\n///\n"
    assert find_name_line(source, "demo") == 5
    assert find_name_line(source, "other") is None


def test_display_label_keeps_vit():
    assert ti.display_label("ViT receptive field") == "ViT RECEPTIVE FIELD"
    assert ti.display_label("Zero-shot P(top)") == "ZERO-SHOT P(TOP)"


# --- Plotly's CSS --------------------------------------------------------------------------


def test_plotly_css_from_a_rule_object_in_reverse_insertion_order():
    bundle = (
        'var a=1,pM={"X,X div":\'font-family:"Open Sans";margin:0;\',"X .a":"b:c;",'
        + ",".join(f'"X .r{i}":"x:{i};"' for i in range(10))
        + ',Y:"position:fixed;","Y p":"margin:0;"};for(x in pM)'
    )
    css = ti.plotly_css(bundle).splitlines()
    assert css[1] == ".plotly-notifier p{margin:0;}"
    assert css[2] == ".plotly-notifier{position:fixed;}"
    assert css[-1] == (
        '.js-plotly-plot .plotly,.js-plotly-plot .plotly div{font-family:"Open Sans";margin:0;}'
    )


def test_plotly_css_refuses_a_bundle_without_rules():
    with pytest.raises(ValueError, match="no style-rule object"):
        ti.plotly_css("var x = 1;")


@pytest.mark.skipif(not BUNDLE.is_file(), reason="node_modules not installed")
def test_plotly_css_of_the_real_bundle():
    css = ti.plotly_css(BUNDLE.read_text(encoding="utf-8"))
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;top:0;left:0;" in css
    assert "X" not in css.replace("translate3d", "")  # every placeholder expanded


# --- the hook, called directly -------------------------------------------------------------


def load_hook():
    spec = importlib.util.spec_from_file_location(
        "instruments_hook", ROOT / "textbook" / "adapters" / "instruments.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hook_config():
    hook = load_hook()
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.extra_css, config.extra_javascript = [], []
    config.plugins._current_plugin = None  # set by MkDocs during a build; File.generated reads it
    return hook, hook.on_config(config)


def test_hook_adds_the_stylesheet_and_no_script_to_every_page(hook_config):
    hook, config = hook_config
    assert config.extra_css == [hook.CSS]
    # Neither the runtime nor Plotly: the loader fetches the runtime near an instrument.
    assert config.extra_javascript == []
    feature = next(f for f in scripts.FEATURES if f.name == "instruments")
    assert (feature.src, feature.module) == (hook.JS, False)
    hook.on_config(config)  # idempotent (mkdocs serve calls it again)
    assert len(config.extra_css) == 1 and config.extra_javascript == []


@pytest.mark.skipif(not BUNDLE.is_file(), reason="node_modules not installed")
def test_hook_publishes_the_shared_plotly_bundle_and_css(hook_config):
    hook, config = hook_config
    files = hook.on_files(Files([]), config)
    uris = sorted(f.src_uri for f in files)
    assert uris == sorted([hook.PLOTLY_URI, hook.PLOTLY_CSS_URI])
    bundle = files.get_file_from_path(hook.PLOTLY_URI)
    assert Path(bundle.abs_src_path) == BUNDLE
    assert ".js-plotly-plot" in files.get_file_from_path(hook.PLOTLY_CSS_URI).content_string


def test_hook_error_names_the_page_line_and_the_fix(hook_config, tmp_path):
    hook, config = hook_config
    source = tmp_path / "chapter.md"
    source.write_text("# T\n\n/// instrument | Demo\n    id: instrument-x-1\n    name: demo\n///\n")
    page = SimpleNamespace(
        url="chapter/", file=SimpleNamespace(src_uri="chapter.md", abs_src_path=str(source))
    )
    hook._state["assets"] = {}
    with pytest.raises(PluginError) as caught:
        hook.on_page_content(PAGE, page, config, Files([]))
    assert str(caught.value) == (
        "instruments: docs/chapter.md:5: unknown instrument 'demo': add "
        "figures_src/figures/demo.py (an instrument module) or use one of: none"
    )
    hook._state["assets"] = {"demo": ASSETS}
    filled = hook.on_page_content(PAGE, page, config, Files([]))
    assert 'data-src="../assets/figures/demo/figure.json"' in filled
    assert 'data-plotly="../assets/vendor/plotly/plotly-basic.min.js"' in filled
    assert hook.on_page_content("<p>x</p>", page, config, Files([])) == "<p>x</p>"
