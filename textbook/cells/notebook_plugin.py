"""MkDocs plugin `textbook-notebooks`: mkdocs-jupyter, imported lazily, with a guarded cache.

It is mkdocs-jupyter's own plugin (same options, same output) with two changes:

- nbconvert and jupytext are imported only when a notebook is actually converted, so a build
  whose notebook page comes from the cache skips about half a second of imports;
- its page cache is checked against the digests recorded by the previous build
  (`textbook.cells.jupyter_cache`): a damaged or altered entry is removed and re-rendered, never
  served.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from textbook.cells import deferred, jupyter_cache

# Before mkdocs_jupyter.plugin runs `import jupytext` and `from . import convert`.
deferred.defer("jupytext")
deferred.defer("mkdocs_jupyter.convert")

from mkdocs_jupyter.plugin import Plugin as JupyterPlugin  # noqa: E402

log = get_plugin_logger("notebooks")


class NotebookPlugin(JupyterPlugin):
    def _cache_dir(self) -> Path | None:
        if not self.config["cache"]:
            return None
        # mkdocs-jupyter resolves cache_dir against the current directory; so do we.
        return Path(os.getcwd(), self.config["cache_dir"])

    def on_pre_build(self, config):
        super().on_pre_build(config)
        if (cache_dir := self._cache_dir()) is not None:
            for name in jupyter_cache.discard_untrusted(cache_dir):
                log.info(f"discarded notebook cache entry {name} (checksum mismatch); re-rendering")

    def on_post_build(self, config):
        super().on_post_build(config)  # writes new entries and evicts unused ones
        if (cache_dir := self._cache_dir()) is not None:
            jupyter_cache.record(cache_dir)
