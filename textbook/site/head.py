"""Text the theme writes into attributes of the page head, escaped for it.

Material writes `page.meta.description` (else `site_description`) into
`<meta name="description" content="...">` as it is, unescaped: a description with a double
quote (ours: the volume's name in quotes) ends the attribute early and breaks the element for
every crawler and link preview. The values are given to the theme as Markup, escaped once, so
the template writes them safely; escaping Markup again leaves it as it is.
"""

from __future__ import annotations

from markupsafe import Markup, escape


def escaped(text: str | None) -> Markup | None:
    """`text` escaped for an HTML attribute (None stays None); idempotent."""
    return None if text is None else escape(text)


def page_description(meta: dict) -> None:
    """Escape a page's own front-matter description in place, if it has one."""
    if isinstance(meta.get("description"), str):
        meta["description"] = escaped(meta["description"])
