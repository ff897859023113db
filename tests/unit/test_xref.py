"""textbook.anchors.xref: printed labels become links; links to anchors get previews; aliases."""

from __future__ import annotations

import pytest

from textbook.anchors.cite import Work
from textbook.anchors.guard import Redirect
from textbook.anchors.registry import Anchor, apply_edits, build_registry, scan
from textbook.anchors.xref import (
    alias_markup,
    decorate_page,
    equations_page,
    labels_in,
    link_references,
    preview_templates,
    relative_href,
    resolve_href,
)
from textbook.core.errors import SourceError

REGISTRY = build_registry(
    [
        Anchor("eq-mm1-2", "equation", "EQ MM1.2", "Patch", "ch/", "N=1", preview="<p>EQ</p>"),
        Anchor("eq-mm1-4", "equation", "EQ MM1.4", "Cosine", "two/", "s", preview="<p>EQ4</p>"),
        Anchor("sec-1-3", "section", "§1.3", "ViT", "ch/", preview="<p>ViT</p>"),
        Anchor("sec-1-r", "section", "§1.R", "References", "ch/", preview="<p>R</p>"),
        Anchor(
            "instrument-mm1-1", "instrument", "INSTRUMENT MM1.1", "RF", "ch/", preview="<p>I</p>"
        ),
        Anchor("quiz-a", "quiz", None, "Q?", "ch/"),
    ]
)
SOURCE = "line 1\nline 2 mentions EQ MM1.9 here\nline 3\n"


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("see EQ MM1.2.", ["EQ MM1.2"]),
        ("EQ MM1.2, EQ MM1.4 and INSTRUMENT MM1.1", ["EQ MM1.2", "EQ MM1.4", "INSTRUMENT MM1.1"]),
        ("in §1.3; §1.R lists", ["§1.3", "§1.R"]),
        ("EQ\u00a0MM1.2", ["EQ MM1.2"]),
        ("EQ MM1.20 is another", ["EQ MM1.20"]),
        ("(Vol II · EQ 2.x)", []),
        ("EQ mm1.2, EQMM1.2, XEQ MM1.2", []),
        ("§1.Rx and a§1.3 and §1", []),
        ("EQ MM1.2.3", []),
    ],
)
def test_labels_in(text, labels):
    assert [label for _, _, label in labels_in(text)] == labels


@pytest.mark.parametrize(
    ("from_page", "to_page", "href"),
    [
        ("ch/", "ch/", "#a"),
        ("ch/", "two/", "../two/#a"),
        ("", "ch/", "ch/#a"),
        ("ch/", "", "../#a"),
        ("vol/ch/", "two/", "../../two/#a"),
        ("index.html", "ch.html", "ch.html#a"),
    ],
)
def test_relative_href(from_page, to_page, href):
    assert relative_href(from_page, to_page, "a") == href


@pytest.mark.parametrize(
    ("page", "href", "target"),
    [
        ("ch/", "#eq-a", ("ch/", "eq-a")),
        ("ch/", "../two/#eq-b", ("two/", "eq-b")),
        ("ch/", "../#top", ("", "top")),
        ("", "ch/index.html#x", ("ch/", "x")),
        ("ch/", "../two/", None),
        ("ch/", "https://example.org/#eq-a", None),
        ("ch/", "//example.org/#eq-a", None),
    ],
)
def test_resolve_href(page, href, target):
    assert resolve_href(page, href) == target


def linked(html: str, page: str = "ch/") -> tuple[str, set[str]]:
    doc = scan(html)
    edits, referenced = link_references(doc, page, REGISTRY, "docs/ch.md", SOURCE)
    return apply_edits(html, edits), referenced


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>By EQ MM1.2.</p>", '<p>By <a class="tb-xref" href="#eq-mm1-2">EQ MM1.2</a>.</p>'),
        ("<p>§1.3</p>", '<p><a class="tb-xref" href="#sec-1-3">§1.3</a></p>'),
        ("<p>EQ MM1.4</p>", '<p><a class="tb-xref" href="../two/#eq-mm1-4">EQ MM1.4</a></p>'),
        (
            "<li><em>INSTRUMENT MM1.1</em></li>",
            '<li><em><a class="tb-xref" href="#instrument-mm1-1">INSTRUMENT MM1.1</a></em></li>',
        ),
    ],
)
def test_labels_in_prose_become_links(html, expected):
    assert linked(html)[0] == expected


@pytest.mark.parametrize(
    "html",
    [
        '<h2 id="sec-x">EQ MM1.2 in a heading</h2>',
        "<p><code>EQ MM1.9</code></p>",
        "<pre>EQ MM1.9</pre>",
        '<p><a href="https://x.org/">EQ MM1.9 in text of an outside link</a></p>',
        '<p><span class="arithmatex">\\(EQ MM1.9\\)</span></p>',
        '<p><span class="tb-noxref">EQ MM1.9</span></p>',
        '<div class="tb-equation" id="eq-mm1-2"><p>EQ MM1.2 names its own block</p></div>',
        "<template><p>EQ MM1.9</p></template>",
        "<script>var s = 'EQ MM1.9';</script>",
    ],
)
def test_labels_are_left_alone_where_links_do_not_belong(html):
    assert linked(html) == (html, set())


def test_unknown_label_fails_with_file_and_line():
    with pytest.raises(SourceError) as error:
        linked("<p>x</p><p>see EQ MM1.9</p>")
    assert str(error.value) == (
        "docs/ch.md:2: cross-reference 'EQ MM1.9' names no equation of the site "
        "(known: EQ MM1.2, EQ MM1.4); fix the label, or wrap text that must stay plain in "
        '<span class="tb-noxref">'
    )


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ('<p><a href="#sec-1-3">EQ MM1.2</a></p>', "the link 'EQ MM1.2' goes to '#sec-1-3'"),
        ('<p><a href="#eq-mm1-2">§1.9</a></p>', "cross-reference '§1.9' names no section"),
    ],
)
def test_links_whose_text_is_a_label_must_point_at_it(html, message):
    with pytest.raises(SourceError, match=message):
        linked(html)


def test_hand_written_links_to_anchors_are_referenced_but_not_self_links():
    html = (
        '<p><a href="#sec-1-3">§1.3</a> <a href="#quiz-a">the quiz</a> <a href="#nowhere">x</a>'
        ' <a href="../two/#eq-mm1-4">there</a> <a href="#eq-mm1-4">wrong page</a></p>'
        '<h2 id="sec-1-r">R<a class="headerlink" href="#sec-1-r">¶</a></h2>'
        '<div class="tb-equation" id="eq-mm1-2"><a href="#eq-mm1-2">EQ MM1.2</a></div>'
    )
    assert linked(html) == (html, {"sec-1-3", "quiz-a", "eq-mm1-4"})


def test_preview_templates_sorted_and_skipping_anchors_without_preview():
    html = preview_templates({"sec-1-3", "quiz-a", "eq-mm1-4"}, REGISTRY, "ch/")
    assert html == (
        '<template class="tb-xref-preview" data-for="eq-mm1-4" data-href="../two/#eq-mm1-4">'
        '<div class="tb-preview tb-preview--equation"><p>EQ4</p></div></template>\n'
        '<template class="tb-xref-preview" data-for="sec-1-3" data-href="#sec-1-3">'
        '<div class="tb-preview tb-preview--section"><p>ViT</p></div></template>'
    )


def test_alias_markup_same_page_before_target_and_cross_page_at_the_end():
    html = '<p>x</p><div class="tb-equation" id="eq-mm1-2"></div>'
    redirects = [
        Redirect("eq-old", "ch/", "eq-mm1-2", "ch/"),
        Redirect("eq-away", "ch/", "eq-mm1-4", "two/"),
        Redirect("eq-elsewhere", "other/", "eq-mm1-2", "ch/"),
    ]
    edits, tail, ids = alias_markup(scan(html), "ch/", redirects)
    assert apply_edits(html, edits) == (
        '<p>x</p><span class="tb-alias" id="eq-old" data-tb-alias="#eq-mm1-2"></span>'
        '<div class="tb-equation" id="eq-mm1-2"></div>'
    )
    assert tail == '<span class="tb-alias" id="eq-away" data-tb-alias="../two/#eq-mm1-4"></span>'
    assert ids == ["eq-away", "eq-old"]


def test_equations_page_lists_label_title_page_and_math():
    equations = [REGISTRY["eq-mm1-2"], REGISTRY["eq-mm1-4"]]
    html = equations_page(equations, "equations/", {"ch/": "Chapter & one"})
    assert html.count('<li class="tb-eqlist__item">') == 2
    assert (
        '<a class="tb-eqlist__label" href="../ch/#eq-mm1-2">EQ MM1.2</a> '
        '<span class="tb-eqlist__title">Patch</span> '
        '<span class="tb-eqlist__page">Chapter &amp; one</span>'
    ) in html
    assert '<span class="tb-eqlist__page">two/</span>' in html
    assert '<div class="arithmatex">\\[N=1\\]</div>' in html


def test_decorate_page_puts_everything_in_place():
    work = Work("Eds", "Chapter", "https://x.org/ch/", "2026-01-02", "ch", "Vol", "Enc", 1)
    html = (
        '<h1 id="t">Chapter</h1><dl class="tb-chapter-meta"></dl><p>See §1.3.</p>'
        '<div class="tb-equation" id="eq-mm1-2"><div class="tb-equation__body"></div></div>'
        '<div class="tb-quiz" data-kind="truefalse" id="quiz-a">'
        '<div class="tb-quiz__question"><p>Q?</p></div><details></details></div>'
    )
    redirects = [Redirect("eq-old", "ch/", "eq-mm1-2", "ch/")]
    out, ids = decorate_page(html, "ch/", REGISTRY, redirects, work, "docs/ch.md", "")
    assert ids == ["eq-old"]
    order = [
        "tb-chapter-meta",
        "Cite this chapter",
        '<a class="tb-xref" href="#sec-1-3">§1.3</a>',
        '<span class="tb-alias" id="eq-old"',
        'id="eq-mm1-2"',
        'class="tb-cite-bar"',
        'class="tb-quiz__form"',
        "<details></details>",
        'data-for="sec-1-3"',
        'class="tb-live"',
    ]
    positions = [out.index(needle) for needle in order]
    assert positions == sorted(positions)
