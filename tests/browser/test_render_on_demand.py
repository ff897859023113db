"""Blocks far from the viewport are rendered on demand (content-visibility in textbook.css):
less main-thread work at load, with no layout shift, exact fragment landings and steady
scrolling."""

from __future__ import annotations

from functools import partial

import pytest

from tests.browser import loading

CHAPTER = "01-computer-vision/"
# Blocks whose contents the browser skips right now: their first element is skipped with them.
# (A block that was never rendered sends no contentvisibilityautostatechange event when it goes
# from hidden to auto; checkVisibility asks the layout itself.)
SKIPPED = """el => { const inner = el.querySelector('*');
                    return !!inner && !inner.checkVisibility({contentVisibilityAuto: true}); }"""
SHIFTS = """window.__shifts = [];
new PerformanceObserver((list) => list.getEntries().forEach((e) => {
  if (!e.hadRecentInput) window.__shifts.push(e.value);
})).observe({type: 'layout-shift', buffered: true});"""


def test_far_blocks_wait_until_the_reader_nears_them(site_url, new_page):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    blocks = page.locator(".md-content__inner > :has(*)")
    skipped = page.evaluate(
        f"[...document.querySelectorAll('.md-content__inner > :has(*)')].filter({SKIPPED}).length"
    )
    assert skipped >= blocks.count() // 2, f"only {skipped} of {blocks.count()} blocks skipped"
    first = page.locator("#sec-1-1 + p")
    last = page.locator("#sec-1-5 ~ p:has(*)").last
    assert not first.evaluate(SKIPPED) and last.evaluate(SKIPPED)
    last.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    assert not last.evaluate(SKIPPED)
    assert traffic.external == [] and traffic.page_errors == []


@pytest.mark.parametrize(
    "viewport",
    [
        {"width": 1280, "height": 800},
        {"width": 1920, "height": 1080},
        {"width": 390, "height": 844},
    ],
    ids=["laptop", "desktop", "phone"],
)
def test_no_layout_shift_while_the_chapter_loads(site_url, new_page, viewport):
    page, _ = new_page(viewport=viewport)
    page.add_init_script(SHIFTS)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.wait_for_timeout(500)
    assert sum(page.evaluate("window.__shifts")) <= 0.001


@pytest.mark.parametrize("anchor", ["sec-1-4", "eq-mm1-3", "sec-1-5", "quiz-vit-patches"])
def test_a_fragment_link_lands_exactly_on_its_target(site_url, new_page, anchor):
    """The blocks above a deep target are first laid out at estimated heights: the landing
    must still put the target right under the header, as an eagerly rendered page would."""
    page, traffic = new_page()
    page.goto(site_url + CHAPTER + "#" + anchor, wait_until="networkidle")
    page.wait_for_timeout(700)
    top, margin = page.evaluate(
        f"""() => {{ const el = document.getElementById('{anchor}');
                    return [el.getBoundingClientRect().top,
                            parseFloat(getComputedStyle(el).scrollMarginTop) || 0]; }}"""
    )
    assert abs(top - margin) <= 2, f"#{anchor} at {top:.0f}px, expected {margin:.0f}px"
    assert traffic.page_errors == []


def test_a_link_within_the_page_lands_exactly_too(site_url, new_page):
    page, _ = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.locator("a.md-nav__link[href$='#sec-1-5'] >> visible=true").first.click()
    page.wait_for_timeout(700)
    top = page.evaluate("document.getElementById('sec-1-5').getBoundingClientRect().top")
    margin = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('sec-1-5')).scrollMarginTop)"
    )
    assert abs(top - margin) <= 2, f"#sec-1-5 at {top:.0f}px, expected {margin:.0f}px"


def test_a_link_within_the_page_lands_on_a_phone_from_far_below(site_url, new_page):
    """Material's instant navigation follows a link into the page itself: it pushes the URL
    and clicks a detached link to the fragment, so no hashchange fires, and under request
    interception (every browser test has it) that click may not scroll at all, or only late.
    textbook.js leaves such links to the browser, and anchors.js lands and holds the
    target: here from the references at the end up to §1.2, across blocks not drawn yet."""
    page, traffic = new_page(viewport={"width": 390, "height": 844})
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.locator(".md-content li a[href$='#sec-1-2']").last.click()
    page.wait_for_url("**#sec-1-2")
    page.wait_for_function(
        """() => { const el = document.getElementById('sec-1-2');
                   const margin = parseFloat(getComputedStyle(el).scrollMarginTop) || 0;
                   return Math.abs(el.getBoundingClientRect().top - margin) <= 2; }""",
        timeout=10_000,
    )
    assert traffic.page_errors == []


def test_an_in_page_link_is_the_browsers_own(site_url, new_page):
    """textbook.js keeps in-page links from Material's instant navigation: the browser follows
    them, so a hashchange fires (Material's instant navigation would fire none), Back returns
    to where the reader was, and the phone drawer still closes after a table-of-contents tap.
    Material's "Back to top" waits for the reader's own scroll up."""
    page, traffic = new_page(viewport={"width": 390, "height": 844})
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.evaluate("window.__hashchanges = 0; addEventListener('hashchange', () => __hashchanges++)")
    page.locator("label.md-header__button[for='__drawer']").click()
    page.wait_for_function("() => document.getElementById('__drawer').checked")
    page.locator(".md-nav--secondary a.md-nav__link[href$='#sec-1-4'] >> visible=true").click()
    page.wait_for_url("**#sec-1-4")
    page.wait_for_function("() => !document.getElementById('__drawer').checked")
    page.wait_for_function(
        """() => { const el = document.getElementById('sec-1-4');
                   return Math.abs(el.getBoundingClientRect().top
                                   - parseFloat(getComputedStyle(el).scrollMarginTop)) <= 2; }"""
    )
    assert page.evaluate("window.__hashchanges") == 1
    # The landing's corrections scroll the page up a little; that is not the reader scrolling
    # up, and Material's "Back to top" must not cover the heading. The reader's own scroll up
    # still brings it.
    back_to_top_shown = """() => { const button = document.querySelector('.md-top');
                                   return !button.hidden
                                          && getComputedStyle(button).visibility !== 'hidden'; }"""
    page.wait_for_timeout(1000)
    assert not page.evaluate(back_to_top_shown)
    page.mouse.move(200, 400)
    page.mouse.wheel(0, -600)
    page.wait_for_function(back_to_top_shown)
    page.go_back()
    page.wait_for_function("() => location.hash === ''")
    page.wait_for_function("() => scrollY < 50")
    assert page.evaluate("window.__hashchanges") == 2  # the same document, not a reload
    assert traffic.external == [] and traffic.page_errors == []


def test_scrolling_up_from_a_deep_landing_moves_the_text_steadily(site_url, new_page):
    """Blocks drawn as they come into view above must not make the text jump: each wheel
    step moves what the reader sees by exactly that step."""
    page, _ = new_page()
    page.goto(site_url + CHAPTER + "#sec-1-4", wait_until="networkidle")
    page.wait_for_timeout(700)
    page.mouse.move(640, 450)
    jumps = []
    for step in range(12):
        before = page.evaluate(
            """() => { const el = document.elementFromPoint(640, 450);
                       el.dataset.probe = '1'; return el.getBoundingClientRect().top; }"""
        )
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(150)
        after = page.evaluate(
            """() => { const el = document.querySelector('[data-probe]');
                       delete el.dataset.probe; return el.getBoundingClientRect().top; }"""
        )
        if abs((after - before) - 300) > 2:
            jumps.append((step, round(after - before)))
    assert jumps == [], f"(step, moved) where the text did not move by 300px: {jumps}"


def test_print_renders_every_block(site_url, new_page):
    page, _ = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """[...document.querySelectorAll('.md-content__inner > *')]
           .filter(e => getComputedStyle(e).contentVisibility !== 'visible').length"""
    )
    assert hidden == 0


# Every change of <html>'s tb-first-screen class, with its time (overrides/partials/javascripts/
# first-screen.html sets it in <head>; the observer is in place before that script runs).
FIRST_SCREEN_LOG = """window.__firstScreen = [];
new MutationObserver(() => {
  const on = document.documentElement.classList.contains('tb-first-screen');
  const log = window.__firstScreen;
  if ((log.length ? log[log.length - 1][1] : false) !== on) log.push([performance.now(), on]);
}).observe(document, {attributes: true, attributeFilter: ['class'], subtree: true});"""
# A browser that reports no largest-contentful-paint entries (Safari, for one).
NO_LCP_ENTRIES = """(() => {
  const Observer = window.PerformanceObserver;
  window.PerformanceObserver = class extends Observer {
    observe(options) {
      if (!(options && options.type === 'largest-contentful-paint')) super.observe(options);
    }
  };
})()"""
wait_until = partial(loading.wait_until, timeout=20.0)
CONTENT_VISIBILITY = "getComputedStyle(document.getElementById('eq-mm1-1')).contentVisibility"


def test_the_first_screen_is_drawn_before_anything_past_it(site_url, new_page):
    """Until the article's first paint, the blocks past the first screen are not rendered at all
    (content-visibility: auto would render those within about a screen below it in that same
    frame); from then on they are rendered on demand as before."""
    page, traffic = new_page()
    page.add_init_script(FIRST_SCREEN_LOG)
    page.add_init_script(
        """window.__articlePaints = [];
        new PerformanceObserver(list => list.getEntries().forEach(e => {
          if (e.element && e.element.closest('.md-content'))
            window.__articlePaints.push(e.startTime);
        })).observe({type: 'largest-contentful-paint', buffered: true});"""
    )
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    log = page.evaluate("window.__firstScreen")
    assert [on for _, on in log] == [True, False], log
    released = log[1][0]
    paints = page.evaluate("window.__articlePaints")
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    # Released by the article's first paint, or at DOMContentLoaded if that came first.
    assert min([*paints[:1], loaded]) - 1 <= released <= loaded + 1, (log, paints, loaded)
    assert page.evaluate(CONTENT_VISIBILITY) == "auto"
    assert traffic.external == [] and traffic.page_errors == []


@pytest.mark.parametrize("how", ["fragment", "reload"])
def test_a_load_that_may_land_past_the_first_screen_renders_as_before(site_url, new_page, how):
    """A #fragment, or a reload (which restores the scroll position), may open the page anywhere:
    there nothing is held back."""
    page, traffic = new_page()
    page.add_init_script(FIRST_SCREEN_LOG)
    fragment = "#eq-mm1-3" if how == "fragment" else ""
    page.goto(site_url + CHAPTER + fragment, wait_until="networkidle")
    if how == "reload":
        page.reload(wait_until="networkidle")
    assert page.evaluate("window.__firstScreen") == []
    assert traffic.page_errors == []


@pytest.mark.parametrize("move", ["wheel", "key", "none"])
def test_without_paint_entries_the_readers_first_move_or_the_parsed_page_releases_it(
    site_url, new_page, move
):
    """In a browser without largest-contentful-paint entries, and with the parser held at the
    end of the page (Material's bundle delayed), the rest of the chapter is rendered as soon as
    the reader moves, or else once the page is parsed."""
    page, traffic = new_page()
    page.add_init_script(NO_LCP_ENTRIES)
    held = []
    page.route("**/assets/javascripts/bundle.*.min.js", lambda route: held.append(route))
    page.goto(site_url + CHAPTER, wait_until="commit")
    wait_until(page, "document.readyState === 'loading' && !!document.getElementById('eq-mm1-1')")
    page.wait_for_timeout(300)
    assert held, "Material's bundle was not requested"
    assert page.evaluate("document.documentElement.classList.contains('tb-first-screen')")
    assert page.evaluate(CONTENT_VISIBILITY) == "hidden"
    if move == "wheel":
        page.mouse.move(600, 400)
        page.mouse.wheel(0, 400)
    elif move == "key":
        page.keyboard.press("PageDown")
    else:
        page.wait_for_timeout(500)
        assert page.evaluate(CONTENT_VISIBILITY) == "hidden"  # still parsing: still held
        held.pop().continue_()
    wait_until(page, "!document.documentElement.classList.contains('tb-first-screen')", timeout=5)
    assert page.evaluate(CONTENT_VISIBILITY) == "auto"
    for route in held:
        route.continue_()
    page.wait_for_load_state("load")
    assert traffic.external == [] and traffic.page_errors == []
