"""The built chapter's scholarly metadata: citation_* tags and schema.org JSON-LD in <head>,
read with an HTML parser as Zotero's and Google Scholar's readers do."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import yaml

from tests.conftest import ROOT, TEST_SITE_URL

CHAPTER = "01-computer-vision/"


class HeadMeta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_head = False
        self.meta: dict[str, list[str]] = {}
        self.ld: list[str] = []
        self._ld = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.in_head = self.in_head or tag == "head"
        if self.in_head and tag == "meta" and values.get("name", "").startswith("citation_"):
            self.meta.setdefault(values["name"], []).append(values["content"])
        self._ld = self.in_head and tag == "script" and values.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self._ld = False
        if tag == "head":
            self.in_head = False

    def handle_data(self, data):
        if self._ld:
            self.ld.append(data)


def front_matter() -> dict:
    text = (ROOT / "docs" / "01-computer-vision.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])


def test_chapter_head_has_highwire_tags_of_the_chapter(chapter_html):
    head = HeadMeta()
    head.feed(chapter_html)
    meta = front_matter()
    assert head.meta["citation_title"] == [meta["title"]]
    assert head.meta["citation_author"] == ["AI Encyclopedia editors"]
    assert head.meta["citation_inbook_title"] == [meta["volume"]]
    assert head.meta["citation_book_title"] == [meta["volume"]]
    assert head.meta["citation_series_title"] == [meta["breadcrumb"][0]]
    (date,) = head.meta["citation_publication_date"]
    assert len(date) == 10 and date[4] == date[7] == "/"
    # A plain build is the unpublished draft: its own URL, no edition.
    assert head.meta["citation_public_url"] == [TEST_SITE_URL + CHAPTER]
    assert "citation_edition" not in head.meta


def test_chapter_head_has_schema_org_json_ld(chapter_html):
    head = HeadMeta()
    head.feed(chapter_html)
    (block,) = head.ld
    data = json.loads(block)
    meta = front_matter()
    assert data["@context"] == "https://schema.org" and data["@type"] == "Chapter"
    assert (data["name"], data["position"], data["url"]) == (
        meta["title"],
        meta["chapter"],
        TEST_SITE_URL + CHAPTER,
    )
    assert data["description"] == meta["description"]
    assert data["isPartOf"]["@type"] == "Book" and data["isPartOf"]["name"] == meta["volume"]


def test_pages_that_are_not_chapters_have_no_citation_tags(built_site):
    for page in ("index.html", "equations/index.html"):
        head = HeadMeta()
        head.feed((built_site / page).read_text(encoding="utf-8"))
        assert head.meta == {} and head.ld == [], page
