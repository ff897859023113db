"""Offline: every page of the built site opens with no request outside 127.0.0.1, no failed
request and no console error. Pages come from sitemap.xml and from following every internal
link of every page reached; files linked from pages (the notebook download) must exist."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urldefrag, urljoin, urlsplit

from tests.conftest import TEST_SITE_URL

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
LINKS = "[...document.querySelectorAll('a[href]')].map(a => a.href)"


def sitemap_pages(built_site) -> set[str]:
    tree = ET.parse(built_site / "sitemap.xml")
    return {loc.text.strip() for loc in tree.getroot().findall("s:url/s:loc", SITEMAP_NS)}


def is_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith("/") or path.endswith(".html")


def test_every_page_opens_offline_without_errors(built_site, site_url, new_page):
    listed = sitemap_pages(built_site)
    assert TEST_SITE_URL in listed and len(listed) >= 4
    assert all(url.startswith(site_url) for url in listed)
    todo, seen, files, failed = sorted(listed), set(), set(), []
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page, traffic = new_page()
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200, url
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(300)  # lazy images and instruments near the end load
        for href in page.evaluate(LINKS):
            target = urldefrag(urljoin(url, href)).url
            if not target.startswith(site_url):
                continue
            if is_page(target):
                todo.append(target)
            else:
                files.add(target)
        assert traffic.external == [], f"{url} asked another host: {traffic.external}"
        assert traffic.console_errors == [] and traffic.page_errors == [], url
    assert seen == listed, f"linked but not in sitemap.xml: {seen - listed}"
    for url in sorted(files):  # linked files (the notebook download, assets)
        response = new_page()[0].request.get(url)
        assert response.status == 200, url
    assert failed == []
