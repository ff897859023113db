"""The chapter in a real browser: offline, no errors, anchors, palette, instant navigation."""

from __future__ import annotations

import pytest

from tests.browser.fonts import DrawnFonts
from tests.browser.instant import open_for_instant_navigation

CHAPTER = "01-computer-vision/"


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """el => { const r = el.getBoundingClientRect();
                   return r.top >= 0 && r.top < window.innerHeight && r.height > 0; }""",
    )


def test_chapter_opens_offline_without_errors(site_url, new_page):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    assert page.locator("h1").first.inner_text().startswith("Computer Vision with Deep Nets")
    assert page.locator("#eq-mm1-2 .katex-mathml math").count() >= 1
    assert traffic.local, "the page loaded nothing from 127.0.0.1?"
    assert traffic.external == []
    assert traffic.console_errors == [] and traffic.page_errors == []


def test_link_to_equation_lands_in_view(site_url, new_page):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    # In the article, where the chapter's own cross-references sit: a link there is followed
    # by the browser (textbook.js), which fires `hashchange` and so the landing hold.
    page.evaluate(
        """() => { const a = document.createElement('a'); a.href = '#eq-mm1-2';
                   a.id = 'test-link'; a.textContent = 'go';
                   document.querySelector('.md-content__inner').prepend(a);
                   addEventListener('hashchange', () => { window.tbHashChanged = true; }); }"""
    )
    page.click("#test-link")
    page.wait_for_function("() => location.hash === '#eq-mm1-2' && window.tbHashChanged")
    page.wait_for_timeout(300)
    assert in_viewport(page, "#eq-mm1-2")
    # Citing by URL works from a fresh load too.
    page2, _ = new_page()
    page2.goto(site_url + CHAPTER + "#eq-mm1-2", wait_until="networkidle")
    page2.wait_for_timeout(300)
    assert in_viewport(page2, "#eq-mm1-2")
    assert traffic.external == []


def test_palette_toggle(site_url, new_page):
    page, traffic = new_page(color_scheme="light")
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    background = "getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function(f"() => {scheme} === 'slate'")
    assert page.evaluate(background) != light
    assert traffic.external == [] and traffic.console_errors == []


PALETTE_STATE = """() => ({
    scheme: document.body.getAttribute('data-md-color-scheme'),
    toggles: [...document.querySelectorAll('form[data-tb-palette] label')].map(l => !l.hidden),
    colorScheme: document.querySelector('meta[name=color-scheme]')?.content,
    themeColor: document.querySelector('meta[name=theme-color]')?.content,
    rootClass: document.documentElement.className,
})"""


def without_material_bundle(page):
    """Material's bundle never arrives: what the page shows then was set while it was parsed."""
    page.route("**/assets/javascripts/bundle.*.js", lambda route: route.abort())


def test_dark_system_gets_the_dark_palette_while_the_page_is_parsed(site_url, new_page):
    page, traffic = new_page(color_scheme="dark")
    without_material_bundle(page)
    page.goto(site_url + CHAPTER, wait_until="domcontentloaded")
    state = page.evaluate(PALETTE_STATE)
    assert state["scheme"] == "slate"
    assert state["colorScheme"] == "dark"  # as Material writes it: the header's color-scheme
    assert state["themeColor"] == "#4051b5"  # indigo, the header's background
    assert state["toggles"] == [False, True]  # the dark option's button: "Switch to light mode"
    assert state["rootClass"] == "js"
    assert traffic.external == [] and traffic.page_errors == []


def test_palette_choice_is_kept_where_material_keeps_it(site_url, new_page):
    page, traffic = new_page(color_scheme="light")
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    stored = page.evaluate("__md_get('__palette')")
    assert stored["index"] == 1 and stored["color"]["scheme"] == "slate"
    assert page.evaluate(PALETTE_STATE)["colorScheme"] == "dark"
    # The next page load, even without Material's bundle, opens in the chosen palette.
    without_material_bundle(page)
    page.goto(site_url, wait_until="domcontentloaded")
    state = page.evaluate(PALETTE_STATE)
    assert state["scheme"] == "slate" and state["toggles"] == [False, True]
    assert traffic.external == [] and traffic.page_errors == []


PALETTE_WRITES = """window.__paletteWrites = 0;
const setItem = Storage.prototype.setItem;
Storage.prototype.setItem = function (key, value) {
  if (String(key).endsWith('.__palette')) window.__paletteWrites += 1;
  return setItem.call(this, key, value);
};"""


def test_a_load_writes_the_palette_only_when_it_changes(site_url, new_page):
    """A first visit stores the option its system matched, as Material does; a later load
    with that choice stored writes nothing (a localStorage write on every load is work while
    the header is parsed, before the first frame)."""
    page, traffic = new_page(color_scheme="dark")
    page.add_init_script(PALETTE_WRITES)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    assert page.evaluate("window.__paletteWrites") == 1
    assert page.evaluate("__md_get('__palette')")["color"]["scheme"] == "slate"
    page.reload(wait_until="networkidle")
    assert page.evaluate("window.__paletteWrites") == 0
    state = page.evaluate(PALETTE_STATE)
    assert state["scheme"] == "slate" and state["colorScheme"] == "dark"
    assert traffic.external == [] and traffic.page_errors == []


def test_enter_on_the_palette_switches_to_the_next_option(site_url, new_page):
    page, traffic = new_page(color_scheme="light")
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.focus("#__palette_0")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    assert page.evaluate("document.activeElement.id") == "__palette_1"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")
    assert page.evaluate(PALETTE_STATE)["toggles"] == [True, False]
    assert traffic.page_errors == []


def test_header_does_not_shift_while_a_slow_page_loads(site_url, new_page):
    """At 4x CPU the parser yields mid-header: nothing in it may move once drawn."""
    page, traffic = new_page(color_scheme="light")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.add_init_script(
        """window.__shifts = [];
           const inHeader = node => {
             const element = node && (node.closest ? node : node.parentElement);
             return !!(element && element.closest('.md-header'));
           };
           new PerformanceObserver(list => { for (const entry of list.getEntries())
             for (const source of entry.sources) window.__shifts.push(inHeader(source.node));
           }).observe({type: 'layout-shift', buffered: true});"""
    )
    page.goto(site_url + CHAPTER, wait_until="load")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__shifts.filter(Boolean).length") == 0
    assert page.evaluate(PALETTE_STATE)["toggles"] == [True, False]
    assert traffic.page_errors == []


FIRST_SCREEN = """() => { let n = 0;
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width && box.height && box.bottom > 0 && box.top < innerHeight)
      element.setAttribute('data-first-screen', ++n);
  } return n; }"""


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
    ids=["desk", "phone"],
)
def test_the_first_screen_needs_no_fallback_font(site_url, new_page, viewport):
    """Every glyph on the first screen is drawn in the text font, the code font or a KaTeX web
    font: none sends Chromium searching the system's fonts for one that has it (a per-character
    fallback, paid while the first content frame is laid out; the citation toggle's "▾" was
    one, drawn in DejaVu Sans)."""
    page, traffic = new_page(viewport=viewport)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    assert page.evaluate(FIRST_SCREEN) > 50
    fonts_of = DrawnFonts(page)  # every block laid out (the marks stay), so code has a font too

    # The system fonts the stylesheets ask for, as this machine resolves them.
    expected = {*fonts_of(".md-content__inner > p"), *fonts_of(".md-content__inner code")}
    assert len([name for name in expected if name.endswith("(system)")]) == 2, expected
    first_screen = fonts_of("[data-first-screen]")
    unexpected = {
        name: glyphs
        for name, glyphs in first_screen.items()
        if name not in expected and not name.startswith("KaTeX_")
    }
    assert unexpected == {}, first_screen
    assert traffic.external == [] and traffic.page_errors == []


def test_instant_navigation_keeps_math_and_anchors(site_url, new_page):
    page, traffic = new_page()
    open_for_instant_navigation(page, site_url)
    page.click(f"article a[href$='{CHAPTER}']")
    page.wait_for_url("**/" + CHAPTER)
    page.wait_for_selector("#eq-mm1-4 .katex")
    # Instant navigation swaps the content without reloading the document.
    assert page.evaluate("window.__sameDocument === true")
    page.click("#eq-mm1-3 a.tb-equation__label")
    page.wait_for_function("() => location.hash === '#eq-mm1-3'")
    assert in_viewport(page, "#eq-mm1-3")
    assert traffic.external == [] and traffic.console_errors == []


HEAD_CITATION = """() => ({
    tags: [...document.head.querySelectorAll('meta[name^="citation_"]')]
        .map(m => m.name + '=' + m.content),
    jsonld: document.head.querySelectorAll('script[type="application/ld+json"]').length,
})"""


def test_instant_navigation_swaps_the_citation_metadata(site_url, new_page):
    """Material replaces the head's children by the next page's: a chapter's citation_* tags and
    JSON-LD must not linger on a page that is not that chapter (a reference manager saving that
    page would cite the wrong work), and must come back with the chapter."""
    page, traffic = new_page()
    open_for_instant_navigation(page, site_url + CHAPTER)
    on_chapter = page.evaluate(HEAD_CITATION)
    assert any(tag.startswith("citation_title=Computer Vision") for tag in on_chapter["tags"])
    assert on_chapter["jsonld"] == 1
    page.click("a.md-header__button.md-logo")
    page.wait_for_function("() => !location.pathname.includes('01-computer-vision')")
    page.wait_for_function("() => !document.head.querySelector('meta[name^=\"citation_\"]')")
    assert page.evaluate(HEAD_CITATION) == {"tags": [], "jsonld": 0}
    page.go_back()
    page.wait_for_url("**/" + CHAPTER)
    page.wait_for_function("() => document.head.querySelector('meta[name=\"citation_title\"]')")
    assert page.evaluate(HEAD_CITATION) == on_chapter
    assert page.evaluate("window.__sameDocument === true")
    assert traffic.external == [] and traffic.console_errors == []
