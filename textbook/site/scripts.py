"""The project's scripts, loaded on demand: one small loader on every page, a feature table in
the page, each feature's script fetched only where and when it is wanted.

Every page loads `assets/js/textbook.js` (the loader) instead of the feature scripts. Just
before it the build writes one `<template class="tb-feature">` per feature whose script the
site publishes: its URL relative to the page (`data-src`: the fingerprint stage renames it by
content hash, as it does `src`), the elements the page needs it for (`data-select`) and what
loads it (near the viewport, the reader's pointer or focus on its elements, a held click, a
URL fragment; the loader's header says how). A `<template>` is inert: no layout, no request,
nothing a Content-Security-Policy has to allow.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

LOADER = "assets/js/textbook.js"


@dataclass(frozen=True)
class Feature:
    """One feature's script and when a page wants it."""

    name: str
    src: str  # site path of the script
    select: str  # the elements a page needs it for (CSS selector)
    near: bool = True  # load when one of them comes near the viewport
    intent: str = ""  # the pointer or focus on these loads it too (default: `select`)
    hold: str = ""  # clicks on these wait for the script, then are replayed
    fragment: bool = False  # load at once when the URL has a fragment
    module: bool = False  # an ES module (`<script type="module">`)


# The references a preview may be shown for (anchors.js `templateFor` decides which are).
_REFERENCES = '.md-content a[href*="#"]:not(.headerlink)'
FEATURES = (
    Feature("instruments", "assets/js/instruments.js", ".tb-instrument__stage[data-src]"),
    Feature("cells", "assets/cells/cells.js", ".tb-cell", module=True),
    Feature("quiz", "assets/js/quiz.js", ".tb-quiz[id][data-kind]"),
    Feature(
        "anchors",
        "assets/js/anchors.js",
        "template.tb-xref-preview, button[data-tb-copy], .tb-alias",
        near=False,  # nothing to do until a reader points at a reference or a copy button
        intent=f"{_REFERENCES}, button[data-tb-copy]",
        hold=f"{_REFERENCES}, button[data-tb-copy]",
        fragment=True,
    ),
)

_LOADER_TAG_RE = re.compile(
    r"<script\b[^>]*?\bsrc=(?P<q>[\"'])(?P<prefix>(?:[^\"'<>]*/)?)" + re.escape(LOADER) + r"(?P=q)"
)


def published(features: Iterable[Feature], site_files: set[str]) -> tuple[Feature, ...]:
    """The features whose script is one of the site's files (a test site may lack some)."""
    return tuple(f for f in features if f.src in site_files)


def table(features: Iterable[Feature], prefix: str) -> str:
    """The feature table: `prefix` leads from the page to the site root (as the loader's own
    URL in the page does)."""
    rows = []
    for f in features:
        attrs = [
            ("data-name", f.name),
            ("data-src", prefix + f.src),
            ("data-select", f.select),
        ]
        attrs += [("data-intent", f.intent)] if f.intent else []
        attrs += [("data-hold", f.hold)] if f.hold else []
        attrs += [("data-type", "module")] if f.module else []
        flags = [name for name, on in (("data-near", f.near), ("data-fragment", f.fragment)) if on]
        text = " ".join(f'{name}="{html.escape(value)}"' for name, value in attrs)
        rows.append(f'<template class="tb-feature" {" ".join([text, *flags])}></template>')
    return "".join(rows)


def insert_table(page: str, features: Iterable[Feature]) -> str:
    """`page` with the feature table just before its loader `<script>`; unchanged when the
    page does not load the loader."""
    match = _LOADER_TAG_RE.search(page)
    if not match:
        return page
    rows = table(features, match["prefix"])
    return page[: match.start()] + rows + page[match.start() :] if rows else page
