"""`wait_until="networkidle"` that also means the page has loaded.

Playwright's "networkidle" is only "no request for 500 ms", counted from the navigation: it does
not wait for the `load` event. On a loaded machine the parser can work for longer than that
between two requests, so `goto(..., wait_until="networkidle")` can return before Material's
bundle or the page's scripts have run, and a test's next click or check races them. Here a
page's `goto` and `reload` with "networkidle" first wait for `load` (every script of the page
has run, DOMContentLoaded handlers included), then for 500 ms without a request in flight.
"""

from __future__ import annotations

import time

QUIET_MS = 500  # as Playwright's networkidle
TIMEOUT_S = 30


class _InFlight:
    def __init__(self, page):
        self.requests: set = set()
        self.changed = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request):
        self.requests.add(request)
        self.changed = time.monotonic()

    def _ended(self, request):
        self.requests.discard(request)
        self.changed = time.monotonic()


def wait_until_quiet(page, in_flight: _InFlight) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        page.wait_for_timeout(50)  # lets Playwright deliver the request events
        now = time.monotonic()
        if not in_flight.requests and (now - in_flight.changed) * 1000 >= QUIET_MS:
            return
        if now > deadline:
            pending = sorted(request.url for request in in_flight.requests)
            raise AssertionError(f"{page.url}: still loading after {TIMEOUT_S} s: {pending}")


def settle_on_networkidle(page) -> None:
    """Make this page's goto/reload(wait_until="networkidle") wait for load, then quiet."""
    in_flight = _InFlight(page)

    def settled(navigate):
        def run(*args, wait_until=None, **options):
            if wait_until != "networkidle":
                return navigate(*args, wait_until=wait_until, **options)
            response = navigate(*args, wait_until="load", **options)
            wait_until_quiet(page, in_flight)
            return response

        return run

    page.goto = settled(page.goto)
    page.reload = settled(page.reload)


def wait_until(page, expression: str, *, timeout: float = 30.0) -> None:
    """Poll `expression` from Python until it is true: page.wait_for_function would evaluate it
    with eval() inside the page, which the site's Content-Security-Policy forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(20)
