"""The build pipeline, written in one place: which stage runs at which MkDocs event, in order.

A *stage* is one feature's adapter module in ``textbook/adapters/`` (``math``, ``cells``...):
its ``on_<event>`` functions turn MkDocs' objects into the plain data the engine packages take
(``textbook.math``, ``textbook.cells``...) and put the results back. The MkDocs plugin
(``textbook.plugin``, entry point ``textbook``) calls them through this table and nothing else
decides the order.

``EVENTS[event]`` is a list of ``(priority, stages)``: MkDocs runs every plugin's handlers of an
event from the highest priority down (0 is the default, where the other plugins, search and
textbook-notebooks, run first), and within one priority our stages run in the order listed.
The data flow this order encodes (see README "Architecture"):

- config:  ``live`` reloads edited project modules before anything else reads them; each
  feature adds its stylesheets and reads its options.
- files:   ``cells`` runs the cells and adds the generated notebook *before* the
  notebooks plugin (priority 0) collects ``*.ipynb``; ``figures`` renders the figure modules
  and ``instruments`` builds the instrument assets, both added as generated files.
- page_markdown: ``chapter`` checks front matter, headings and directives and substitutes the
  computed facts (kernels run in a worker) into the Markdown.
- page_content: placeholders become figures, instruments, cells (code + build-time output);
  ``anchors`` then records the page's ids and resolves cross references.
- files/post_page: ``scripts`` puts one loader on every page (``assets/js/textbook.js``) and,
  before it, the table of feature scripts it loads on demand (textbook/site/scripts.py).
- files (-100): ``first_paint`` joins every stylesheet listed so far into one bundle.
- post_page: ``math`` typesets TeX into HTML and adds the KaTeX fonts the page uses;
  ``security`` names Material's unnamed widgets; ``first_paint`` (-55) links the bundle, keeps
  only the font preloads of formulas drawn at load and moves xref previews into a JSON file;
  ``instant`` (last, after math's links) patches instant navigation.
- post_build: caches prune what the build did not use; ``fingerprint`` (-40) renames the
  project's stylesheets and scripts by content hash; ``security`` (-50) computes the
  Content-Security-Policy once the search index and notebook pages are written; the site is
  moved into place last (-100, ``hooks/output.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


def _names(words: str) -> tuple[str, ...]:
    return tuple(words.split())


STAGES = _names(
    "live templates chapter math figures instruments cells edition anchors scripts fingerprint"
    " security first_paint instant"
)

# Each stage list is written as its names in order, separated by spaces.
_EVENT_TABLE: dict[str, list[tuple[int, str]]] = {
    "startup": [(0, "live math cells fingerprint security first_paint")],
    "config": [
        (100, "live"),
        (0, "templates chapter math figures instruments cells edition anchors scripts security"),
    ],
    "files": [
        (100, "cells"),
        (0, "math figures instruments anchors scripts security"),
        (-100, "first_paint"),
    ],
    "env": [(0, "templates anchors")],
    "page_markdown": [(0, "chapter")],
    "page_content": [(0, "chapter figures instruments cells anchors")],
    "page_context": [(0, "templates anchors")],
    "post_page": [
        (0, "chapter math anchors scripts security"),
        (-55, "first_paint"),
        (-60, "instant"),
    ],
    "post_template": [(0, "security instant")],
    "post_build": [
        (0, "live templates math cells first_paint"),
        (-40, "fingerprint"),
        (-50, "security"),
    ],
    "build_error": [(0, "live math")],
    "serve": [(0, "cells")],
    "shutdown": [(0, "math")],
}
EVENTS: dict[str, list[tuple[int, tuple[str, ...]]]] = {
    event: [(priority, _names(stages)) for priority, stages in groups]
    for event, groups in _EVENT_TABLE.items()
}


@dataclass(frozen=True)
class Settings:
    """The plugin's options (mkdocs.yml ``plugins: - textbook: {...}``), as plain data."""

    figure_timeout: float = 120.0  # seconds one figure module may take
    cell_timeout: float = 120.0  # seconds one runnable cell may take at build time
    fact_timeout: float = 60.0  # seconds the kernels may take to compute every fact
    cell_output_limit: int = 20_000  # bytes of a cell's build-time output a page shows


settings = Settings()  # the current build's; set by the plugin before any stage runs


def stages_of(event: str) -> list[str]:
    """Every stage handling ``event``, in the order they run."""
    return [stage for _, stages in EVENTS.get(event, []) for stage in stages]
