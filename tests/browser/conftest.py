"""Browser fixtures: Debian's Chromium driven by Playwright, every off-host request blocked
and counted.

Each xdist worker serves its own test build on the port its site_url names (instant
navigation only works on that origin).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.browser.loading import settle_on_networkidle
from tests.browser.server import serve_directory
from tests.conftest import TEST_PORT

LOCAL_HOSTS = {"127.0.0.1"}


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    base, shutdown = serve_directory(built_site, port=TEST_PORT)
    yield base
    shutdown()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@dataclass
class Traffic:
    """What a page asked for: local requests, blocked off-host ones, console errors."""

    local: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def watch(context) -> Traffic:
    traffic = Traffic()

    def route(route_obj):
        url = route_obj.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            traffic.local.append(url)
            route_obj.continue_()
        else:
            traffic.external.append(url)
            route_obj.abort()

    context.route("**/*", route)
    return traffic


@pytest.fixture
def new_page(browser):
    """Factory: a fresh context + page, with traffic watched. Use `page, traffic = new_page()`."""
    contexts = []

    def make(color_scheme: str = "light", viewport=None, **options):
        viewport = viewport or {"width": 1280, "height": 900}
        context = browser.new_context(color_scheme=color_scheme, viewport=viewport, **options)
        contexts.append(context)
        traffic = watch(context)
        page = context.new_page()
        settle_on_networkidle(page)
        page.on(
            "console",
            lambda msg: traffic.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
        return page, traffic

    yield make
    for context in contexts:
        context.close()
