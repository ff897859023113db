"""The build's one way to run project code in isolation: a fresh interpreter per task.

Figures, runnable cells and computed facts all run author code that may crash, loop or call
``os._exit``. :func:`run_tasks` runs each :class:`Task` in its own Python process and returns
an :class:`Outcome` with the JSON result the worker wrote (or why there is none):

- at most ``jobs`` workers at once; each has a timeout, and a line is logged every
  ``PROGRESS_EVERY`` seconds while one is still running ("still running figure x (20 s)");
- on timeout the worker is asked to dump its stack (``faulthandler`` on SIGUSR1) and the
  innermost frame in a project file is reported as ``module:line``, then its process group is
  killed;
- a worker that exits without writing its result (``os._exit(0)``) is an error naming the task's
  module;
- workers die with the build: each starts its own session (a Ctrl-C or a kill of the group
  reaches it only through us) and asks Linux to SIGKILL it when its parent dies
  (``PR_SET_PDEATHSIG``), so ``kill -9`` of the build leaves no orphan;
- ``on_done`` is called as each task finishes, so the caller records finished work at once
  (a build killed later keeps it).
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.plugins.textbook.runner")
PROGRESS_EVERY = 10.0  # seconds between "still running" lines
STACK_GRACE = 0.5  # seconds a timed-out worker gets to dump its stack

# Runs in the worker before the task: die with the parent, dump the stack on SIGUSR1, then run
# the task's module (-m) or script as __main__. Plain stdlib: a cell's interpreter imports nothing
# of the project.
_BOOT = """\
import ctypes, faulthandler, os, runpy, signal, sys
parent = int(os.environ.pop("TEXTBOOK_RUNNER_PARENT"))
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass  # not Linux: the parent kills its process group instead
if os.getppid() != parent:
    os._exit(70)  # the parent died before we could ask to die with it
faulthandler.register(signal.SIGUSR1, all_threads=False)
mode, target, *args = sys.argv[1:]
sys.argv = [target, *args]
if mode == "-m":
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    runpy.run_path(target, run_name="__main__")
"""

_FRAME_RE = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)', re.MULTILINE)


@dataclass(frozen=True)
class Task:
    """One isolated run: ``target`` is a module (``module=True``) or a script path."""

    label: str  # for log lines and messages: "figure vit_patches", "cell cells/x.py"
    source: str  # the author file the task runs, relative to the project: named in errors
    target: str
    args: tuple[str, ...] = ()
    module: bool = True
    cwd: Path | None = None  # None: a fresh scratch folder, removed afterwards
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 120.0
    python_flags: tuple[str, ...] = ()  # e.g. ("-s", "-P") for a cell


@dataclass(frozen=True)
class Outcome:
    task: Task
    result: Any  # the worker's JSON result, or None
    returncode: int
    stderr: str
    seconds: float
    started_ns: int
    timed_out: bool = False
    where: str | None = None  # module:line of the innermost project frame at a timeout

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.timed_out

    def error(self) -> str:
        """One line saying why there is no result (empty if there is one)."""
        if self.timed_out:
            at = f" (it was at {self.where})" if self.where else ""
            return f"{self.task.source}: did not finish within {self.task.timeout:g} s{at}"
        if self.result is None:
            return (
                f"{self.task.source}: the worker exited with status {self.returncode} "
                "without reporting a result (os._exit, a crash or sys.exit in the module?)"
            )
        return ""


def project_env(root: Path, **extra: str) -> dict[str, str]:
    """The build's environment for a worker importing the project at ``root``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # __pycache__ writes would retrigger `mkdocs serve`
    return {**env, **extra}


def result_path() -> Path:
    """Where the worker writes its JSON result (inside ``run_tasks`` only)."""
    return Path(os.environ["TEXTBOOK_RESULT"])


def write_result(value: Any) -> None:
    """Worker side: report ``value`` (JSON) to the build."""
    result_path().write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def innermost_project_frame(stack: str, root: Path) -> str | None:
    """``path:line`` of the first frame (faulthandler prints the innermost first) in a project
    file outside the virtual environment, or None. A relative file name is a project path
    (code compiled under its project name, as cells are)."""
    root = root.resolve()
    for match in _FRAME_RE.finditer(stack):
        path = Path(match["file"])
        if not path.is_absolute() and not match["file"].startswith("<"):
            return f"{path.as_posix()}:{match['line']}"
        if path.is_relative_to(root):
            relative = path.relative_to(root)
            if not {".venv", "site-packages", "node_modules"}.intersection(relative.parts):
                return f"{relative.as_posix()}:{match['line']}"
    return None


def run_one(task: Task, root: Path | None = None) -> Outcome:
    """Run ``task`` in a fresh interpreter and wait for it (logging progress)."""
    root = Path(root or task.cwd or ".").resolve()
    with tempfile.TemporaryDirectory(prefix="tb-run-") as tmp:
        result_file = Path(tmp) / ".result.json"
        env = {**task.env, "TEXTBOOK_RESULT": str(result_file)}
        env["TEXTBOOK_RUNNER_PARENT"] = str(os.getpid())
        command = [sys.executable, *task.python_flags, "-c", _BOOT]
        command += ["-m" if task.module else "-f", task.target, *task.args]
        started_ns, start = time.time_ns(), time.perf_counter()
        proc = subprocess.Popen(
            command,
            cwd=task.cwd or tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        timed_out, where, stderr = False, None, ""
        try:
            while True:
                elapsed = time.perf_counter() - start
                left = task.timeout - elapsed
                if left <= 0:
                    timed_out = True
                    stderr = _dump_and_kill(proc)
                    where = innermost_project_frame(stderr, root)
                    break
                try:
                    _, stderr = proc.communicate(timeout=min(PROGRESS_EVERY, left))
                    break
                except subprocess.TimeoutExpired:
                    if left > PROGRESS_EVERY:  # a full period passed, not the last stretch
                        seconds = time.perf_counter() - start
                        log.info(f"still running {task.label} ({seconds:.0f} s)")
        finally:
            if proc.poll() is None:  # interrupted (KeyboardInterrupt): take the worker down
                _kill_group(proc)
                proc.communicate()
        result = None
        if not timed_out:
            try:
                result = json.loads(result_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                result = None
        return Outcome(
            task,
            result,
            proc.returncode,
            stderr,
            time.perf_counter() - start,
            started_ns,
            timed_out,
            where,
        )


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _dump_and_kill(proc: subprocess.Popen) -> str:
    """Ask the worker for its stack, collect its stderr, then kill its process group."""
    try:
        proc.send_signal(signal.SIGUSR1)
    except ProcessLookupError:
        pass
    try:
        _, stderr = proc.communicate(timeout=STACK_GRACE)  # it exits if it had no handler yet
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        _, stderr = proc.communicate()  # everything it wrote, the stack included
    _kill_group(proc)  # grandchildren it started
    return stderr or ""


def run_tasks(
    tasks: Iterable[Task],
    *,
    jobs: int | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    root: Path | None = None,
) -> list[Outcome]:
    """Run ``tasks`` (at most ``jobs`` at once); outcomes in the order of ``tasks``.

    ``on_done(outcome)`` runs in the calling thread as each task finishes, in finishing order.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    outcomes: dict[int, Outcome] = {}
    with ThreadPoolExecutor(workers) as pool:
        futures = {pool.submit(run_one, task, root): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[futures[future]] = outcome
            if on_done is not None:
                on_done(outcome)
    return [outcomes[index] for index in range(len(tasks))]
