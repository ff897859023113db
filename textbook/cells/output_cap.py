"""How much of a cell's build-time output a page shows: at most `limit` bytes (UTF-8).

A cell that prints megabytes would otherwise put all of it on the page and in the companion
notebook. The page keeps the first `limit` bytes (cut after the last whole line that fits, if
one does) and says how much it left out; the search index never holds cell output at all (the
widget marks it `data-search-exclude`, which Material's search plugin skips).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

DEFAULT_LIMIT = 20_000  # bytes; the default of the plugin option cell_output_limit
SEARCH_EXCLUDE = 'data-search-exclude="cell-output"'  # the search plugin drops it from the page
Outputs = tuple[tuple[str, str], ...]


def size(outputs: Sequence[tuple[str, str]]) -> int:
    return sum(len(text.encode("utf-8")) for _, text in outputs)


def cap(outputs: Sequence[tuple[str, str]], limit: int) -> tuple[Outputs, int]:
    """(the chunks to show, how many bytes are left out) for at most `limit` bytes shown."""
    kept: list[tuple[str, str]] = []
    room = limit
    for stream, text in outputs:
        data = text.encode("utf-8")
        if len(data) <= room:
            kept.append((stream, text))
            room -= len(data)
            continue
        part = data[:room].decode("utf-8", errors="ignore")  # never half a character
        if "\n" in part:
            part = part[: part.rindex("\n") + 1]
        if part:
            kept.append((stream, part))
        break
    return tuple(kept), size(outputs) - size(kept)


def marker_text(hidden: int) -> str:
    return f"… output truncated: {hidden:,} bytes not shown"


def marker_html(shown: Sequence[tuple[str, str]], hidden: int) -> str:
    """The note after a shortened output, styled as the front end's own truncation note
    (nothing if nothing was left out)."""
    if not hidden:
        return ""
    start = "" if not shown or shown[-1][1].endswith("\n") else "\n"
    return f'<span class="tb-cell__note">{start}{html.escape(marker_text(hidden))}\n</span>'


def for_notebook(outputs: Sequence[tuple[str, str]], limit: int) -> Outputs:
    """The chunks for the companion notebook: the same cap, the note as a last stdout line."""
    shown, hidden = cap(outputs, limit)
    if not hidden:
        return shown
    end = "" if not shown or shown[-1][1].endswith("\n") else "\n"
    return (*shown, ("stdout", f"{end}{marker_text(hidden)}\n"))
