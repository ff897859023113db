"""Errors that point an author at the exact place in a source file."""

from __future__ import annotations

import re


class SourceError(Exception):
    """A problem in an author's file: formats as `path:line: message`."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


def line_of(text: str, offset: int) -> int:
    """1-based line number of character `offset` in `text`."""
    return text.count("\n", 0, offset) + 1


def find_line(text: str, needle: str) -> int | None:
    """1-based line of the first occurrence of `needle` in `text`, or None."""
    offset = text.find(needle)
    return None if offset < 0 else line_of(text, offset)


def find_name_line(markdown: str, name: str) -> int | None:
    """1-based line of a block option ``name: <name>`` in a page's Markdown source, or None
    (where a ``/// figure`` or ``/// instrument`` block names its module)."""
    pattern = re.compile(rf"^[ \t]*name:[ \t]*[\"']?{re.escape(name)}[\"']?[ \t]*$", re.MULTILINE)
    match = pattern.search(markdown)
    return line_of(markdown, match.start()) if match else None


def unknown_module(kind: str, name: str, known, note: str = "") -> str:
    """The message for a page naming a figure module ``name`` that does not exist."""
    listed = ", ".join(sorted(known)) or "none"
    return (
        f"unknown {kind} {name!r}: add figures_src/figures/{name}.py{note} or use one of: {listed}"
    )
