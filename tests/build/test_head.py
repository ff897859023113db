"""Every built page's <head> parses: its meta description is the intended text, whole, whatever
quotes and ampersands the text holds (Material writes it unescaped; textbook.site.head)."""

from __future__ import annotations

import re
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


def test_font_preloads_follow_the_policy_and_precede_every_stylesheet(built_site):
    """A policy <meta> turns Chromium's preload scanner off: the font preloads must come before
    the stylesheets (and the inline scripts that wait for them), right after the policy."""
    head = (built_site / "01-computer-vision" / "index.html").read_text("utf-8")
    head = head[: head.index("</head>")]
    tags = re.findall(r"<(?:meta|link|script|style)\b[^>]*>", head)
    kinds = [
        "policy" if "Content-Security-Policy" in t
        else "font" if 'as="font"' in t
        else "stylesheet" if 'rel="stylesheet"' in t
        else "script" if t.startswith("<script") else "other"
        for t in tags
    ]  # fmt: skip
    fonts = [i for i, k in enumerate(kinds) if k == "font"]
    assert fonts, "the chapter preloads the fonts its first screen draws"
    assert fonts == list(range(kinds.index("policy") + 1, kinds.index("policy") + 1 + len(fonts)))
    assert max(fonts) < kinds.index("stylesheet") and max(fonts) < kinds.index("script")
