"""The three instruments in Chromium: lazy Plotly, controls drive chart and readouts to the
kernels' values, palette, instant navigation, no JavaScript, print and phone."""

from __future__ import annotations

import functools
import json
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from playwright.sync_api import Error as PlaywrightError

from figures_src.kernels import mini_clip
from figures_src.kernels import patches as kp
from figures_src.kernels import receptive_field as rf
from figures_src.kernels.similarity import cosine_similarity_matrix, softmax
from figures_src.numbers import format_compact
from tests.browser import loading
from tests.browser.instant import open_for_instant_navigation
from tests.browser.server import MIME_TYPES

CHAPTER = "01-computer-vision/"
wait_until = functools.partial(loading.wait_until, timeout=15.0)
RF, PE, CLIP = "instrument-mm1-1", "instrument-mm1-2", "instrument-mm1-3"
LIGHT_INK, DARK_INK = "#1f2329", "#e3e6ee"  # figures_src.plotting LIGHT.ink / DARK.ink
RECORD_UPDATES = """document.addEventListener('tb-instrument:update',
    e => (window.__tbUpdates = window.__tbUpdates || []).push(e.detail));"""


def plotly_requests(traffic) -> list[str]:
    return [url for url in traffic.local if "plotly" in url.lower()]


@pytest.fixture
def chapter(site_url, new_page):
    """Factory: the chapter page (updates recorded in window.__tbUpdates) and its traffic."""

    def make(**options):
        page, traffic = new_page(**options)
        page.add_init_script(RECORD_UPDATES)
        page.goto(site_url + CHAPTER, wait_until="networkidle")
        return page, traffic

    return make


def go_live(page, uid: str) -> None:
    # Right after an instant navigation Material may still be swapping the content in: an
    # element found a moment ago can be replaced. Scroll to the element of the settled page.
    for attempt in range(3):
        try:
            page.locator(f"#{uid}").scroll_into_view_if_needed(timeout=5000)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(300)
    page.wait_for_selector(f"#{uid} .tb-instrument__stage.is-live", timeout=15000)
    page.wait_for_selector(f"#{uid} .tb-instrument__plot .main-svg")


def readouts(page, uid: str) -> dict[str, str]:
    return page.eval_on_selector_all(
        f"#{uid} [data-readout]",
        "cells => Object.fromEntries(cells.map(c => [c.dataset.readout, c.textContent]))",
    )


def chart(page, uid: str) -> dict:
    """What Plotly held when it made the drawing the chart shows: the traces' x/y, images,
    font colour (the runtime keeps it with each drawing)."""
    return page.eval_on_selector(
        f"#{uid} .tb-instrument__plot",
        """plot => ({
            data: plot.tbPlotted.data.map(t => ({x: t.x, y: t.y})),
            images: (plot.tbPlotted.layout.images || []).map(i => i.source),
            ink: plot.tbPlotted.ink,
            colors: plot.tbPlotted.colors,
            label: plot.getAttribute('aria-label'),
            fontSize: plot.tbPlotted.fontSize,
        })""",
    )


def updates(page) -> int:
    return page.evaluate("(window.__tbUpdates || []).length")


def act(page, action) -> dict:
    """Run ``action`` and wait for the instrument's next update event; return its detail."""
    before = updates(page)
    action()
    wait_until(page, f"(window.__tbUpdates || []).length > {before}")
    return page.evaluate("window.__tbUpdates[window.__tbUpdates.length - 1]")


def clean(traffic) -> None:
    assert traffic.external == []
    assert traffic.console_errors == [] and traffic.page_errors == []


# --- expected values, from the kernels ----------------------------------------------------------


def expected_rf(depth: int, kernel: int, every: int) -> tuple[list[int], dict[str, str]]:
    layers = [layer for layer in range(1, depth + 1) if every and layer % every == 0]
    fields, jumps = rf.conv_receptive_fields(*rf.conv_stack(depth, kernel, layers))
    return fields.tolist(), {
        "conv_rf": f"{fields[-1]} px",
        "vit_rf": "FULL",
        "stride": str(jumps[-1]),
    }


def expected_patches(side: int, patch: int) -> dict[str, str]:
    n = kp.num_patches(side, side, patch)
    return {
        "patches": str(n),
        "sequence": str(kp.sequence_length(side, side, patch)),
        "attention": format_compact(kp.attention_cost(n)),
    }


LABELS = ("red circle", "red square", "blue circle", "blue triangle", "green cross")


@functools.cache
def clip_setup():
    trained = mini_clip.default_trained_clip()
    data = trained.held_out
    indices = [
        int(i)
        for label in LABELS
        for i in np.flatnonzero(data.labels == data.label_names.index(label))[:2]
    ]
    prompts = [f"a photo of a {label}" for label in LABELS]
    cosines = cosine_similarity_matrix(
        trained.embed_images(data.images[indices]), trained.embed_texts(prompts)
    )
    return indices, prompts, cosines


def expected_clip(row: int, tau: float) -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    _, prompts, cosines = clip_setup()
    probabilities = softmax(cosines[row], temperature=tau)
    top = int(np.argmax(cosines[row]))
    p = probabilities[top]
    return (
        cosines[row],
        probabilities,
        {
            "top_match": prompts[top],
            "top_cosine": f"{cosines[row][top]:.2f}",
            "lead": f"+{cosines[row][top] - np.sort(cosines[row])[-2]:.2f}",
            "p_top": "<0.1%" if p < 0.0005 else f"{100 * p:.1f}%",
        },
    )


def bars(data: list[dict], trace: int) -> list[float]:
    """Bar values drawn by a CLIP trace: 0 = cosine, 1 = zero-shot probability."""
    return data[trace]["x"]


# --- tests ------------------------------------------------------------------------------------


def test_nothing_of_plotly_loads_with_the_page(chapter):
    page, traffic = chapter()
    assert plotly_requests(traffic) == []
    assert not [url for url in traffic.local if url.endswith("figure.json")]
    assert page.evaluate("typeof window.Plotly") == "undefined"
    assert page.locator(".tb-instrument__fieldset[disabled]").count() == 3
    assert page.locator(".tb-instrument__plot").count() == 0
    assert page.locator("dl.tb-instrument__readouts[aria-live=polite]").count() == 3
    clean(traffic)


def test_scrolling_to_each_instrument_renders_it_with_one_shared_plotly(chapter):
    page, traffic = chapter()
    for uid in (RF, PE, CLIP):
        go_live(page, uid)
        assert page.locator(f"#{uid} .tb-instrument__fieldset").is_enabled()
        assert (
            page.eval_on_selector(
                f"#{uid} .tb-instrument__poster--light", "p => getComputedStyle(p).visibility"
            )
            == "hidden"
        )
    scripts = [url for url in plotly_requests(traffic) if url.endswith(".js")]
    assert len(scripts) == 1 and scripts[0].endswith("plotly-basic.min.js")
    assert len([url for url in plotly_requests(traffic) if url.endswith(".css")]) == 1
    # Plotly's rules come from plotly.css, not from an injected <style>.
    assert page.locator("style#plotly\\.js-style-global").count() == 0
    assert page.eval_on_selector(f"#{RF} .main-svg", "s => getComputedStyle(s).position") == (
        "absolute"
    )
    clean(traffic)


def test_receptive_field_controls(chapter):
    page, traffic = chapter()
    go_live(page, RF)
    fields, values = expected_rf(4, 3, 3)
    assert readouts(page, RF) == values == {"conv_rf": "11 px", "vit_rf": "FULL", "stride": "2"}
    assert chart(page, RF)["data"][1]["y"] == fields
    depth = page.locator(f"#{RF}-depth")
    depth.focus()
    for _ in range(2):
        act(page, lambda: page.keyboard.press("ArrowRight"))
    assert depth.get_attribute("aria-valuetext") == "6 layers"
    assert page.locator(f"#{RF} [data-output=depth]").inner_text() == "6 layers"
    act(page, lambda: page.locator(f"#{RF}-kernel-5").check())
    act(page, lambda: page.locator(f"#{RF}-every-2").check())
    fields, values = expected_rf(6, 5, 2)
    assert readouts(page, RF) == values
    drawn = chart(page, RF)
    assert drawn["data"][1] == {"x": list(range(7)), "y": fields}
    assert drawn["data"][2]["x"] == [2, 4, 6]
    assert f"{fields[-1]} px at a feature stride of 8" in drawn["label"]
    depth.focus()
    act(page, lambda: page.keyboard.press("End"))
    act(page, lambda: page.locator(f"#{RF}-kernel-7").check())
    detail = act(page, lambda: page.locator(f"#{RF}-every-1").check())
    fields, values = expected_rf(12, 7, 1)
    assert (
        readouts(page, RF)
        == values
        == {
            "conv_rf": "24571 px",
            "vit_rf": "FULL",
            "stride": "4096",
        }
    )
    assert chart(page, RF)["data"][1]["y"] == fields
    assert detail["key"] == "12|7|1"
    clean(traffic)


def test_patch_explorer_controls(chapter, built_site):
    refs = json.loads((built_site / "assets/figures/patch_explorer/figure.json").read_text())[
        "refs"
    ]
    page, traffic = chapter()
    go_live(page, PE)
    assert readouts(page, PE) == expected_patches(224, 16)
    assert readouts(page, PE) == {"patches": "196", "sequence": "197", "attention": "38.4K"}
    assert chart(page, PE)["images"][0] == refs["scene-224"]
    act(page, lambda: page.locator(f"#{PE}-side-112").check())
    assert readouts(page, PE) == expected_patches(112, 16)
    assert page.locator(f"#{PE}-patch-32").is_disabled()  # 32 does not divide 112
    act(page, lambda: page.locator(f"#{PE}-patch-14").check())
    assert (
        readouts(page, PE)
        == expected_patches(112, 14)
        == {
            "patches": "64",
            "sequence": "65",
            "attention": "4.1K",
        }
    )
    drawn = chart(page, PE)
    assert drawn["images"][0] == refs["scene-112"]
    assert drawn["data"][0]["x"].count(None) == 2 * (112 // 14 + 1)
    # 14 does not divide 256: the instrument moves P to 16 and disables 14.
    act(page, lambda: page.locator(f"#{PE}-side-256").check())
    assert page.locator(f"#{PE}-patch-16").is_checked()
    assert page.locator(f"#{PE}-patch-14").is_disabled()
    assert readouts(page, PE) == expected_patches(256, 16)
    # Keyboard: arrows move within the radio group.
    page.locator(f"#{PE}-patch-16").focus()
    act(page, lambda: page.keyboard.press("ArrowRight"))
    assert readouts(page, PE) == expected_patches(256, 32)
    act(page, lambda: page.locator(f"#{PE}-side-224").check())
    page.locator(f"#{PE}-patch-32").focus()
    act(page, lambda: page.keyboard.press("ArrowLeft"))
    act(page, lambda: page.keyboard.press("ArrowLeft"))
    act(page, lambda: page.keyboard.press("ArrowLeft"))
    assert (
        readouts(page, PE)
        == expected_patches(224, 8)
        == {
            "patches": "784",
            "sequence": "785",
            "attention": "614.7K",
        }
    )
    clean(traffic)


def test_clip_similarity_controls(chapter):
    indices, _, _ = clip_setup()
    page, traffic = chapter()
    go_live(page, CLIP)
    cos, probabilities, values = expected_clip(0, mini_clip.TEMPERATURE)
    assert readouts(page, CLIP) == values
    assert values["top_match"] == "a photo of a red circle"
    drawn = chart(page, CLIP)
    assert np.allclose(bars(drawn["data"], 0), cos, atol=1e-4)
    assert np.allclose(bars(drawn["data"], 1), probabilities, atol=1e-4)
    for row in (5, 7, 8):
        act(page, lambda row=row: page.locator(f"#{CLIP}-image-{indices[row]}").check())
        cos, probabilities, values = expected_clip(row, mini_clip.TEMPERATURE)
        assert readouts(page, CLIP) == values
        assert values["top_match"] == f"a photo of a {LABELS[row // 2]}"
        assert np.allclose(bars(chart(page, CLIP)["data"], 0), cos, atol=1e-4)
    tau = page.locator(f"#{CLIP}-tau")
    tau.focus()
    act(page, lambda: page.keyboard.press("Home"))
    assert tau.get_attribute("aria-valuetext") == "τ = 0.01"
    _, sharp, values = expected_clip(8, 0.01)
    assert readouts(page, CLIP) == values
    assert np.allclose(bars(chart(page, CLIP)["data"], 1), sharp, atol=1e-4)
    act(page, lambda: page.keyboard.press("End"))
    _, flat, values = expected_clip(8, 2.0)
    assert readouts(page, CLIP) == values
    assert np.allclose(bars(chart(page, CLIP)["data"], 1), flat, atol=1e-4)
    assert sharp.max() > flat.max()  # lower temperature, sharper distribution
    clean(traffic)


def shown_drawing(page, uid: str) -> dict:
    """The drawing the chart shows: its markup (Plotly's random figure uid masked), the value
    labels on its bars, and the ids that occur more than once in the whole page."""
    return page.eval_on_selector(
        f"#{uid} .tb-instrument__plot",
        r"""plot => {
            const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
            return {
                markup: plot.innerHTML.replace(/[0-9a-f]{6}-shown/g, 'UID'),
                labels: [...plot.querySelectorAll('.trace.bars')].map(
                    t => [...t.querySelectorAll('.bartext')].map(x => x.textContent)),
                duplicate_ids: ids.filter((id, i) => ids.indexOf(id) !== i),
            };
        }""",
    )


def drawn_ahead(page, uid: str) -> None:
    wait_until(page, f"!document.querySelector('#{uid} .tb-instrument__stage[data-drawing-ahead]')")


def test_states_drawn_ahead_are_the_drawings_plotly_makes_on_demand(chapter):
    indices, _, _ = clip_setup()
    row = 9  # the neighbour drawn last: the image farthest from the default one
    # With idle time: the neighbours of the default state are drawn ahead, then shown.
    page, traffic = chapter()
    go_live(page, CLIP)
    drawn_ahead(page, CLIP)
    detail = act(page, lambda: page.locator(f"#{CLIP}-image-{indices[row]}").check())
    assert detail["kept"] is True
    ahead = shown_drawing(page, CLIP)
    cos, probabilities, values = expected_clip(row, mini_clip.TEMPERATURE)
    assert readouts(page, CLIP) == values
    assert ahead["labels"][0] == [f"{c:.2f}" for c in cos]
    assert ahead["duplicate_ids"] == []
    # A state shown again is the same drawing.
    back = act(page, lambda: page.locator(f"#{CLIP}-image-{indices[0]}").check())
    again = act(page, lambda: page.locator(f"#{CLIP}-image-{indices[row]}").check())
    assert back["kept"] is again["kept"] is True
    assert shown_drawing(page, CLIP) == ahead
    clean(traffic)
    # Without idle time nothing is drawn ahead: Plotly draws the state when it is asked for,
    # and that drawing is the one drawn ahead above.
    page, traffic = chapter()
    page.add_init_script("window.requestIdleCallback = () => 0;")
    page.reload(wait_until="networkidle")
    go_live(page, CLIP)
    detail = act(page, lambda: page.locator(f"#{CLIP}-image-{indices[row]}").check())
    assert detail["kept"] is False
    assert shown_drawing(page, CLIP) == ahead
    assert np.allclose(bars(chart(page, CLIP)["data"], 1), probabilities, atol=1e-4)
    clean(traffic)


# Idle callbacks run only when the test says so; Plotly's draws are counted.
MANUAL_IDLE = """
window.__idle = [];
window.requestIdleCallback = callback => window.__idle.push(callback);
window.__runIdle = () => {
  const callback = window.__idle.shift();
  if (callback) callback({didTimeout: false, timeRemaining: () => 50});
  return Boolean(callback);
};
"""
COUNT_DRAWS = """() => {
  const react = window.Plotly.react;
  window.__draws = 0;
  window.Plotly.react = function () { window.__draws += 1; return react.apply(this, arguments); };
}"""


def run_idle_until_quiet(page, uid: str) -> None:
    """Run idle callbacks, one at a time, until the instrument draws nothing more ahead."""
    deadline = time.monotonic() + 30
    stage = f"#{uid} .tb-instrument__stage[data-drawing-ahead]"
    while page.evaluate("window.__runIdle()") or page.evaluate(
        f"!!document.querySelector('{stage}')"
    ):
        if time.monotonic() > deadline:
            raise AssertionError("still drawing ahead after 30 s")
        page.wait_for_timeout(20)  # the drawing started by the callback finishes


def test_drawing_ahead_pauses_far_from_the_viewport_and_resumes_near_it(chapter):
    page, traffic = chapter()
    page.add_init_script(MANUAL_IDLE)
    page.reload(wait_until="networkidle")
    go_live(page, CLIP)
    page.evaluate(COUNT_DRAWS)
    wait_until(page, "window.__idle.length === 1")  # the first drawing ahead, waiting
    page.evaluate("window.__runIdle()")
    wait_until(page, "window.__draws === 1 && window.__idle.length === 1")
    # The reader scrolls far away: the next idle period draws nothing and the work pauses.
    page.evaluate("window.scrollTo(0, 0)")
    wait_until(
        page, f"document.querySelector('#{CLIP}').getBoundingClientRect().top > 3 * innerHeight"
    )
    wait_until(page, f"!document.querySelector('#{CLIP} .tb-instrument__stage[data-near]')")
    run_idle_until_quiet(page, CLIP)
    assert page.evaluate("window.__draws") == 1
    # Back near the instrument, the neighbours are drawn.
    go_live(page, CLIP)
    wait_until(page, "window.__idle.length > 0")
    run_idle_until_quiet(page, CLIP)
    assert page.evaluate("window.__draws") > 1
    clean(traffic)


def test_palette_toggle_restyles_live_charts(chapter):
    page, traffic = chapter(color_scheme="light")
    go_live(page, RF)
    light = chart(page, RF)
    assert light["ink"] == LIGHT_INK
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    wait_until(
        page,
        f"document.querySelector('#{RF} .tb-instrument__plot').tbPlotted.ink === '{DARK_INK}'",
    )
    dark = chart(page, RF)
    assert dark["colors"] != light["colors"]
    assert dark["data"] == light["data"]  # same state, new colours
    clean(traffic)


def test_instruments_work_after_instant_navigation_away_and_back(site_url, new_page):
    page, traffic = new_page()
    page.add_init_script(RECORD_UPDATES)
    open_for_instant_navigation(page, site_url)
    page.click(f"article a[href$='{CHAPTER}']")
    page.wait_for_url("**/" + CHAPTER)
    go_live(page, PE)
    act(page, lambda: page.locator(f"#{PE}-patch-8").check())
    assert readouts(page, PE) == expected_patches(224, 8)
    # Away to the home page and back, without reloading the document.
    page.locator(".md-nav--primary a.md-nav__link", has_text="Volume").click()
    wait_until(page, "location.pathname === '/'")
    page.wait_for_selector(f"article a[href$='{CHAPTER}']")
    page.click(f"article a[href$='{CHAPTER}']")
    page.wait_for_url("**/" + CHAPTER)
    assert page.evaluate("window.__sameDocument === true")
    for uid in (PE, RF):
        go_live(page, uid)
    assert readouts(page, PE) == expected_patches(224, 16)  # a fresh page, default state
    act(page, lambda: page.locator(f"#{PE}-patch-32").check())
    assert readouts(page, PE) == expected_patches(224, 32)
    act(page, lambda: page.locator(f"#{RF}-kernel-7").check())
    assert readouts(page, RF) == expected_rf(4, 7, 3)[1]
    assert page.eval_on_selector(f"#{PE} .main-svg", "s => getComputedStyle(s).position") == (
        "absolute"
    )
    assert len([u for u in plotly_requests(traffic) if u.endswith(".js")]) == 1
    clean(traffic)


def test_without_javascript_the_poster_and_no_controls(chapter):
    page, traffic = chapter(java_script_enabled=False)
    for uid in (RF, PE, CLIP):
        page.locator(f"#{uid}").scroll_into_view_if_needed()
        poster = page.locator(f"#{uid} .tb-instrument__poster--light img")
        # Blocks far from the viewport render on the frame after they come near it.
        poster.wait_for(state="visible", timeout=5000)
        assert not page.locator(f"#{uid} .tb-instrument__controls").is_visible()
        assert not page.locator(f"#{uid} .tb-instrument__readouts").is_visible()
        wait_until(
            page,
            f"document.querySelector('#{uid} .tb-instrument__poster--light img').naturalWidth > 0",
        )
    assert plotly_requests(traffic) == []
    clean(traffic)


def test_print_shows_the_light_poster_only(chapter):
    page, traffic = chapter(color_scheme="dark")
    go_live(page, CLIP)
    page.emulate_media(media="print")
    assert not page.locator(f"#{CLIP} .tb-instrument__controls").is_visible()
    assert not page.locator(f"#{CLIP} .tb-instrument__readouts").is_visible()
    assert not page.locator(f"#{CLIP} .tb-instrument__plot").is_visible()
    assert page.locator(f"#{CLIP} .tb-instrument__poster--light img").is_visible()
    assert not page.locator(f"#{CLIP} .tb-instrument__poster--dark img").is_visible()
    clean(traffic)


def test_phone_uses_the_narrow_poster_and_layout(chapter):
    page, traffic = chapter(viewport={"width": 390, "height": 844})
    page.locator(f"#{RF}").scroll_into_view_if_needed()
    wait_until(
        page,
        f"document.querySelector('#{RF} .tb-instrument__poster--light img')"
        ".currentSrc.endsWith('poster-narrow-light.svg')",
    )
    go_live(page, RF)
    assert chart(page, RF)["fontSize"] == 11
    box = page.locator(f"#{RF} .tb-instrument__chart").bounding_box()
    assert box["width"] <= 390 and box["height"] > box["width"]
    act(page, lambda: page.locator(f"#{RF}-every-0").check())
    assert readouts(page, RF) == expected_rf(4, 3, 0)[1]
    clean(traffic)


# The policy the site is headed for, minus script hashes for Material's inline scripts: no
# eval, no inline styles (KaTeX's own style attributes are reported but are not ours).
STRICT_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'; img-src 'self' data:"
)
RECORD_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e =>
    (window.__csp = window.__csp || []).push([e.violatedDirective, e.sourceFile, e.lineNumber]));"""


@pytest.fixture
def csp_site(built_site):
    class Handler(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

        def end_headers(self):
            self.send_header("Content-Security-Policy", STRICT_CSP)
            super().end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(built_site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_instruments_need_no_eval_and_no_inline_styles(csp_site, new_page):
    page, traffic = new_page()
    page.add_init_script(RECORD_UPDATES + RECORD_VIOLATIONS)
    page.goto(csp_site + CHAPTER, wait_until="networkidle")
    before = page.evaluate("(window.__csp || []).length")
    for uid in (RF, PE, CLIP):
        page.locator(f"#{uid}").scroll_into_view_if_needed()
        page.locator(f"#{uid} .tb-instrument__stage.is-live").wait_for(timeout=15000)
    page.locator(f"#{PE}-patch-8").check()
    page.locator(f"#{RF}-kernel-5").check()
    page.locator(f"#{PE} [data-readout=patches]").filter(has_text="784").wait_for()
    violations = page.evaluate("window.__csp || []")
    assert violations[before:] == []  # nothing blocked once the instruments run
    assert not [v for v in violations if "plotly" in v[1] or "instruments" in v[1]]
    assert page.locator("style#plotly\\.js-style-global").count() == 0
    assert page.eval_on_selector(f"#{RF} .main-svg", "s => getComputedStyle(s).position") == (
        "absolute"
    )
    assert readouts(page, RF) == expected_rf(4, 5, 3)[1]
    assert traffic.external == [] and traffic.page_errors == []


def test_a_failed_load_leaves_the_poster_and_default_readouts(chapter):
    page, traffic = chapter()
    page.route("**/receptive_field/figure.json", lambda route: route.abort())
    page.locator(f"#{RF}").scroll_into_view_if_needed()
    page.locator(f"#{RF} .tb-instrument__stage.is-failed").wait_for(timeout=15000)
    assert page.locator(f"#{RF} .tb-instrument__poster--light img").is_visible()
    assert page.locator(f"#{RF} .tb-instrument__fieldset").get_attribute("disabled") is not None
    assert readouts(page, RF) == {"conv_rf": "11 px", "vit_rf": "FULL", "stride": "2"}
    go_live(page, PE)  # the others still work
    assert traffic.page_errors == [] and traffic.external == []
    # Only the browser's own report of the aborted request; the runtime merely warns.
    assert traffic.console_errors == ["Failed to load resource: net::ERR_FAILED"]
