"""Render the figure modules in ``figures_src/figures/`` into a content-hashed cache.

Each stale figure is built in a fresh subprocess (``textbook.figures.worker``, run by
``textbook.core.runner``),
so edited modules are always re-imported (``mkdocs serve`` keeps one process alive) and a
crashing figure cannot take the build process down.  Up to ``jobs`` figures render at once.

Cache layout (outside ``docs/``)::

    .cache/figures/manifest.json        # sorted keys; one entry per figure
    .cache/figures/<name>/<artifact>    # e.g. light.svg, dark.svg

A figure is reused when its recorded inputs (its module, every project module it imported,
every project file it opened), the pipeline format and the library versions are unchanged
and every cached artifact still has its recorded SHA-256; otherwise it is rendered again.
Artifacts are moved into place with ``os.replace`` and the manifest is written last, so an
interrupted or failed render leaves the last good assets and a consistent manifest.

This module imports nothing heavy: the MkDocs process only hashes files and starts workers.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textbook.core.files import write_atomic
from textbook.core.runner import Outcome, Task, project_env, run_tasks

CACHE_FORMAT = 1
PINNED_LIBRARIES = ("matplotlib", "numpy", "pillow", "plotly")
FIGURE_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
FIGURES_PACKAGE = "figures_src.figures"
DEFAULT_TIMEOUT = 120.0
# Never inputs: caches, environments, VCS and byte-code.
_IGNORED_PARTS = frozenset({".cache", ".git", ".venv", "__pycache__", "node_modules", "site"})
ABSENT = "absent"  # digest of an input the figure tried to open but that did not exist

logger = logging.getLogger("mkdocs.plugins.figures")


class _Prefixed(logging.LoggerAdapter):
    def process(self, msg: Any, kwargs: Any) -> tuple[str, Any]:
        return f"figures: {msg}", kwargs


log = _Prefixed(logger, {})


@dataclass(frozen=True)
class Artifact:
    path: Path
    sha256: str
    width: int | None = None  # CSS pixels, for SVG artifacts
    height: int | None = None


@dataclass(frozen=True)
class FigureRecord:
    """A published figure: what the hooks need to embed it."""

    name: str
    alt: str
    caption: str
    artifacts: Mapping[str, Artifact]
    meta: Mapping[str, Any] = field(default_factory=dict)
    status: str = "cached"  # or "rendered"


@dataclass(frozen=True)
class Failure:
    name: str
    path: str  # the figure module, relative to the project root
    message: str  # one line: the exception
    traceback: str
    line: int | None = None  # innermost line of the figure module in the traceback

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class FigureBuildError(Exception):
    """One or more figure modules failed; the others were rendered and cached."""

    def __init__(self, failures: list[Failure]) -> None:
        self.failures = failures
        first = failures[0]
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        super().__init__(f"{first.location}: {first.message}{more}")


def figure_names(root: Path) -> list[str]:
    """Figure modules under ``root/figures_src/figures`` (helpers start with ``_``)."""
    names = []
    for path in sorted((root / "figures_src" / "figures").glob("*.py")):
        if path.stem.startswith("_"):
            continue
        if not FIGURE_NAME.match(path.stem):
            raise ValueError(f"{path}: figure module names must match {FIGURE_NAME.pattern}")
        names.append(path.stem)
    return names


def module_path(name: str) -> str:
    return f"figures_src/figures/{name}.py"


def library_versions() -> dict[str, str]:
    versions = {"python": "{}.{}".format(*sys.version_info[:2])}
    for library in PINNED_LIBRARIES:
        try:
            versions[library] = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            versions[library] = "absent"
    return versions


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def dump_json(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, allow_nan=False) + "\n").encode()


# --- manifest -------------------------------------------------------------------------------


def _write_manifest(cache_dir: Path, manifest: Mapping[str, Any]) -> None:
    write_atomic(
        cache_dir / "manifest.json", dump_json({"figures": manifest, "format": CACHE_FORMAT})
    )


def read_manifest(cache_dir: Path) -> dict[str, Any]:
    """The manifest's figure entries, or {} if it is missing, unreadable or another format."""
    try:
        data = json.loads((cache_dir / "manifest.json").read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.info("cache manifest unreadable; rendering every figure")
        return {}
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return {}
    figures = data.get("figures")
    return figures if isinstance(figures, dict) else {}


def load_records(cache_dir: Path, status: str = "cached") -> dict[str, FigureRecord]:
    """Records of every figure in the manifest (for hooks that run after the render)."""
    return {
        name: _record(name, entry, cache_dir, status)
        for name, entry in read_manifest(cache_dir).items()
    }


def _record(name: str, entry: Mapping[str, Any], cache_dir: Path, status: str) -> FigureRecord:
    artifacts = {
        file: Artifact(
            cache_dir / name / file, info["sha256"], info.get("width"), info.get("height")
        )
        for file, info in sorted(entry["artifacts"].items())
    }
    return FigureRecord(
        name, entry["alt"], entry["caption"], artifacts, entry.get("meta", {}), status
    )


class _Hasher:
    """SHA-256 of files, memoised for one staleness pass."""

    def __init__(self) -> None:
        self._seen: dict[Path, str | None] = {}

    def __call__(self, path: Path) -> str | None:
        if path not in self._seen:
            self._seen[path] = file_sha256(path)
        return self._seen[path]


def stale_reason(
    name: str,
    entry: Mapping[str, Any] | None,
    root: Path,
    cache_dir: Path,
    env: Mapping[str, str],
    hasher: _Hasher | None = None,
) -> str | None:
    """Why ``name`` must be rendered again, or None if its cache entry is good."""
    hasher = hasher or _Hasher()
    if entry is None:
        return "not in the cache"
    try:
        if entry["env"] != dict(env):
            return "library versions changed"
        inputs, artifacts = entry["inputs"], entry["artifacts"]
        if module_path(name) not in inputs:
            return "cache entry lists no module"
        for relative, digest in sorted(inputs.items()):
            if digest is None or (hasher(root / relative) or ABSENT) != digest:
                return f"{relative} changed"
        for file, info in sorted(artifacts.items()):
            if hasher(cache_dir / name / file) != info["sha256"]:
                return f"cached {file} is missing or corrupted"
        entry["alt"], entry["caption"]  # noqa: B018 - must exist
    except (KeyError, TypeError, AttributeError):
        return "cache entry malformed"
    return None


# --- rendering ------------------------------------------------------------------------------


def _worker_env(root: Path) -> dict[str, str]:
    return project_env(
        root, MPLBACKEND="Agg", SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "0")
    )


def _task(name: str, root: Path, staging: Path, timeout: float) -> Task:
    return Task(
        label=f"figure {name}",
        source=module_path(name),
        target="textbook.figures.worker",
        args=(name, str(staging)),
        cwd=root,
        env=_worker_env(root),
        timeout=timeout,
    )


def _failure(name: str, outcome: Outcome) -> Failure:
    path = module_path(name)
    if outcome.timed_out:
        where = outcome.where or ""
        line = int(where.rpartition(":")[2]) if where.startswith(f"{path}:") else None
        message = f"TimeoutError: build() did not finish within {outcome.task.timeout:g} s"
        message += f" (it was at {where})" if where and line is None else ""
        return Failure(name, path, message, outcome.stderr or message, line)
    if outcome.returncode == 0:  # exited without a result: os._exit(0) in the module
        message = outcome.error().removeprefix(f"{path}: ")
        return Failure(name, path, message, outcome.stderr or message)
    lines = [line for line in outcome.stderr.strip().splitlines() if line.strip()]
    message = lines[-1].strip() if lines else f"worker exited with status {outcome.returncode}"
    frames = re.findall(rf'File "[^"]*{re.escape(path)}", line (\d+)', outcome.stderr)
    return Failure(name, path, message, outcome.stderr, int(frames[-1]) if frames else None)


def _promote(
    name: str, staging: Path, started_ns: int, root: Path, cache_dir: Path, env: Mapping[str, str]
) -> dict[str, Any]:
    """Move a successful worker's artifacts into the cache; return its manifest entry."""
    result = json.loads((staging / "result.json").read_text("utf-8"))
    target = cache_dir / name
    target.mkdir(parents=True, exist_ok=True)
    artifacts = {}
    for file, info in sorted(result["artifacts"].items()):
        source = staging / "artifacts" / file
        artifacts[file] = {**info, "sha256": file_sha256(source)}
        os.replace(source, target / file)
    for old in target.iterdir():
        if old.name not in artifacts:
            old.unlink()
    inputs = dict(result["inputs"])
    for relative in inputs:  # edited while rendering: do not trust the recorded digest
        try:
            if (root / relative).stat().st_mtime_ns >= started_ns:
                inputs[relative] = None
        except FileNotFoundError:
            pass  # recorded as ABSENT, or deleted meanwhile (then the digest will not match)
    return {
        "alt": result["alt"],
        "artifacts": artifacts,
        "caption": result["caption"],
        "env": dict(env),
        "inputs": inputs,
        "meta": result["meta"],
    }


def render_all(
    root: Path | str,
    cache_dir: Path | str | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    names: Iterable[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, FigureRecord]:
    """Bring the cache up to date for every figure module; return their records.

    Raises FigureBuildError after the run if any figure failed (the others are cached, the
    failed ones keep their last good artifacts and manifest entry).
    """
    root = Path(root).resolve()
    cache_dir = Path(cache_dir).resolve() if cache_dir else root / ".cache" / "figures"
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one renderer per cache (serve + build, xdist)
        return _render_locked(root, cache_dir, jobs, force, names, timeout)


def _render_locked(
    root: Path,
    cache_dir: Path,
    jobs: int | None,
    force: bool,
    names: Iterable[str] | None,
    timeout: float,
) -> dict[str, FigureRecord]:
    for leftover in cache_dir.glob(".stage-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    all_names = figure_names(root)
    wanted = all_names if names is None else [n for n in all_names if n in set(names)]
    if unknown := sorted(set(names or ()) - set(all_names)):
        raise ValueError(f"no figure module figures_src/figures/{unknown[0]}.py")
    manifest = read_manifest(cache_dir)
    env = library_versions()
    hasher = _Hasher()
    stale: list[str] = []
    for name in wanted:
        reason = (
            "forced"
            if force
            else stale_reason(name, manifest.get(name), root, cache_dir, env, hasher)
        )
        if reason is None:
            log.info(f"{name} cached")
        else:
            log.debug(f"{name} is stale: {reason}")
            stale.append(name)
    rendered: set[str] = set()
    failures: list[Failure] = []
    staging = {n: Path(tempfile.mkdtemp(prefix=f".stage-{n}-", dir=cache_dir)) for n in stale}
    done = 0

    def finished(outcome: Outcome) -> None:
        """Record a figure as soon as it is done: a build killed later keeps it."""
        nonlocal done
        done += 1
        name = outcome.task.args[0]
        progress = f"[{done}/{len(stale)}] {name}"
        try:
            if not outcome.ok or outcome.returncode != 0:
                failures.append(_failure(name, outcome))
                log.info(f"{progress} failed after {outcome.seconds:.2f} s")
                return
            manifest[name] = _promote(name, staging[name], outcome.started_ns, root, cache_dir, env)
            rendered.add(name)
            _write_manifest(cache_dir, manifest)
            log.info(f"{progress} rendered in {outcome.seconds:.2f} s")
        finally:
            shutil.rmtree(staging[name], ignore_errors=True)

    tasks = [_task(n, root, staging[n], timeout) for n in stale]
    run_tasks(tasks, jobs=jobs, on_done=finished, root=root)
    for gone in sorted(set(manifest) - set(all_names)):  # module deleted: drop its assets
        del manifest[gone]
        shutil.rmtree(cache_dir / gone, ignore_errors=True)
    _write_manifest(cache_dir, manifest)
    if failures:
        raise FigureBuildError(sorted(failures, key=lambda f: f.name))
    return {
        name: _record(name, manifest[name], cache_dir, "rendered" if name in rendered else "cached")
        for name in wanted
    }
