"""Every built page's <head> parses: its meta description is the intended text, whole, whatever
quotes and ampersands the text holds (Material writes it unescaped; textbook.site.head)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import yaml

from tests.conftest import ROOT
from textbook.chapter.meta import split_front_matter

SITE_DESCRIPTION = yaml.load(
    (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
)["site_description"]


class Head(HTMLParser):
    """The <meta> elements of a document's head, attributes decoded as a browser does."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.metas: list[list[tuple[str, str | None]]] = []
        self.in_head = True

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_head = False
        elif tag == "meta" and self.in_head:
            self.metas.append(attrs)


def intended_description(site: Path, page: Path) -> str:
    """The page's own front-matter description, else the site's."""
    relative = page.parent.relative_to(site).as_posix()
    source = ROOT / "docs" / ("index.md" if relative == "." else f"{relative}.md")
    if source.is_file() and page.name == "index.html":
        data, _ = split_front_matter(source.read_text(encoding="utf-8"), str(source))
        return data.get("description") or SITE_DESCRIPTION
    return SITE_DESCRIPTION


def test_the_site_description_has_the_characters_this_test_is_about():
    assert '"' in SITE_DESCRIPTION and "&" in SITE_DESCRIPTION


def test_every_page_head_has_one_whole_meta_description(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        head = Head()
        head.feed(page.read_text(encoding="utf-8"))
        descriptions = [m for m in head.metas if ("name", "description") in m]
        assert len(descriptions) == 1, page
        # a quote ending the value early leaves stray attributes (`multimodal`, `&`, ...)
        assert [name for name, _ in descriptions[0]] == ["name", "content"], (page, descriptions)
        assert dict(descriptions[0])["content"] == intended_description(built_site, page), page
