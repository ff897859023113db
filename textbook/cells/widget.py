"""The page widget of a runnable cell: highlighted code, build-time output, hidden controls.

It reads completely without JavaScript: the code highlighted by Pygments in a ``<pre>``, the
build-time output underneath (capped, see ``output_cap``); ``js/cells/`` turns it into an
editor with Run / Stop / Reset.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from pathlib import Path

from textbook.cells import output_cap
from textbook.cells.run import CellRef, CellResult
from textbook.core.cache import Cache, digest, opened

HIGHLIGHT_FORMAT = 1  # bump when highlight_python's output changes for the same code


def highlight_python(code: str, cache_dir: Path | None = None) -> str:
    """Pygments HTML spans for ``code`` (Material styles them in both palettes).

    The text content of the result is exactly ``code``: the front end reads the original code
    back from it for Reset. With ``cache_dir``, results are kept there by the digest of code,
    Pygments version and format (preparing Pygments' Python lexer takes ~30 ms per build).
    """
    if cache_dir is None:
        return _highlight_python(code)
    import pygments

    cache = opened(cache_dir, ".html", what="highlighted code cache entry")
    key = digest(str(HIGHLIGHT_FORMAT), pygments.__version__, code)
    cached = cache.get_bytes(key)
    if cached is not None:
        try:
            if _text_of(text := cached.decode("utf-8")) == code:  # never serve other code
                return text
        except UnicodeDecodeError:
            pass
        cache.discard(key)
    out = _highlight_python(code)
    cache.put_bytes(key, out.encode())
    return out


def _text_of(spans: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", spans))


def _highlight_python(code: str) -> str:
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    lexer = PythonLexer(stripnl=False, ensurenl=False)
    out = highlight(code, lexer, HtmlFormatter(nowrap=True))
    if not code.endswith("\n") and out.endswith(("\n", "\n</span>")):
        cut = out.rfind("\n")  # Pygments ends the last token with a newline of its own
        out = out[:cut] + out[cut + 1 :]
    return out


def render_output(outputs: Sequence[tuple[str, str]]) -> str:
    parts = []
    for stream, text in outputs:
        escaped = html.escape(text, quote=False)
        parts.append(
            escaped if stream == "stdout" else f'<span class="tb-cell__stderr">{escaped}</span>'
        )
    return "".join(parts)


def render_widget(
    ref: CellRef,
    result: CellResult,
    *,
    links: Sequence[tuple[str, str, bool]] = (),
    highlight_cache: Path | Cache | None = None,
    output_limit: int = output_cap.DEFAULT_LIMIT,
) -> str:
    """The HTML replacing a placeholder: code, build-time output, (hidden) controls.

    ``links`` are (label, href, download) shown in the cell's header, e.g. the notebook. The
    output shows at most ``output_limit`` bytes and stays out of the search index.
    """
    shown, hidden = output_cap.cap(result.outputs, output_limit)
    esc = html.escape
    digest = hashlib.sha256(result.code.encode()).hexdigest()[:16]
    anchors = "".join(
        f'<a class="tb-cell__link" href="{esc(href)}"{" download" if download else ""}>'
        f"{esc(label)}</a>"
        for label, href, download in links
    )
    notebook = f'<span class="tb-cell__links">{anchors}</span>' if anchors else ""
    empty = "" if result.outputs else " tb-cell__stream--empty"
    return (
        f'<div class="tb-cell" id="{esc(ref.id)}" data-source="{esc(ref.source)}"'
        f' data-title="{esc(ref.title)}" data-code-hash="{digest}">'
        '<div class="tb-cell__head">'
        '<span class="tb-cell__kicker">Python · runnable in the browser</span>'
        f'<span class="tb-cell__title">{esc(ref.title)}</span>'
        '<span class="tb-cell__edited" hidden>edited</span>'
        f"{notebook}</div>"
        f'<div class="tb-cell__code highlight"><pre><code class="language-python">'
        f"{highlight_python(result.code, highlight_cache)}</code></pre></div>"
        '<div class="tb-cell__toolbar" hidden>'
        '<button type="button" class="tb-cell__button tb-cell__run" data-action="run"'
        ' aria-keyshortcuts="Shift+Enter" title="Run (Shift+Enter)">Run</button>'
        '<button type="button" class="tb-cell__button tb-cell__stop" data-action="stop"'
        " disabled>Stop</button>"
        '<button type="button" class="tb-cell__button tb-cell__reset" data-action="reset"'
        ' title="Restore the original code and output">Reset</button>'
        '<span class="tb-cell__status" role="status"></span>'
        "</div>"
        f'<div class="tb-cell__output" aria-live="polite" {output_cap.SEARCH_EXCLUDE}>'
        '<p class="tb-cell__label">Output <span class="tb-cell__origin">· from the site build'
        "</span></p>"
        f'<pre class="tb-cell__stream{empty}"><samp>{render_output(shown)}'
        f"{output_cap.marker_html(shown, hidden)}</samp></pre>"
        "</div></div>"
    )
