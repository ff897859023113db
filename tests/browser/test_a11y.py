"""Accessibility: axe-core finds no serious or critical violation on the home page, the
chapter and its companion notebook page, in both palettes; instruments and cells work from the
keyboard alone.

axe-core comes from node_modules (test tooling, never shipped) and is injected as an inline
script, which the site's Content-Security-Policy would block: the axe contexts bypass it
(tests/browser/test_csp.py checks the policy).
"""

from __future__ import annotations

from functools import partial

import pytest

from tests.browser import loading
from tests.browser.fonts import DrawnFonts
from tests.conftest import ROOT

wait_until = partial(loading.wait_until, timeout=90.0)  # a cold Pyodide start under load
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
INSTRUMENTS = ["instrument-mm1-1", "instrument-mm1-2", "instrument-mm1-3"]
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
ACTIVE = "document.activeElement && (document.activeElement.id || document.activeElement.tagName)"


def go_live(page, uid: str) -> None:
    page.locator(f"#{uid}").scroll_into_view_if_needed()
    page.locator(f"#{uid} .tb-instrument__stage.is-live .main-svg").first.wait_for()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    ["", "01-computer-vision/", "notebooks/01-computer-vision/"],
    ids=["home", "chapter", "notebook"],
)
def test_no_serious_or_critical_axe_violations(site_url, new_page, path, scheme):
    page, traffic = new_page(color_scheme=scheme, bypass_csp=True)
    page.goto(site_url + path, wait_until="networkidle")
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("document.body.dataset.mdColorScheme") == expected
    # check the live instruments, not their posters
    for uid in INSTRUMENTS if path == "01-computer-vision/" else []:
        go_live(page, uid)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE)
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(f"{v['id']} ({v['help']}): {v['nodes']}" for v in serious)
    # Known moderate finding: Material's loading bar (.md-progress) sits outside landmarks.
    assert {v["id"] for v in found} <= {"region"}, found
    assert traffic.external == []


def test_instruments_work_from_the_keyboard(site_url, new_page):
    """From each instrument's label, Tab reaches its first control; an arrow key changes it and
    the readouts follow; the other arrow key brings them back."""
    page, traffic = new_page()
    page.goto(site_url + "01-computer-vision/", wait_until="networkidle")
    for uid in INSTRUMENTS:
        go_live(page, uid)
        readouts = f"#{uid} .tb-instrument__readouts"
        before = page.locator(readouts).inner_text()
        page.locator(f"#{uid} .tb-instrument__label").focus()
        stops = []
        for _ in range(3):  # the label, maybe a cross-reference in the subtitle, the controls
            page.keyboard.press("Tab")
            stops.append(page.evaluate(ACTIVE))
            if stops[-1].startswith(f"{uid}-"):
                break
        control = stops[-1]
        assert control.startswith(f"{uid}-"), f"Tab from {uid}'s label went to {stops}"
        page.keyboard.press("ArrowRight")
        wait_until(
            page, f"document.querySelector('{readouts}').innerText !== {before!r}", timeout=10
        )
        assert page.evaluate(ACTIVE).startswith(f"{uid}-")  # focus stays in the controls
        page.keyboard.press("ArrowLeft")
        wait_until(
            page, f"document.querySelector('{readouts}').innerText === {before!r}", timeout=10
        )
    assert traffic.external == [] and traffic.page_errors == []


def test_a_cell_runs_from_the_keyboard(site_url, new_page):
    """Tab from the cell's last link enters the editor (Tab indents there, and its description
    says how to leave); Escape, Tab reach Run; Enter runs; the output appears."""
    page, traffic = new_page()
    page.goto(site_url + "01-computer-vision/", wait_until="networkidle")
    cell = page.locator("#cell-patchify")
    cell.scroll_into_view_if_needed()  # cells.js loads as a cell nears the viewport
    wait_until(page, "document.getElementById('cell-patchify').dataset.tbEnhanced === 'true'")
    cell.locator(".tb-cell__links a").last.focus()
    page.keyboard.press("Tab")
    editor = cell.locator("textarea")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    description = editor.get_attribute("aria-description") or ""
    assert "Escape, then Tab" in description
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "run"
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('cell-patchify').dataset.runs === '1'")
    output = cell.locator(".tb-cell__stream").inner_text()
    assert (
        "196 patches" in output
        and cell.locator(".tb-cell__output").get_attribute("data-origin") == "browser"
    )
    assert editor.input_value().startswith("# From picture to token sequence")  # no stray Tab
    assert traffic.external == [] and traffic.page_errors == []


def test_the_screen_readers_copy_of_each_formula_is_drawn_in_its_own_fonts(site_url, new_page):
    """KaTeX's MathML copy stays in the accessibility tree as math, yet is laid out (clipped
    to 1px) with the web fonts its visible twin loaded: no system font, none found by per-glyph
    fallback (assets/css/math.css; without that rule Chromium draws it in DejaVu Math, Liberation
    Serif and DejaVu Sans here)."""
    page, traffic = new_page()
    page.goto(site_url + "01-computer-vision/", wait_until="networkidle")
    fonts_of = DrawnFonts(page)
    glyphs = fonts_of.nodes(".katex-mathml math :is(mi, mn, mo, mtext)")
    assert len(glyphs) > 300, f"only {len(glyphs)} MathML tokens on the chapter?"
    fonts = fonts_of(".katex-mathml math :is(mi, mn, mo, mtext)")
    assert fonts and all(name.startswith("KaTeX_") for name in fonts), fonts
    maths = fonts_of.nodes(".katex-mathml math")
    first = fonts_of.cdp.send("Accessibility.getPartialAXTree", {"nodeId": maths[0]})["nodes"]
    node = first[0]  # the <math> element itself, then its relatives
    assert node["role"]["value"] == "MathMLMath" and not node["ignored"], node
    assert traffic.external == [] and traffic.page_errors == []
