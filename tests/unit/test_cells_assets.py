"""textbook.cells.assets: the esbuild bundle is rebuilt only when stale; Pyodide is checked."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.damage import DAMAGES
from textbook.cells import assets as cells_assets

ROOT = Path(__file__).resolve().parents[2]


def project_copy(tmp_path: Path) -> Path:
    """A project root with a copy of js/cells and a link to the real node_modules."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "js" / "cells", root / "js" / "cells")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    shutil.copy(ROOT / "package-lock.json", root / "package-lock.json")
    return root


def test_bundle_builds_then_reuses_then_rebuilds_on_change(tmp_path):
    root = project_copy(tmp_path)
    out = tmp_path / "out"
    files = cells_assets.bundle(root, out)
    assert sorted(files) == [
        "assets/cells/cells.css",
        "assets/cells/cells.js",
        "assets/cells/worker.js",
    ]
    js = (out / "cells.js").read_text()
    worker = (out / "worker.js").read_text()
    assert "loadPyodide" in worker and "loadPyodide" not in js  # the page itself loads no runtime
    assert "def run(code, filename)" in worker  # runner.py is inlined as text
    assert ".prism-code-editor" in (out / "cells.css").read_text()
    mtime = (out / "cells.js").stat().st_mtime_ns
    cells_assets.bundle(root, out)
    assert (out / "cells.js").stat().st_mtime_ns == mtime  # fresh: not rebuilt
    main = root / "js" / "cells" / "main.js"
    main.write_text(main.read_text().replace("tb-cell:", "tb-cell-v2:"))
    cells_assets.bundle(root, out)
    assert "tb-cell-v2:" in (out / "cells.js").read_text()


@pytest.mark.parametrize("name", cells_assets.BUNDLE_FILES)
@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_bundle_file_is_rebuilt_not_published(tmp_path, name, damage):
    root = project_copy(tmp_path)
    out = tmp_path / "out"
    cells_assets.bundle(root, out)
    good = (out / name).read_bytes()
    damage(out / name)
    cells_assets.bundle(root, out)
    assert (out / name).read_bytes() == good


def test_a_damaged_bundle_stamp_rebuilds(tmp_path):
    root = project_copy(tmp_path)
    out = tmp_path / "out"
    cells_assets.bundle(root, out)
    (stamp,) = out.glob("*.stamp")
    stamp.write_text("{}")
    mtime = (out / "cells.js").stat().st_mtime_ns
    cells_assets.bundle(root, out)
    assert (out / "cells.js").stat().st_mtime_ns != mtime


def test_bundle_output_is_deterministic(tmp_path):
    root = project_copy(tmp_path)
    a = {n: p.read_bytes() for n, p in cells_assets.bundle(root, tmp_path / "a").items()}
    b = {n: p.read_bytes() for n, p in cells_assets.bundle(root, tmp_path / "b").items()}
    assert a == b


def test_bundle_reports_esbuild_errors(tmp_path):
    root = project_copy(tmp_path)
    (root / "js" / "cells" / "main.js").write_text("import { nope } from './missing.js';\n")
    with pytest.raises(cells_assets.AssetError, match=r"esbuild failed for .*main\.js"):
        cells_assets.bundle(root, tmp_path / "out")


def test_bundle_without_node_modules_says_npm_ci(tmp_path):
    root = project_copy(tmp_path)
    (root / "node_modules").unlink()
    with pytest.raises(cells_assets.AssetError, match=r"run `npm ci`"):
        cells_assets.bundle(root, tmp_path / "out")


def fake_vendor(tmp_path: Path, wheel: bytes, recorded: bytes) -> Path:
    d = tmp_path / "vendor"
    d.mkdir()
    for name in cells_assets.PYODIDE_FILES[:-1]:
        (d / name).write_text(name)
    lock = {"packages": {"numpy": {"file_name": "numpy.whl",
                                   "sha256": hashlib.sha256(recorded).hexdigest()}}}  # fmt: skip
    (d / "pyodide-lock.json").write_text(json.dumps(lock))
    (d / "numpy.whl").write_bytes(wheel)
    cells_assets.record_vendored(d)  # what tools/vendor_pyodide.py does last
    return d


def test_vendor_files_lists_the_runtime_for_the_site(tmp_path):
    d = fake_vendor(tmp_path, b"w", b"w")
    assert cells_assets.vendor_files(d) == {
        "assets/pyodide/pyodide.js": d / "pyodide.js",
        "assets/pyodide/pyodide.asm.js": d / "pyodide.asm.js",
        "assets/pyodide/pyodide.asm.wasm": d / "pyodide.asm.wasm",
        "assets/pyodide/python_stdlib.zip": d / "python_stdlib.zip",
        "assets/pyodide/pyodide-snapshot.bin.gz": d / "pyodide-snapshot.bin.gz",
        "assets/pyodide/numpy-pyc.zip": d / "numpy-pyc.zip",
        "assets/pyodide/pyodide-lock.json": d / "pyodide-lock.json",
        "assets/pyodide/numpy.whl": d / "numpy.whl",
    }


def test_vendor_files_refuses_missing_or_altered_files(tmp_path):
    d = fake_vendor(tmp_path, b"altered", b"w")
    with pytest.raises(
        cells_assets.AssetError, match=r"numpy\.whl does not match the sha256.*vendor_pyodide\.py"
    ):
        cells_assets.vendor_files(d)
    (d / "pyodide.asm.wasm").unlink()
    with pytest.raises(
        cells_assets.AssetError, match=r"Pyodide files missing .*\(pyodide\.asm\.wasm\)"
    ):
        cells_assets.vendor_files(d)


@pytest.mark.parametrize("name", [*cells_assets.PYODIDE_FILES, "numpy.whl"])
def test_a_truncated_or_edited_vendored_file_is_refused_with_the_fix(tmp_path, name):
    d = fake_vendor(tmp_path, b"w", b"w")
    memo = tmp_path / "memo"
    cells_assets.vendor_files(d, memo)  # verified once: digests memoised
    path = d / name
    path.write_bytes(path.read_bytes()[:-1])  # truncated (size and mtime change)
    with pytest.raises(cells_assets.AssetError) as caught:
        cells_assets.vendor_files(d, memo)
    assert str(caught.value) in (
        f"{path} does not match the sha256 recorded when it was vendored (truncated or "
        f"edited): {cells_assets.SETUP_HINT}",
        f"{path} does not match the sha256 in pyodide-lock.json: delete it and "
        f"{cells_assets.SETUP_HINT}",
    )


def test_vendored_files_without_a_record_are_refused(tmp_path):
    d = fake_vendor(tmp_path, b"w", b"w")
    (d / cells_assets.VENDOR_SUMS).write_bytes(b"\xff")
    with pytest.raises(cells_assets.AssetError, match=r"SHA256SUMS\.json is missing or unreadable"):
        cells_assets.vendor_files(d)
