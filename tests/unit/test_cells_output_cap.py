"""A cell's build-time output on the page is capped (textbook.cells.output_cap)."""

from __future__ import annotations

import textbook.cells.output_cap as output_cap
import textbook.cells.run as cells
import textbook.cells.widget as widget
from textbook import pipeline


def test_output_under_the_limit_is_shown_whole():
    outputs = (("stdout", "a\n"), ("stderr", "b\n"))
    assert output_cap.cap(outputs, 4) == (outputs, 0)
    assert output_cap.marker_html(outputs, 0) == ""
    assert output_cap.for_notebook(outputs, 4) == outputs


def test_long_output_is_cut_after_the_last_whole_line_and_counts_what_is_left_out():
    outputs = (("stdout", "line 1\nline 2\n"), ("stderr", "é" * 10))
    shown, hidden = output_cap.cap(outputs, 10)
    assert shown == (("stdout", "line 1\n"),)
    assert hidden == output_cap.size(outputs) - len(b"line 1\n") == 7 + 20
    shown, hidden = output_cap.cap((("stdout", "é" * 10),), 5)  # no newline: whole characters
    assert shown == (("stdout", "éé"),) and hidden == 16


def test_the_default_limit_is_the_plugin_option_default():
    assert output_cap.DEFAULT_LIMIT == pipeline.Settings.cell_output_limit == 20_000


def test_the_widget_shows_the_capped_output_with_a_note_and_keeps_it_out_of_search():
    text = "".join(f"row {i}\n" for i in range(100_000))  # ~0.8 MB
    result = cells.CellResult("cells/big.py", "...", (("stdout", text),), "k")
    ref = cells.CellRef("cell-big", "Big", "cells/big.py")
    html = widget.render_widget(ref, result, output_limit=1000)
    assert len(html) < 3000
    kept = text[: text.rindex("\n", 0, 1000) + 1]  # ASCII: bytes are characters
    hidden = len(text) - len(kept)
    assert f"{kept}<span" in html
    assert f"… output truncated: {hidden:,} bytes not shown" in html
    assert 'class="tb-cell__output" aria-live="polite" data-search-exclude="cell-output"' in html
    notebook = output_cap.for_notebook(result.outputs, 1000)
    assert notebook[-1] == ("stdout", f"… output truncated: {hidden:,} bytes not shown\n")
    assert output_cap.size(notebook[:-1]) <= 1000
