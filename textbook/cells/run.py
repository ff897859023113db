"""Runnable Python cells: find them, execute them at build time, render the page widget.

A cell is one Python file (``cells/*.py``). The chapter places it with a ``/// cell`` block,
which the Markdown side renders as a placeholder::

    <div class="tb-cell" id="cell-x" data-source="cells/x.py" data-title="Title"></div>

At build time every cell runs in a fresh CPython subprocess (so a ``SystemExit``, a crash or a
hang cannot take ``mkdocs serve`` down), its stdout/stderr are captured, and the result is cached
under ``.cache/cells/`` by a hash of the source, the Python and numpy versions and the runner.
The placeholder is then replaced by a widget that reads completely without JavaScript: the code
highlighted by Pygments in a ``<pre>``, the build-time output underneath. The front end
(``js/cells/``) turns it into an editor with Run / Stop / Reset.

The subprocess side is ``child.py``; the page widget is ``widget.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import os
import platform
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from textbook.cells import source_path
from textbook.chapter import directives
from textbook.core.cache import Cache
from textbook.core.errors import SourceError, line_of
from textbook.core.files import prune
from textbook.core.front_matter import body_start
from textbook.core.runner import Outcome, Task, run_one, run_tasks

RUNNER_VERSION = "1"
DEFAULT_TIMEOUT = 120.0

# A placeholder is an empty div with exactly these attributes, in any order (Python-Markdown
# serialises attributes sorted); the rendered widget has more, so it never matches twice.
PLACEHOLDER_RE = re.compile(r"<div(?P<attrs>(?:\s+[\w-]+=\"[^\"]*\")+)\s*></div>")
ATTR_RE = re.compile(r'([\w-]+)="([^"]*)"')
PLACEHOLDER_ATTRS = {"class", "id", "data-source", "data-title"}


class CellError(Exception):
    """A cell cannot be shown: it failed, timed out, or its reference is wrong.

    ``str()`` is a one-paragraph message naming the file (and line) and what to fix; ``detail``
    holds the traceback when there is one.
    """

    def __init__(self, message: str, *, path: str = "", line: int | None = None, detail: str = ""):
        super().__init__(message)
        self.path = path
        self.file: Path | None = None  # the cell file, set by execute_cells
        self.line = line
        self.detail = detail

    def report(self) -> str:
        return f"{self}\n{self.detail}".rstrip() if self.detail else str(self)


@dataclass(frozen=True)
class CellRef:
    """Where a page places a cell: its id, title, source path (as written) and Markdown line."""

    id: str
    title: str
    source: str
    line: int = 0
    source_line: int = dataclasses.field(default=0, compare=False)  # of `source:`/`data-source`


@dataclass(frozen=True)
class CellResult:
    """A cell's code and what it printed at build time, as ordered (stream, text) chunks."""

    source: str
    code: str
    outputs: tuple[tuple[str, str], ...]
    key: str
    seconds: float = 0.0
    cached: bool = False

    @property
    def text(self) -> str:
        """Everything printed, stdout and stderr interleaved as they happened."""
        return "".join(text for _, text in self.outputs)

    def stream(self, name: str) -> str:
        return "".join(text for stream, text in self.outputs if stream == name)


# --- finding cells ------------------------------------------------------------------------------


def mentions_cells(text: str) -> bool:
    """Cheap pre-check: could this Markdown place a cell?"""
    return "/// cell" in text or 'class="tb-cell"' in text


def scan_markdown(text: str) -> list[CellRef]:
    """Cells a Markdown page places, in order: ``/// cell`` blocks, read by the chapter's one
    directive scanner, and raw placeholders. Line numbers are the file's."""
    start = body_start(text)
    try:
        blocks = directives.scan(text[start:], "", first_line=line_of(text, start))
    except SourceError as error:
        raise CellError(error.message, line=error.line) from None
    found = [
        CellRef(d.options["id"], d.argument or "", d.options["source"], d.line,
                d.option_lines["source"])
        for d in blocks
        if d.kind == "cell"
    ]  # fmt: skip
    for m in PLACEHOLDER_RE.finditer(text):
        ref = placeholder_ref(m, line_of(text, m.start()))
        if ref is not None:
            source_at = m.start() + m.group(0).index("data-source=")
            found.append(dataclasses.replace(ref, source_line=line_of(text, source_at)))
    return sorted(found, key=lambda ref: ref.line)


def placeholder_ref(m: re.Match, line: int = 0) -> CellRef | None:
    """The cell a PLACEHOLDER_RE match stands for, or None if the div is something else."""
    attrs = {k: html.unescape(v) for k, v in ATTR_RE.findall(m["attrs"])}
    if attrs.keys() != PLACEHOLDER_ATTRS or attrs["class"] != "tb-cell":
        return None
    return CellRef(attrs["id"], attrs["data-title"], attrs["data-source"], line)


def resolve_source(root: Path, source: str) -> Path:
    """The cell file for ``source`` (relative to the project root); must be an existing .py."""
    path = (root / source).resolve()
    if source_path.outside_cells(root, path):
        raise CellError(source_path.outside_message(source), path=source)
    if path.suffix != ".py":
        raise CellError(f"cell source {source!r} is not a .py file", path=source)
    if not path.is_file():
        raise CellError(
            f"cell source {source} not found (looked for {path}); create it or fix `source:`",
            path=source,
        )
    return path


# --- executing cells ----------------------------------------------------------------------------


def runtime_fingerprint() -> dict[str, str]:
    """What besides the source decides a cell's output."""
    try:
        numpy_version = metadata.version("numpy")
    except metadata.PackageNotFoundError:
        numpy_version = "none"
    return {
        "numpy": numpy_version,
        "python": platform.python_version(),
        "runner": RUNNER_VERSION,
    }


def cache_key(code: str, fingerprint: dict[str, str]) -> str:
    payload = json.dumps({"code": code, **fingerprint}, sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()


def _child_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
    }


def _task(path: Path, name: str, timeout: float) -> Task:
    return Task(
        label=f"cell {name}",
        source=name,
        target=str(Path(__file__).resolve().with_name("child.py")),
        args=("--child", str(path), "-", name),
        module=False,
        env=_child_env(),
        timeout=timeout,
        python_flags=("-s", "-P"),
    )


def run_cell(path: Path, name: str, *, timeout: float = DEFAULT_TIMEOUT) -> CellResult:
    """Execute one cell file in a fresh interpreter; raise CellError if it fails."""
    return _cell_result(path, name, run_one(_task(path, name, timeout)))


def _cell_result(path: Path, name: str, outcome: Outcome) -> CellResult:
    code = path.read_text(encoding="utf-8")
    if outcome.timed_out:
        where = outcome.where if (outcome.where or "").startswith(f"{name}:") else None
        raise CellError(
            f"{where or name}: did not finish within {outcome.task.timeout:g} s at build time; "
            "make the cell fast (or stop the endless loop)",
            path=name,
            line=int(where.rpartition(":")[2]) if where else None,
        )
    result = outcome.result
    if not isinstance(result, dict):
        raise CellError(
            f"{name}: the Python process running the cell died "
            f"(exit status {outcome.returncode}) before reporting a result",
            path=name,
            detail=outcome.stderr.strip(),
        )
    if result["error"] is not None:
        line = result.get("line")
        where = f"{name}:{line}" if line else name
        raise CellError(
            f"{where}: the cell raised {result['exc_type']} at build time; fix the cell "
            "(the page shows its build-time output, so it must run cleanly)",
            path=name,
            line=line,
            detail=result["error"],
        )
    outputs = tuple((stream, text) for stream, text in result["outputs"])
    key = cache_key(code, runtime_fingerprint())
    return CellResult(name, code, outputs, key, outcome.seconds)


def _valid_outputs(value) -> bool:
    return isinstance(value, dict) and all(
        stream in ("stdout", "stderr") and isinstance(text, str)
        for stream, text in value["outputs"]
    )


def _read_cache(cache: Cache, name: str, code: str, key: str) -> CellResult | None:
    data = cache.get(key, _valid_outputs)
    if data is None:
        return None
    outputs = tuple((stream, text) for stream, text in data["outputs"])
    return CellResult(name, code, outputs, key, cached=True)


def _write_cache(cache: Cache, result: CellResult) -> None:
    data = {"outputs": [list(chunk) for chunk in result.outputs], "source": result.source}
    cache.put(result.key, data)


def prune_cache(cache_dir: Path, keep: Iterable[CellResult]) -> list[Path]:
    """Delete cached outputs no result of this build used; return the deleted files."""
    return prune(cache_dir, {f"{r.key}.json" for r in keep}, "*.json")


def execute_cells(
    paths: Iterable[Path],
    *,
    root: Path,
    cache_dir: Path,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int | None = None,
) -> dict[Path, CellResult]:
    """Results for each cell file, from the cache when the source is unchanged.

    Cells missing from the cache run in parallel subprocesses. Raises the CellError of the
    first failing cell (in the order given).
    """
    fingerprint = runtime_fingerprint()
    cache = Cache(cache_dir, what="cell output cache entry")
    results: dict[Path, CellResult] = {}
    todo: list[tuple[Path, str]] = []
    for path in dict.fromkeys(paths):
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        code = path.read_text(encoding="utf-8")
        key = cache_key(code, fingerprint)
        cached = _read_cache(cache, name, code, key)
        if cached is not None:
            results[path] = cached
        else:
            todo.append((path, name))
    tasks = [_task(path, name, timeout) for path, name in todo]
    errors: list[CellError] = []
    for (path, name), outcome in zip(todo, run_tasks(tasks, jobs=jobs), strict=True):
        try:
            result = _cell_result(path, name, outcome)
        except CellError as exc:
            exc.file = path
            errors.append(exc)
            continue
        _write_cache(cache, result)
        results[path] = result
    if errors:
        raise errors[0]
    return results


def locate(page_uri: str, ref: CellRef | None, exc: CellError) -> str:
    """``exc`` prefixed with the Markdown page (and line) and the cell, plus its traceback."""
    where = f"docs/{page_uri}:{ref.line}" if ref and ref.line else f"docs/{page_uri}"
    cell = f" cell '{ref.id}' ({ref.source})" if ref else ""
    return f"{where}:{cell}: {exc.report()}"


def run_pages(
    pages: dict[str, str], *, root: Path, cache_dir: Path, timeout: float = DEFAULT_TIMEOUT
) -> tuple[dict[str, list[CellRef]], dict[Path, CellResult]]:
    """Scan pages ({src_uri: Markdown}) for cells and execute every cell they place.

    Returns the cells of each page that has some, and the result of each cell file. Raises
    CellError whose message names the page and line, the cell and its file (see ``locate``).
    """
    found: dict[str, list[CellRef]] = {}
    first_use: dict[Path, tuple[str, CellRef]] = {}
    for uri, text in pages.items():
        if not mentions_cells(text):
            continue
        try:
            refs = scan_markdown(text)
        except CellError as exc:
            raise CellError(f"docs/{uri}:{exc.line}: {exc}") from None
        for ref in refs:
            try:
                first_use.setdefault(resolve_source(root, ref.source), (uri, ref))
            except CellError as exc:  # named at the `source:` line
                at = dataclasses.replace(ref, line=ref.source_line or ref.line)
                raise CellError(locate(uri, at, exc)) from None
        if refs:
            found[uri] = refs
    try:
        results = execute_cells(first_use, root=root, cache_dir=cache_dir, timeout=timeout)
    except CellError as exc:
        raise CellError(locate(*first_use[exc.file], exc)) from None
    return found, results


def result_for(
    ref: CellRef,
    results: dict[Path, CellResult],
    *,
    root: Path,
    cache_dir: Path,
    timeout: float = DEFAULT_TIMEOUT,
) -> CellResult:
    """The result of ``ref``'s cell: from ``results``, else executed now (and remembered)."""
    path = resolve_source(root, ref.source)
    if path not in results:
        results.update(execute_cells([path], root=root, cache_dir=cache_dir, timeout=timeout))
    return results[path]


SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.DOTALL | re.IGNORECASE)


def strip_scripts(content: str) -> str:
    """Drop every <script> element (the generated notebook page needs none)."""
    return SCRIPT_RE.sub("", content)


def replace_placeholders(content: str, render) -> tuple[str, list[CellRef]]:
    """Replace every placeholder in page HTML by ``render(ref)``; return the refs in order."""
    refs: list[CellRef] = []

    def sub(m: re.Match) -> str:
        ref = placeholder_ref(m)
        if ref is None:
            return m[0]
        refs.append(ref)
        return render(ref)

    return PLACEHOLDER_RE.sub(sub, content), refs
