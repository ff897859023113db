"""textbook.anchors.scholar: Highwire Press citation_* tags and schema.org JSON-LD of a chapter."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser

import pytest

from textbook.anchors.cite import Work
from textbook.anchors.scholar import head_html, highwire_tags, insert_in_head, json_ld

WORK = Work(
    author="AI Encyclopedia editors",
    title="Computer Vision with Deep Nets",
    url="https://t.org/mm/1.0/01-computer-vision/",
    date="2026-11-27",
    key="01-computer-vision",
    volume="Multimodal & World Models",
    series="AI Encyclopedia",
    chapter=1,
    edition="1.0",
    latest_url="https://t.org/mm/latest/01-computer-vision/",
)


class Head(HTMLParser):
    """Meta tags and ld+json blocks, read the way a reference manager reads them."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "meta" and "name" in values:
            self.meta.append((values["name"], values["content"]))
        self._in_ld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.ld.append(data)

    def handle_endtag(self, tag):
        self._in_ld = False


def parse(text: str) -> Head:
    head = Head()
    head.feed(text)
    return head


def test_highwire_tags_of_a_chapter_of_an_edition():
    assert highwire_tags(WORK) == [
        ("citation_title", "Computer Vision with Deep Nets"),
        ("citation_author", "AI Encyclopedia editors"),
        ("citation_publication_date", "2026/11/27"),
        ("citation_online_date", "2026/11/27"),
        ("citation_inbook_title", "Multimodal & World Models"),
        ("citation_book_title", "Multimodal & World Models"),
        ("citation_series_title", "AI Encyclopedia"),
        ("citation_edition", "1.0"),
        ("citation_language", "en"),
        ("citation_public_url", "https://t.org/mm/1.0/01-computer-vision/"),
        ("citation_fulltext_html_url", "https://t.org/mm/1.0/01-computer-vision/"),
    ]


def test_a_draft_has_no_edition_tag():
    draft = dataclasses.replace(WORK, edition=None, latest_url=None, url="https://t.org/mm/c/")
    names = [name for name, _ in highwire_tags(draft)]
    assert "citation_edition" not in names
    assert dict(highwire_tags(draft))["citation_public_url"] == "https://t.org/mm/c/"
    assert json_ld(draft)["version"] == "unpublished draft" and "sameAs" not in json_ld(draft)


def test_json_ld_is_a_chapter_of_the_volume_of_the_series():
    assert json_ld(WORK, "How nets see.") == {
        "@context": "https://schema.org",
        "@type": "Chapter",
        "name": "Computer Vision with Deep Nets",
        "headline": "Computer Vision with Deep Nets",
        "author": {"@type": "Organization", "name": "AI Encyclopedia editors"},
        "datePublished": "2026-11-27",
        "description": "How nets see.",
        "inLanguage": "en",
        "position": 1,
        "url": "https://t.org/mm/1.0/01-computer-vision/",
        "version": "1.0",
        "sameAs": "https://t.org/mm/latest/01-computer-vision/",
        "isPartOf": {
            "@type": "Book",
            "name": "Multimodal & World Models",
            "author": {"@type": "Organization", "name": "AI Encyclopedia editors"},
            "bookEdition": "1.0",
            "isPartOf": {"@type": "CreativeWorkSeries", "name": "AI Encyclopedia"},
        },
    }


def test_head_html_parses_back_to_the_same_tags_and_data():
    tricky = dataclasses.replace(WORK, title='Seeing "</script>" & <b>')
    head = parse(head_html(tricky, "d"))
    assert head.meta == highwire_tags(tricky)
    assert len(head.ld) == 1
    assert json.loads(head.ld[0]) == json_ld(tricky, "d")
    assert '</script>"' not in head_html(tricky)  # the data block cannot end early


def test_insert_in_head():
    page = "<html><head><title>T</title></head><body></body></html>"
    out = insert_in_head(page, "<meta name=x>")
    assert re.search(r"<title>T</title><meta name=x></head>", out)
    with pytest.raises(ValueError, match="no </head>"):
        insert_in_head("<body></body>", "<meta>")
