"""MkDocs plugin ``textbook``: runs the stages of ``textbook.pipeline`` at MkDocs' events.

The only place the build touches MkDocs' plugin machinery. Each ``on_<event>`` handler is made
from ``pipeline.EVENTS``: one handler per priority, calling the listed stages' adapter
functions (``textbook.adapters.<stage>.on_<event>``) in order, each receiving what the previous
returned. Adapters are looked up at call time, so modules reloaded by the ``live`` stage under
``mkdocs serve`` are the ones that run.

Options (mkdocs.yml)::

    plugins:
      - textbook:
          figure_timeout: 120   # seconds per figure module
          cell_timeout: 120     # seconds per runnable cell
          fact_timeout: 60      # seconds for the kernels behind the computed facts
          cell_output_limit: 20000  # bytes of a cell's output a page shows (more is cut)
          stages: [...]         # only these stages (test sites); default: all
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from textbook import pipeline


class AboveZero(c.BaseConfigOption):
    """A number above 0 (``whole``: an integer) in ``unit``; anything else is a configuration
    error saying what the option takes."""

    def __init__(self, unit: str, default: float, whole: bool = False) -> None:
        super().__init__()
        self.unit, self.default, self.whole = unit, default, whole

    def run_validation(self, value):
        kinds = int if self.whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0:
            number = "a whole number" if self.whole else "a number"
            raise base.ValidationError(f"must be {number} of {self.unit} above 0, not {value!r}")
        return value


class TextbookConfig(base.Config):
    figure_timeout = AboveZero("seconds", pipeline.Settings.figure_timeout)
    cell_timeout = AboveZero("seconds", pipeline.Settings.cell_timeout)
    fact_timeout = AboveZero("seconds", pipeline.Settings.fact_timeout)
    cell_output_limit = AboveZero("bytes", pipeline.Settings.cell_output_limit, whole=True)
    stages = c.Type(list, default=list(pipeline.STAGES))


class TextbookPlugin(BasePlugin[TextbookConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        super().__init__()
        for event in pipeline.EVENTS:
            handlers = [self._handler(event, p, s) for p, s in pipeline.EVENTS[event]]
            setattr(
                self,
                f"on_{event}",
                handlers[0] if len(handlers) == 1 else CombinedEvent(*handlers),
            )

    def _settings(self) -> None:
        for stage in self.config.stages:
            if stage not in pipeline.STAGES:
                raise ValueError(f"plugin textbook: unknown stage {stage!r}")
        pipeline.settings = pipeline.Settings(
            figure_timeout=float(self.config.figure_timeout),
            cell_timeout=float(self.config.cell_timeout),
            fact_timeout=float(self.config.fact_timeout),
            cell_output_limit=self.config.cell_output_limit,
        )

    def _handler(self, event: str, priority: int, stages: tuple[str, ...]) -> Callable:
        @event_priority(priority)
        def handler(*item, **kwargs):
            self._settings()
            current = item[0] if item else None
            for stage in stages:
                if stage not in self.config.stages:
                    continue
                adapter = importlib.import_module(f"textbook.adapters.{stage}")
                function = getattr(adapter, f"on_{event}")
                if item:
                    result = function(current, **kwargs)
                    current = current if result is None else result
                else:
                    function(**kwargs)
            return current

        handler.__name__ = handler.__qualname__ = f"textbook:{event}@{priority}"
        return handler
