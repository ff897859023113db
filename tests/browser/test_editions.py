"""Published editions in Chromium, served under a sub-path (/multimodal/, like a GitHub project
site) from the unpacked gh-pages branch: every page of both editions, an instrument, a cell,
search, the version selector, the outdated-edition banner and anchors across editions.

The editions come from tests/editions.py (1.0 as the book is; 2.0 with EQ MM1.2 rewritten and
eq-mm1-3 renamed eq-mm1-iou with an alias)."""

from __future__ import annotations

import re
from functools import partial
from xml.etree import ElementTree

import pytest

from tests.browser import loading
from tests.browser.conftest import watch
from tests.browser.loading import settle_on_networkidle
from tests.browser.server import serve_directory
from tests.editions import CHAPTER, REMOVED, RENAMED

wait_until = partial(loading.wait_until, timeout=10.0)
EQ = "eq-mm1-2"


@pytest.fixture(scope="module")
def served(published_editions):
    base, shutdown = serve_directory(published_editions.served, port=published_editions.port)
    assert base + "multimodal/" == published_editions.site_url
    yield published_editions
    shutdown()


@pytest.fixture
def reader(browser, served):
    """A fresh page; the test's traffic and errors are checked at its end."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    traffic = watch(context)
    page = context.new_page()
    settle_on_networkidle(page)
    page.on("console", lambda m: m.type == "error" and traffic.console_errors.append(m.text))
    page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    yield page, traffic, served.site_url
    context.close()
    assert traffic.external == [], "requests left 127.0.0.1"
    assert traffic.page_errors == []
    assert traffic.console_errors == []


def pages_of(served, name: str) -> list[str]:
    """Every page of an edition, from its sitemap, as URLs under the sub-path."""
    site_url = served.site_url
    tree = ElementTree.parse(served.edition(name) / "sitemap.xml")
    locs = [el.text for el in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(f"{site_url}{name}/") for loc in locs)
    return locs


def tex_of(page, anchor: str) -> str:
    button = page.locator(f"#{anchor} .tb-cite-bar button", has_text="Copy TeX")
    return button.get_attribute("data-tb-copy")


def in_viewport(page, anchor: str) -> bool:
    return page.eval_on_selector(
        f"#{anchor}",
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }",
    )


@pytest.mark.parametrize("name", ["1.0", "2.0", "latest"])
def test_every_page_loads_under_the_sub_path(served, reader, name):
    page, traffic, site_url = reader
    edition = "2.0" if name == "latest" else name
    for url in pages_of(served, edition):
        url = url.replace(f"/{edition}/", f"/{name}/")
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200, url
        assert page.locator("article h1").count() == 1, url
        assert page.locator(".md-version__current").inner_text().startswith(edition), url
    local = [u for u in traffic.local if not u.startswith(("data:", "blob:"))]
    assert all(u.startswith(f"{site_url}{name}/") or u.startswith(site_url + "versions.json")
               for u in local), [u for u in local if f"/{name}/" not in u][:5]  # fmt: skip


def test_root_of_the_sub_path_opens_the_latest_edition(reader):
    page, _, site_url = reader
    page.goto(site_url, wait_until="networkidle")
    page.wait_for_url(site_url + "latest/")
    assert page.locator(".md-version__current").inner_text().startswith("2.0")


def test_old_edition_shows_its_formula_and_the_latest_the_new_one(reader):
    page, _, site_url = reader
    page.goto(f"{site_url}1.0/{CHAPTER}#{EQ}", wait_until="networkidle")
    old = tex_of(page, EQ)
    page.goto(f"{site_url}latest/{CHAPTER}#{EQ}", wait_until="networkidle")
    new = tex_of(page, EQ)
    assert r"\frac{H}{P}\cdot\frac{W}{P}" in old and r"\frac{H\,W}{P^{2}}" in new
    assert r"\frac{H}{P}\cdot" not in new


def test_citation_of_the_old_edition_names_it(reader):
    page, _, site_url = reader
    page.goto(f"{site_url}1.0/{CHAPTER}#{EQ}", wait_until="networkidle")
    bar = page.locator(f"#{EQ} .tb-cite-bar")
    bar.locator("summary", has_text="Cite").click()
    plain = bar.locator("pre.tb-cite__text").first.inner_text()
    assert f"Edition 1.0 of 2026-01-01. {site_url}1.0/{CHAPTER}#{EQ}" in plain
    assert f"(latest edition: {site_url}latest/{CHAPTER}#{EQ})" in plain


def test_removed_anchor_resolves_in_its_edition_and_through_the_alias_in_latest(reader):
    page, _, site_url = reader
    page.goto(f"{site_url}1.0/{CHAPTER}#{REMOVED}", wait_until="networkidle")
    page.wait_for_timeout(300)
    assert in_viewport(page, REMOVED)
    page.goto(f"{site_url}2.0/{CHAPTER}#{REMOVED}", wait_until="networkidle")
    # The alias element names the new id; the reader lands on the renamed equation. (The
    # address bar is not waited on: navigation.tracking may already show a heading's id.)
    alias = page.locator(f"#{REMOVED}.tb-alias")
    assert alias.get_attribute("data-tb-alias").endswith(f"#{RENAMED}")
    wait_until(
        page,
        f"""() => {{ const r = document.getElementById("{RENAMED}").getBoundingClientRect();
                           return r.top >= 0 && r.top < innerHeight; }}""",
    )


def test_outdated_banner_links_to_the_same_anchor_in_latest_through_the_alias(reader):
    page, _, site_url = reader
    page.goto(f"{site_url}1.0/{CHAPTER}#{REMOVED}", wait_until="networkidle")
    banner = page.locator("[data-md-component=outdated]")
    assert banner.is_visible()
    assert "You are reading edition 1.0, which is not the latest" in banner.inner_text()
    link = banner.locator("a.tb-outdated__link")
    wait_until(page, "() => document.querySelector('a.tb-outdated__link').href.includes('#')")
    assert link.evaluate("a => a.href") == f"{site_url}latest/{CHAPTER}#{RENAMED}"
    # Another anchor of the same page, followed within the page (no reload).
    page.evaluate(f"location.hash = '#{EQ}'")
    wait_until(page, f"() => document.querySelector('a.tb-outdated__link').href.endsWith('#{EQ}')")
    page.evaluate("scrollTo(0, 0)")
    link.click()
    page.wait_for_url(f"{site_url}latest/{CHAPTER}#{EQ}")
    page.wait_for_load_state("networkidle")
    assert not page.locator("[data-md-component=outdated]").is_visible()


def test_version_selector_switches_editions_and_keeps_the_fragment(reader):
    page, _, site_url = reader
    page.goto(f"{site_url}1.0/{CHAPTER}#{EQ}", wait_until="networkidle")
    page.evaluate("scrollTo(0, 0)")  # where a reader finds the selector
    page.locator(".md-version__current").hover(force=True)
    versions = page.locator(".md-version__link")
    names = [re.sub(r"\s+", "", v) for v in versions.all_inner_texts()]
    assert names == ["2.0latest", "1.0"]  # the newest first, with its alias
    versions.filter(has_text="2.0").click()
    page.wait_for_url(f"{site_url}2.0/{CHAPTER}#{EQ}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert in_viewport(page, EQ)
    assert r"\frac{H\,W}{P^{2}}" in tex_of(page, EQ)


def test_instrument_draws_under_the_sub_path(reader):
    page, traffic, site_url = reader
    page.goto(f"{site_url}2.0/{CHAPTER}", wait_until="networkidle")
    instrument = page.locator("#instrument-mm1-2")
    instrument.scroll_into_view_if_needed()
    page.wait_for_selector("#instrument-mm1-2 .tb-instrument__stage.is-live", timeout=20000)
    page.wait_for_selector("#instrument-mm1-2 .tb-instrument__plot .main-svg", timeout=20000)
    assert any(u.startswith(f"{site_url}2.0/assets/vendor/plotly") for u in traffic.local)


def test_cell_runs_under_the_sub_path(reader):
    page, traffic, site_url = reader
    page.goto(f"{site_url}2.0/{CHAPTER}", wait_until="networkidle")
    cell = page.locator("#cell-patchify")
    cell.scroll_into_view_if_needed()
    cell.get_by_role("button", name="Run").click()
    ran = "Number(document.getElementById('cell-patchify').dataset.runs || 0) >= 1"
    wait_until(page, ran, timeout=90)
    output = cell.locator(".tb-cell__stream").inner_text()
    assert "Traceback" not in output and re.search(r"\d", output)
    assert any(u.startswith(f"{site_url}2.0/assets/pyodide/") for u in traffic.local)


def test_search_finds_the_chapter_under_the_sub_path(reader):
    page, _, site_url = reader
    page.goto(f"{site_url}1.0/", wait_until="networkidle")
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("transformer", delay=30)  # Material searches on key presses
    first = page.locator(".md-search-result__item a").first
    first.wait_for(timeout=20000)
    assert "01-computer-vision/" in first.evaluate("a => a.href")
    assert first.evaluate("a => a.href").startswith(f"{site_url}1.0/")
