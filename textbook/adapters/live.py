"""MkDocs hook: under `mkdocs serve`, each rebuild runs the project's Python as it is on disk.

Thin adapter over ``textbook.site.live``: before any other hook configures the rebuild, the project
modules that changed, and those that import them, are reloaded.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

import textbook.site.live as live

log = get_plugin_logger("live")
_modules = live.ProjectModules()
_serving = {"on": False}


def on_startup(command, dirty):
    _serving["on"] = command == "serve"
    _modules.note_new()


def on_config(config):
    if not _serving["on"]:
        return config
    try:
        reloaded = _modules.reload_changed()
    except Exception as error:  # the author's edit does not run: say where
        root = Path(config.config_file_path).resolve().parent
        message = live.failure_message(error, root)
        raise PluginError(f"{message} (fix it; the next save rebuilds)") from None
    if reloaded:
        log.info("reloaded " + ", ".join(reloaded))
    return config


def on_post_build(config):
    _modules.note_new()  # modules first imported during this build


def on_build_error(error):
    _modules.note_new()
