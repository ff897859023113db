"""MkDocs hook: the theme's templates are compiled once and loaded compiled afterwards.

Thin adapter over `textbook.site.template_cache`: gives the build's Jinja environment a bytecode
cache in `.cache/templates/` next to mkdocs.yml, whose entries are checked (settings, digest,
source checksum) before use; entries the build did not load are removed after it. Templates
load only once pages render, after on_env.

It also gives the theme the descriptions it writes into `<meta name="description">` escaped
(`textbook.site.head`): Material writes them unescaped.
"""

from __future__ import annotations

from pathlib import Path

import textbook.site.head as head
import textbook.site.template_cache as template_cache

_build: dict = {"cache": None}


def on_config(config):
    config.site_description = head.escaped(config.site_description)
    return config


def on_page_context(context, page, config, nav):
    head.page_description(page.meta)
    return context


def on_env(env, config, files):
    root = Path(config.config_file_path).resolve().parent
    _build["cache"] = template_cache.VerifiedBytecodeCache(root / ".cache" / "templates")
    env.bytecode_cache = _build["cache"]
    return env


def on_post_build(config):
    if _build["cache"] is not None:
        _build["cache"].evict_unused()
        _build["cache"] = None
