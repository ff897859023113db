"""Replace figure placeholders in page HTML with the rendered figure (pure functions).

The Markdown extension emits, for ``/// figure`` with ``id:`` and ``name:``, an empty element
with exactly these three attributes (in any order)::

    <figure class="tb-figure" id="fig-imagenet-error" data-figure="imagenet_error"></figure>

which becomes a light and a dark ``<img>`` (CSS shows the one matching Material's palette)
and a ``<figcaption>``.  URLs are relative to the page: ``base_url`` is the page's relative
path to ``assets/figures`` (``../assets/figures`` for ``/01-computer-vision/``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from textbook.core.errors import unknown_module

# An empty <figure> carrying data-figure; its attributes may come in any order.
PLACEHOLDER = re.compile(r"<figure\b(?P<attrs>[^>]*\bdata-figure=[^>]*)>\s*</figure>")
ATTRIBUTE = re.compile(r'\s+([a-z][a-z0-9-]*)="([^"<>]*)"')
THEMES = ("light", "dark")


class FigureEmbedError(Exception):
    """A placeholder cannot be filled; ``name`` is the figure it asked for."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


def figure_html(fig_id: str, name: str, record: Any, base_url: str) -> str:
    """The filled ``<figure>`` for one placeholder (``record`` is a render.FigureRecord)."""
    images = []
    for theme in THEMES:
        artifact = record.artifacts.get(f"{theme}.svg")
        if artifact is None or not artifact.width or not artifact.height:
            raise FigureEmbedError(
                name, f"figure {name!r} has no {theme}.svg artifact with a size to embed"
            )
        src = f"{base_url.rstrip('/')}/{name}/{theme}.svg"
        images.append(
            f'<img class="tb-figure__img tb-figure__img--{theme}" src="{html.escape(src)}" '
            f'width="{artifact.width}" height="{artifact.height}" '
            f'alt="{html.escape(record.alt)}" loading="lazy" decoding="async">'
        )
    return (
        f'<figure class="tb-figure" id="{fig_id}" data-figure="{html.escape(name)}">\n'
        + "\n".join(images)
        + f"\n<figcaption>{html.escape(record.caption, quote=False)}</figcaption>\n</figure>"
    )


def parse_placeholder(attrs: str) -> tuple[str, str]:
    """(id, figure name) of a placeholder's attribute string; raise if it is not one."""
    pairs = ATTRIBUTE.findall(attrs)
    found = dict(pairs)
    name = html.unescape(found.get("data-figure", ""))
    if (
        ATTRIBUTE.sub("", attrs).strip()
        or len(pairs) != len(found)
        or set(found) != {"class", "id", "data-figure"}
        or found["class"] != "tb-figure"
        or not found["id"]
        or not name
    ):
        raise FigureEmbedError(
            name,
            f"malformed figure placeholder for {name!r}: expected "
            f'<figure class="tb-figure" id="..." data-figure="{name}"></figure>, '
            f"got <figure{attrs[:120]}>",
        )
    return found["id"], name


def replace_placeholders(page_html: str, records: Mapping[str, Any], base_url: str) -> str:
    """Fill every placeholder; raise FigureEmbedError for an unknown figure or odd markup."""

    def fill(match: re.Match[str]) -> str:
        fig_id, name = parse_placeholder(match["attrs"])
        record = records.get(name)
        if record is None:
            raise FigureEmbedError(name, unknown_module("figure", name, records))
        return figure_html(fig_id, name, record, base_url)

    return PLACEHOLDER.sub(fill, page_html)
