"""textbook.site.previews: preview content out of the page, into a JSON file beside it."""

from __future__ import annotations

import json

import pytest

from textbook.site.previews import fragment_uri, split

PAGE = (
    '<article><p><a class="tb-xref" href="#eq-a">EQ 1</a></p>'
    '<template class="tb-xref-preview" data-for="eq-a" data-href="#eq-a">'
    '<div class="tb-preview"><span style="height:1em">a</span></div></template>\n'
    '<template class="tb-xref-preview" data-for="sec-b" data-href="../other/#sec-b">'
    "<div>B &amp; more</div></template></article>"
)


def test_fragment_next_to_the_page():
    assert fragment_uri("01-chapter/index.html") == "01-chapter/index.previews.json"
    assert fragment_uri("index.html") == "index.previews.json"
    assert fragment_uri("notes.html") == "notes.previews.json"


def test_split_empties_the_templates_and_keeps_their_content_by_anchor():
    page, fragment = split(PAGE, "01-chapter/index.html")
    assert page.count("<template") == 2 and "tb-preview" not in page
    assert (
        '<template class="tb-xref-preview" data-for="sec-b" data-href="../other/#sec-b" '
        'data-src="index.previews.json"></template>' in page
    )
    assert json.loads(fragment) == {
        "eq-a": '<div class="tb-preview"><span style="height:1em">a</span></div>',
        "sec-b": "<div>B &amp; more</div>",
    }
    assert split(PAGE, "01-chapter/index.html") == (page, fragment)  # deterministic


def test_a_page_without_previews_is_left_alone():
    assert split("<p>none</p>", "index.html") == ("<p>none</p>", None)


def test_two_previews_for_one_anchor_are_refused():
    twice = PAGE.replace('data-for="sec-b"', 'data-for="eq-a"')
    with pytest.raises(ValueError, match="two previews for the anchor 'eq-a'"):
        split(twice, "index.html")
