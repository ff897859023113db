"""Fixtures for the figure pipeline: a miniature project tree and the real figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PROJECT = ROOT / "tests" / "fixtures" / "figures_project"
# The figure-protocol modules a worker imports from the project it renders (the render
# pipeline itself is the engine's, textbook.figures.render, imported from the checkout).
PIPELINE = ("__init__.py", "figure.py")


def make_project(destination: Path) -> Path:
    """A project root holding the real pipeline modules and the fixture figures/kernels/data."""
    shutil.copytree(FIXTURE_PROJECT, destination, ignore=shutil.ignore_patterns("__pycache__"))
    for name in PIPELINE:
        shutil.copy2(ROOT / "figures_src" / name, destination / "figures_src" / name)
    return destination


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def cache_dir(project: Path) -> Path:
    return project / ".cache" / "figures"
