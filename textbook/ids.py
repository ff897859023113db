"""Element ids of a built page: every id must be unique, since citations point at them."""

from __future__ import annotations

import re
from collections import Counter

ID_ATTR_RE = re.compile(r"""<[a-zA-Z][^<>]*?\sid=(["'])(?P<id>[^"']+)\1""")
# KaTeX's MathML and SVG can hold no ids of ours; comments and scripts are not elements.
SKIP_RE = re.compile(r"<!--.*?-->|<script\b.*?</script>", re.DOTALL)


def element_ids(html: str) -> list[str]:
    return [m.group("id") for m in ID_ATTR_RE.finditer(SKIP_RE.sub("", html))]


def duplicate_ids(html: str) -> list[str]:
    """Ids that occur more than once in `html`, in order of first occurrence."""
    counts = Counter(element_ids(html))
    return [anchor for anchor, n in counts.items() if n > 1]
