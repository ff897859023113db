"""Runs the reader's cell code inside Pyodide (loaded by worker.js; also tested with CPython).

All cells of a page share one namespace, like the cells of a notebook. Tracebacks start at the
reader's code: the frames of this runner and of Pyodide are trimmed, and the reader's lines are
shown (they are registered with linecache under the cell's name).
"""

import linecache
import sys
import traceback

namespace = {"__name__": "__main__", "__builtins__": __builtins__}


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a replaced stream must not hide the result
            pass


def run(code, filename):
    """Execute ``code``; return None, or the formatted error the reader should see."""
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        try:
            compiled = compile(code, filename, "exec")
        except SyntaxError as exc:
            return "".join(traceback.format_exception_only(type(exc), exc))
        try:
            exec(compiled, namespace)
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt and SystemExit too
            tb = exc.__traceback__
            while tb is not None and tb.tb_frame.f_code.co_filename != filename:
                tb = tb.tb_next
            return "".join(traceback.format_exception(type(exc), exc, tb))
        return None
    finally:
        _flush()
