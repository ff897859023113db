"""The deploy workflow (.github/workflows/publish.yml): valid YAML, triggered by v* tags, and
running only the README's commands before pushing gh-pages."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def runs(workflow: dict) -> list[str]:
    (job,) = workflow["jobs"].values()
    return [line.strip() for s in job["steps"] if "run" in s for line in s["run"].splitlines()]


def test_it_runs_on_version_tags_only(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "write"}


def test_it_runs_the_readmes_commands_in_order_then_pushes(workflow):
    commands = runs(workflow)
    made = [c for c in commands if c.startswith("make")]
    assert made == ["make test", 'make edition VERSION="${GITHUB_REF_NAME#v}"']
    assert commands.index("make test") < commands.index(made[1])
    assert commands[-1] == "git push origin gh-pages"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and re.search(r"make edition VERSION=\S+", readme)


def test_the_address_comes_from_the_repository_variable(workflow):
    (job,) = workflow["jobs"].values()
    assert job["env"]["SITE_URL"] == "${{ vars.SITE_URL }}"
    assert not any("SITE_URL=" in c for c in runs(workflow))  # nothing overrides it
