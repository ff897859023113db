"""MkDocs hook: the project's scripts on demand (logic in `textbook.site.scripts`).

- on_config: every page loads the loader, `assets/js/textbook.js`, and no feature script.
- on_files: the loader is added to sites whose docs/ lack it (test fixtures); the feature
  table keeps the features whose script the site publishes (the cells bundle is added by the
  cells stage at priority 100, the other scripts are in docs/ or added by their stage).
- on_post_page: the feature table goes into the page, before the loader's `<script>`; the
  fingerprint stage (post_build) renames the scripts it names.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

import textbook.site.scripts as scripts

PROJECT_DOCS = Path(__file__).resolve().parents[2] / "docs"
_state: dict = {"features": ()}


def on_config(config):
    if scripts.LOADER not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(scripts.LOADER)
    return config


def on_files(files, config):
    if files.get_file_from_path(scripts.LOADER) is None:
        loader = str(PROJECT_DOCS / scripts.LOADER)
        files.append(File.generated(config, scripts.LOADER, abs_src_path=loader))
    names = {f.src_uri for f in files}
    _state["features"] = scripts.published(scripts.FEATURES, names)
    return files


def on_post_page(output, page, config):
    return scripts.insert_table(output, _state["features"])
