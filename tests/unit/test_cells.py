"""textbook.cells.run: finding cells, executing them in a subprocess, caching, rendering."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.damage import DAMAGES
from textbook.cells import run as cells
from textbook.cells import widget
from textbook.chapter import directives
from textbook.core.cache import Cache

FIXTURE_CELLS = Path(__file__).resolve().parents[1] / "fixtures" / "cells_site" / "cells"


def write(tmp_path: Path, name: str, code: str) -> Path:
    path = tmp_path / "cells" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code, encoding="utf-8")
    return path


# --- finding cells ------------------------------------------------------------------------------

BLOCK_PAGE = """# Page { #page }

Intro.

/// cell | Why raw pixels are a bad space
    id: cell-pixel-distance
    source: cells/pixel_distance.py
///

Between.

<div class="tb-cell" data-source="cells/b.py" data-title="A &amp; B" id="cell-b"></div>

/// cell | Second block
    source: cells/c.py
    id: cell-c
///
"""


def test_scan_markdown_finds_blocks_and_placeholders_in_order():
    refs = cells.scan_markdown(BLOCK_PAGE)
    assert refs == [
        cells.CellRef("cell-pixel-distance", "Why raw pixels are a bad space",
                      "cells/pixel_distance.py", 5),
        cells.CellRef("cell-b", "A & B", "cells/b.py", 12),
        cells.CellRef("cell-c", "Second block", "cells/c.py", 14),
    ]  # fmt: skip


def test_scan_markdown_gives_the_line_of_each_source():
    assert [ref.source_line for ref in cells.scan_markdown(BLOCK_PAGE)] == [7, 12, 15]


def test_scan_markdown_reads_blocks_as_the_chapter_does():
    """Front matter counts in the lines; a `/// cell` shown inside a code fence is not a cell."""
    page = (
        "---\ntitle: T\n---\n# T\n\n````markdown\n/// cell | Shown, not run\n"
        "    id: cell-shown\n    source: cells/shown.py\n///\n````\n\n" + BLOCK_PAGE
    )
    refs = cells.scan_markdown(page)
    assert [(ref.id, ref.line) for ref in refs] == [
        ("cell-pixel-distance", 5 + 12),
        ("cell-b", 12 + 12),
        ("cell-c", 14 + 12),
    ]
    assert [directive.line for directive in directives.scan(page, "p.md") if directive.kind
            == "cell"] == [ref.line for ref in refs if ref.id != "cell-b"]  # fmt: skip


def test_scan_markdown_block_without_source_names_the_line():
    with pytest.raises(cells.CellError, match=r"^'cell' block needs the option 'source:'$") as info:
        cells.scan_markdown("text\n\n/// cell | T\n    id: cell-x\n///\n")
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("div", "expected"),
    [
        ('<div class="tb-cell" id="c" data-source="s.py" data-title="T"></div>',
         ("c", "T", "s.py")),
        ('<div class="tb-cell" data-source="s.py" data-title="" id="c"></div>', ("c", "", "s.py")),
        ('<div data-title="&quot;q&quot;" class="tb-cell" id="c" data-source="s.py"></div>',
         ("c", '"q"', "s.py")),
        ('<div class="tb-cell" id="c" data-source="s.py" data-title="T" data-x="1"></div>', None),
        ('<div class="other" id="c" data-source="s.py" data-title="T"></div>', None),
        ('<div class="tb-cell" id="c" data-source="s.py"></div>', None),
    ],
)  # fmt: skip
def test_placeholder_attributes_in_any_order_and_nothing_else(div, expected):
    m = cells.PLACEHOLDER_RE.search(div)
    ref = cells.placeholder_ref(m) if m else None
    assert (None if ref is None else (ref.id, ref.title, ref.source)) == expected


def test_replace_placeholders_is_idempotent():
    page = '<p>a</p><div class="tb-cell" id="c" data-source="s.py" data-title="T"></div><p>b</p>'
    result = cells.CellResult("s.py", "print(1)\n", (("stdout", "1\n"),), "k")
    once, refs = cells.replace_placeholders(page, lambda ref: widget.render_widget(ref, result))
    assert [r.id for r in refs] == ["c"]
    assert once.startswith("<p>a</p>") and once.endswith("<p>b</p>")
    twice, refs2 = cells.replace_placeholders(once, lambda ref: pytest.fail("rendered twice"))
    assert twice == once and refs2 == []


def test_resolve_source_errors_say_what_to_fix(tmp_path):
    write(tmp_path, "ok.py", "")
    assert cells.resolve_source(tmp_path, "cells/ok.py") == tmp_path / "cells" / "ok.py"
    with pytest.raises(cells.CellError, match=r"cells/missing.py not found.*fix `source:`"):
        cells.resolve_source(tmp_path, "cells/missing.py")
    with pytest.raises(cells.CellError, match="not a .py file"):
        cells.resolve_source(tmp_path, "cells/ok.txt")


# --- executing ----------------------------------------------------------------------------------


def test_run_cell_captures_stdout_and_stderr_in_order(tmp_path):
    path = write(
        tmp_path,
        "mixed.py",
        "import sys, warnings\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')\n"
        "warnings.warn('careful')\n",
    )
    result = cells.run_cell(path, "cells/mixed.py")
    assert [s for s, _ in result.outputs] == ["stdout", "stderr", "stdout", "stderr"]
    assert result.stream("stdout") == "one\nthree\n"
    assert result.outputs[1] == ("stderr", "two\n")
    assert "UserWarning: careful" in result.outputs[3][1]
    assert result.text.startswith("one\ntwo\nthree\n")


def test_run_cell_matches_plain_cpython_for_the_fixture_cells():
    for path in sorted(FIXTURE_CELLS.glob("*.py")):
        direct = subprocess.run(
            [sys.executable, str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert cells.run_cell(path, f"cells/{path.name}").text == direct, path.name


def test_run_cell_is_deterministic_string_hashing(tmp_path):
    path = write(tmp_path, "h.py", "print(hash('abc'), list({'x', 'y', 'z', 'w'}))\n")
    assert cells.run_cell(path, "h.py").text == cells.run_cell(path, "h.py").text


def test_failing_cell_names_file_line_and_traceback(tmp_path):
    code = "x = 1\n\ndef f(d):\n    return x / d\n\nprint('before')\nf(0)\n"
    path = write(tmp_path, "bad.py", code)
    with pytest.raises(cells.CellError) as info:
        cells.run_cell(path, "cells/bad.py")
    err = info.value
    assert str(err).startswith("cells/bad.py:4: the cell raised ZeroDivisionError at build time")
    assert err.line == 4
    assert err.detail.splitlines() == [
        "Traceback (most recent call last):",
        '  File "cells/bad.py", line 7, in <module>',
        "    f(0)",
        '  File "cells/bad.py", line 4, in f',
        "    return x / d",
        "           ~~^~~",
        "ZeroDivisionError: division by zero",
    ]
    assert "_child" not in err.report()  # the runner's own frames are trimmed


def test_syntax_error_points_at_the_line(tmp_path):
    path = write(tmp_path, "syn.py", "a = 1\nprint((a)\n")
    with pytest.raises(cells.CellError, match=r"^cells/syn.py:2: the cell raised SyntaxError"):
        cells.run_cell(path, "cells/syn.py")


@pytest.mark.parametrize("code", ["import sys\nsys.exit(0)\n", "raise SystemExit(3)\n"])
def test_system_exit_fails_the_cell_but_not_the_build_process(tmp_path, code):
    path = write(tmp_path, "exit.py", code)
    with pytest.raises(cells.CellError, match="raised SystemExit"):
        cells.run_cell(path, "cells/exit.py")


def test_hard_crash_is_reported(tmp_path):
    path = write(tmp_path, "crash.py", "import os\nprint('x', flush=True)\nos._exit(7)\n")
    with pytest.raises(cells.CellError, match=r"died \(exit status 7\)"):
        cells.run_cell(path, "cells/crash.py")


def test_endless_cell_times_out(tmp_path):
    # One line: a stack sample may land on either line of a two-line loop.
    path = write(tmp_path, "loop.py", "while True: pass\n")
    with pytest.raises(cells.CellError) as info:
        cells.run_cell(path, "cells/loop.py", timeout=1)
    assert str(info.value).startswith("cells/loop.py:1: did not finish within 1 s at build time")


def test_cell_runs_in_a_scratch_directory_not_the_project(tmp_path):
    path = write(tmp_path, "cwd.py", "import os, sys\nprint(os.getcwd())\nprint(sys.path[0])\n")
    cwd, first_path = cells.run_cell(path, "cwd.py").text.splitlines()
    assert Path(cwd).name.startswith("tb-run-")
    assert first_path != str(Path(cells.__file__).parent)


# --- caching ------------------------------------------------------------------------------------


def counting_cell(tmp_path: Path, name: str, message: str) -> tuple[Path, Path]:
    """A cell that appends to a log file each time it really runs."""
    log = tmp_path / f"{name}.runs"
    code = f"with open({str(log)!r}, 'a') as fh:\n    fh.write('x')\nprint({message!r})\n"
    return write(tmp_path, name, code), log


def runs(log: Path) -> int:
    return len(log.read_text()) if log.exists() else 0


def test_outputs_are_cached_by_source(tmp_path):
    a, log_a = counting_cell(tmp_path, "a.py", "A")
    b, log_b = counting_cell(tmp_path, "b.py", "B")
    cache = tmp_path / "cache"
    first = cells.execute_cells([a, b], root=tmp_path, cache_dir=cache)
    assert [r.text for r in first.values()] == ["A\n", "B\n"]
    assert [r.source for r in first.values()] == ["cells/a.py", "cells/b.py"]
    assert not any(r.cached for r in first.values())
    again = cells.execute_cells([a, b], root=tmp_path, cache_dir=cache)
    assert all(r.cached for r in again.values()) and (runs(log_a), runs(log_b)) == (1, 1)
    assert {p: r.text for p, r in again.items()} == {p: r.text for p, r in first.items()}
    # editing one cell re-runs only that one
    a.write_text(a.read_text().replace("'A'", "'A2'"))
    third = cells.execute_cells([a, b], root=tmp_path, cache_dir=cache)
    assert third[a].text == "A2\n" and not third[a].cached and third[b].cached
    assert (runs(log_a), runs(log_b)) == (2, 1)
    entry = Cache(cache).get(third[a].key)
    assert entry == {"outputs": [["stdout", "A2\n"]], "source": "cells/a.py"}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_output_entry_runs_the_cell_again(tmp_path, damage):
    a, log_a = counting_cell(tmp_path, "a.py", "A")
    cache = tmp_path / "cache"
    first = cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a]
    damage(cache / f"{first.key}.json")
    again = cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a]
    assert again.text == "A\n" and not again.cached and runs(log_a) == 2
    assert cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a].cached  # repaired


def test_a_verified_output_entry_of_the_wrong_shape_is_not_served(tmp_path):
    a, log_a = counting_cell(tmp_path, "a.py", "A")
    cache = tmp_path / "cache"
    key = cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a].key
    for wrong in ({}, [], {"outputs": [["html", "<b>"]]}, {"outputs": [[1, 2]]}):
        Cache(cache).put(key, wrong)
        assert cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a].text == "A\n"


def test_cache_key_covers_python_and_numpy_versions(tmp_path, monkeypatch):
    a, log = counting_cell(tmp_path, "a.py", "A")
    cache = tmp_path / "cache"
    cells.execute_cells([a], root=tmp_path, cache_dir=cache)
    real = cells.runtime_fingerprint()
    monkeypatch.setattr(cells, "runtime_fingerprint", lambda: {**real, "numpy": "0.0"})
    assert not cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a].cached
    assert runs(log) == 2
    base = cells.cache_key("x", real)
    assert base != cells.cache_key("x", {**real, "python": "3.0.0"})
    assert base != cells.cache_key("y", real)


def test_prune_cache_keeps_only_what_the_build_used(tmp_path):
    a, _ = counting_cell(tmp_path, "a.py", "A")
    cache = tmp_path / "cache"
    old = cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a]
    a.write_text(a.read_text().replace("'A'", "'A2'"))
    new = cells.execute_cells([a], root=tmp_path, cache_dir=cache)[a]
    assert cells.prune_cache(cache, [new]) == [cache / f"{old.key}.json"]
    assert sorted(p.name for p in cache.iterdir()) == [f"{new.key}.json"]


def test_failures_are_not_cached_and_name_the_cell(tmp_path):
    good, _ = counting_cell(tmp_path, "good.py", "ok")
    bad = write(tmp_path, "bad.py", "print('partial')\nraise ValueError('nope')\n")
    cache = tmp_path / "cache"
    with pytest.raises(cells.CellError) as info:
        cells.execute_cells([good, bad], root=tmp_path, cache_dir=cache)
    assert info.value.file == bad and "ValueError: nope" in info.value.detail
    assert len(list(cache.glob("*.json"))) == 1  # only the good cell
    bad.write_text("print('fixed')\n")
    assert cells.execute_cells([bad], root=tmp_path, cache_dir=cache)[bad].text == "fixed\n"


# --- pages -------------------------------------------------------------------------------------


def test_run_pages_scans_executes_once_and_names_page_and_line(tmp_path):
    a, log_a = counting_cell(tmp_path, "a.py", "A")
    write(tmp_path, "b.py", "print('B')\n")
    pages = {
        "one.md": "# One\n\n/// cell | First\n    id: cell-a\n    source: cells/a.py\n///\n",
        "two.md": '<div class="tb-cell" id="cell-a2" data-source="cells/a.py" data-title="Again">'
        '</div>\n<div class="tb-cell" id="cell-b" data-source="cells/b.py" data-title="B"></div>',
        "none.md": "# No cells\n",
    }
    found, results = cells.run_pages(pages, root=tmp_path, cache_dir=tmp_path / "cache")
    assert {uri: [r.id for r in refs] for uri, refs in found.items()} == {
        "one.md": ["cell-a"],
        "two.md": ["cell-a2", "cell-b"],
    }
    assert runs(log_a) == 1  # one file placed twice runs once
    assert {p.name: r.text for p, r in results.items()} == {"a.py": "A\n", "b.py": "B\n"}

    write(tmp_path, "b.py", "print('partial')\n1 / 0\n")
    with pytest.raises(cells.CellError) as info:
        cells.run_pages(pages, root=tmp_path, cache_dir=tmp_path / "cache")
    message = info.value.report()
    assert message.startswith(
        "docs/two.md:2: cell 'cell-b' (cells/b.py): cells/b.py:2: the cell raised "
        "ZeroDivisionError at build time"
    )
    assert message.endswith("ZeroDivisionError: division by zero")


@pytest.mark.parametrize(
    "source", ["/usr/lib/python3.11/this.py", "cells/../../outside.py", "../outside.py", "link.py"]
)
def test_a_cell_source_outside_cells_is_refused_before_anything_runs(tmp_path, source):
    project = tmp_path / "project"
    (tmp_path / "outside.py").write_text("open('ran', 'w')\n")
    (project / "outside.py").parent.mkdir()
    (project / "link.py").write_text("print('not in cells/')\n")
    write(project, "inside.py", "print('fine')\n")
    (project / "cells" / "escape.py").symlink_to(tmp_path / "outside.py")
    page = (
        "/// cell | Fine\n    id: cell-ok\n    source: cells/inside.py\n///\n\n"
        f"/// cell | T\n    id: cell-x\n    source: {source}\n///\n"
    )
    for text in (page, page.replace(f"source: {source}", "source: cells/escape.py")):
        with pytest.raises(cells.CellError) as info:
            cells.run_pages({"p.md": text}, root=project, cache_dir=project / "c")
        shown = source if source in text else "cells/escape.py"
        assert str(info.value) == (
            f"docs/p.md:8: cell 'cell-x' ({shown}): cell source {shown!r} is outside the "
            "project's cells/ folder; a cell runs and is published, so only files in cells/ may "
            "be cells: move the file there and write `source: cells/NAME.py`"
        )
    assert not (project / "c").exists()  # nothing ran, not even the good cell


def test_run_pages_reports_bad_references(tmp_path):
    page = "text\n\n/// cell | T\n    id: cell-x\n    source: cells/nope.py\n///\n"
    # named at the `source:` line, the one to fix
    with pytest.raises(cells.CellError, match=r"^docs/p.md:5: cell 'cell-x' \(cells/nope.py\): "):
        cells.run_pages({"p.md": page}, root=tmp_path, cache_dir=tmp_path / "c")
    with pytest.raises(
        cells.CellError, match=r"^docs/p.md:1: 'cell' block needs the option 'source:'$"
    ):
        cells.run_pages(
            {"p.md": "/// cell | T\n    id: x\n///\n"}, root=tmp_path, cache_dir=tmp_path
        )


def test_result_for_executes_cells_it_has_not_seen(tmp_path):
    a, log = counting_cell(tmp_path, "a.py", "A")
    results: dict = {}
    ref = cells.CellRef("cell-a", "A", "cells/a.py")
    assert cells.result_for(ref, results, root=tmp_path, cache_dir=tmp_path / "c").text == "A\n"
    assert cells.result_for(ref, results, root=tmp_path, cache_dir=tmp_path / "c").text == "A\n"
    assert runs(log) == 1 and list(results) == [a]


# --- rendering ----------------------------------------------------------------------------------


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize(
    "code",
    [
        "print('hi')\n",
        "x = 1  # no final newline",
        "\n\nleading blank lines\n\n\n",
        "s = '<script>alert(1)</script> & \"q\"'\n\tindented_with_tab = 1   \n",
        "é = 'ünïcödé §'\n",
    ],
)
def test_highlighted_code_reads_back_exactly(code):
    assert text_of(widget.highlight_python(code)) == code


def test_widget_shows_code_output_and_escapes_everything():
    code = "print('<b>bold?</b>')\n"
    result = cells.CellResult(
        "cells/x.py", code, (("stdout", "<b>bold?</b>\n"), ("stderr", "warn & more\n")), "k"
    )
    ref = cells.CellRef("cell-x", 'Title <with> "quotes"', "cells/x.py")
    out = widget.render_widget(
        ref, result, links=[("Notebook", "nb/", False), ("Get", "x.ipynb", True)]
    )
    assert out.startswith(
        '<div class="tb-cell" id="cell-x" data-source="cells/x.py" '
        'data-title="Title &lt;with&gt; &quot;quotes&quot;" data-code-hash="'
    )
    code_html = re.search(r'<code class="language-python">(.*?)</code>', out, re.S)[1]
    assert text_of(code_html) == code
    samp = re.search(r"<samp>(.*?)</samp>", out, re.S)[1]
    assert "<b>" not in samp and text_of(samp) == "<b>bold?</b>\nwarn & more\n"
    assert '<span class="tb-cell__stderr">warn &amp; more\n</span>' in samp
    assert '<a class="tb-cell__link" href="x.ipynb" download>Get</a>' in out
    assert '<div class="tb-cell__toolbar" hidden>' in out  # controls appear only with JS
    assert 'aria-live="polite"' in out
    assert "<script" not in out


def test_widget_marks_empty_output():
    result = cells.CellResult("s.py", "x = 1\n", (), "k")
    out = widget.render_widget(cells.CellRef("c", "T", "s.py"), result)
    assert '<pre class="tb-cell__stream tb-cell__stream--empty"><samp></samp></pre>' in out


def test_strip_scripts():
    page = (
        '<p>a</p><script>x()</script>\n<script src="">\n</script><SCRIPT type="module">y</SCRIPT>b'
    )
    assert cells.strip_scripts(page) == "<p>a</p>b"


def test_highlight_cache_serves_intact_entries_and_replaces_damaged_ones(tmp_path, monkeypatch):
    code = "def f(x):\n    return x < 2  # a 'comment'\n"
    fresh = widget.highlight_python(code)
    assert widget.highlight_python(code, tmp_path) == fresh
    (entry,) = tmp_path.glob("*.html")
    calls = []
    real = widget._highlight_python
    monkeypatch.setattr(widget, "_highlight_python", lambda c: calls.append(c) or real(c))
    assert widget.highlight_python(code, tmp_path) == fresh and calls == []  # served
    Cache(tmp_path, ".html").put_bytes(entry.stem, fresh.replace("return", "yield").encode())
    assert widget.highlight_python(code, tmp_path) == fresh and calls == [code]  # not its code
    for damage in DAMAGES.values():
        damage(entry) if entry.exists() else None
        assert widget.highlight_python(code, tmp_path) == fresh
    assert len(calls) == 1 + len(DAMAGES)
    assert widget.highlight_python("y = 1", tmp_path) != fresh  # another code, another entry
    assert len(list(tmp_path.glob("*.html"))) == 2
