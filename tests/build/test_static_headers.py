"""The built site's `_headers` (Netlify's format) and its content-hashed asset names."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import TEST_SITE_URL
from textbook.site.csp import meta_policy
from textbook.site.headers import IMMUTABLE, WORKER_POLICY, parse

OURS = re.compile(r"\.(?P<hash>[0-9a-f]{12})\.(css|js)$")
BASE = urlsplit(TEST_SITE_URL).path


@pytest.fixture(scope="module")
def rules(built_site) -> dict[str, dict[str, str]]:
    return parse((built_site / "_headers").read_text(encoding="utf-8"))


def test_every_page_sends_the_meta_policy_as_a_header_with_frame_ancestors(built_site, rules):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        relative = page.relative_to(built_site).as_posix()
        policy = meta_policy(page.read_text(encoding="utf-8"))
        header = rules[BASE + relative]
        assert header["Content-Security-Policy"] == f"{policy}; frame-ancestors 'none'"
        assert header["Cache-Control"] == "no-cache"
        if relative.endswith("index.html"):
            assert rules[BASE + relative.removesuffix("index.html")] == header


def test_the_worker_gets_its_own_policy(rules):
    worker = rules[BASE + "assets/cells/worker.js"]
    assert worker["Content-Security-Policy"] == WORKER_POLICY
    assert worker["Cache-Control"] == "no-cache"


def test_immutable_files_exist_and_ours_match_their_hash(built_site, rules):
    immutable = [p for p, h in rules.items() if h.get("Cache-Control") == IMMUTABLE]
    ours = [p for p in immutable if OURS.search(p)]
    material = [p for p in immutable if re.search(r"\.[0-9a-f]{8}\.min\.(css|js)$", p)]
    # Every content-hashed file of ours is immutable (one stylesheet bundle, the loader and the
    # feature scripts, the cells runtime), and nothing else is.
    hashed = sorted(
        BASE + path.relative_to(built_site).as_posix()
        for path in built_site.rglob("*")
        if path.is_file() and OURS.search(path.name)
    )
    assert sorted(ours) == hashed and len(ours) >= 6 and len(material) >= 3
    assert sorted(ours + material) == sorted(immutable)
    for path in immutable:
        file = built_site / path.removeprefix(BASE)
        assert file.is_file(), path
    for path in ours:
        data = (built_site / path.removeprefix(BASE)).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:12] == OURS.search(path)["hash"], path


def test_pages_load_only_hashed_stylesheets_and_scripts(built_site):
    loads = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"')
    for page in built_site.rglob("*.html"):
        for url in loads.findall(page.read_text(encoding="utf-8")):
            name = urlsplit(url).path
            assert OURS.search(name) or re.search(r"\.[0-9a-f]{8}\.min\.(css|js)$", name), (
                f"{page.relative_to(built_site)} loads {url}, which has no content hash"
            )
