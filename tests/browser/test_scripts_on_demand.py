"""The feature scripts load on demand (assets/js/textbook.js, textbook/site/scripts.py): none at
page load when its elements are far below the fold; scrolling near them, a reader's intent or a
URL fragment loads it; instant navigation sets up each page once."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.browser.instant import open_for_instant_navigation

CHAPTER = "01-computer-vision/"
SCRIPTS = {
    "instruments": "/assets/js/instruments.",
    "cells": "/assets/cells/cells.",
    "quiz": "/assets/js/quiz.",
    "anchors": "/assets/js/anchors.",
}
FIRST = {  # the first element of each feature on the chapter page
    "cells": ".tb-cell",
    "instruments": ".tb-instrument__stage",
    "quiz": ".tb-quiz[data-kind]",
}
NEAR_PX = 1000  # the loader's rootMargin
VIEWPORT = {"width": 1280, "height": 800}  # as the benchmark's page loads
RECORD_UPDATES = """document.addEventListener('tb-instrument:update',
    () => { window.__tbUpdates = (window.__tbUpdates || 0) + 1; });"""


def requests_of(traffic, name: str) -> list[str]:
    paths = [urlparse(url).path for url in traffic.local]
    return [p for p in paths if p.startswith(SCRIPTS[name]) and p.endswith(".js")]


def loaded(traffic) -> set[str]:
    return {name for name in SCRIPTS if requests_of(traffic, name)}


def clean(traffic) -> None:
    assert traffic.external == []
    assert traffic.console_errors == [] and traffic.page_errors == []


def top_of(page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => el.getBoundingClientRect().top + scrollY")


def test_no_feature_script_at_load_then_each_as_the_reader_nears_it(site_url, new_page):
    page, traffic = new_page(viewport=VIEWPORT)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    for selector in FIRST.values():  # the page this test needs: every feature far below
        assert top_of(page, selector) > VIEWPORT["height"] + NEAR_PX, selector
    assert loaded(traffic) == set()
    loader = [u for u in traffic.local if "/assets/js/textbook." in u]
    assert len(loader) == 1
    for name, selector in FIRST.items():
        page.locator(selector).first.scroll_into_view_if_needed()
        page.wait_for_function(
            "n => performance.getEntriesByType('resource').some(e => "
            "new URL(e.name).pathname.startsWith(n))",
            arg=SCRIPTS[name],
        )
    page.locator(".tb-cell[data-tb-enhanced]").first.wait_for(state="attached")
    page.locator(".tb-instrument__stage.is-live").first.wait_for()
    page.locator(".tb-quiz__form").first.wait_for(state="visible")
    # Scrolling is no intent to cite or follow a reference: anchors.js is not needed yet.
    assert loaded(traffic) == {"instruments", "cells", "quiz"}
    assert all(len(requests_of(traffic, name)) == 1 for name in loaded(traffic))
    clean(traffic)


def test_keyboard_focus_on_a_reference_loads_anchors_and_shows_its_preview(site_url, new_page):
    page, traffic = new_page(viewport=VIEWPORT)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    assert "anchors" not in loaded(traffic)
    page.focus(".md-content p a[href$='#sec-1-5']")
    page.wait_for_function(
        """() => { const box = document.getElementById('tb-preview-popup');
                   return box && !box.hidden && box.textContent.includes('CLIP'); }"""
    )
    assert len(requests_of(traffic, "anchors")) == 1
    clean(traffic)


def test_a_url_fragment_loads_anchors_at_once(site_url, new_page):
    page, traffic = new_page(viewport=VIEWPORT)
    page.goto(site_url + CHAPTER + "#eq-mm1-3", wait_until="networkidle")
    assert len(requests_of(traffic, "anchors")) == 1
    clean(traffic)


def test_the_first_click_on_a_copy_button_waits_for_the_script(site_url, new_page):
    page, traffic = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    assert "anchors" not in loaded(traffic)
    page.get_by_role("button", name="Copy link to EQ MM1.1").click()
    page.wait_for_function("() => document.querySelector('.tb-live').textContent !== ''")
    assert page.evaluate("navigator.clipboard.readText()") == site_url + CHAPTER + "#eq-mm1-1"
    clean(traffic)


def set_up_chapter(page) -> None:
    """Scroll to each feature of the chapter and wait until it is set up."""
    page.wait_for_selector("#eq-mm1-4 .katex")
    for selector in FIRST.values():
        page.locator(selector).first.scroll_into_view_if_needed()
    page.locator("#instrument-mm1-1").scroll_into_view_if_needed()
    page.locator("#instrument-mm1-1 .tb-instrument__stage.is-live .main-svg").first.wait_for()
    page.locator("#quiz-vit-patches").scroll_into_view_if_needed()
    page.locator("#quiz-vit-patches .tb-quiz__form").wait_for(state="visible")
    page.locator(".tb-cell[data-tb-enhanced]").first.wait_for(state="attached")


def test_instant_navigation_there_and_back_sets_up_each_feature_once(site_url, new_page):
    page, traffic = new_page()
    page.add_init_script(RECORD_UPDATES)
    open_for_instant_navigation(page, site_url)
    for visit in range(2):
        page.click(f"article a[href$='{CHAPTER}']")
        page.wait_for_url("**/" + CHAPTER)
        set_up_chapter(page)
        if visit == 0:
            page.focus(".md-content p a[href$='#sec-1-5']")  # loads anchors
            page.wait_for_selector("#tb-preview-popup", state="visible")
            page.keyboard.press("Escape")
            page.click("a.md-header__button.md-logo")
            page.wait_for_url(site_url)
            page.wait_for_selector(f"article a[href$='{CHAPTER}']")
    assert page.evaluate("window.__sameDocument === true")  # never reloaded
    assert all(len(requests_of(traffic, name)) == 1 for name in SCRIPTS), traffic.local
    # One set-up per page: one submit listener (1 attempt), one update per control change,
    # one editor per cell, one preview listener.
    box = page.locator("#quiz-vit-patches")
    box.locator("input[name=answer]").fill("196")
    box.locator(".tb-quiz__check").click()
    assert box.locator(".tb-quiz__feedback").inner_text().startswith("Correct (1 attempt)")
    before = page.evaluate("window.__tbUpdates || 0")
    page.locator("#instrument-mm1-1-kernel-5").check()
    page.wait_for_function("n => (window.__tbUpdates || 0) > n", arg=before)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__tbUpdates") == before + 1
    editors = page.evaluate(
        "[...document.querySelectorAll('.tb-cell')]"
        ".map(c => c.querySelectorAll('.prism-code-editor').length)"
    )
    assert editors and max(editors) == 1, editors
    page.focus(".md-content p a[href$='#sec-1-5']")
    page.wait_for_function(
        """() => { const box = document.getElementById('tb-preview-popup');
                   return box && !box.hidden && box.textContent.includes('CLIP'); }"""
    )
    assert page.locator("#tb-preview-popup").count() == 1
    clean(traffic)
