"""make setup's editable install: the checkout's packages and its MkDocs plugins in the venv."""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
from pathlib import Path

import textbook

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_project_is_installed_editable_from_this_checkout():
    dist = importlib.metadata.distribution(PYPROJECT["project"]["name"])
    direct_url = json.loads(dist.read_text("direct_url.json"))
    assert direct_url == {"dir_info": {"editable": True}, "url": ROOT.as_uri()}
    assert Path(textbook.__file__).resolve().parent == ROOT / "textbook"


def test_the_venv_registers_the_entry_points_pyproject_declares():
    declared = PYPROJECT["project"]["entry-points"]["mkdocs.plugins"]
    found = {
        ep.name: ep.value
        for ep in importlib.metadata.entry_points(group="mkdocs.plugins")
        if ep.name in declared
    }
    assert (
        found
        == declared
        == {
            "textbook": "textbook.plugin:TextbookPlugin",
            "textbook-notebooks": "textbook.cells.notebook_plugin:NotebookPlugin",
        }
    )
    for entry in importlib.metadata.entry_points(group="mkdocs.plugins", name="textbook"):
        assert entry.load().__name__ == "TextbookPlugin"


def test_mkdocs_yml_names_the_plugins():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    named = set(re.findall(r"^  - ([a-z-]+):?$", config, flags=re.MULTILINE))
    assert {"textbook", "textbook-notebooks"} <= named


def test_the_build_backend_is_pinned_in_the_lock():
    """`pip install --no-build-isolation` uses the venv's setuptools: the lock must pin it."""
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert "\nsetuptools==" in lock
    assert PYPROJECT["build-system"]["build-backend"] == "setuptools.build_meta"
    assert importlib.metadata.version("setuptools") in lock.split("\nsetuptools==", 1)[1][:12]
