"""The one definition of front matter agrees with the block MkDocs strips from a page."""

from __future__ import annotations

import pytest
from mkdocs.utils import meta

from textbook.chapter.meta import split_front_matter
from textbook.core.errors import SourceError
from textbook.core.front_matter import body_start, find_front_matter, opens_front_matter

CASES = [
    # (source, offset where the page's Markdown starts)
    ("# T\n", 0),
    ("---\na: 1\n---\n# T\n", 13),
    ("---\na: 1\n...\n# T\n", 13),
    ("--- \t\na: 1\n---  \n# T\n", 17),
    ("---\na: 1\n---", 0),  # no newline after the closing fence: content to MkDocs
    ("--- \n---\n", 0),  # no YAML line between the fences: a rule, not front matter
    ("---\na: 1\n", 0),  # never closed
    ("text\n---\na: 1\n---\n", 0),  # not at the start
    ("---\na: |\n  x\n---\nb: 2\n---\n# T\n", 17),  # the first closing fence ends it
]


@pytest.mark.parametrize(("source", "start"), CASES)
def test_body_start(source, start):
    assert body_start(source) == start


@pytest.mark.parametrize(("source", "start"), CASES)
def test_agrees_with_what_mkdocs_strips(source, start):
    """Contract with mkdocs.utils.meta: a MkDocs upgrade that strips differently fails here.

    (MkDocs strips a block only when its YAML is a mapping; for the others our build stops
    with an error first, see test_split_front_matter_uses_the_same_block.)"""
    markdown, _ = meta.get_data(source)
    assert len(source) - len(markdown) == start


def test_a_block_of_empty_yaml_is_front_matter_with_no_keys():
    assert body_start("---\n\n---\n# T\n") == 9
    assert split_front_matter("---\n\n---\n# T\n", "p.md") == ({}, 3)


def test_find_front_matter_gives_the_yaml_and_its_lines():
    block = find_front_matter("---\ntitle: T\nchapter: 1\n---\n# T\n")
    assert block is not None
    assert (block.yaml, block.lines, block.end) == ("title: T\nchapter: 1\n", 4, 28)
    assert find_front_matter("# T\n---\n") is None


def test_opens_front_matter_also_when_it_is_never_closed():
    assert opens_front_matter("---\na: 1\n")
    assert opens_front_matter("---  \n")
    assert not opens_front_matter("----\n")
    assert not opens_front_matter("# T\n---\n")


def test_split_front_matter_uses_the_same_block():
    assert split_front_matter("---\na: 1\n---\n# T\n", "p.md") == ({"a": 1}, 3)
    assert split_front_matter("# T\n---\n", "p.md") == ({}, 0)
    with pytest.raises(SourceError, match="p.md:2: front matter must be a mapping"):
        split_front_matter("---\n- a\n---\n", "p.md")
    with pytest.raises(SourceError, match="p.md:1: front matter starts with '---' but is never"):
        split_front_matter("---\na: 1\n---", "p.md")
