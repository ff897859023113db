"""textbook.site.headers: the `_headers` file (Netlify / Cloudflare Pages format)."""

from __future__ import annotations

import pytest

from textbook.site.headers import IMMUTABLE, WORKER_POLICY, headers_file, page_paths, parse

FILES = [
    "index.html",
    "01-cv/index.html",
    "404.html",
    "assets/cells/worker.js",
    "assets/css/a.0123456789ab.css",
    "assets/javascripts/bundle.a5f9d56c.min.js",
    "assets/js/plain.js",
    "assets/figures/x.svg",
]


def test_page_paths():
    assert page_paths("index.html") == ["", "index.html"]
    assert page_paths("a/b/index.html") == ["a/b/", "a/b/index.html"]
    assert page_paths("404.html") == ["404.html"]


def test_headers_file_round_trips_and_covers_pages_worker_and_hashed_files():
    rules = parse(headers_file("default-src 'self'", FILES, "/mm/1.0/"))
    assert sorted(rules) == sorted(
        [
            "/mm/1.0/",
            "/mm/1.0/index.html",
            "/mm/1.0/01-cv/",
            "/mm/1.0/01-cv/index.html",
            "/mm/1.0/404.html",
            "/mm/1.0/assets/cells/worker.js",
            "/mm/1.0/assets/css/a.0123456789ab.css",
            "/mm/1.0/assets/javascripts/bundle.a5f9d56c.min.js",
        ]
    )
    page = rules["/mm/1.0/01-cv/"]
    assert page["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"
    assert page["Cache-Control"] == "no-cache"
    worker = rules["/mm/1.0/assets/cells/worker.js"]
    assert worker["Content-Security-Policy"] == WORKER_POLICY
    assert "'wasm-unsafe-eval'" in WORKER_POLICY
    assert rules["/mm/1.0/assets/css/a.0123456789ab.css"]["Cache-Control"] == IMMUTABLE
    assert IMMUTABLE == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/a\n  X: 1\n/a\n  Y: 2\n", "_headers:3: path /a listed twice"),
        ("/a\n  X: 1\n  X: 2\n", "_headers:3: header X repeated"),
        ("  X: 1\n", "_headers:1: not a path"),
        ("/a\nX: 1\n", "_headers:2: not a path"),
    ],
)
def test_parse_rejects_malformed_files(text, message):
    with pytest.raises(ValueError, match=message):
        parse(text)
