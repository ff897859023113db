"""Render the figures from the command line: ``python -m textbook.figures.cli [NAMES]``.

The build does the same through the plugin; this is for an author working on one figure.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from textbook.figures.render import FigureBuildError, log, render_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m textbook.figures.cli",
        description="Render the figure modules in figures_src/figures/ into the cache.",
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root (default: .)")
    parser.add_argument("--cache-dir", type=Path, help="default: ROOT/.cache/figures")
    parser.add_argument("-j", "--jobs", type=int, help="parallel renders (default: CPU count)")
    parser.add_argument("--force", action="store_true", help="ignore the cache")
    parser.add_argument("names", nargs="*", help="only these figures (default: all)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    start = time.perf_counter()
    try:
        records = render_all(
            root, args.cache_dir, jobs=args.jobs, force=args.force, names=args.names or None
        )
    except FigureBuildError as error:
        for failure in error.failures:
            print(f"\n{failure.path} failed:\n{failure.traceback}", file=sys.stderr)
        return 1
    rendered = sum(record.status == "rendered" for record in records.values())
    log.info(f"{len(records)} figures ({rendered} rendered) in {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
