"""MkDocs hook: the site directory changes all at once, or not at all.

Thin adapter over `textbook.site.output.SiteSwap`: a build holds its site directory's lock (a
second build of the checkout waits), writes into its own staging folder, and only a build that
succeeds swaps it in, last (-100, after every plugin has written its files).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.utils import CountHandler

import textbook.site.output as output

log = get_plugin_logger("output")
_swap = output.SiteSwap()
_build = {"serving": False}
_warnings = CountHandler(level=logging.WARNING)  # `--strict` fails only after on_post_build


def on_startup(command, dirty):
    _build["serving"] = command == "serve"


def on_config(config):
    _warnings.counts.clear()
    logging.getLogger("mkdocs").addHandler(_warnings)
    try:
        staging = _swap.begin(Path(config.site_dir), serving=_build["serving"], on_wait=log.info)
    except output.BuildLockTimeout as error:
        raise PluginError(str(error)) from None
    config.site_dir = str(staging)
    return config


@event_priority(-100)
def on_post_build(config):
    logging.getLogger("mkdocs").removeHandler(_warnings)
    if not (config.strict and _warnings.counts):  # else MkDocs aborts: on_build_error cleans
        final = _swap.finish()
        config.site_dir = str(final or config.site_dir)  # later events read the final place


def on_build_error(error):
    logging.getLogger("mkdocs").removeHandler(_warnings)
    _swap.abort()
