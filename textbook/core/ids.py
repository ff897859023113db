"""Element ids of a built page: every id must be unique, since citations point at them."""

from __future__ import annotations

import re
from collections import Counter

ID_ATTR_RE = re.compile(r"""<[a-zA-Z][^<>]*?\sid=(["'])(?P<id>[^"']+)\1""")
# KaTeX's MathML and SVG can hold no ids of ours; comments and scripts are not elements.
SKIP_RE = re.compile(r"<!--.*?-->|<script\b.*?</script>", re.DOTALL)


def element_ids(html: str) -> list[str]:
    """What `ID_ATTR_RE.finditer` finds outside comments and scripts, found faster.

    `finditer` tries the pattern at each `<` after the last match; only a `<` whose tag has
    `id=` before its `>` can match, so only those are tried: the many tags without an id (a
    site's navigation, on every page) are skipped."""
    text = SKIP_RE.sub("", html)
    found, tried, end = [], -1, 0  # end: where the last match ended (an id may hold a "<")
    position = text.find("id=")
    while position >= 0:
        start = text.rfind("<", 0, position)
        if start > tried and start >= end and text.find(">", start, position) < 0:
            tried = start
            if match := ID_ATTR_RE.match(text, start):
                found.append(match.group("id"))
                end = match.end()
        position = text.find("id=", position + 3)
    return found


def duplicate_ids(html: str) -> list[str]:
    """Ids that occur more than once in `html`, in order of first occurrence."""
    counts = Counter(element_ids(html))
    return [anchor for anchor, n in counts.items() if n > 1]


def definition_lines(source: str, anchor: str) -> list[int]:
    """Lines of a Markdown `source` that give an element the id `anchor`: an attribute list
    (`{ #anchor }`), a block option (`id: anchor`) or raw HTML (`id="anchor"`); links to it
    (`(#anchor)`) do not count."""
    name = re.escape(anchor)
    attr_list = rf"\{{[^}}\n]*#{name}(?![\w-])[^}}\n]*\}}"
    option = rf"^[ \t]*id:[ \t]*{name}[ \t]*$"
    html = rf"\sid=([\"']){name}\1"
    pattern = re.compile(f"{attr_list}|{option}|{html}", re.M)
    return [source.count("\n", 0, m.start()) + 1 for m in pattern.finditer(source)]
