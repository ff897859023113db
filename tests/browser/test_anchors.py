"""Citing and cross-referencing in a real browser: copy buttons, previews, aliased anchors."""

from __future__ import annotations

import pytest

from tests.browser.instant import open_for_instant_navigation
from tests.browser.server import serve_directory
from tests.build.test_anchors import build, fixture_copy

CHAPTER = "01-computer-vision/"
CLIPBOARD = {"permissions": ["clipboard-read", "clipboard-write"]}
POPUP = "#tb-preview-popup"


def clean(traffic) -> None:
    assert traffic.external == []
    assert traffic.console_errors == [] and traffic.page_errors == []


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def live_text(page, expected: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.tb-live').textContent === t", arg=expected
    )


def test_copy_link_tex_and_citations(site_url, new_page):
    page, traffic = new_page(**CLIPBOARD)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    bar = page.locator("#eq-mm1-2 .tb-cite-bar")
    bar.get_by_role("button", name="Copy link to EQ MM1.2").click()
    # The first click may wait for anchors.js (loaded on intent, the click replayed).
    live_text(page, "Link to EQ MM1.2 copied")
    assert clipboard(page) == site_url + CHAPTER + "#eq-mm1-2"
    assert bar.get_by_role("button", name="Copy link to EQ MM1.2").inner_text() == "Copied"

    bar.get_by_role("button", name="Copy TeX of EQ MM1.2").click()
    tex = page.evaluate(
        "document.querySelector('#eq-mm1-2 annotation[encoding=\"application/x-tex\"]')"
        ".textContent.trim()"
    )
    assert clipboard(page) == tex and "\\frac{H}{P}" in tex
    live_text(page, "TeX of EQ MM1.2 copied")

    bar.locator("summary", has_text="Cite").click()
    bar.get_by_role("button", name="Copy citation of EQ MM1.2").click()
    plain = clipboard(page)
    assert plain.startswith(
        "AI Encyclopedia editors. “EQ MM1.2: Patch embedding & sequence length.”"
    )
    assert plain.endswith(site_url + CHAPTER + "#eq-mm1-2")
    assert "Computer Vision with Deep Nets" in plain and "Unpublished draft of 20" in plain
    bar.get_by_role("button", name="Copy BibTeX of EQ MM1.2").click()
    bibtex = clipboard(page)
    assert bibtex.startswith("@misc{01-computer-vision:eq-mm1-2,\n")
    assert f"url          = {{{site_url}{CHAPTER}#eq-mm1-2}}" in bibtex
    assert bibtex == bar.locator("pre.tb-cite__text").nth(1).inner_text()
    live_text(page, "BibTeX of EQ MM1.2 copied")
    clean(traffic)


def test_cite_this_chapter(site_url, new_page):
    page, traffic = new_page(**CLIPBOARD)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.locator("summary", has_text="Cite this chapter").click()
    page.get_by_role("button", name="Copy BibTeX of this chapter").click()
    live_text(page, "BibTeX of this chapter copied")  # anchors.js may load first
    bibtex = clipboard(page)
    assert bibtex.startswith("@misc{01-computer-vision,\n")
    assert "title        = {{Computer Vision with Deep Nets}}" in bibtex
    page.get_by_role("button", name="Copy link to this chapter").click()
    assert clipboard(page) == site_url + CHAPTER
    clean(traffic)


def test_copy_buttons_work_from_the_keyboard(site_url, new_page):
    page, traffic = new_page(**CLIPBOARD)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    page.focus("#eq-mm1-3 a.tb-equation__label")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Copy link":
            break
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Copy link to EQ MM1.3"
    )
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.tb-live').textContent !== ''")
    assert clipboard(page) == site_url + CHAPTER + "#eq-mm1-3"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    live_text(page, "TeX of EQ MM1.3 copied")
    assert clipboard(page).startswith("\\mathrm{IoU}(A, B)")
    clean(traffic)


def visible_popup(page, text: str) -> str:
    """Wait until the preview shows `text`; returns everything it shows."""
    page.wait_for_function(
        """t => { const box = document.getElementById('tb-preview-popup');
                  return box && !box.hidden && box.textContent.includes(t); }""",
        arg=text,
    )
    return page.text_content(POPUP)


# Resolves once the element has not moved for 500 ms. Blocks drawn on demand take their real
# height as they near the viewport (content-visibility), and cells mount their editors there:
# a reference scrolled to may move away from under the pointer just after it arrives (and then
# correctly shows no preview). A reader points at a reference that stands still.
STILL = """el => new Promise(done => {
    let top = null, since = 0;
    (function tick(now) {
        const y = el.getBoundingClientRect().top;
        if (y !== top) { top = y; since = now; }
        if (now - since > 500) done(); else requestAnimationFrame(tick);
    })(performance.now());
})"""


def hover(link) -> None:
    """Scroll to the reference, wait until it stands still, point at it."""
    link.scroll_into_view_if_needed()
    link.evaluate(STILL)
    link.hover()


def test_preview_on_hover(site_url, new_page):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    link = page.locator(".md-content p a[href$='#eq-mm1-2']").first
    hover(link)
    text = visible_popup(page, "EQ MM1.2")
    assert "Patch embedding & sequence length" in text
    assert page.locator(f"{POPUP} .katex").count() == 1
    assert link.get_attribute("aria-describedby") == "tb-preview-popup"
    page.mouse.move(5, 5)
    page.wait_for_selector(POPUP, state="hidden")
    # A section: its title and first lines; an instrument: title and caption.
    hover(page.locator(".md-content p a[href$='#sec-1-3']").first)
    assert "The Transformer was designed" in visible_popup(page, "Vision Transformers (ViT)")
    hover(page.locator(".md-content p a[href$='#instrument-mm1-1']").first)
    assert "A convolutional unit only sees" in visible_popup(page, "Conv vs ViT receptive field")
    clean(traffic)


def test_preview_on_keyboard_focus(site_url, new_page):
    page, traffic = new_page()
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    links = page.locator(".md-content p a[href$='#sec-1-5']")
    links.first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # arrive by keyboard
    assert "Every model so far" in visible_popup(page, "CLIP")
    page.keyboard.press("Escape")
    page.wait_for_selector(POPUP, state="hidden")
    clean(traffic)


def test_touch_tap_previews_and_second_tap_follows(site_url, new_page):
    page, traffic = new_page(has_touch=True, is_mobile=True, viewport={"width": 400, "height": 800})
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    link = page.locator("#instrument-mm1-3 a.tb-xref[href$='#eq-mm1-4']")
    link.scroll_into_view_if_needed()
    target_in_view = """() => {
        const r = document.getElementById('eq-mm1-4').getBoundingClientRect();
        return r.top >= 0 && r.top < innerHeight; }"""
    assert not page.evaluate(target_in_view)
    link.tap()
    visible_popup(page, "EQ MM1.4")
    page.wait_for_timeout(300)
    assert not page.evaluate(target_in_view)  # the first tap did not follow the link
    link.tap()
    page.wait_for_function(target_in_view)
    page.wait_for_selector(POPUP, state="hidden")
    clean(traffic)


def test_previews_after_instant_navigation(site_url, new_page):
    page, traffic = new_page()
    open_for_instant_navigation(page, site_url)
    page.click(f"article a[href$='{CHAPTER}']")
    page.wait_for_url("**/" + CHAPTER)
    page.wait_for_selector("#eq-mm1-4 .katex")
    assert page.evaluate("window.__sameDocument === true")
    hover(page.locator("#instrument-mm1-3 a.tb-xref[href$='#eq-mm1-4']"))
    visible_popup(page, "Cosine similarity")
    clean(traffic)


def test_equations_page(site_url, new_page):
    page, traffic = new_page()
    page.goto(site_url + "equations/", wait_until="networkidle")
    items = page.locator(".tb-eqlist__item")
    assert items.count() == 4
    assert page.locator(".tb-eqlist__item .katex-display").count() == 4
    page.locator(".tb-eqlist__label", has_text="EQ MM1.3").click()
    page.wait_for_url("**/" + CHAPTER + "#eq-mm1-3")
    clean(traffic)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """The anchors fixture site (with aliases), built for and served on a free port."""
    root = tmp_path_factory.mktemp("anchors-browser")
    base, shutdown = serve_directory(root / "site-project" / "site")
    project = fixture_copy(root, site_url=base)
    result = build(project)
    assert result.returncode == 0, result.stderr
    yield base
    shutdown()


def in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }",
    )


@pytest.mark.parametrize(
    ("old", "new", "target"),
    [
        ("chapter/#eq-fx1-first", "chapter/#eq-fx1-1", "#eq-fx1-1"),  # renamed on its page
        ("#sec-0-ratio", "chapter/#eq-fx1-2", "#eq-fx1-2"),  # moved to another page
    ],
)
def test_aliased_old_anchor_lands_on_its_target(fixture_site, new_page, old, new, target):
    page, traffic = new_page()
    page.goto(fixture_site + old, wait_until="networkidle")
    page.wait_for_url(fixture_site + new)
    page.wait_for_timeout(300)
    assert in_viewport(page, target)
    clean(traffic)


def test_aliased_anchor_lands_without_javascript(fixture_site, new_page):
    page, traffic = new_page(java_script_enabled=False)
    page.goto(fixture_site + "chapter/#eq-fx1-first", wait_until="networkidle")
    assert in_viewport(page, "#eq-fx1-1")
    assert traffic.external == []


def test_cross_page_reference_previews_and_leads_to_its_page(fixture_site, new_page):
    page, traffic = new_page()
    page.goto(fixture_site, wait_until="networkidle")
    link = page.locator(".md-content a.tb-xref", has_text="EQ FX1.2")
    link.hover()
    assert "Ratio & sum" in visible_popup(page, "EQ FX1.2")
    assert page.locator(f"{POPUP} .katex").count() == 1
    link.click()
    page.wait_for_url(fixture_site + "chapter/#eq-fx1-2")
    clean(traffic)


def test_without_javascript_citations_stay_readable(site_url, new_page):
    page, traffic = new_page(java_script_enabled=False)
    page.goto(site_url + CHAPTER, wait_until="networkidle")
    bar = page.locator("#eq-mm1-2 .tb-cite-bar")
    assert not bar.get_by_role("button", name="Copy link to EQ MM1.2").is_visible()
    bar.locator("summary").click()
    assert "#eq-mm1-2" in bar.locator("pre.tb-cite__text").first.inner_text()
    assert traffic.external == []
