"""MkDocs hook: the site directory changes all at once, or not at all.

Thin adapter over `textbook.site.output`: the build holds the lock of its site directory (a
second build of the checkout waits for it), writes into its own staging directory, and only a
build that succeeds swaps it in, so a failing `mkdocs build --strict` never leaves `site/`
half-written and two builds at once never mix. `mkdocs serve` builds into a temporary
directory of its own, which no other build shares: it takes no lock.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.utils import CountHandler

import textbook.site.output as output

log = get_plugin_logger("output")
_build: dict = {"final": None, "staging": None, "lock": None, "command": None}
# `--strict` turns warnings into a failure only after on_post_build: count them here too.
_warnings = CountHandler(level=logging.WARNING)


def on_startup(command, dirty):
    _build["command"] = command


def _release() -> None:
    if _build["lock"] is not None:
        _build["lock"].release()
        _build["lock"] = None


def on_config(config):
    final = Path(config.site_dir)
    _build["final"] = final
    _warnings.counts.clear()
    logging.getLogger("mkdocs").addHandler(_warnings)
    if _build["command"] != "serve":
        lock = output.BuildLock(final)
        try:
            lock.acquire(on_wait=log.info)
        except output.BuildLockTimeout as error:
            raise PluginError(str(error)) from None
        _build["lock"] = lock
        output.remove_stale_staging(final)
    _build["staging"] = output.new_staging(final)
    config.site_dir = str(_build["staging"])
    return config


@event_priority(-100)  # after every plugin has written its files (search index, ...)
def on_post_build(config):
    logging.getLogger("mkdocs").removeHandler(_warnings)
    staging, final = Path(config.site_dir), _build["final"]
    if final is None or staging == final:
        return
    if config.strict and _warnings.counts:
        return  # MkDocs aborts next; on_build_error removes the staging directory
    output.publish(staging, final)
    _build["staging"] = None
    _release()
    # Later events of this build (and `mkdocs serve`) read the final location.
    config.site_dir = str(final)


def on_build_error(error):
    logging.getLogger("mkdocs").removeHandler(_warnings)
    if _build["staging"] is not None:
        shutil.rmtree(_build["staging"], ignore_errors=True)
        _build["staging"] = None
    _release()
