"""textbook.anchors.cite: the citation date, plain-text and BibTeX citations, the copy buttons."""

from __future__ import annotations

import dataclasses
import html
import re
import subprocess

import pytest

from tests.conftest import ROOT
from textbook.anchors.cite import (
    Work,
    bibtex_escape,
    build_date,
    chapter_citation,
    chapter_edits,
    copy_button,
    equation_bar,
    equation_citation,
    equation_edits,
    work_of,
)
from textbook.anchors.registry import Anchor, apply_edits, scan
from textbook.site.edition import Edition

WORK = Work(
    author="AI Encyclopedia editors",
    title="Computer Vision with Deep Nets",
    url="https://t.example.org/mm/1.0/01-computer-vision/",
    date="2026-11-27",
    key="01-computer-vision",
    volume="Multimodal & World Models",
    series="AI Encyclopedia",
    chapter=1,
    edition="1.0",
    latest_url="https://t.example.org/mm/latest/01-computer-vision/",
)
DRAFT = dataclasses.replace(
    WORK, url="https://t.example.org/mm/01-computer-vision/", edition=None, latest_url=None
)


def fake_git(stdout: str = "", returncode: int = 0, error: Exception | None = None):
    def run(args, **kwargs):
        assert args[:2] == ["git", "-C"] and args[3:] == ["log", "-1", "--format=%cs"]
        if error is not None:
            raise error
        return subprocess.CompletedProcess(args, returncode, stdout, "")

    return run


@pytest.mark.parametrize(
    ("run", "env", "date"),
    [
        (fake_git("2026-11-27\n"), {"SOURCE_DATE_EPOCH": "0"}, "2026-11-27"),
        (fake_git("", 128), {"SOURCE_DATE_EPOCH": "1767225600"}, "2026-01-01"),
        (fake_git(error=FileNotFoundError("git")), {"SOURCE_DATE_EPOCH": "86399"}, "1970-01-01"),
        (fake_git("not a date"), {"SOURCE_DATE_EPOCH": " 86400 "}, "1970-01-02"),
    ],
)
def test_build_date_from_git_else_source_date_epoch(tmp_path, run, env, date):
    assert build_date(tmp_path, env, run) == date


@pytest.mark.parametrize("env", [{}, {"SOURCE_DATE_EPOCH": "soon"}])
def test_build_date_without_git_or_epoch_is_an_error(tmp_path, env):
    with pytest.raises(ValueError, match="set SOURCE_DATE_EPOCH"):
        build_date(tmp_path, env, fake_git("", 128))


def test_build_date_of_this_checkout_is_its_last_commit():
    expected = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%cs"], capture_output=True, text=True
    ).stdout.strip()
    assert build_date(ROOT, {}) == expected


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Patch & sequence", r"Patch \& sequence"),
        ("50% of $x_1$ #1", r"50\% of \$x\_1\$ \#1"),
        ("{a} ~ ^ \\", r"\{a\} \textasciitilde{} \textasciicircum{} \textbackslash{}"),
        ("ViT — 16×16", "ViT — 16×16"),
    ],
)
def test_bibtex_escape(text, escaped):
    assert bibtex_escape(text) == escaped


def test_chapter_citation_names_the_edition_its_permanent_url_and_latest():
    plain, bib = chapter_citation(WORK)
    assert plain == (
        "AI Encyclopedia editors. “Computer Vision with Deep Nets.” Chapter 1 of Multimodal & "
        "World Models, AI Encyclopedia. Edition 1.0 of 2026-11-27. "
        "https://t.example.org/mm/1.0/01-computer-vision/ (latest edition: "
        "https://t.example.org/mm/latest/01-computer-vision/)"
    )
    assert bib == (
        "@misc{01-computer-vision,\n"
        "  author       = {{AI Encyclopedia editors}},\n"
        "  title        = {{Computer Vision with Deep Nets}},\n"
        "  howpublished = {Chapter 1 of Multimodal \\& World Models, AI Encyclopedia},\n"
        "  edition      = {1.0},\n"
        "  year         = {2026},\n"
        "  date         = {2026-11-27},\n"
        "  url          = {https://t.example.org/mm/1.0/01-computer-vision/},\n"
        "  note         = {Edition 1.0 of 2026-11-27. Latest edition: "
        "\\url{https://t.example.org/mm/latest/01-computer-vision/}},\n"
        "}"
    )


def test_chapter_citation_of_a_draft_says_so_and_has_no_edition():
    plain, bib = chapter_citation(DRAFT)
    assert plain.endswith(
        "AI Encyclopedia. Unpublished draft of 2026-11-27. "
        "https://t.example.org/mm/01-computer-vision/"
    )
    assert "latest" not in plain and "edition" not in bib and "latest" not in bib
    assert "  note         = {Unpublished draft of 2026-11-27},\n" in bib


def test_equation_citation_names_chapter_label_edition_and_anchor_urls():
    plain, bib = equation_citation(WORK, "eq-mm1-2", "EQ MM1.2", "Patch embedding & length")
    assert plain == (
        "AI Encyclopedia editors. “EQ MM1.2: Patch embedding & length.” In “Computer Vision with "
        "Deep Nets”, Chapter 1 of Multimodal & World Models, AI Encyclopedia. Edition 1.0 of "
        "2026-11-27. https://t.example.org/mm/1.0/01-computer-vision/#eq-mm1-2 (latest edition: "
        "https://t.example.org/mm/latest/01-computer-vision/#eq-mm1-2)"
    )
    assert bib.splitlines() == [
        "@misc{01-computer-vision:eq-mm1-2,",
        "  author       = {{AI Encyclopedia editors}},",
        "  title        = {{EQ MM1.2: Patch embedding \\& length}},",
        "  howpublished = {In: Computer Vision with Deep Nets, Chapter 1 of Multimodal \\& World "
        "Models, AI Encyclopedia},",
        "  edition      = {1.0},",
        "  year         = {2026},",
        "  date         = {2026-11-27},",
        "  url          = {https://t.example.org/mm/1.0/01-computer-vision/#eq-mm1-2},",
        # hyperref's \url inside another argument needs the # escaped
        "  note         = {Edition 1.0 of 2026-11-27. Latest edition: "
        "\\url{https://t.example.org/mm/latest/01-computer-vision/\\#eq-mm1-2}},",
        "}",
    ]


def test_equation_citation_of_a_draft():
    plain, bib = equation_citation(DRAFT, "eq-mm1-2", "EQ MM1.2", None)
    assert plain.endswith(
        "Unpublished draft of 2026-11-27. https://t.example.org/mm/01-computer-vision/#eq-mm1-2"
    )
    assert "  url          = {https://t.example.org/mm/01-computer-vision/#eq-mm1-2}," in bib
    assert "edition" not in bib


def test_citation_of_a_page_that_is_not_a_chapter():
    work = Work("Eds", "Home", "https://x.org/", "2026-01-01", "home")
    plain, bib = chapter_citation(work)
    assert plain == "Eds. “Home.” Unpublished draft of 2026-01-01. https://x.org/"
    assert "howpublished" not in bib


def test_copy_button_carries_the_exact_text():
    text = 'a "quoted" <tag> & two\nlines'
    button = copy_button(text, "Copy", "Copy it", "It was copied")
    assert button == (
        '<button type="button" class="tb-copy" aria-label="Copy it" '
        'data-tb-copy="a &quot;quoted&quot; &lt;tag&gt; &amp; two&#10;lines" '
        'data-tb-copied="It was copied">Copy</button>'
    )
    value = button.split('data-tb-copy="')[1].split('"')[0]
    assert html.unescape(value) == text


def test_equation_bar_has_link_tex_and_both_citations():
    bar = equation_bar(WORK, "eq-mm1-2", "EQ MM1.2", "Patch", "N = \\frac{H}{P}")
    copies = [html.unescape(v) for v in re.findall(r'data-tb-copy="([^"]*)"', bar)]
    plain, bib = equation_citation(WORK, "eq-mm1-2", "EQ MM1.2", "Patch")
    assert copies == [WORK.url + "#eq-mm1-2", "N = \\frac{H}{P}", plain, bib]
    assert 'role="group" aria-label="Cite EQ MM1.2"' in bar
    assert "<summary>Cite</summary>" in bar
    assert f'<pre class="tb-cite__text">{html.escape(bib, quote=False)}</pre>' in bar


def test_equation_edits_and_chapter_edits_place_their_blocks():
    page = (
        '<h1 id="t">T</h1><dl class="tb-chapter-meta"><dt>x</dt></dl>'
        '<div class="tb-equation" id="eq-a"><div class="tb-equation__body"></div></div>'
        '<div class="tb-equation" id="eq-unknown"></div>'
    )
    doc = scan(page)
    equations = {"eq-a": Anchor("eq-a", "equation", "EQ A", "A", "ch/", "a")}
    out = apply_edits(page, equation_edits(doc, WORK, equations) + chapter_edits(doc, WORK))
    assert out.index("</dl>") < out.index("Cite this chapter") < out.index('id="eq-a"')
    assert out.count('class="tb-cite-bar"') == 1
    bar = out.index('class="tb-cite-bar"')
    assert out.index('<div class="tb-equation__body"></div>') < bar < out.index('id="eq-unknown"')


def test_chapter_block_names_the_edition_and_copies_both_links():
    block = apply_edits("<h1>T</h1>", chapter_edits(scan("<h1>T</h1>"), WORK))
    copies = [html.unescape(v) for v in re.findall(r'data-tb-copy="([^"]*)"', block)]
    assert copies == [*chapter_citation(WORK), WORK.url, WORK.latest_url]
    assert '<p class="tb-cite__edition">Edition 1.0 of 2026-11-27</p>' in block
    draft = apply_edits("<h1>T</h1>", chapter_edits(scan("<h1>T</h1>"), DRAFT))
    copies = [html.unescape(v) for v in re.findall(r'data-tb-copy="([^"]*)"', draft)]
    assert copies == [*chapter_citation(DRAFT), DRAFT.url]
    assert '<p class="tb-cite__edition">Unpublished draft of 2026-11-27</p>' in draft


def test_chapter_block_goes_after_the_title_without_a_facts_strip():
    page = "<p>x</p><h1>T</h1><p>y</p>"
    out = apply_edits(page, chapter_edits(scan(page), WORK))
    assert out.startswith('<p>x</p><h1>T</h1><details class="tb-cite tb-cite--chapter">')
    assert chapter_edits(scan("<p>no title</p>"), WORK) == []


def test_work_of_front_matter():
    meta = {"title": "T", "volume": "V", "chapter": 2, "breadcrumb": ["Enc", "V", "02"]}
    draft = Edition(None, "https://x.org/v/")
    work = work_of(meta, "Nav title", draft, "02-t/", "2026-01-01", "Eds")
    assert work == Work("Eds", "T", "https://x.org/v/02-t/", "2026-01-01", "02-t", "V", "Enc", 2)
    published = work_of(meta, "Nav title", Edition("2.1", "https://x.org/v/"), "02-t/", "d", "E")
    assert (published.url, published.edition, published.latest_url) == (
        "https://x.org/v/2.1/02-t/",
        "2.1",
        "https://x.org/v/latest/02-t/",
    )
    home = work_of({}, "Home", draft, "", "2026-01-01", "Eds")
    assert (home.title, home.key, home.url, home.chapter) == (
        "Home",
        "home",
        "https://x.org/v/",
        None,
    )
