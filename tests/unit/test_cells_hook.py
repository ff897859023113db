"""textbook/adapters/cells.py called directly (the build tests drive it through mkdocs)."""

from __future__ import annotations

import importlib.util
import mimetypes
import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config

import textbook.cells.assets as assets
import textbook.site.scripts as scripts

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "cells_site"


@pytest.fixture
def hook():
    spec = importlib.util.spec_from_file_location(
        "cells_hook_under_test", ROOT / "textbook" / "adapters" / "cells.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def config(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    path = root / "mkdocs.yml"
    text = path.read_text().replace("@HOOKS@", str(ROOT / "hooks"))
    path.write_text(text.replace("@SITE_URL@", "http://127.0.0.1:8000/"))
    return load_config(str(path))


def test_on_config_adds_assets_and_keeps_the_notebook_out_of_the_nav(hook, config):
    config = hook.on_config(config)
    assert "assets/cells/cells.css" in config.extra_css
    # The bundle is not in every page: the loader fetches it near a cell (textbook/site/scripts).
    assert "assets/cells/cells.js" not in [str(script) for script in config.extra_javascript]
    feature = next(f for f in scripts.FEATURES if f.name == "cells")
    assert (feature.src, feature.module) == (f"{assets.SITE_DIR}/cells.js", True)
    assert config.not_in_nav.match_file("notebooks/index.ipynb")
    assert not config.not_in_nav.match_file("notebooks/other.ipynb")
    assert not config.not_in_nav.match_file("index.md")


def test_on_serve_serves_wasm_correctly_and_watches_the_front_end(hook, config):
    hook.on_config(config)

    class Server:
        watched: list[str] = []

        def watch(self, path):
            self.watched.append(path)

    server = hook.on_serve(Server(), config, builder=None)
    assert server.watched == [str(ROOT / "js" / "cells")]
    assert mimetypes.guess_type("pyodide.asm.wasm")[0] == "application/wasm"
    assert mimetypes.guess_type("pyodide.mjs")[0] == "text/javascript"
