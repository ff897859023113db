"""Content-hashed names for the project's own stylesheets and scripts, so hosts can cache them
forever (`Cache-Control: immutable`, see textbook/site/headers.py).

After the build has written every file, each `.css`/`.js` file of the site that a page loads
through an `href` or `src` attribute (or `data-src`: the feature table of the script loader,
textbook/site/scripts.py) becomes `name.<hash>.ext`, the hash taken from its final
bytes, and every such attribute of every HTML file is rewritten to the new name (CSS `url()` and
`@import` references to a renamed file are rewritten too, before that file's own hash is taken).
Files whose name already carries a hash (Material's `*.<hash>.min.css/js`) are left alone.

Files that scripts load by themselves are not renamed: the cells' Web Worker and Pyodide
(`assets/cells/worker.js`, `assets/pyodide/`), the Plotly bundle (`assets/vendor/`): their URLs
are computed at run time, so renaming them would need rewriting code; hosts revalidate them.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

HASH_LENGTH = 12
HASHED_NAME_RE = re.compile(r"\.[0-9a-f]{8,64}(\.min)?\.(css|js)$")
# Loaded by scripts, not by pages (see the module docstring).
DYNAMIC = ("assets/cells/worker.js", "assets/pyodide/", "assets/vendor/")
# An `href`/`src` attribute; `_attributes` adds the word boundary before the name (a leading
# `\b` in the pattern would keep `re` from skipping ahead to the next "href"/"src"). A "-" is
# a boundary: `data-src` counts (the script loader's feature table names scripts with it).
_ATTR_RE = re.compile(r"""(?P<name>href|src)=(?P<q>["'])(?P<value>[^"'<>]*)(?P=q)""")
_WORD_CHAR_RE = re.compile(r"\w")
_CSS_REF_RE = re.compile(
    r"""(?P<head>url\(\s*(?P<q1>["']?)|@import\s+(?P<q2>["']))(?P<value>[^"')\s]+)"""
)


def hashed_name(path: str, data: bytes) -> str:
    """`assets/css/a.css` -> `assets/css/a.<first 12 hex of sha256>.css`."""
    stem, ext = posixpath.splitext(path)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:HASH_LENGTH]}{ext}"


def _attributes(text: str) -> Iterator[re.Match]:
    """The `href`/`src` attributes of `text`, as `\b(?:href|src)=...` would find them."""
    position = 0
    while match := _ATTR_RE.search(text, position):
        start = match.start()
        if start and _WORD_CHAR_RE.match(text, start - 1):
            position = start + 1  # e.g. `data-xsrc=`: not an attribute named src
            continue
        yield match
        position = match.end()


def _site_path(value: str, page: str, base_path: str) -> str | None:
    """The site-relative path `value` (an attribute of file `page`) points at, if on the site."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):
        if not parts.path.startswith(base_path):
            return None
        return parts.path[len(base_path) :]
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
    return None if joined.startswith("..") else joined


def _names_script_or_sheet(value: str) -> bool:
    """Whether URL `value`'s path ends in `.css`/`.js`, as `urlsplit` would split it (it drops
    tabs and newlines): a cheap test that skips the many page links of every navigation."""
    path = value.replace("\t", "").replace("\r", "").replace("\n", "")
    return path.split("#", 1)[0].split("?", 1)[0].endswith((".css", ".js"))


def _renamed_value(value: str, old: str, new: str) -> str:
    parts = urlsplit(value)
    path = parts.path[: len(parts.path) - len(posixpath.basename(old))]
    rest = value[len(parts.path) :]
    return path + posixpath.basename(new) + rest


def _candidate(path: str) -> bool:
    return (
        path.endswith((".css", ".js"))
        and not HASHED_NAME_RE.search(path)
        and not path.startswith(DYNAMIC)
    )


def referenced_assets(pages: dict[str, str], files: set[str], base_path: str = "/") -> set[str]:
    """The site's CSS/JS files (of `files`) that the `pages` (path -> HTML) load by attribute."""
    found = set()
    for page, text in pages.items():
        for match in _attributes(text):
            if not _names_script_or_sheet(match["value"]):
                continue
            target = _site_path(match["value"], page, base_path)
            if target in files and _candidate(target):
                found.add(target)
    return found


def _rewrite_attributes(text: str, page: str, renames: dict[str, str], base_path: str) -> str:
    parts, cursor = [], 0
    for match in _attributes(text):
        if not _names_script_or_sheet(match["value"]):
            continue
        target = _site_path(match["value"], page, base_path)
        if target not in renames:
            continue
        value = _renamed_value(match["value"], target, renames[target])
        parts += [text[cursor : match.start()], f"{match['name']}={match['q']}{value}{match['q']}"]
        cursor = match.end()
    return "".join(parts) + text[cursor:] if parts else text


def _rewrite_css(text: str, sheet: str, renames: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        target = _site_path(match["value"], sheet, "/")
        if target not in renames:
            return match[0]
        return match["head"] + _renamed_value(match["value"], target, renames[target])

    return _CSS_REF_RE.sub(replace, text)


def _css_refs(text: str, sheet: str) -> set[str]:
    return {t for m in _CSS_REF_RE.finditer(text) if (t := _site_path(m["value"], sheet, "/"))}


def plan(contents: dict[str, bytes]) -> dict[str, str]:
    """New name of each asset (path -> bytes); a stylesheet that references another asset of
    the set is hashed after that one's reference is rewritten, so its hash covers the new name."""
    renames: dict[str, str] = {}
    pending = dict(contents)
    while pending:
        texts = {
            p: _rewrite_css(d.decode("utf-8"), p, renames) if p.endswith(".css") else None
            for p, d in pending.items()
        }
        ready = [
            p
            for p in sorted(pending)
            if texts[p] is None or not (_css_refs(texts[p], p) & (set(pending) - {p}))
        ]
        if not ready:
            raise ValueError(f"stylesheets reference each other in a cycle: {sorted(pending)}")
        for path in ready:
            original, text = pending.pop(path), texts[path]
            data = original if text is None else text.encode("utf-8")
            contents[path] = data
            renames[path] = hashed_name(path, data)
    return renames


def fingerprint_site(site: Path, base_path: str = "/") -> dict[str, str]:
    """Rename the assets the pages of `site` load and rewrite every reference; returns the
    renames (old site path -> new). `base_path` is site_url's path (for root-relative links)."""
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    html_files = sorted(f for f in files if f.endswith(".html"))
    pages = {f: (site / f).read_text(encoding="utf-8") for f in html_files}
    assets = referenced_assets(pages, files, base_path)
    contents = {a: (site / a).read_bytes() for a in sorted(assets)}
    renames = plan(contents)
    for old, new in renames.items():
        (site / new).write_bytes(contents[old])
        (site / old).unlink()
    # Stylesheets not renamed themselves may still name renamed files.
    for sheet in sorted(f for f in files if f.endswith(".css") and f not in renames):
        text = (site / sheet).read_text(encoding="utf-8")
        rewritten = _rewrite_css(text, sheet, renames)
        if rewritten != text:
            (site / sheet).write_text(rewritten, encoding="utf-8")
    for page, text in pages.items():
        rewritten = _rewrite_attributes(text, page, renames, base_path)
        if rewritten != text:
            (site / page).write_text(rewritten, encoding="utf-8")
    return renames
