"""The engine's loggers, named and prefixed as MkDocs' plugin loggers are (`mkdocs.plugins.<name>`,
each message led by ``<first part of name>: ``), so build logs read the same, without importing
MkDocs: the engine packages stay usable under another tool (see README "Moving to Zensical").
tests/unit/test_upstream.py compares them with `mkdocs.plugins.get_plugin_logger`."""

from __future__ import annotations

import logging


class _Prefixed(logging.LoggerAdapter):
    def __init__(self, prefix: str, logger: logging.Logger) -> None:
        super().__init__(logger, {})
        self.prefix = prefix

    def process(self, msg, kwargs):
        return f"{self.prefix}: {msg}", kwargs


def get_logger(name: str) -> logging.LoggerAdapter:
    return _Prefixed(name.split(".", 1)[0], logging.getLogger(f"mkdocs.plugins.{name}"))
