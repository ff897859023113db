"""Typeset TeX with KaTeX at build time through one long-lived node process.

`KatexRenderer` drives `js/katex-server.mjs` (JSON lines over stdin/stdout). The process is
started lazily, on the first formula that is not in the cache, so a warm rebuild never starts
node. Requests of a batch are written from a separate thread while the caller reads responses,
so neither pipe can fill up and deadlock.

Results are cached on disk, one JSON file per formula, keyed by the sha256 of the KaTeX version,
the options, the display flag and the TeX. Each entry stores the sha256 of its HTML; an entry that
does not parse or does not match its digest is logged and typeset again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from textbook.core.cache import Cache
from textbook.core.log import get_logger

log = get_logger("textbook.katex")  # the name build logs have always shown

#: KaTeX options of every formula; `js/katex-server.mjs` reports its own and they must agree.
OPTIONS: dict[str, object] = {
    "output": "htmlAndMathml",
    "strict": "error",
    "throwOnError": True,
    "trust": False,
}
UNDERLINE = "\u0332"  # KaTeX underlines the offending token in its message with this
SETUP_HINT = "run `make setup` (npm ci) in the project folder"
BATCH_TIMEOUT_S = 60.0


class KatexError(RuntimeError):
    """KaTeX cannot run at all (node or node_modules/katex missing, process died)."""


class TexError(ValueError):
    """KaTeX rejected a formula.

    `position` is a Python `str` index into `tex` (None when KaTeX gives none); `length` counts
    characters from there. `message` is KaTeX's message without its combining underlines.
    """

    def __init__(
        self,
        tex: str,
        message: str,
        position: int | None = None,
        length: int | None = None,
        display: bool = False,
    ):
        self.tex = tex
        self.message = message
        self.position = position
        self.length = length
        self.display = display
        super().__init__(message)


def utf16_to_index(text: str, units: int) -> int:
    """Python `str` index of the character at UTF-16 offset `units` of `text`."""
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def clean_message(message: str) -> str:
    """KaTeX's message on one line, without the U+0332 underlines."""
    return " ".join(message.replace(UNDERLINE, "").split())


def tex_error(tex: str, display: bool, error: dict) -> TexError:
    """Build a `TexError` from the server's error object (positions in UTF-16 units)."""
    position = error.get("position")
    length = error.get("length")
    start = None if position is None else utf16_to_index(tex, position)
    if start is not None and length is not None:
        length = utf16_to_index(tex, position + length) - start
    return TexError(tex, clean_message(error.get("message", "")), start, length, display)


def katex_version(project_dir: Path) -> str:
    """Version of the KaTeX installed in `project_dir/node_modules`."""
    package = project_dir / "node_modules" / "katex" / "package.json"
    try:
        return json.loads(package.read_text(encoding="utf-8"))["version"]
    except FileNotFoundError:
        raise KatexError(f"KaTeX is not installed ({package} missing): {SETUP_HINT}") from None


def cache_key(version: str, display: bool, tex: str) -> str:
    """Content hash naming a formula's cache entry."""
    payload = json.dumps(
        {"display": display, "katex": version, "options": OPTIONS, "tex": tex},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class DiskCache(Cache):
    """One verified entry per formula under `directory`: its HTML."""

    def __init__(self, directory: Path):
        super().__init__(directory, what="KaTeX cache entry")

    def get(self, key: str, valid=None) -> str | None:
        return super().get(key, lambda html: isinstance(html, str))


class KatexRenderer:
    """Typesets TeX with the project's KaTeX; use as a context manager (one per build).

    `project_dir` holds `js/katex-server.mjs` and `node_modules/katex`. `cache_dir=None` keeps
    results in memory only. `rendered` and `cached` count formulas typeset by KaTeX and formulas
    served from a cache since construction or the last `reset_counts()`.
    """

    def __init__(
        self,
        project_dir: Path,
        cache_dir: Path | None = None,
        node: str = "node",
        timeout: float = BATCH_TIMEOUT_S,
    ):
        self.project_dir = Path(project_dir)
        self.server = self.project_dir / "js" / "katex-server.mjs"
        self.version = katex_version(self.project_dir)
        self.cache = DiskCache(cache_dir) if cache_dir is not None else None
        self.node = node
        self.timeout = timeout
        self.rendered = 0
        self.cached = 0
        self._memory: dict[str, str] = {}
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: deque[str] = deque(maxlen=20)
        self._drain: threading.Thread | None = None
        self._next_id = 0

    def __enter__(self) -> KatexRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def reset_counts(self) -> None:
        self.rendered = self.cached = 0

    @property
    def started(self) -> bool:
        return self._proc is not None

    def render(self, tex: str, display: bool = False) -> str:
        """HTML + MathML of one formula; raises `TexError` if KaTeX rejects it."""
        return self.render_many([(tex, display)])[0]

    def render_many(self, items: Iterable[tuple[str, bool]]) -> list[str]:
        """HTML of each `(tex, display)`, in order. Formulas missing from the cache are typeset
        in one pipelined batch; the good ones are cached even if another fails. Raises the
        `TexError` of the first bad formula."""
        items = [(tex, bool(display)) for tex, display in items]
        keys = [cache_key(self.version, display, tex) for tex, display in items]
        results: dict[str, str] = {}
        misses: dict[str, tuple[str, bool]] = {}
        for key, item in zip(keys, items, strict=True):
            if key in results or key in misses:
                continue
            html = self._memory.get(key)
            if html is None and self.cache is not None:
                html = self.cache.get(key)
            if html is None:
                misses[key] = item
            else:
                results[key] = self._memory[key] = html
        errors: dict[str, TexError] = {}
        if misses:
            for key, outcome in zip(misses, self._typeset(list(misses.values())), strict=True):
                if isinstance(outcome, TexError):
                    errors[key] = outcome
                    continue
                results[key] = self._memory[key] = outcome
                if self.cache is not None:
                    self.cache.put(key, outcome)
        for key in keys:
            if key in errors:
                raise errors[key]
        seen: set[str] = set()
        for key in keys:
            if key in misses and key not in seen:
                self.rendered += 1
            else:
                self.cached += 1
            seen.add(key)
        return [results[key] for key in keys]

    # -- the node process -------------------------------------------------------------------

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is not None:
            return self._proc
        node = shutil.which(self.node)
        if node is None:
            raise KatexError(f"node not found on PATH (needed to typeset math): {SETUP_HINT}")
        if not self.server.is_file():
            raise KatexError(f"KaTeX server script missing: {self.server}")
        proc = subprocess.Popen(
            [node, str(self.server)],
            cwd=self.project_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._proc = proc
        self._drain = threading.Thread(target=self._drain_stderr, args=(proc,), daemon=True)
        self._drain.start()
        try:
            ready = self._read(proc).get("ready")
        except BaseException:
            self.close()
            raise
        expected = {"katex": self.version, "options": OPTIONS}
        if ready != expected:
            self.close()
            raise KatexError(f"KaTeX server reports {ready}, expected {expected}")
        return proc

    def _drain_stderr(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            self._stderr.append(line.rstrip("\n"))

    def _read(self, proc: subprocess.Popen[str]) -> dict:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            if self._drain is not None:
                self._drain.join(timeout=5)
            detail = " | ".join(self._stderr) or "no output on stderr"
            raise KatexError(f"KaTeX server stopped (exit code {code}): {detail}")
        try:
            return json.loads(line)
        except ValueError:
            raise KatexError(f"KaTeX server wrote a line that is not JSON: {line!r}") from None

    def _typeset(self, items: list[tuple[str, bool]]) -> list[str | TexError]:
        proc = self._start()
        first = self._next_id
        self._next_id += len(items)
        lines = [
            json.dumps({"id": first + i, "tex": tex, "display": display}, ensure_ascii=False)
            for i, (tex, display) in enumerate(items)
        ]

        def write() -> None:
            assert proc.stdin is not None
            try:
                for line in lines:
                    proc.stdin.write(line + "\n")
                proc.stdin.flush()
            except (OSError, ValueError):  # the process died: the reader reports it
                pass

        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            proc.kill()

        writer = threading.Thread(target=write, daemon=True)
        watchdog = threading.Timer(self.timeout, kill)
        writer.start()
        watchdog.start()
        answers: dict[int, dict] = {}
        try:
            while len(answers) < len(items):
                answer = self._read(proc)
                if not isinstance(answer.get("id"), int):
                    raise KatexError(f"KaTeX server: {answer.get('error', answer)}")
                answers[answer["id"]] = answer
        except KatexError as err:
            proc.kill()
            writer.join()
            self.close()
            if timed_out.is_set():
                raise KatexError(f"KaTeX timed out after {self.timeout:g} s") from err
            raise
        finally:
            watchdog.cancel()
        writer.join()
        outcomes: list[str | TexError] = []
        for i, (tex, display) in enumerate(items):
            answer = answers[first + i]
            if "html" in answer:
                outcomes.append(answer["html"])
            else:
                outcomes.append(tex_error(tex, display, answer["error"]))
        return outcomes

    def close(self) -> None:
        """Stop the node process (if started); the renderer can start a new one later."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if self._drain is not None:
            self._drain.join(timeout=5)
            self._drain = None
        if proc.stderr is not None:
            proc.stderr.close()
