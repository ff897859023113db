"""MkDocs hook: content-hashed names for the project's stylesheets and scripts.

Thin adapter over `textbook.site.fingerprint`. Runs once every file of the site is written (the
search index, the notebook pages), before the security stage computes the Content-Security-Policy
from the final pages and writes `_headers` (-50), and before hooks/output.py moves the
site into place (-100). Not under `mkdocs serve`, whose pages change with every edit anyway.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

import textbook.site.fingerprint as fingerprint

log = get_plugin_logger("fingerprint")
_build = {"serving": False}


def on_startup(command, dirty):
    _build["serving"] = command == "serve"


def on_post_build(config):
    if _build["serving"]:
        return
    base_path = urlsplit(config.site_url or "/").path or "/"
    base_path = base_path if base_path.endswith("/") else base_path + "/"
    try:
        renames = fingerprint.fingerprint_site(Path(config.site_dir), base_path)
    except (ValueError, UnicodeDecodeError) as error:
        raise PluginError(f"fingerprint: {error}") from None
    log.info(f"{len(renames)} stylesheets and scripts renamed by content hash")
