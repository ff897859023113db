"""MkDocs hook: the site directory changes all at once, or not at all.

The build writes into a staging directory beside `site_dir`; only a build that succeeds
replaces the old site, so a failing `mkdocs build --strict` never leaves `site/`
half-written.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import CountHandler

_final: Path | None = None
# `--strict` turns warnings into a failure only after on_post_build: count them here too.
_warnings = CountHandler(level=logging.WARNING)


def _staging(final: Path) -> Path:
    return final.with_name(f".{final.name}.partial")


def on_config(config):
    global _final
    _final = Path(config.site_dir)
    _warnings.counts.clear()
    logging.getLogger("mkdocs").addHandler(_warnings)
    staging = _staging(_final)
    shutil.rmtree(staging, ignore_errors=True)
    config.site_dir = str(staging)
    return config


@event_priority(-100)  # after every plugin has written its files (search index, ...)
def on_post_build(config):
    logging.getLogger("mkdocs").removeHandler(_warnings)
    staging = Path(config.site_dir)
    if _final is None or staging == _final:
        return
    if config.strict and _warnings.counts:
        return  # MkDocs aborts next; on_build_error removes the staging directory
    old = _final.with_name(f".{_final.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if _final.exists():
        _final.rename(old)
    staging.rename(_final)
    shutil.rmtree(old, ignore_errors=True)
    # Later events of this build (and `mkdocs serve`) read the final location.
    config.site_dir = str(_final)


def on_build_error(error):
    logging.getLogger("mkdocs").removeHandler(_warnings)
    if _final is not None:
        shutil.rmtree(_staging(_final), ignore_errors=True)
