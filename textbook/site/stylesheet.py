"""One project stylesheet: the site's own CSS files joined, in order, at build time.

MkDocs links each `extra_css` entry as a render-blocking `<link>`; the project's nine small files
plus KaTeX's stylesheet were ten requests a reader waited for before the first paint. Authors keep
editing the separate files under `docs/assets/css/` (and `js/cells/cells.css`); the build joins
them into `BUNDLE`, in the order the page linked them (the cascade order), with KaTeX's
stylesheet last, where its `<link>` was, so every rule wins or loses exactly as before.

Relative `url(...)` references are rewritten to resolve from the bundle's folder (KaTeX's
`url(fonts/x.woff2)` becomes `url(../katex/fonts/x.woff2)`); an `@import` or `@charset` in a
source would change meaning mid-file and is refused. The bundle's name is plain: content
hashing of asset names is a separate post-build step.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

#: Where the joined stylesheet goes in the built site.
BUNDLE = "assets/css/textbook.bundle.css"

_URL_RE = re.compile(r"url\(\s*(?P<quote>['\"]?)(?P<url>[^'\")]+)(?P=quote)\s*\)")
_ABSOLUTE_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.I)
_AT_RULE_RE = re.compile(r"@(?:import|charset)\b", re.I)
_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)


class StylesheetError(ValueError):
    """A source stylesheet that cannot be joined without changing its meaning."""


def is_local(href: str) -> bool:
    """Whether an `extra_css` entry names a file of the site (not a URL or an absolute path)."""
    return not _ABSOLUTE_RE.match(href) and href.endswith(".css")


def rebase_urls(css: str, source: str, target: str = BUNDLE) -> str:
    """`css` (the file at site path `source`) with relative `url()`s resolving from `target`."""
    source_dir = posixpath.dirname(source)
    target_dir = posixpath.dirname(target)

    def rewrite(match: re.Match) -> str:
        url = match["url"].strip()
        if _ABSOLUTE_RE.match(url) or url.startswith("data:"):
            return match[0]
        resolved = posixpath.normpath(posixpath.join(source_dir, url))
        rebased = posixpath.relpath(resolved, target_dir or ".")
        q = match["quote"]
        return f"url({q}{rebased}{q})"

    return _URL_RE.sub(rewrite, css)


def join(sources: Iterable[tuple[str, str]], target: str = BUNDLE) -> str:
    """One stylesheet from (site path, CSS text) pairs, in the given order.

    Each part starts with a comment naming its source; the output depends only on the inputs.
    """
    parts = []
    for path, css in sources:
        if _AT_RULE_RE.search(_COMMENT_RE.sub("", css)):
            raise StylesheetError(
                f"{path}: @import or @charset cannot be joined into {target}: "
                "inline the imported rules (or bundle the file first)"
            )
        parts.append(f"/* {path} */\n{rebase_urls(css, path, target).strip()}\n")
    return "".join(parts)


def _link_re(path: str) -> re.Pattern:
    return re.compile(r'[ \t]*<link rel="stylesheet" href="(?:\.\./)*' + re.escape(path) + r'">\n?')


def unlink(page_html: str, paths: Iterable[str]) -> str:
    """`page_html` without the `<link rel="stylesheet">` of each bundled site path (a hook may
    have written one into the head itself, as the math hook does for KaTeX's stylesheet)."""
    head_end = page_html.find("</head>")
    if head_end < 0:
        return page_html
    head = page_html[:head_end]
    linked = [path for path in paths if path in head]  # most pages link none of them
    if not linked:
        return page_html
    for path in linked:
        head = _link_re(path).sub("", head)
    return head + page_html[head_end:]
