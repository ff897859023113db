"""Reproducible output: two builds from clean, in fresh processes, with separate caches, in
different folders, with different hash seeds and time zones, give byte-identical sites; and
`make clean` removes every build output and cache the build made."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.build.test_bad_input import build, copy_project, tree_digest


def listing(root: Path) -> set[str]:
    """Every file, folder and link under `root` (links are not followed)."""
    found = set()
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


@dataclass(frozen=True)
class Builds:
    projects: tuple[Path, Path]
    sources: set[str]  # what a copy held before its build


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    base = tmp_path_factory.mktemp("reproducible")
    projects = (copy_project(base / "first"), copy_project(base / "second"))
    sources = listing(projects[0])
    settings = ({"PYTHONHASHSEED": "1", "TZ": "UTC"}, {"PYTHONHASHSEED": "2", "TZ": "Asia/Tokyo"})
    with ThreadPoolExecutor(2) as pool:
        jobs = [
            pool.submit(build, project, **env)
            for project, env in zip(projects, settings, strict=True)
        ]
        results = [job.result() for job in jobs]
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
    return Builds(projects, sources)


def test_two_clean_builds_are_byte_identical(builds):
    first, second = (tree_digest(p / "site") for p in builds.projects)
    differing = sorted(
        set(first) ^ set(second) | {f for f in set(first) & set(second) if first[f] != second[f]}
    )
    assert not differing, f"{len(differing)} files differ between two clean builds: {differing}"
    assert len(first) > 100 and "sitemap.xml.gz" in first and "search/search_index.json" in first


def test_make_clean_removes_every_build_output_and_cache(builds):
    project = builds.projects[0]
    made = listing(project) - builds.sources
    assert {"site", ".cache/figures", ".cache/katex", ".cache/cells"} <= made
    result = subprocess.run(["make", "clean"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    left = sorted(listing(project) - builds.sources)
    assert left == [], f"`make clean` left build outputs behind: {left}"
    kept = {".cache/vendor", "node_modules"}  # set-up, not build: a build after clean needs them
    assert kept <= listing(project)
