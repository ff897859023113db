"""textbook/adapters/figures.py in a tiny site built in-process from the miniature project."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

PLACEHOLDER = '<figure class="tb-figure" id="fig-{name}" data-figure="{name}"></figure>'


@pytest.fixture
def site(project: Path) -> Path:
    (project / "docs" / "chapter").mkdir(parents=True)
    (project / "docs" / "index.md").write_text(f"# Home\n\n{PLACEHOLDER.format(name='alpha')}\n")
    (project / "docs" / "chapter" / "page.md").write_text(
        "# Page\n\nText.\n\n" + PLACEHOLDER.format(name="beta") + "\n"
    )
    (project / "mkdocs.yml").write_text(
        "site_name: Tiny\ntheme: mkdocs\nplugins: [search, {textbook: {stages: [figures]}}]\n"
        "nav:\n  - index.md\n  - chapter/page.md\n"
    )
    return project


def build_site(site: Path) -> None:
    config = load_config(str(site / "mkdocs.yml"))
    build(config)


def build_error(site: Path, caplog: pytest.LogCaptureFixture) -> str:
    """Build expecting MkDocs to abort; return the PluginError message it logged."""
    caplog.clear()
    with caplog.at_level(logging.INFO), pytest.raises(Abort):
        build_site(site)
    return [r.getMessage() for r in caplog.records if r.name == "mkdocs.commands.build"][-1]


def test_the_hook_renders_publishes_and_embeds_figures_without_touching_docs(site, caplog):
    docs_before = sorted(p.relative_to(site) for p in (site / "docs").rglob("*"))
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.figures"):
        build_site(site)
    out = site / "site"
    cache = site / ".cache" / "figures"
    assert sorted(p.relative_to(site) for p in (site / "docs").rglob("*")) == docs_before
    for name, file in [("alpha", "light.svg"), ("alpha", "dark.svg"), ("beta", "spec.json")]:
        published = out / "assets" / "figures" / name / file
        assert published.read_bytes() == (cache / name / file).read_bytes()

    home = (out / "index.html").read_text()
    assert 'src="assets/figures/alpha/light.svg" width="200" height="80"' in home
    assert 'alt="Doubled values: 3, 4, 6."' in home
    assert "<figcaption>Values &amp; their doubles &lt;in a fixture&gt;.</figcaption>" in home
    assert 'href="assets/css/figures.css"' in home
    page = (out / "chapter" / "page" / "index.html").read_text()
    assert 'src="../../assets/figures/beta/dark.svg" width="80" height="40"' in page
    assert 'href="../../assets/css/figures.css"' in page
    rendered = sorted(m.split(" rendered in ")[0] for m in caplog.messages if "rendered in" in m)
    assert [m[:15] for m in rendered] == ["figures: [1/2] ", "figures: [2/2] "]
    assert sorted(m[15:] for m in rendered) == ["alpha", "beta"]

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.figures"):
        build_site(site)
    assert [m for m in caplog.messages if m.startswith("figures:")] == [
        "figures: alpha cached",
        "figures: beta cached",
    ]


def test_an_unknown_figure_fails_the_build_naming_page_line_and_figure(site, caplog):
    (site / "docs" / "chapter" / "page.md").write_text(
        "# Page\n\n/// figure\n    id: fig-x\n    name: nope\n///\n\n"
        + PLACEHOLDER.format(name="nope")
        + "\n"
    )
    assert build_error(site, caplog) == (
        "docs/chapter/page.md:5: unknown figure 'nope': add figures_src/figures/nope.py "
        "or use one of: alpha, beta"
    )


def test_a_failing_figure_fails_the_build_with_its_path_and_logs_the_traceback(site, caplog):
    module = site / "figures_src" / "figures" / "beta.py"
    source = module.read_text().replace("    return", "    raise RuntimeError('boom')\n    return")
    module.write_text(source)
    line = source.splitlines().index("    raise RuntimeError('boom')") + 1
    assert build_error(site, caplog) == (
        f"figures_src/figures/beta.py:{line}: RuntimeError: boom: fix the figure module "
        "(traceback above); its last good assets are kept"
    )
    (logged,) = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.ERROR and r.name == "mkdocs.plugins.figures"
    ]
    assert logged.startswith(f"figures: figures_src/figures/beta.py:{line} raised:\nTraceback")
    assert logged.endswith("RuntimeError: boom")
