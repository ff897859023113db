"""Anchors in built sites: anchors.json, the Equations page, citations, cross-references, and the
published-anchor guard (on a fixture site built in a temporary directory)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_SITE_URL, run_mkdocs_build

FIXTURE = ROOT / "tests" / "fixtures" / "anchors_site"
FIXTURE_URL = "http://127.0.0.1:8732/"
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01; the fixture is not a git checkout
CHAPTER = "01-computer-vision/"
BLOCK_KINDS = {"equation", "instrument", "quiz", "cell", "figure"}


class Blocks(HTMLParser):
    """(kind, id) of every citable element, read independently of textbook.anchors.registry."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.template = 0

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self.template += 1
        values = dict(attrs)
        anchor = values.get("id") or ""
        if self.template or not anchor:
            return
        if re.fullmatch(r"h[1-6]", tag) and anchor.startswith("sec-"):
            self.found.append(("section", anchor))
        for kind in BLOCK_KINDS:
            if f"tb-{kind}" in (values.get("class") or "").split():
                self.found.append((kind, anchor))

    def handle_endtag(self, tag):
        if tag == "template":
            self.template -= 1


def citable(page_html: str) -> list[tuple[str, str]]:
    parser = Blocks()
    parser.feed(page_html)
    return parser.found


def annotation(block_html: str) -> str:
    tex = re.search(
        r'<annotation encoding="application/x-tex">(.*?)</annotation>', block_html, re.S
    )
    assert tex, "no typeset formula"
    return html.unescape(tex.group(1)).strip()


def block_of(page_html: str, anchor: str) -> str:
    start = page_html.index(f'id="{anchor}"')
    end = page_html.find('<div class="tb-equation"', start + 1)
    return page_html[start : end if end > 0 else len(page_html)]


def commit_date() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%cs"], capture_output=True, text=True
    ).stdout.strip()


# -- the real site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry(built_site) -> dict:
    return json.loads((built_site / "anchors.json").read_text(encoding="utf-8"))


def test_anchors_json_is_sorted_and_deterministic_json(built_site, registry):
    text = (built_site / "anchors.json").read_text(encoding="utf-8")
    assert text == json.dumps(registry, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    ids = [a["id"] for a in registry["anchors"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert registry["site_url"] == TEST_SITE_URL
    assert registry["edition"] is None  # a plain build is the unpublished draft


def test_anchors_json_lists_exactly_the_citable_elements_of_the_pages(built_site, registry):
    in_html = set()
    for page in built_site.rglob("index.html"):
        page_url = page.parent.relative_to(built_site).as_posix() + "/"
        page_url = "" if page_url == "./" else page_url
        in_html |= {(kind, anchor, page_url) for kind, anchor in citable(page.read_text())}
    in_json = {(a["kind"], a["id"], a["page"]) for a in registry["anchors"]}
    assert in_json == in_html
    kinds = sorted(kind for kind, _, _ in in_json)
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "equation": 4,
        "section": 6,
        "instrument": 3,
        "quiz": 3,
        "cell": 3,
        "figure": 5,
    }


def test_anchor_records_agree_with_the_html(built_site, registry, chapter_html):
    for record in registry["anchors"]:
        assert record["url"] == f"{TEST_SITE_URL}{record['page']}#{record['id']}"
        assert (built_site / record["page"] / "index.html").is_file()
        assert record["page_title"] == "Computer Vision with Deep Nets"
        if record["kind"] == "equation":
            block = block_of(chapter_html, record["id"])
            label = f'<a class="tb-equation__label" href="#{record["id"]}">{record["label"]}</a>'
            assert label in block
            assert f">{html.escape(record['title'], quote=False)}</span>" in block
            assert record["tex"] == annotation(block)
        if record["kind"] == "section":
            heading = re.search(
                rf'<h2 id="{record["id"]}">(.*?)<a class="headerlink"', chapter_html
            )
            number = record["label"].removeprefix("§")
            assert html.unescape(heading.group(1)) == f"{number} {record['title']}"


def test_every_anchor_is_published(registry):
    """New anchors are published on purpose: `python -m textbook.anchors --publish`."""
    published = json.loads((ROOT / "anchors" / "published.json").read_text(encoding="utf-8"))
    listed = {(p["id"], p["page"]) for p in published}
    missing = [a["id"] for a in registry["anchors"] if (a["id"], a["page"]) not in listed]
    assert missing == [], "run: python -m textbook.anchors --publish"


def test_equations_page_lists_all_four_equations_typeset(built_site, registry, chapter_html):
    page = (built_site / "equations" / "index.html").read_text(encoding="utf-8")
    assert "arithmatex" not in page
    items = re.findall(r'<li class="tb-eqlist__item">(.*?)</li>', page, re.S)
    equations = [a for a in registry["anchors"] if a["kind"] == "equation"]
    assert len(items) == len(equations) == 4
    for item, record in zip(items, equations, strict=True):
        href = f"../{CHAPTER}#{record['id']}"
        assert f'<a class="tb-eqlist__label" href="{href}">{record["label"]}</a>' in item
        assert html.escape(record["title"], quote=False) in item
        assert "<math" in item and 'class="katex-html"' in item
        assert annotation(item) == record["tex"]
    assert 'href="../equations/"' in chapter_html  # in the navigation


def test_each_equation_offers_link_tex_and_citations(registry, chapter_html):
    date = commit_date()
    for record in (a for a in registry["anchors"] if a["kind"] == "equation"):
        block = block_of(chapter_html, record["id"])
        bar = block[block.index('class="tb-cite-bar"') :]
        copies = [html.unescape(v) for v in re.findall(r'data-tb-copy="([^"]*)"', bar)][:4]
        link, tex, plain, bibtex = copies
        assert link == record["url"]
        assert tex == record["tex"]
        for text in (plain, bibtex):
            assert record["url"] in text and date in text
            assert "Computer Vision with Deep Nets" in text and record["label"] in text
        assert bibtex.startswith(f"@misc{{01-computer-vision:{record['id']},")
        assert f"year         = {{{date[:4]}}}" in bibtex
        assert re.search(r"<button type=\"button\" class=\"tb-copy\"[^>]*>Copy link</button>", bar)
        assert "<summary>Cite</summary>" in bar


def test_cite_this_chapter_once_near_the_header(chapter_html):
    assert chapter_html.count("<summary>Cite this chapter</summary>") == 1
    header_end = chapter_html.index('class="tb-chapter-meta"')
    cite = chapter_html.index("Cite this chapter")
    assert header_end < cite < chapter_html.index('id="sec-1-1"')
    block = chapter_html[cite : chapter_html.index("</details>", cite)]
    copies = [html.unescape(v) for v in re.findall(r'data-tb-copy="([^"]*)"', block)]
    assert copies[-1] == TEST_SITE_URL + CHAPTER
    assert copies[1].startswith("@misc{01-computer-vision,")
    assert "Chapter 1 of Multimodal \\& World Models, AI Encyclopedia" in copies[1]


def article(page_html: str) -> str:
    return page_html[page_html.index("<article") : page_html.index("</article>")]


def test_every_link_to_an_anchor_in_the_text_has_a_preview(chapter_html, built_site):
    content = article(chapter_html)
    templates = re.findall(r'<template class="tb-xref-preview" data-for="([^"]+)"', content)
    linked = re.findall(r'<a (?:class="tb-xref" )?href="#((?:eq|sec|instrument)-[^"]+)"', content)
    assert set(linked) == set(templates)
    assert templates == sorted(set(templates))
    assert {"eq-mm1-2", "eq-mm1-4", "sec-1-2", "sec-1-3", "instrument-mm1-1"} <= set(templates)
    # The previews' content is in a JSON file beside the page, named by each empty template.
    sources = set(
        re.findall(
            r'<template class="tb-xref-preview"[^>]* data-src="([^"]+)"></template>', content
        )
    )
    assert sources == {"index.previews.json"}
    previews = json.loads((built_site / "01-computer-vision" / "index.previews.json").read_text())
    assert sorted(previews) == templates
    preview = previews["eq-mm1-2"]
    assert "<math" in preview and "Patch embedding &amp; sequence length" in preview
    assert ' id="' not in preview  # previews never repeat an id
    # None left in the page: every preview template is empty (quizzes have templates of their own).
    empty = re.findall(
        r'<template class="tb-xref-preview" data-for="([^"]+)"[^>]*></template>', content
    )
    assert empty == templates


def test_labels_in_prose_become_links(chapter_html):
    subtitles = re.findall(r'<span class="tb-instrument__subtitle">(.*?)</span>', chapter_html)
    assert subtitles[1:] == [
        'image → patch grid → token sequence · <a class="tb-xref" href="#eq-mm1-2">EQ MM1.2</a>',
        'one image embedding vs text embeddings · cosine · <a class="tb-xref" href="#eq-mm1-4">'
        "EQ MM1.4</a>",
    ]
    # Another volume is cited in words and stays text; no placeholder label is left.
    assert "Transformers included (Vol II · Ch 02–03)." in chapter_html
    assert "EQ 2.x" not in chapter_html


def test_quizzes_ship_a_hidden_form_and_keep_the_fallback(chapter_html):
    quizzes = re.findall(r'<div class="tb-quiz" (.*?)id="(quiz-[^"]+)">', chapter_html)
    assert [q[1] for q in quizzes] == [
        "quiz-vit-patches",
        "quiz-iou-example",
        "quiz-clip-shared-space",
    ]
    assert chapter_html.count('<form class="tb-quiz__form" hidden>') == 3
    assert chapter_html.count('<details class="tb-quiz__explanation">') == 3


# -- a fixture site in a temporary directory ----------------------------------------------------


def fixture_copy(tmp_path: Path, site_url: str = FIXTURE_URL) -> Path:
    project = tmp_path / "site-project"
    shutil.copytree(FIXTURE, project)
    config = project / "mkdocs.yml"
    text = config.read_text().replace("@HOOKS@", str(ROOT / "hooks"))
    config.write_text(text.replace("@SITE_URL@", site_url))
    css = project / "docs" / "assets" / "css"
    css.mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "assets" / "css" / "textbook.css", css)
    return project


def build(project: Path, **env) -> subprocess.CompletedProcess:
    return run_mkdocs_build(project / "mkdocs.yml", project / "site", env={**EPOCH, **env})


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def project(tmp_path) -> Path:
    return fixture_copy(tmp_path)


def test_fixture_builds_with_aliases_kept_working(project):
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert "anchors: 7 anchors; 2 old anchors redirected" in result.stderr
    chapter = (project / "site" / "chapter" / "index.html").read_text()
    same_page = '<span class="tb-alias" id="eq-fx1-first" data-tb-alias="#eq-fx1-1"></span>'
    assert chapter.index(same_page) < chapter.index('<div class="tb-equation" id="eq-fx1-1">')
    home = (project / "site" / "index.html").read_text()
    assert (
        '<span class="tb-alias" id="sec-0-ratio" data-tb-alias="chapter/#eq-fx1-2"></span>' in home
    )
    aliases = json.loads((project / "site" / "anchors.json").read_text())["aliases"]
    assert [(a["id"], a["url"], a["target_url"]) for a in aliases] == [
        ("eq-fx1-first", FIXTURE_URL + "chapter/#eq-fx1-first", FIXTURE_URL + "chapter/#eq-fx1-1"),
        ("sec-0-ratio", FIXTURE_URL + "#sec-0-ratio", FIXTURE_URL + "chapter/#eq-fx1-2"),
    ]


def test_two_builds_give_identical_bytes(tmp_path):
    outputs = []
    for name in ("one", "two"):
        project = fixture_copy(tmp_path / name)
        assert build(project).returncode == 0
        site = project / "site"
        outputs.append(
            [
                (site / p).read_bytes()
                for p in ("anchors.json", "chapter/index.html", "equations/index.html")
            ]
        )
    assert outputs[0] == outputs[1]


def test_removing_a_published_anchor_without_alias_fails(project):
    edit(project / "docs" / "chapter.md", "quiz | quiz-fx-number", "quiz | quiz-fx-iou")
    result = build(project)
    assert result.returncode != 0
    published = (project / "anchors" / "published.json").read_text()
    line = published[: published.index('"id": "quiz-fx-number"')].count("\n") + 1
    assert (
        f"anchors/published.json:{line}: published anchor 'quiz-fx-number' (quiz on page "
        "'chapter/') is gone, so links to 'chapter/#quiz-fx-number' would break: restore the "
        "id, or add 'quiz-fx-number: <new-id>' to anchors/aliases.yml, or withdraw it on purpose "
        "with `python -m textbook.anchors --publish`"
    ) in result.stderr
    assert not (project / "site").exists()


def test_an_alias_keeps_a_renamed_anchor_working(project):
    edit(project / "docs" / "chapter.md", "id: eq-fx1-2", "id: eq-fx1-ratio")
    aliases = project / "anchors" / "aliases.yml"
    aliases.write_text(aliases.read_text() + "eq-fx1-2: eq-fx1-ratio\n")
    result = build(project)
    assert result.returncode == 0, result.stderr
    chapter = (project / "site" / "chapter" / "index.html").read_text()
    alias = '<span class="tb-alias" id="eq-fx1-2" data-tb-alias="#eq-fx1-ratio"></span>'
    assert alias + '<div class="tb-equation" id="eq-fx1-ratio">' in chapter.replace(
        alias + "\n", alias
    )


def test_publish_withdraws_an_anchor_on_purpose(project):
    edit(project / "docs" / "chapter.md", "quiz | quiz-fx-number", "quiz | quiz-fx-iou")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "textbook.anchors",
            "--publish",
            "-f",
            str(project / "mkdocs.yml"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **EPOCH},
    )
    assert result.returncode == 0, result.stderr
    assert "added: quiz-fx-iou (chapter/)" in result.stdout
    assert "withdrawn: quiz-fx-number (chapter/)" in result.stdout
    published = json.loads((project / "anchors" / "published.json").read_text())
    ids = [p["id"] for p in published]
    assert "quiz-fx-iou" in ids and "quiz-fx-number" not in ids and "eq-fx1-first" in ids
    assert build(project).returncode == 0


def test_unknown_cross_reference_fails_with_file_and_line(project):
    chapter = project / "docs" / "chapter.md"
    edit(chapter, "Section two begins here.", "Section two begins here, unlike EQ FX1.7.")
    line = (
        chapter.read_text()
        .splitlines()
        .index(next(x for x in chapter.read_text().splitlines() if "EQ FX1.7" in x))
        + 1
    )
    result = build(project)
    assert result.returncode != 0
    assert (
        f"docs/chapter.md:{line}: cross-reference 'EQ FX1.7' names no equation of the site "
        "(known: EQ FX1.1, EQ FX1.2)"
    ) in result.stderr


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "chapter.md",
            "See [EQ FX1.1](#eq-fx1-1)",
            "See [EQ FX1.1](#eq-fx1-2)",
            "docs/chapter.md:33: the link 'EQ FX1.1' goes to '#eq-fx1-2', but 'EQ FX1.1' is the "
            "label of 'eq-fx1-1'",
        ),
        (
            "index.md",
            "# Fixture volume { #fixture-volume }",
            "# Fixture volume { #fixture-volume }\n\n## 0.1 Again { #sec-1-1 }",
            "docs/chapter.md:16: id 'sec-1-1' is already used at docs/index.md:7",
        ),
    ],
)
def test_inconsistent_references_fail_with_file_and_line(project, file, old, new, message):
    edit(project / "docs" / file, old, new)
    result = build(project)
    assert result.returncode != 0
    assert message in result.stderr
