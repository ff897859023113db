"""Print: the chapter prints as a document. Instruments show their light posters instead of
live charts, no control or button is left, Material's header, sidebars, search and footer are
gone; a PDF renders with pages."""

from __future__ import annotations

import re

INSTRUMENTS = ["instrument-mm1-1", "instrument-mm1-2", "instrument-mm1-3"]
VISIBLE = """sel => [...document.querySelectorAll(sel)].filter(e => {
    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
        && style.display !== 'none';
}).map(e => e.outerHTML.slice(0, 100))"""
GONE = [
    ".md-header", ".md-tabs", ".md-sidebar", ".md-search", ".md-footer", ".md-top", ".md-skip",
    "button", "input", "select", "textarea", "[role=button]", "form", "summary.tb-cite",
    ".tb-instrument__controls", ".tb-instrument__plot", ".js-plotly-plot",
    ".tb-instrument__poster--dark img", ".tb-figure__img--dark", ".tb-cell__toolbar",
]  # fmt: skip


def visible(page, selector: str) -> list[str]:
    return page.evaluate(VISIBLE, selector)


def test_the_chapter_prints_cleanly(site_url, new_page):
    page, traffic = new_page(color_scheme="dark")  # print is light whatever the screen
    page.goto(site_url + "01-computer-vision/", wait_until="networkidle")
    for uid in INSTRUMENTS:  # live charts exist on screen...
        page.locator(f"#{uid}").scroll_into_view_if_needed()
        page.locator(f"#{uid} .tb-instrument__stage.is-live .main-svg").first.wait_for()
    assert len(visible(page, ".js-plotly-plot")) == 3 and visible(page, "button")
    page.emulate_media(media="print")
    left = {selector: visible(page, selector) for selector in GONE}
    assert {s: v for s, v in left.items() if v} == {}, "still printed"
    for uid in INSTRUMENTS:  # ...and paper gets the posters
        assert page.locator(f"#{uid} .tb-instrument__poster--light img").is_visible()
    assert len(visible(page, ".tb-figure__img--light")) >= 5
    assert len(visible(page, ".tb-cell__code, .tb-cell__editor")) >= 3  # the code prints
    assert visible(page, "article h1")
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert 5 <= pages <= 80, f"{pages} pages"
    # The light images were hidden on the dark screen (and lazy): printing loaded them.
    unloaded = page.evaluate("""[...document.querySelectorAll(
        '.tb-instrument__poster--light img, .tb-figure__img--light')]
        .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src)""")
    assert unloaded == []
    assert traffic.external == [] and traffic.page_errors == []
