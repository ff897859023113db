"""Copies of the project in temporary folders, timed builds and what their logs say.

A copy holds the working tree's files (tracked and untracked, not ignored), symlinks to
``node_modules/``, ``.deps/`` and the vendored Pyodide (``.cache/vendor``; set-up outputs,
not build caches) and nothing else: its ``.cache/`` starts empty, so its first build is cold
and colleagues' caches in the real tree are never touched.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from textbook.core.front_matter import body_start

ROOT = Path(__file__).resolve().parents[1]
LINKED = ("node_modules", ".deps")
LINKED_CACHE = ("vendor",)  # .cache/vendor: Pyodide vendored at set-up, never rebuilt
EXCLUDED = ("bench/out/",)

FIGURE_RENDERED_RE = re.compile(r"figures: \[\d+/\d+\] (?P<name>\w+) rendered in")
FIGURE_CACHED_RE = re.compile(r"figures: (?P<name>\w+) cached$", re.MULTILINE)
CELLS_RE = re.compile(r"cells: (?P<total>\d+) cells: (?P<executed>\d+) executed")
MATH_RE = re.compile(
    r"math: (?P<formulas>\d+) formulas, (?P<rendered>\d+) rendered, (?P<cached>\d+) cached"
)
BUILT_RE = re.compile(r"Documentation built in (?P<seconds>[0-9.]+) seconds")
WARNING_RE = re.compile(r"^(WARNING|ERROR)\b", re.MULTILINE)
NOTEBOOK_RE = re.compile(r"Converting notebook")


def project_files(root: Path = ROOT) -> list[str]:
    """The working tree's files, tracked or not, minus ignored ones and bench output."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(
        f for f in listed.split("\0") if f and not f.startswith(EXCLUDED) and (root / f).is_file()
    )


def copy_project(dest: Path, root: Path = ROOT) -> Path:
    """A fresh copy of the project at ``dest`` with empty build caches."""
    dest.mkdir(parents=True, exist_ok=True)
    for relative in project_files(root):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    for name in LINKED:
        if (root / name).exists():
            (dest / name).symlink_to(root / name)
    (dest / ".cache").mkdir(exist_ok=True)
    for name in LINKED_CACHE:
        if (root / ".cache" / name).exists():
            (dest / ".cache" / name).symlink_to(root / ".cache" / name)
    return dest


def git_info(root: Path = ROOT) -> dict:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip()

    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_files": len(changed)}


def build_env(root: Path) -> dict[str, str]:
    """Environment of a build of the copy at ``root`` (its own modules first on the path)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    env["PYTHONHASHSEED"] = "0"
    env["NO_MKDOCS_2_WARNING"] = "1"
    if "SOURCE_DATE_EPOCH" not in env:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
        )
        env["SOURCE_DATE_EPOCH"] = done.stdout.strip() or "0"
    return env


@dataclass
class BuildRun:
    seconds: float  # wall clock of the whole `mkdocs build` process
    returncode: int
    log: str
    summary: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0  # user + system time of the build and every process it waited for

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def as_json(self) -> dict:
        return {
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "ok": self.ok,
            **self.summary,
        }


def aggregate(runs: list[BuildRun]) -> dict:
    """Median time of several builds of one kind; what any of them did (from the logs)."""
    first = runs[0].summary
    result = {
        "seconds": round(statistics.median(r.seconds for r in runs), 3),
        "samples": [round(r.seconds, 3) for r in runs],
        "cpu_seconds": round(statistics.median(r.cpu_seconds for r in runs), 3),
        "cpu_samples": [round(r.cpu_seconds, 3) for r in runs],
        "ok": all(r.ok for r in runs),
        **first,
    }
    result["figures_rendered"] = sorted({n for r in runs for n in r.summary["figures_rendered"]})
    for key in ("cells_executed", "math_rendered", "notebooks_converted", "warnings"):
        values = [r.summary[key] for r in runs if key in r.summary]
        if values:
            result[key] = max(values)
    return result


def timed_build(root: Path, *, strict: bool = True, timeout: float = 900) -> BuildRun:
    """Run ``mkdocs build`` in ``root`` (its own cwd, its own caches) and time it."""
    command = [sys.executable, "-m", "mkdocs", "build"] + (["--strict"] if strict else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=root,
            env=build_env(root),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        code, log = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as error:
        out = error.stdout or b""
        code, log = -1, (out.decode() if isinstance(out, bytes) else out) + "\nTIMEOUT\n"
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return BuildRun(seconds, code, log, parse_build_log(log), cpu)


def build_site(dest: Path, root: Path = ROOT) -> Path:
    """`mkdocs build --strict` of `root` into `dest` (the site the browser benchmarks load)."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(dest)]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"site build failed:\n{proc.stderr[-3000:]}")
    return dest


def parse_build_log(log: str) -> dict:
    """What a build did, from its log: figures rendered/cached, cells executed, math."""
    summary: dict = {
        "figures_rendered": FIGURE_RENDERED_RE.findall(log),
        "figures_cached": FIGURE_CACHED_RE.findall(log),
        "warnings": len(WARNING_RE.findall(log)),
        "notebooks_converted": len(NOTEBOOK_RE.findall(log)),
    }
    if match := CELLS_RE.search(log):
        summary["cells"] = int(match["total"])
        summary["cells_executed"] = int(match["executed"])
    if match := MATH_RE.search(log):
        summary.update(
            math_formulas=int(match["formulas"]),
            math_rendered=int(match["rendered"]),
            math_cached=int(match["cached"]),
        )
    if match := BUILT_RE.search(log):
        summary["reported_seconds"] = float(match["seconds"])
    return summary


PROSE_LINE_RE = re.compile(r"^[A-Z][a-z]+ ")
WORD_RE = re.compile(r"(?<![\w\\{-])([a-z]{5,})(?![\w}-])")


def prose_edit(markdown: str, replacement: str = "bench") -> tuple[str, str]:
    """Change one word of the first prose paragraph; returns (new text, the word replaced).

    Prose = a line outside front matter, fences and blocks that starts like a sentence.
    """
    lines = markdown.split("\n")
    start = markdown[: body_start(markdown)].count("\n")
    fence = False
    for index in range(start, len(lines)):
        line = lines[index]
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence or not PROSE_LINE_RE.match(line):
            continue
        match = WORD_RE.search(line)
        if match:
            word = match.group(1)
            lines[index] = line[: match.start(1)] + replacement + line[match.end(1) :]
            return "\n".join(lines), word
    raise ValueError("no prose line with a word to edit")
