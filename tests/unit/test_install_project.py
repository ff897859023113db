"""tools/install_project.py: the checkout on the path and its MkDocs plugin registered."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("install_project", ROOT / "tools/install_project.py")
install_project = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install_project)


def test_install_writes_path_and_entry_points_and_replaces_stale_copies(tmp_path):
    (tmp_path / "cv_chapter_site-0.0.1.dist-info").mkdir()
    (tmp_path / "__editable__.cv_chapter_site-0.0.1.pth").write_text("old")
    dist_info = install_project.install(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cv_chapter_site-0.1.0.dist-info",
        "cv_chapter_site.pth",
    ]
    assert (tmp_path / "cv_chapter_site.pth").read_text() == f"{ROOT}\n"
    dist = importlib.metadata.PathDistribution(dist_info)
    assert dist.metadata["Name"] == "cv-chapter-site"
    plugins = {ep.name: ep.value for ep in dist.entry_points.select(group="mkdocs.plugins")}
    assert plugins == {
        "textbook": "textbook.plugin:TextbookPlugin",
        "textbook-notebooks": "textbook.cells.notebook_plugin:NotebookPlugin",
    }
    install_project.install(tmp_path)  # idempotent


def test_the_venv_finds_the_plugin_mkdocs_yml_names():
    found = importlib.metadata.entry_points(group="mkdocs.plugins", name="textbook-notebooks")
    assert [ep.value for ep in found] == ["textbook.cells.notebook_plugin:NotebookPlugin"]
    assert "- textbook-notebooks:" in (ROOT / "mkdocs.yml").read_text()
