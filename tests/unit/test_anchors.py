"""textbook.anchors.registry: reading anchors from HTML, the registry, the published guard."""

from __future__ import annotations

import json

import pytest

from textbook.anchors import guard as anchors_guard
from textbook.anchors import registry as anchors
from textbook.anchors.guard import (
    Published,
    Redirect,
    guard,
    merged_published,
    registry_json,
)
from textbook.anchors.registry import (
    Anchor,
    Edit,
    ParsedPages,
    apply_edits,
    build_registry,
    collect,
    definition_line,
    plain_text,
    preview_fragment,
    scan,
)
from textbook.core.errors import SourceError

PAGE = """\
<h1 id="chapter-title">Chapter<a class="headerlink" href="#chapter-title">&para;</a></h1>
<h2 id="sec-1-3">1.3 Vision Transformers (ViT)<a class="headerlink" href="#sec-1-3">&para;</a></h2>
<p>First lines with <span class="arithmatex">\\(x &lt; y\\)</span> and
<a href="#eq-mm1-2">a link</a> and <span id="ref-x"></span>a reference.</p>
<p>Second paragraph.</p>
<div class="tb-equation" id="eq-mm1-2">
<div class="tb-equation__head">
<a class="tb-equation__label" href="#eq-mm1-2">EQ MM1.2</a>
<span class="tb-equation__title">Patch &amp; sequence</span></div>
<div class="tb-equation__body">
<div class="arithmatex tb-equation__math">\\[
N = \\frac{H}{P} &lt; 2
\\]</div>
<div class="tb-equation__caption"><p>Caption.</p></div>
</div>
</div>
<figure class="tb-instrument" data-instrument="x" id="instrument-mm1-2">
<div class="tb-instrument__head">
<a class="tb-instrument__label" href="#instrument-mm1-2">INSTRUMENT MM1.2</a>
<span class="tb-instrument__title">Explorer</span></div>
<figcaption class="tb-instrument__caption">
<p id="c1">Caption <a href="#sec-1-3">§1.3</a>.</p></figcaption>
</figure>
<div class="tb-quiz" data-answer="196.0" data-kind="number" id="quiz-vit-patches">
<div class="tb-quiz__question"><p>How many   patches?</p></div></div>
<div class="tb-cell" id="cell-patchify" data-title="Patchify"></div>
<figure class="tb-figure" id="fig-cost"><img src="a.svg" alt="">
<figcaption>Cost &amp; size</figcaption></figure>
<p id="eq-not-a-block">An id with a prefix on an unrelated element.</p>
<h3 id="eq-heading">A heading whose id has another kind's prefix</h3>
"""
SOURCE = """\
# Chapter { #chapter-title }

See [EQ MM1.2](#eq-mm1-2) and [§1.3](#sec-1-3).

## 1.3 Vision Transformers (ViT) { #sec-1-3 }

/// equation | Patch & sequence
    id: eq-mm1-2
    label: EQ MM1.2
///

/// quiz | quiz-vit-patches
    kind: number
///
"""


def anchor(anchor_id: str, page: str = "ch/", label: str | None = None, **kw) -> Anchor:
    kind = anchors.kind_of(anchor_id) or "section"
    return Anchor(anchor_id, kind, label, kw.pop("title", None), page, **kw)


# -- scanning -----------------------------------------------------------------------------------


def test_scan_gives_offsets_that_slice_the_source():
    html = '<p class="a">x <b>y</b><br>z &amp; w</p><img src="i"/>'
    doc = scan(html)
    assert [(e.tag, doc.outer(e)) for e in doc.elements] == [
        ("p", '<p class="a">x <b>y</b><br>z &amp; w</p>'),
        ("b", "<b>y</b>"),
        ("br", "<br>"),
        ("img", '<img src="i"/>'),
    ]
    assert doc.inner(doc.elements[0]) == "x <b>y</b><br>z &amp; w"
    texts = [(html[t.start : t.end], [doc.elements[i].tag for i in t.ancestors]) for t in doc.texts]
    assert texts == [("x ", ["p"]), ("y", ["p", "b"]), ("z ", ["p"]), (" w", ["p"])]


def test_scan_closes_unclosed_elements_at_the_end():
    doc = scan("<div><p>open")
    assert [(e.tag, e.end) for e in doc.elements] == [("div", 12), ("p", 12)]


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ("<p>a <b>b</b>\n c</p>", "a b c"),
        ("Patch &amp; sequence", "Patch & sequence"),
        ("", ""),
    ],
)
def test_plain_text(fragment, text):
    assert plain_text(fragment) == text


@pytest.mark.parametrize(
    ("fragment", "cleaned"),
    [
        ('<p id="x">a</p>', "<p>a</p>"),
        ('<a href="#s" class="k">§1.3</a>', "<span>§1.3</span>"),
        ('<div class="m" tabindex="0">x</div>', '<div class="m">x</div>'),
        ('<span class="arithmatex">\\(a\\)</span>', '<span class="arithmatex">\\(a\\)</span>'),
    ],
)
def test_preview_fragment_drops_ids_links_and_focus(fragment, cleaned):
    assert preview_fragment(fragment) == cleaned


@pytest.mark.parametrize(
    ("edits", "result"),
    [
        ([Edit(1, 2, "B")], "aBc"),
        ([Edit(3, 3, "!"), Edit(0, 0, ">")], ">abc!"),
        ([Edit(1, 1, "1"), Edit(1, 1, "2"), Edit(1, 2, "X")], "a12Xc"),
    ],
)
def test_apply_edits(edits, result):
    assert apply_edits("abc", edits) == result


def test_apply_edits_refuses_overlaps():
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])


# -- collecting a page's anchors ----------------------------------------------------------------


def test_collect_reads_every_kind_with_label_title_and_tex():
    found = collect(PAGE, "01-cv/", "docs/01-cv.md", SOURCE)
    table = [(a.id, a.kind, a.label, a.title, a.page, a.line) for a in found]
    assert table == [
        ("sec-1-3", "section", "§1.3", "Vision Transformers (ViT)", "01-cv/", 5),
        ("eq-mm1-2", "equation", "EQ MM1.2", "Patch & sequence", "01-cv/", 8),
        ("instrument-mm1-2", "instrument", "INSTRUMENT MM1.2", "Explorer", "01-cv/", None),
        ("quiz-vit-patches", "quiz", None, "How many patches?", "01-cv/", 12),
        ("cell-patchify", "cell", None, "Patchify", "01-cv/", None),
        ("fig-cost", "figure", None, "Cost & size", "01-cv/", None),
    ]
    equation = found[1]
    assert equation.tex == "N = \\frac{H}{P} < 2"
    assert equation.preview == (
        '<p class="tb-preview__head"><span class="tb-preview__label">EQ MM1.2</span> '
        '<span class="tb-preview__title">Patch &amp; sequence</span></p>'
        '<div class="arithmatex">\\[N = \\frac{H}{P} &lt; 2\\]</div>'
    )
    assert all(a.tex is None for a in found if a.kind != "equation")


def test_a_page_parsed_once_serves_only_its_own_html():
    pages = ParsedPages()
    doc = pages.scan("01-cv.md", PAGE)
    assert collect(PAGE, "01-cv/", doc=doc) == collect(PAGE, "01-cv/")
    assert pages.take("01-cv.md") is doc and pages.take("01-cv.md") is None
    assert anchors.parsed(PAGE, doc) is doc
    other = anchors.parsed(PAGE + "<p>more</p>", doc)  # changed since: parsed again
    assert other is not doc and other.html.endswith("<p>more</p>")
    assert collect("<p>x</p>", "01-cv/", doc=doc) == []


def test_parsed_pages_keep_at_most_their_budget():
    pages = ParsedPages(budget=len(PAGE) + 10)
    pages.scan("a.md", PAGE)
    pages.scan("b.md", PAGE)  # over the budget: parsed, not kept
    assert pages.take("a.md") is not None and pages.take("b.md") is None
    pages.scan("b.md", PAGE)  # a.md was taken: room again
    assert pages.take("b.md") is not None


def test_section_preview_is_its_first_paragraph_without_ids_or_links():
    section = collect(PAGE, "01-cv/")[0]
    assert section.preview.endswith(
        '<p>First lines with <span class="arithmatex">\\(x &lt; y\\)</span> and\n'
        "<span>a link</span> and <span></span>a reference.</p>"
    )
    assert "Second paragraph" not in section.preview


def test_instrument_preview_is_title_and_caption():
    instrument = collect(PAGE, "01-cv/")[2]
    assert "Explorer" in instrument.preview
    assert "<p>Caption <span>§1.3</span>.</p>" in instrument.preview
    assert 'id="' not in instrument.preview


@pytest.mark.parametrize(
    ("anchor_id", "line"),
    [("sec-1-3", 5), ("eq-mm1-2", 8), ("quiz-vit-patches", 12), ("chapter-title", 1)],
)
def test_definition_line_finds_the_defining_line_not_a_link(anchor_id, line):
    assert definition_line(SOURCE, anchor_id) == line


# -- the registry -------------------------------------------------------------------------------


def test_registry_indexes_by_id_and_label():
    registry = build_registry([anchor("eq-a", label="EQ A1.1"), anchor("sec-1-1", label="§1.1")])
    assert registry["eq-a"].label == "EQ A1.1"
    assert registry.by_label["§1.1"].id == "sec-1-1"
    assert "eq-b" not in registry
    assert registry.pages == {"ch/"}


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            anchor("eq-a", page="two/", source="docs/two.md", line=9),
            "docs/two.md:9: id 'eq-a' is already used at docs/one.md:3; citable ids must be "
            "unique across the site: choose another id",
        ),
        (
            anchor("eq-b", page="two/", label="EQ A1.1", source="docs/two.md", line=9),
            "docs/two.md:9: label 'EQ A1.1' is already the label of 'eq-a' (docs/one.md:3); "
            "labels must be unique across the site",
        ),
    ],
)
def test_registry_refuses_duplicates(second, message):
    first = anchor("eq-a", page="one/", label="EQ A1.1", source="docs/one.md", line=3)
    with pytest.raises(SourceError) as error:
        build_registry([first, second])
    assert str(error.value) == message


# -- the guard ----------------------------------------------------------------------------------

REGISTRY = build_registry(
    [
        anchor("eq-new", page="ch/"),
        anchor("sec-1-1", page="ch/"),
        anchor("eq-moved", page="other/"),
    ],
    pages=["", "ch/", "other/"],
)
PUBLISHED_TEXT = json.dumps(
    [{"id": i, "kind": "equation", "page": "ch/"} for i in ("eq-gone", "eq-old")], indent=2
)


@pytest.mark.parametrize(
    ("published", "aliases", "redirects"),
    [
        ([Published("sec-1-1", "section", "ch/")], {}, []),
        (
            [Published("eq-moved", "equation", "ch/")],
            {},
            [Redirect("eq-moved", "ch/", "eq-moved", "other/")],
        ),
        (
            [Published("eq-old", "equation", "ch/")],
            {"eq-old": "eq-new"},
            [Redirect("eq-old", "ch/", "eq-new", "ch/")],
        ),
        (
            [Published("eq-old", "equation", "")],
            {"eq-old": "eq-mid", "eq-mid": "eq-moved"},
            [
                Redirect("eq-old", "", "eq-moved", "other/"),
                Redirect("eq-mid", "other/", "eq-moved", "other/"),
            ],
        ),
        ([], {"eq-unpublished": "eq-new"}, [Redirect("eq-unpublished", "ch/", "eq-new", "ch/")]),
    ],
)
def test_guard_returns_the_redirects_old_urls_need(published, aliases, redirects):
    assert guard(REGISTRY, published, aliases) == redirects


def test_guard_names_a_lost_anchor_and_its_page():
    published = [Published("eq-old", "equation", "ch/"), Published("eq-gone", "equation", "ch/")]
    with pytest.raises(SourceError) as error:
        guard(REGISTRY, published, {"eq-old": "eq-new"}, "anchors/published.json", PUBLISHED_TEXT)
    assert str(error.value) == (
        "anchors/published.json:3: published anchor 'eq-gone' (equation on page 'ch/') is gone, "
        "so links to 'ch/#eq-gone' would break: restore the id, or add 'eq-gone: <new-id>' to "
        "anchors/aliases.yml, or withdraw it on purpose with `python -m textbook.anchors --publish`"
    )


def test_guard_refuses_an_alias_whose_old_page_is_gone():
    with pytest.raises(SourceError, match="lived on page 'deleted/', which no longer exists"):
        guard(REGISTRY, [Published("eq-old", "equation", "deleted/")], {"eq-old": "eq-new"})


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ({"eq-old": "eq-nowhere"}, "alias 'eq-old' leads to 'eq-nowhere', which is no anchor"),
        ({"eq-a": "eq-b", "eq-b": "eq-a"}, "aliases form a loop: eq-a -> eq-b -> eq-a"),
        ({"eq-new": "sec-1-1"}, "'eq-new' is an anchor of"),
    ],
)
def test_guard_refuses_broken_aliases(aliases, message):
    text = "\n".join(f"{old}: {new}" for old, new in aliases.items())
    with pytest.raises(SourceError, match=message) as error:
        guard(REGISTRY, [], aliases, aliases_path="anchors/aliases.yml", aliases_text=text)
    assert str(error.value).startswith("anchors/aliases.yml:1: ")


# -- files --------------------------------------------------------------------------------------


def test_load_published_and_aliases(tmp_path):
    published = tmp_path / "published.json"
    published.write_text(PUBLISHED_TEXT)
    entries, text = anchors_guard.load_published(published)
    assert entries == [
        Published("eq-gone", "equation", "ch/"),
        Published("eq-old", "equation", "ch/"),
    ]
    assert text == PUBLISHED_TEXT
    aliases = tmp_path / "aliases.yml"
    aliases.write_text("# comment only\n")
    assert anchors_guard.load_aliases(aliases) == ({}, "# comment only\n")
    aliases.write_text("eq-a: eq-b\n")
    assert anchors_guard.load_aliases(aliases)[0] == {"eq-a": "eq-b"}
    assert anchors_guard.load_published(tmp_path / "missing.json") == ([], "")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("published.json", '[\n  {"id": "a",\n', r"published.json:3: not valid JSON"),
        ("published.json", '{"id": "a"}', "must be a JSON list"),
        ("published.json", '[{"id": "a"}]', "needs 'id', 'kind' and 'page'"),
        ("aliases.yml", "eq-a: [x\n", "aliases.yml:2: not valid YAML"),
        ("aliases.yml", "- eq-a\n", "must be a mapping"),
        ("aliases.yml", "eq-a: Not An Id\n", "'Not An Id' is not an anchor id"),
    ],
)
def test_bad_files_are_errors_with_lines(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    load = anchors_guard.load_published if name.endswith(".json") else anchors_guard.load_aliases
    with pytest.raises(SourceError, match=message):
        load(path)


def test_registry_json_is_sorted_and_complete():
    registry = build_registry(
        [
            anchor("sec-1-1", label="§1.1", title="Intro"),
            anchor("eq-b", label="EQ B", title="B", tex="b^2"),
        ]
    )
    text = registry_json(
        registry, [Redirect("eq-a", "ch/", "eq-b", "ch/")], "https://x.org/v/", {"ch/": "Ch"}
    )
    data = json.loads(text)
    assert data["edition"] is None  # a draft build
    assert [a["id"] for a in data["anchors"]] == ["eq-b", "sec-1-1"]
    assert data["anchors"][0] == {
        "id": "eq-b",
        "kind": "equation",
        "label": "EQ B",
        "page": "ch/",
        "page_title": "Ch",
        "tex": "b^2",
        "title": "B",
        "url": "https://x.org/v/ch/#eq-b",
    }
    assert "tex" not in data["anchors"][1]
    assert data["aliases"] == [
        {
            "id": "eq-a",
            "page": "ch/",
            "target": "eq-b",
            "target_url": "https://x.org/v/ch/#eq-b",
            "url": "https://x.org/v/ch/#eq-a",
        }
    ]
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_registry_json_records_the_edition():
    registry = build_registry([anchor("eq-b", label="EQ B", title="B", tex="b^2")])
    data = json.loads(registry_json(registry, [], "https://x.org/v/1.0", {}, "1.0"))
    assert data["edition"] == "1.0"
    assert data["site_url"] == "https://x.org/v/1.0"
    assert data["anchors"][0]["url"] == "https://x.org/v/1.0/ch/#eq-b"


def test_merged_published_adds_keeps_redirected_and_withdraws_lost():
    current = [
        {"id": "eq-new", "kind": "equation", "page": "ch/"},
        {"id": "eq-moved", "kind": "equation", "page": "other/"},
        {"id": "sec-1-1", "kind": "section", "page": "ch/"},
    ]
    previous = [
        Published("sec-1-1", "section", "ch/"),
        Published("eq-moved", "equation", "ch/"),
        Published("eq-renamed", "equation", "ch/"),
        Published("eq-dropped", "equation", "ch/"),
    ]
    merged, added, withdrawn = merged_published(current, previous, {"eq-renamed": "eq-new"})
    assert [(p.id, p.page) for p in merged] == [
        ("eq-moved", "ch/"),
        ("eq-new", "ch/"),
        ("eq-renamed", "ch/"),
        ("sec-1-1", "ch/"),
    ]
    assert [p.id for p in added] == ["eq-new"]
    assert [p.id for p in withdrawn] == ["eq-dropped"]


def test_publish_from_a_built_site(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    records = [{"id": "eq-a", "kind": "equation", "page": "ch/", "label": "EQ A"}]
    (site / "anchors.json").write_text(json.dumps({"anchors": records}))
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    code = anchors_guard.main(
        ["--publish", "-f", str(tmp_path / "mkdocs.yml"), "--site-dir", str(site)]
    )
    assert code == 0
    assert "added: eq-a (ch/)" in capsys.readouterr().out
    written = (tmp_path / "anchors" / "published.json").read_text()
    assert json.loads(written) == [{"id": "eq-a", "kind": "equation", "page": "ch/"}]


def test_main_without_publish_shows_help(capsys):
    assert anchors_guard.main([]) == 2
    assert "--publish" in capsys.readouterr().out
