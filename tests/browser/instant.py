"""Waiting for Material's instant navigation before a test clicks a link."""

from __future__ import annotations

# Material ignores link clicks (the browser then loads the page anew) until it has read
# sitemap.xml, which its bundle requests when it runs. A quiet network is no proof of that
# (see loading.py); the request's timing entry and the tasks after it are.
SITEMAP_READ = """() => performance.getEntriesByType('resource')
    .some(entry => new URL(entry.name).pathname.endsWith('/sitemap.xml'))"""
# The response is parsed in the tasks that follow its arrival.
NEXT_TASKS = "() => new Promise(done => setTimeout(() => setTimeout(done, 0), 0))"


def open_for_instant_navigation(page, url: str) -> None:
    """Load `url`, wait until Material intercepts link clicks, and mark the document so a test
    can assert later that it was never reloaded (`window.__sameDocument`)."""
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(SITEMAP_READ)
    page.evaluate(NEXT_TASKS)
    page.evaluate("window.__sameDocument = true")
