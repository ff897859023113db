"""Front-end files of the runnable cells: the esbuild bundle and the self-hosted Pyodide.

- ``bundle()`` builds ``js/cells/`` (editor + UI, the worker, the CSS) with the pinned esbuild
  into a cache folder, only when an input changed (hash of the sources, the lock file and the
  esbuild arguments). Output is deterministic.
  The bundle is published only if every output file still has the sha256 recorded when it was
  built (a truncated or edited ``cells.js`` is rebuilt).
- ``vendor_files()`` lists the Pyodide runtime that ``tools/vendor_pyodide.py`` put under
  ``.cache/vendor/pyodide/`` and checks it is complete, that every file has the sha256 the tool
  recorded in ``SHA256SUMS.json`` and that the numpy wheel still has the sha256 recorded in
  ``pyodide-lock.json``. Digests are memoised under the file's size, mtime and inode in
  the build cache, so an unchanged file is not read again.

Both raise ``AssetError`` with a message saying which command fixes the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from textbook.core.cache import Cache, digest
from textbook.core.files import write_atomic

SITE_DIR = "assets/cells"  # where the bundle goes in the site
PYODIDE_SITE_DIR = "assets/pyodide"  # the worker finds Pyodide at ../pyodide/
BUNDLE_FILES = ("cells.js", "worker.js", "cells.css")
PYODIDE_FILES = (
    "pyodide.js",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-snapshot.bin.gz",  # made at set-up from the files above (tools/pyodide_snapshot.cjs)
    "numpy-pyc.zip",  # numpy's bytecode, made at set-up by this runtime (tools/numpy_pyc.cjs)
    "pyodide-lock.json",
)
VENDORED_PACKAGES = ("numpy",)
VENDOR_SUMS = "SHA256SUMS.json"  # written by tools/vendor_pyodide.py
SETUP_HINT = "run `.venv/bin/python tools/vendor_pyodide.py` (part of `make setup`)"


class AssetError(Exception):
    pass


def _esbuild_commands(exe: str, src: Path, out: Path) -> list[list[str]]:
    common = ["--bundle", "--minify", "--legal-comments=none", "--log-level=warning"]
    return [
        [exe, str(src / "main.js"), *common, "--format=esm", "--target=es2020",
         f"--outfile={out / 'cells.js'}"],
        [exe, str(src / "worker.js"), *common, "--format=iife", "--target=es2020",
         "--loader:.py=text", f"--outfile={out / 'worker.js'}"],
        [exe, str(src / "cells.css"), *common, f"--outfile={out / 'cells.css'}"],
    ]  # fmt: skip


def _inputs_digest(root: Path, src: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        digest.update(path.relative_to(src).as_posix().encode() + b"\0" + path.read_bytes())
    lock = root / "package-lock.json"
    if lock.is_file():
        digest.update(lock.read_bytes())
    for cmd in _esbuild_commands("esbuild", Path("src"), Path("out")):
        digest.update(" ".join(cmd).encode())
    return digest.hexdigest()


def bundle(root: Path, out_dir: Path) -> dict[str, Path]:
    """Bundle ``root/js/cells`` into ``out_dir`` if stale; return {site uri: file}."""
    src = root / "js" / "cells"
    exe = root / "node_modules" / ".bin" / "esbuild"
    if not (src / "main.js").is_file():
        raise AssetError(f"{src / 'main.js'} not found: the cells front end is missing")
    outputs = {f"{SITE_DIR}/{name}": out_dir / name for name in BUNDLE_FILES}
    stamp = Cache(out_dir, ".stamp", what="cells bundle stamp")
    digest = _inputs_digest(root, src)
    recorded = stamp.get("bundle", lambda v: isinstance(v["outputs"], dict))
    if recorded is not None and recorded["inputs"] == digest:
        if all(_sha256_or_none(p) == recorded["outputs"].get(p.name) for p in outputs.values()):
            return outputs
    if not exe.exists():
        raise AssetError(f"{exe} not found: run `npm ci` (package.json pins esbuild)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bundle-", dir=out_dir) as tmp:
        for cmd in _esbuild_commands(str(exe), src, Path(tmp)):
            proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
            if proc.returncode != 0:
                raise AssetError(f"esbuild failed for {cmd[1]}:\n{proc.stderr.strip()}")
        sums = {name: sha256_file(Path(tmp) / name) for name in BUNDLE_FILES}
        for name in BUNDLE_FILES:
            os.replace(Path(tmp) / name, out_dir / name)
    stamp.put("bundle", {"inputs": digest, "outputs": sums})
    (out_dir / ".inputs.sha256").unlink(missing_ok=True)  # the stamp of earlier versions
    return outputs


def _sha256_or_none(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks (the wheel is ~3 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_vendored(vendor_dir: Path) -> dict[str, str]:
    """Write ``SHA256SUMS.json``: the sha256 of every vendored file (tools/vendor_pyodide.py)."""
    sums = {p.name: sha256_file(p) for p in sorted(vendor_dir.iterdir())
            if p.is_file() and p.name != VENDOR_SUMS and not p.name.startswith(".")}  # fmt: skip
    write_atomic(
        vendor_dir / VENDOR_SUMS, (json.dumps(sums, indent=1, sort_keys=True) + "\n").encode()
    )
    return sums


def _memo_sha256(path: Path, memo: Cache | None) -> str:
    if memo is None:
        return sha256_file(path)
    st = path.stat()
    key = digest(str(path.resolve()), str(st.st_size), str(st.st_mtime_ns), str(st.st_ino))
    return memo.fetch(key, lambda: sha256_file(path), lambda v: isinstance(v, str))


def vendor_files(vendor_dir: Path, memo_dir: Path | None = None) -> dict[str, Path]:
    """The self-hosted runtime as {site uri: file}; checked complete and verified."""
    missing = [name for name in PYODIDE_FILES if not (vendor_dir / name).is_file()]
    if missing:
        raise AssetError(
            f"Pyodide files missing in {vendor_dir} ({', '.join(missing)}): {SETUP_HINT}"
        )
    try:
        sums = json.loads((vendor_dir / VENDOR_SUMS).read_text(encoding="utf-8"))
        assert isinstance(sums, dict)
    except (OSError, ValueError, AssertionError):
        raise AssetError(
            f"{vendor_dir / VENDOR_SUMS} is missing or unreadable: {SETUP_HINT}"
        ) from None
    memo = Cache(memo_dir, what="file digest") if memo_dir is not None else None

    def verified(path: Path) -> Path:
        if _memo_sha256(path, memo) != sums.get(path.name):
            raise AssetError(
                f"{path} does not match the sha256 recorded when it was vendored "
                f"(truncated or edited): {SETUP_HINT}"
            )
        return path

    files = {f"{PYODIDE_SITE_DIR}/{name}": verified(vendor_dir / name) for name in PYODIDE_FILES}
    lock = json.loads((vendor_dir / "pyodide-lock.json").read_text(encoding="utf-8"))
    for package in VENDORED_PACKAGES:
        entry = lock["packages"][package]
        wheel = vendor_dir / entry["file_name"]
        if not wheel.is_file():
            raise AssetError(f"{wheel} missing: {SETUP_HINT}")
        if sums.get(wheel.name) != entry["sha256"]:
            raise AssetError(
                f"{wheel} does not match the sha256 in pyodide-lock.json: "
                f"delete it and {SETUP_HINT}"
            )
        files[f"{PYODIDE_SITE_DIR}/{entry['file_name']}"] = verified(wheel)
    return files


def clear(out_dir: Path) -> None:
    """Remove a bundle folder (tests use it to force a rebuild)."""
    shutil.rmtree(out_dir, ignore_errors=True)
