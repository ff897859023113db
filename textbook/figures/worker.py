"""The worker side of figure rendering: import one figure module, build it, write its artifacts.

Run by ``textbook.figures.render`` through ``textbook.core.runner`` in a fresh interpreter
(``python -m textbook.figures.worker NAME OUT_DIR``, from the project root): the figure's
artifacts and ``result.json`` (alt, caption, artifact info, the inputs it read with their
sha256) go to ``OUT_DIR``; the runner's JSON result says it finished.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from pathlib import Path

import textbook.figures.render as render
from textbook.core.runner import write_result
from textbook.figures.render import (
    _IGNORED_PARTS,
    ABSENT,
    FIGURES_PACKAGE,
    dump_json,
    file_sha256,
    module_path,
)


def _is_input(path: Path, root: Path, exclude: Path) -> bool:
    if path.suffix in {".py", ".pyc"} or not path.is_relative_to(root):
        return False
    if path == exclude or path.is_relative_to(exclude):
        return False
    return not _IGNORED_PARTS.intersection(path.relative_to(root).parts)


ENGINE = Path(render.__file__).resolve().parents[1]  # the `textbook` package


def is_engine(path: Path) -> bool:
    """The build's own machinery (this worker, the runner, the cache...): a figure module may
    not import it (tests/unit/test_architecture.py), so editing it changes no figure."""
    return path.is_relative_to(ENGINE)


def build_one(name: str, out_dir: Path, root: Path) -> None:
    """Worker side: import and build one figure, write artifacts and result.json to out_dir."""
    opened: set[str] = set()
    recording = [True]  # stop before hashing: hashing opens files too

    def audit(event: str, args: tuple) -> None:
        if event == "open" and recording[0] and isinstance(args[0], str | bytes | os.PathLike):
            opened.add(os.fsdecode(args[0]))

    sys.addaudithook(audit)
    from figures_src.figure import validate_result

    module = importlib.import_module(f"{FIGURES_PACKAGE}.{name}")
    module_file = Path(module.__file__ or "").resolve()
    if module_file != root / module_path(name):
        raise ImportError(f"imported {module_file}, expected {root / module_path(name)}")
    build = getattr(module, "build", None)
    if not callable(build):
        raise TypeError(f"{module_path(name)} defines no build() function")
    result = build()
    recording[0] = False
    info = validate_result(result)

    inputs: dict[str, str | None] = {}
    for loaded in list(sys.modules.values()):
        file = getattr(loaded, "__file__", None)
        if file and (path := Path(file).resolve()).is_relative_to(root) and not is_engine(path):
            if not _IGNORED_PARTS.intersection(path.relative_to(root).parts):
                inputs[path.relative_to(root).as_posix()] = file_sha256(path)
    for raw in sorted(opened):
        path = (root / raw).resolve()
        if _is_input(path, root, out_dir) and not path.is_dir():
            inputs[path.relative_to(root).as_posix()] = file_sha256(path) or ABSENT

    (out_dir / "artifacts").mkdir(parents=True, exist_ok=True)
    for file, data in result.artifacts.items():
        (out_dir / "artifacts" / file).write_bytes(data)
    summary = {
        "alt": result.alt.strip(),
        "artifacts": info,
        "caption": result.caption.strip(),
        "inputs": inputs,
        "meta": dict(result.meta),
    }
    (out_dir / "result.json").write_bytes(dump_json(summary))


def main(argv: list[str]) -> int:
    name, out_dir = argv
    try:
        build_one(name, Path(out_dir).resolve(), Path.cwd().resolve())
    except BaseException:
        traceback.print_exc()
        return 1
    write_result({"figure": name})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
