"""textbook.anchors.placeholder_refs: unfilled cross-references ("EQ 2.x") fail with file:line."""

from __future__ import annotations

import pytest

from textbook.anchors.placeholder_refs import check, find_placeholders
from textbook.core.errors import SourceError


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the residual stream (Vol II · EQ 2.x).", ["EQ 2.x"]),
        ("as §x.y shows", ["§x.y"]),
        ("in §1.x and §?", ["§1.x", "§?"]),
        ("see EQ MM1.x.", ["EQ MM1.x"]),
        ("EQ MMx.2 or INSTRUMENT MM1.?", ["EQ MMx.2", "INSTRUMENT MM1.?"]),
        ("Fig. ? and Figure X", ["Fig. ?", "Figure X"]),
        ("Table n, Chapter TBD, Section …", ["Table n", "Chapter TBD", "Section …"]),
        ("Eq\u00a02.TODO", ["Eq\u00a02.TODO"]),
    ],
)
def test_placeholders_are_found(text, found):
    assert [t for _, t in find_placeholders(text)] == found


@pytest.mark.parametrize(
    "text",
    [
        "EQ MM1.2, INSTRUMENT MM1.1, §1.3 and §1.R",
        "Deep Learning · Ch 02 (Vol II); Vol II · Ch 02–03",
        "Table 1, Figure 3, Chapter 2, Section 4.1, Table IX",
        "Figure out the exit; a Table next to the door",
        "`EQ 2.x` is code, and so is\n```\nsee §x.y\n```\n",
        "an x-axis, 2.x releases, mix §",
    ],
)
def test_real_references_and_code_are_left_alone(text):
    assert find_placeholders(text) == []


def test_check_names_file_and_line_counted_from_the_first_line_of_the_body():
    body = "intro\n\nmore text\nTransformers included (Vol II · EQ 2.x). Then §x.y.\n"
    with pytest.raises(SourceError) as caught:
        check(body, "docs/ch.md", first_line=13)
    assert str(caught.value) == (
        "docs/ch.md:16: placeholder cross-reference 'EQ 2.x': write a label the site defines "
        "(such as EQ MM1.2 or §1.3), cite another volume in words (such as 'Vol II · Ch 02'), "
        "or remove it"
    )


def test_check_passes_a_clean_page():
    check("EQ MM1.2 and §1.3 (Vol II · Ch 02).\n", "docs/ch.md")
