"""MkDocs hook: the theme's templates are compiled once and loaded compiled afterwards.

Thin adapter over `textbook.template_cache`: gives the build's Jinja environment a bytecode
cache in `.cache/templates/` next to mkdocs.yml, whose entries are checked (settings, digest,
source checksum) before use. Templates load only once pages render, after on_env.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import textbook.template_cache as template_cache

_build = {"serving": False}


def on_startup(command, dirty):
    _build["serving"] = command == "serve"


def on_config(config):
    if _build["serving"]:  # hook modules stay loaded across `mkdocs serve` rebuilds
        importlib.reload(template_cache)
    return config


def on_env(env, config, files):
    root = Path(config.config_file_path).resolve().parent
    env.bytecode_cache = template_cache.VerifiedBytecodeCache(root / ".cache" / "templates")
    return env
