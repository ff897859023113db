"""Scholarly metadata of a chapter, in its `<head>`: what reference managers and indexers read.

- Highwire Press `citation_*` meta tags: the tags Google Scholar documents for inclusion and
  that Zotero's "Embedded Metadata" translator reads (a chapter is a book section: its volume is
  `citation_inbook_title`, which Scholar reads, and `citation_book_title`, which Zotero reads).
- schema.org JSON-LD: a `Chapter` that is part of the volume (a `Book`) of the series.

Both name the edition's permanent URL, so a reference saved from an edition keeps pointing at
the text that was read. The JSON-LD is a data block (`type="application/ld+json"`), not script:
no Content-Security-Policy hash is needed for it.
"""

from __future__ import annotations

import json
from html import escape

from textbook.anchors.cite import Work

LANGUAGE = "en"


def highwire_tags(work: Work, language: str = LANGUAGE) -> list[tuple[str, str]]:
    """(name, content) of every `citation_*` tag, in a stable order."""
    tags = [("citation_title", work.title), ("citation_author", work.author)]
    tags.append(("citation_publication_date", work.date.replace("-", "/")))  # Scholar: Y/M/D
    tags.append(("citation_online_date", work.date.replace("-", "/")))
    if work.volume:
        tags += [("citation_inbook_title", work.volume), ("citation_book_title", work.volume)]
    if work.series:
        tags.append(("citation_series_title", work.series))
    if work.edition:
        tags.append(("citation_edition", work.edition))
    tags += [
        ("citation_language", language),
        ("citation_public_url", work.url),
        ("citation_fulltext_html_url", work.url),
    ]
    return tags


def json_ld(work: Work, description: str | None = None, language: str = LANGUAGE) -> dict:
    """The schema.org description of the chapter (a `Chapter` of a `Book` of a series)."""
    author = {"@type": "Organization", "name": work.author}
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Chapter" if work.chapter else "CreativeWork",
        "name": work.title,
        "headline": work.title,
        "author": author,
        "datePublished": work.date,
        "inLanguage": language,
        "url": work.url,
    }
    if description:
        data["description"] = description
    if work.chapter:
        data["position"] = work.chapter
    data["version"] = work.edition if work.edition else "unpublished draft"
    if work.latest_url:  # the same chapter in the newest edition
        data["sameAs"] = work.latest_url
    if work.volume:
        book: dict = {"@type": "Book", "name": work.volume, "author": author}
        if work.edition:
            book["bookEdition"] = work.edition
        if work.series:
            book["isPartOf"] = {"@type": "CreativeWorkSeries", "name": work.series}
        data["isPartOf"] = book
    return data


def head_html(work: Work, description: str | None = None, language: str = LANGUAGE) -> str:
    """The meta tags and the JSON-LD block, one per line, for the end of `<head>`."""
    lines = [
        f'<meta name="{name}" content="{escape(content, quote=True)}">'
        for name, content in highwire_tags(work, language)
    ]
    data = json.dumps(json_ld(work, description, language), ensure_ascii=False, sort_keys=True)
    # "</" would end the element early; JSON allows "\/" for "/".
    data = data.replace("</", "<\\/")
    lines.append(f'<script type="application/ld+json">{data}</script>')
    return "\n".join(lines) + "\n"


def insert_in_head(page_html: str, head: str) -> str:
    """`head` placed just before `</head>`; a page without one is an error."""
    index = page_html.find("</head>")
    if index < 0:
        raise ValueError("the page has no </head> to put its scholarly metadata in")
    return page_html[:index] + head + page_html[index:]
