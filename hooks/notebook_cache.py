"""MkDocs hook: keep mkdocs-jupyter's cache on, but never serve a damaged entry from it."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger

from textbook import jupyter_cache

log = get_plugin_logger("notebook-cache")


def _cache_dir(config) -> Path | None:
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None or not plugin.config.get("cache"):
        return None
    # mkdocs-jupyter resolves its cache_dir against the current directory; so do we.
    return Path(os.getcwd(), plugin.config["cache_dir"])


def on_pre_build(config):
    cache_dir = _cache_dir(config)
    if cache_dir is not None:
        for name in jupyter_cache.discard_untrusted(cache_dir):
            log.info(f"discarded notebook cache entry {name} (checksum mismatch); re-rendering")


@event_priority(-50)  # after mkdocs-jupyter has written and evicted its entries
def on_post_build(config):
    cache_dir = _cache_dir(config)
    if cache_dir is not None:
        jupyter_cache.record(cache_dir)
