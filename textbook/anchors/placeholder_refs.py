"""Placeholder cross-references: "EQ 2.x", "§x.y", "Fig. ?" left in the prose fail the build.

A draft often holds a reference whose number was never filled in. `textbook.anchors.xref` only sees
labels of the site's own form ("EQ MM1.2", "§1.3"), so such a placeholder would pass silently
and be published. `find_placeholders` finds them in a page's Markdown (outside code) and
`check` turns the first into an error naming file and line. A reference to another volume is
written as words the reader can look up, such as "Vol II · Ch 02", with no invented number.
"""

from __future__ import annotations

import re

from textbook.core.errors import SourceError, line_of

# A reference word, then a dotted number whose parts may be placeholders.
CANDIDATE_RE = re.compile(
    r"(?<![\w§])(?:(?:EQ|Eq\.?|INSTRUMENT|Figure|FIG\.?|Fig\.?|Table|Chapter|Ch\.?|Section|Sec\.)"
    r"[ \u00a0]+|§[ \u00a0]*)"
    r"(?P<number>[A-Za-z0-9?…]+(?:\.[A-Za-z0-9?…]+)*)"
)
# What stands in for a number not yet known: x, y, n, X, XX, ?, ??, …, TBD, TODO, MMx.
PLACEHOLDER_PART_RE = re.compile(r"[xyn]|x+|X+|\?+|…+|TBD|TODO|[A-Z]{1,4}(?:x+|\?+)")
# Fenced code and inline code are shown as written.
FENCE_RE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE_RE = re.compile(r"(`+)[^`\n]+?\1")


def _blank(match: re.Match) -> str:
    # Keep newlines so offsets still give the right line numbers.
    return re.sub(r"[^\n]", " ", match.group(0))


def find_placeholders(markdown: str) -> list[tuple[int, str]]:
    """(offset, text) of every placeholder cross-reference in `markdown`, outside code."""
    visible = INLINE_CODE_RE.sub(_blank, FENCE_RE.sub(_blank, markdown))
    found = []
    for match in CANDIDATE_RE.finditer(visible):
        parts = match.group("number").split(".")
        if any(PLACEHOLDER_PART_RE.fullmatch(part) for part in parts):
            found.append((match.start(), match.group(0)))
    return found


def check(markdown: str, path: str, first_line: int = 1) -> None:
    """Raise a SourceError at the first placeholder cross-reference of `markdown`.

    `first_line` is the line of the file where `markdown` starts (after front matter).
    """
    found = find_placeholders(markdown)
    if not found:
        return
    offset, text = found[0]
    raise SourceError(
        path,
        line_of(markdown, offset) + first_line - 1,
        f"placeholder cross-reference '{text}': write a label the site defines (such as "
        "EQ MM1.2 or §1.3), cite another volume in words (such as 'Vol II · Ch 02'), "
        "or remove it",
    )
