"""`_headers`: HTTP headers for static hosts that read Netlify's format (Netlify, Cloudflare
Pages), written at the root of the built site.

    /path
      Header-Name: value

- every page (each HTML file, under its directory URL and its file name): the site's
  Content-Security-Policy as a header (the policy of the pages' `<meta>`, plus `frame-ancestors
  'none'`, which only works as a header), and `Cache-Control: no-cache` (revalidate: pages keep
  their URL when they change);
- the cells' Web Worker: its own policy (a worker gets the policy of its HTTP response, not the
  page's; Pyodide compiles WebAssembly there: `'wasm-unsafe-eval'`), revalidated;
- files whose name carries their content hash (the project's stylesheets and scripts, renamed
  by textbook/site/fingerprint.py, and Material's `*.<hash>.min.css/js`): cached for a year,
  `immutable`.

Rules never overlap (every path is listed exactly), so no host has to merge two values of one
header; paths carry site_url's path (`/multimodal/1.0/…` for an edition).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textbook.site.fingerprint import HASHED_NAME_RE

FILE_NAME = "_headers"
WORKER = "assets/cells/worker.js"
PAGE_ONLY = "frame-ancestors 'none'"
WORKER_POLICY = (
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; "
    "worker-src 'self'"
)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HEADER_RE = re.compile(r"^  (?P<name>[A-Za-z0-9-]+): (?P<value>\S.*)$")


def page_paths(html_file: str) -> list[str]:
    """The URL paths (relative to the site) a host serves `html_file` under."""
    if html_file == "index.html":
        return ["", "index.html"]
    if html_file.endswith("/index.html"):
        return [html_file[: -len("index.html")], html_file]
    return [html_file]


def headers_file(policy: str, files: Iterable[str], base_path: str = "/") -> str:
    """The `_headers` text for a site of `files` (site-relative paths) whose pages carry
    `policy`."""
    base = base_path if base_path.endswith("/") else base_path + "/"
    files = sorted(files)
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    page_policy = f"{policy}; {PAGE_ONLY}"
    for html in (f for f in files if f.endswith(".html")):
        for path in page_paths(html):
            rules.append(
                (
                    base + path,
                    [
                        ("Content-Security-Policy", page_policy),
                        ("Cache-Control", REVALIDATE),
                        ("X-Content-Type-Options", "nosniff"),
                        ("Referrer-Policy", "strict-origin-when-cross-origin"),
                    ],
                )
            )
    if WORKER in files:
        rules.append(
            (
                base + WORKER,
                [
                    ("Content-Security-Policy", WORKER_POLICY),
                    ("Cache-Control", REVALIDATE),
                    ("X-Content-Type-Options", "nosniff"),
                ],
            )
        )
    for hashed in (f for f in files if HASHED_NAME_RE.search(f)):
        rules.append(
            (base + hashed, [("Cache-Control", IMMUTABLE), ("X-Content-Type-Options", "nosniff")])
        )
    lines = ["# HTTP headers for Netlify / Cloudflare Pages (written by the build)."]
    for path, headers in rules:
        lines.append(path)
        lines += [f"  {name}: {value}" for name, value in headers]
    return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, dict[str, str]]:
    """Netlify's `_headers` format read back (path -> headers); a malformed line is an error
    naming its line number."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("/"):
            if line in rules:
                raise ValueError(f"{FILE_NAME}:{number}: path {line} listed twice")
            current = rules[line] = {}
            continue
        match = _HEADER_RE.match(line)
        if match is None or current is None:
            raise ValueError(f"{FILE_NAME}:{number}: not a path or an indented 'Name: value'")
        if match["name"] in current:
            raise ValueError(f"{FILE_NAME}:{number}: header {match['name']} repeated")
        current[match["name"]] = match["value"]
    return rules
