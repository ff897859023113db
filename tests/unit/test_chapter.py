import pytest

from textbook.chapter.meta import chapter_meta, decorate, headings_without_id, split_front_matter
from textbook.core.errors import SourceError

FRONT = """\
---
title: T
chapter: 1
chapter_count: 6
volume: Vol
breadcrumb: [Enc, Vol, "01 · T"]
level: Core
builds_on: [DL 02]
instruments: [instrument-a]
next: {number: 2, title: Next one, summary: "What comes next."}
---
# T { #t }
"""


def test_front_matter_and_header():
    data, lines = split_front_matter(FRONT, "docs/t.md")
    assert lines == 11
    meta = chapter_meta(data, "docs/t.md", FRONT)
    html = '<h1 id="t">T</h1><p>lede</p><h2 id="sec-1-r">Refs</h2>'
    out = decorate(html, meta, 7, {"instrument-a": "Alpha"}, "../")
    assert "Chapter 01 / 06" in out
    assert '<a href="../">Vol</a>' in out
    assert 'data-minutes="7">≈ 7 min' in out
    assert '<a href="#instrument-a">Alpha</a>' in out
    assert out.index("tb-breadcrumb") < out.index("<h1") < out.index("tb-chapter-meta")
    assert out.index("Next one") < out.index('id="sec-1-r"')


def test_malformed_front_matter_names_its_line():
    bad = "---\ntitle: T\nchapter: [1\n---\nbody\n"
    with pytest.raises(SourceError) as caught:
        split_front_matter(bad, "docs/t.md")
    assert str(caught.value).startswith("docs/t.md:")
    assert "malformed front matter" in str(caught.value)
    assert caught.value.line in (3, 4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("chapter: 1", "chapter: one"), "'chapter' must be a whole number, not 'one'"),
        (("level: Core\n", "level: Core\ncolour: red\n"), "unknown front matter key 'colour'"),
        (("next: {number: 2, title: Next one, ", "next: {number: 2, "), "'next' lacks 'title'"),
    ],
)
def test_chapter_schema(change, message):
    text = FRONT.replace(*change)
    data, _ = split_front_matter(text, "docs/t.md")
    with pytest.raises(SourceError, match=message):
        chapter_meta(data, "docs/t.md", text)


def test_pages_without_chapter_key_are_not_chapters():
    assert chapter_meta({"title": "Home"}, "docs/index.md", "") is None


def test_headings_need_explicit_ids():
    md = "# A { #a }\n\n## B\n\n```\n# not a heading\n```\n### C {: #c .x }\n"
    assert headings_without_id(md, first_line=10) == [12]
