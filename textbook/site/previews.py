"""Cross-reference previews out of the page: fetched when a reader first points at a reference.

The anchors hook ends each page with one `<template class="tb-xref-preview">` per referenced
anchor (the equation, section or instrument `anchors.js` shows on hover, focus or tap): on the
chapter page nine of them, ~50 KB of the 287 KB document (KaTeX markup repeated from the
page), parsed before the first paint though only ever shown after an interaction.

`split` leaves each template in place, empty (so `anchors.js` still knows synchronously which
links have a preview, which a tap needs), with `data-src` naming a JSON file beside the page that
maps each anchor to the template's content. `anchors.js` fetches that file once, when a reader
first hovers, focuses or taps a reference with a preview, fills the templates and shows the
preview; the 150 ms hover delay hides the fetch.
"""

from __future__ import annotations

import json
import posixpath
import re

_TEMPLATE_RE = re.compile(
    r'<template class="tb-xref-preview" data-for="(?P<anchor>[^"]+)" '
    r'data-href="(?P<href>[^"]*)">(?P<body>.*?)</template>',
    re.S,
)


def fragment_uri(page_dest_uri: str) -> str:
    """Site path of the previews file of the page written to `page_dest_uri`."""
    stem = page_dest_uri[: -len(".html")] if page_dest_uri.endswith(".html") else page_dest_uri
    return f"{stem}.previews.json"


def split(page_html: str, page_dest_uri: str) -> tuple[str, str | None]:
    """(page without the previews' content, the JSON to write at `fragment_uri`), or the page
    unchanged and None when it has no preview."""
    if '<template class="tb-xref-preview"' not in page_html:  # a quicker test than the pattern
        return page_html, None
    previews: dict[str, str] = {}
    src = posixpath.basename(fragment_uri(page_dest_uri))

    def stub(match: re.Match) -> str:
        anchor = match["anchor"]
        if anchor in previews:
            raise ValueError(f"two previews for the anchor '{anchor}' in {page_dest_uri}")
        previews[anchor] = match["body"]
        return (
            f'<template class="tb-xref-preview" data-for="{anchor}" data-href="{match["href"]}" '
            f'data-src="{src}"></template>'
        )

    out = _TEMPLATE_RE.sub(stub, page_html)
    if not previews:
        return page_html, None
    return out, json.dumps(previews, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
