"""The Content-Security-Policy of the built site (textbook/site/csp.py, its security stage).

Every page carries the same strict policy; reading the home page, the chapter (every instrument
live, a cell run), the Equations page and the notebook page triggers no violation, instant
navigation included; a reader's code output is text, never HTML.

Polling happens from Python: Playwright's `wait_for_function` with a string needs eval in the
page, which the policy forbids.
"""

from __future__ import annotations

import re
from functools import partial

from tests.browser import loading
from textbook.site.csp import meta_policy

wait_until = partial(loading.wait_until, timeout=90.0)
PAGES = ["", "01-computer-vision/", "equations/", "notebooks/01-computer-vision/"]
INSTRUMENTS = ["instrument-mm1-1", "instrument-mm1-2", "instrument-mm1-3"]
RECORD = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
    [e.effectiveDirective, e.blockedURI, (e.sample || '').slice(0, 80), e.sourceFile]));"""
PAYLOAD = "<img src=x onerror=alert(1)>"


def open_page(new_page, url: str, **options):
    page, traffic = new_page(**options)
    page.add_init_script(RECORD)
    page.goto(url, wait_until="networkidle")
    return page, traffic


def scroll_through(page) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height, 700):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(30)


def violations(page) -> list:
    return page.evaluate("window.__csp")


def clean(page, traffic) -> None:
    assert violations(page) == []
    assert traffic.external == []
    assert traffic.console_errors == [] and traffic.page_errors == []


def test_every_page_has_the_same_strict_policy_first_in_head(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 5
    policies = {meta_policy(p.read_text(encoding="utf-8")) for p in pages}
    assert len(policies) == 1 and None not in policies, "one policy for the whole site"
    policy = dict(d.split(" ", 1) for d in policies.pop().split("; "))
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["connect-src"] == "'self'"
    assert policy["img-src"] == "'self' data:" and policy["font-src"] == "'self'"
    assert policy["worker-src"] == "'self'"
    script = policy["script-src"].split()
    assert script[0] == "'self'" and all(s.startswith("'sha256-") for s in script[1:])
    assert 3 <= len(script) - 1 <= 8  # Material's inline scripts: 2 fixed + one per depth
    assert "'unsafe-inline'" not in policy["style-src"]
    assert not re.search(r"unsafe-eval|unsafe-inline|wasm-unsafe-eval|\*", policy["script-src"])
    head = (built_site / "index.html").read_text(encoding="utf-8").split("<head>", 1)[1]
    assert head.index("Content-Security-Policy") < min(head.index("<script"), head.index("<link"))


def test_the_policy_is_enforced_and_violations_are_seen(site_url, new_page):
    """The listener the other tests rely on does catch a violation, and the policy blocks it."""
    page, traffic = open_page(new_page, site_url)
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__ran = true'; document.head.append(s); }""")
    wait_until(page, "window.__csp.length > 0", timeout=5)
    assert page.evaluate("window.__ran") is None
    assert violations(page)[0][:2] == ["script-src-elem", "inline"]


def test_home_equations_and_notebook_pages_run_without_violations(site_url, new_page):
    for path in ["", "equations/", "notebooks/01-computer-vision/"]:
        page, traffic = open_page(new_page, site_url + path)
        scroll_through(page)
        page.wait_for_timeout(300)
        clean(page, traffic)


def test_chapter_instruments_and_a_cell_run_without_violations(site_url, new_page):
    """Every instrument goes live (Plotly loads, draws, restyles); one cell runs in Pyodide, with
    code that prints markup: the output shows it as text and creates no element."""
    page, traffic = open_page(new_page, site_url + "01-computer-vision/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    scroll_through(page)
    for uid in INSTRUMENTS:
        page.locator(f"#{uid}").scroll_into_view_if_needed()
        page.locator(f"#{uid} .tb-instrument__stage.is-live .main-svg").first.wait_for()
    page.locator(f"#{INSTRUMENTS[0]}-kernel-5").check()
    cell = page.locator("#cell-pixel-distance")
    cell.locator("textarea").fill(f"print({PAYLOAD!r})\nprint('done')")
    cell.get_by_role("button", name="Run").click()
    wait_until(page, "document.getElementById('cell-pixel-distance').dataset.runs === '1'")
    stream = cell.locator(".tb-cell__stream")
    assert stream.inner_text() == f"{PAYLOAD}\ndone\n"
    assert cell.locator(".tb-cell__output img").count() == 0
    assert dialogs == []
    clean(page, traffic)


def test_instant_navigation_keeps_one_policy(site_url, new_page):
    """Material appends the next page's <head> elements it lacks: the policies must match."""
    page, traffic = open_page(new_page, site_url)
    page.locator(".md-content a[href$='01-computer-vision/']").first.click()
    wait_until(page, "location.pathname.endsWith('/01-computer-vision/')")
    page.locator("#eq-mm1-1 .katex").first.wait_for()
    scroll_through(page)
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    clean(page, traffic)
