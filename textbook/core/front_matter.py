"""Where a Markdown page's YAML front matter is: the one definition every part of the build uses.

It is the block MkDocs itself strips before Markdown sees the page (`mkdocs.utils.meta`): a
first line `---`, at least one line of YAML, and a closing line `---` or `...`, each fence
ending in a newline. Anything else (`---` then `---`, no closing line, a closing line without a
newline at the end of the file) is page content to MkDocs, so it is not front matter here either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK_RE = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)(?:---|\.\.\.)[ \t]*\n", re.DOTALL)
_OPENING_RE = re.compile(r"\A---[ \t]*\n")


@dataclass(frozen=True)
class FrontMatter:
    yaml: str  # the text between the fences; its first line is line 2 of the file
    end: int  # offset of the page's first character after the closing fence
    lines: int  # lines the block takes, fences included


def find_front_matter(source: str) -> FrontMatter | None:
    """The front matter at the start of `source`, or None if it has none."""
    match = _BLOCK_RE.match(source)
    if match is None:
        return None
    return FrontMatter(match["yaml"], match.end(), match[0].count("\n"))


def opens_front_matter(source: str) -> bool:
    """True if `source` starts with a `---` line (front matter or not, e.g. never closed)."""
    return _OPENING_RE.match(source) is not None


def body_start(source: str) -> int:
    """Offset where the page's Markdown starts: past the front matter, or 0."""
    block = find_front_matter(source)
    return block.end if block else 0
