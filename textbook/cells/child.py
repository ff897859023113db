"""The subprocess side of a build-time cell run: execute one cell file, write a JSON result.

Run as a script (``python -s -P child.py --child SOURCE RESULT_JSON NAME``) by
``textbook.cells.run`` through the worker runner; it imports nothing of the project, so a cell
sees a plain interpreter. RESULT_JSON ``-`` means the path in ``$TEXTBOOK_RESULT``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _child(source: str, result_path: str, name: str) -> int:
    """Run one cell with its own globals, recording output chunks; write a JSON result."""
    import builtins
    import linecache
    import traceback

    code = Path(source).read_text(encoding="utf-8")
    # (stream, parts): parts joined once at the end; `+=` on a growing string would copy it on
    # every write (a cell printing 5 MB line by line took minutes)
    chunks: list[tuple[str, list[str]]] = []

    class Stream:
        encoding = "utf-8"
        errors = "strict"

        def __init__(self, stream: str):
            self.name = stream

        def write(self, text: str) -> int:
            if text:
                if chunks and chunks[-1][0] == self.name:
                    chunks[-1][1].append(text)
                else:
                    chunks.append((self.name, [text]))
            return len(text)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

        def writable(self) -> bool:
            return True

    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    result: dict = {"error": None}
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Stream("stdout"), Stream("stderr")
    try:
        exec(compile(code, name, "exec"), {"__name__": "__main__", "__builtins__": builtins})
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != name:
            tb = tb.tb_next
        line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
        walk = tb
        while walk is not None:
            if walk.tb_frame.f_code.co_filename == name:
                line = walk.tb_lineno
            walk = walk.tb_next
        result.update(
            error="".join(traceback.format_exception(type(exc), exc, tb)),
            exc_type=type(exc).__name__,
            line=line,
        )
    finally:
        sys.stdout, sys.stderr = saved
    result["outputs"] = [[stream, "".join(parts)] for stream, parts in chunks]
    if result_path == "-":  # run by textbook.core.runner: report where it says
        result_path = os.environ["TEXTBOOK_RESULT"]
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        sys.exit(_child(*sys.argv[2:]))
    print("usage: child.py --child SOURCE RESULT_JSON NAME", file=sys.stderr)
    sys.exit(2)
