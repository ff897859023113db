"""The render pipeline on a miniature project: cache hits, invalidation, failures, corruption."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from textbook.figures import cli, render

LOGGER = "mkdocs.plugins.figures"
ROOT = Path(__file__).resolve().parents[2]


def run(project: Path, caplog: pytest.LogCaptureFixture, **options) -> tuple[dict, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        records = render.render_all(project, **options)
    return records, [r.getMessage() for r in caplog.records if r.name == LOGGER]


def statuses(records: dict) -> dict[str, str]:
    return {name: record.status for name, record in records.items()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_cold_build_renders_each_figure_with_progress_then_warm_build_reuses_it(
    project, cache_dir, caplog
):
    records, log = run(project, caplog)

    assert statuses(records) == {"alpha": "rendered", "beta": "rendered"}  # _helper skipped
    progress = sorted(message for message in log if "rendered in" in message)
    assert len(progress) == 2
    for message in progress:
        assert re.fullmatch(r"figures: \[[12]/2\] (alpha|beta) rendered in \d+\.\d\d s", message)
    alpha = records["alpha"]
    assert alpha.alt == "Doubled values: 3, 4, 6."
    assert alpha.meta == {"values": [3.0, 4.0, 6.0]}
    light = alpha.artifacts["light.svg"]
    assert light.path == cache_dir / "alpha" / "light.svg"
    assert (light.width, light.height) == (200, 80)  # 150pt x 60pt in CSS pixels
    assert b'fill="#fff"' in alpha.artifacts["dark.svg"].path.read_bytes()
    assert records["beta"].artifacts["spec.json"].width is None

    mtimes = {path: path.stat().st_mtime_ns for path in cache_dir.rglob("*.svg")}
    records, log = run(project, caplog)
    assert statuses(records) == {"alpha": "cached", "beta": "cached"}
    assert log == ["figures: alpha cached", "figures: beta cached"]
    assert {path: path.stat().st_mtime_ns for path in cache_dir.rglob("*.svg")} == mtimes


def test_manifest_has_sorted_keys_and_records_every_input(project, cache_dir, caplog):
    run(project, caplog)
    text = (cache_dir / "manifest.json").read_text()
    manifest = json.loads(text)
    assert text == json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    inputs = manifest["figures"]["alpha"]["inputs"]
    assert {
        "figures_src/figures/alpha.py",
        "figures_src/kernels/double.py",
        "figures_src/data/values.csv",
        "figures_src/figure.py",
    } <= set(inputs)
    assert "textbook/figures/render.py" not in inputs
    assert set(manifest["figures"]["beta"]["inputs"]).isdisjoint(
        {"figures_src/kernels/double.py", "figures_src/data/values.csv"}
    )
    assert manifest["figures"]["alpha"]["env"] == render.library_versions()
    assert not list(cache_dir.glob(".stage-*"))


def test_editing_a_kernel_rerenders_only_the_figures_that_import_it(project, caplog):
    run(project, caplog)
    kernel = project / "figures_src" / "kernels" / "double.py"
    os.utime(kernel)  # a touch without a change: content hashes, not mtimes, decide
    records, _ = run(project, caplog)
    assert statuses(records) == {"alpha": "cached", "beta": "cached"}

    edit(kernel, "return [2 * value", "return [10 * value")
    records, log = run(project, caplog)
    assert statuses(records) == {"alpha": "rendered", "beta": "cached"}
    assert records["alpha"].alt == "Doubled values: 15, 20, 30."
    assert any(m.startswith("figures: [1/1] alpha rendered in") for m in log)
    assert "figures: beta cached" in log


def test_editing_a_data_file_or_the_module_rerenders(project, caplog):
    run(project, caplog)
    (project / "figures_src" / "data" / "values.csv").write_text("1\n")
    records, _ = run(project, caplog)
    assert statuses(records) == {"alpha": "rendered", "beta": "cached"}
    assert records["alpha"].alt == "Doubled values: 2."

    edit(project / "figures_src" / "figures" / "beta.py", 'caption="Beta."', 'caption="Beta 2."')
    records, _ = run(project, caplog)
    assert statuses(records) == {"alpha": "cached", "beta": "rendered"}
    assert records["beta"].caption == "Beta 2."


def test_new_library_versions_rerender_everything(project, caplog, monkeypatch):
    run(project, caplog)
    versions = {**render.library_versions(), "matplotlib": "0.0-other"}
    monkeypatch.setattr(render, "library_versions", lambda: versions)
    records, _ = run(project, caplog)
    assert statuses(records) == {"alpha": "rendered", "beta": "rendered"}


def test_a_raising_figure_fails_with_path_line_and_traceback_and_keeps_the_last_good_asset(
    project, cache_dir, caplog
):
    run(project, caplog)
    good = (cache_dir / "alpha" / "light.svg").read_bytes()
    good_entry = json.loads((cache_dir / "manifest.json").read_text())["figures"]["alpha"]
    module = project / "figures_src" / "figures" / "alpha.py"
    edit(module, "    text = ", "    1 / 0\n    text = ")
    line = module.read_text().splitlines().index("    1 / 0") + 1

    with pytest.raises(render.FigureBuildError) as caught:
        run(project, caplog)

    (failure,) = caught.value.failures
    assert failure.path == "figures_src/figures/alpha.py"
    assert failure.line == line
    assert failure.message == "ZeroDivisionError: division by zero"
    assert "Traceback (most recent call last)" in failure.traceback
    assert f'alpha.py", line {line}, in build' in failure.traceback
    assert str(caught.value) == (
        f"figures_src/figures/alpha.py:{line}: ZeroDivisionError: division by zero"
    )
    assert (cache_dir / "alpha" / "light.svg").read_bytes() == good
    manifest = json.loads((cache_dir / "manifest.json").read_text())["figures"]
    assert manifest["alpha"] == good_entry
    assert "beta" in manifest
    assert not list(cache_dir.glob(".stage-*"))

    with pytest.raises(render.FigureBuildError):  # still failing: not cached as good
        run(project, caplog)
    edit(module, "    1 / 0\n", "")
    records, _ = run(project, caplog)
    assert records["alpha"].status == "cached"  # back to the cached good inputs


def test_nan_data_fails_the_figure(project, caplog):
    (project / "figures_src" / "data" / "values.csv").write_text("1\nnan\n")
    with pytest.raises(render.FigureBuildError) as caught:
        run(project, caplog, names=["alpha"])
    (failure,) = caught.value.failures
    assert failure.name == "alpha"
    assert failure.message.startswith("ValueError: values.csv: 1 non-finite value(s)")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('alt=f"Doubled values: {text}."', 'alt="  "', "FigureResult.alt must be a non-empty"),
        ('"dark.svg": _svg("#fff", text)', '"dark.png": b"x"', "light.svg has no dark.svg"),
        ('"light.svg"', '"../light.svg"', "artifact name '../light.svg' must match"),
        ('_svg("#000", text)', 'b"<svg></svg>"', "root element is 'svg', not an SVG <svg>"),
        ('_svg("#000", text)', 'b"<svg"', "light.svg is not well-formed XML"),
        ("return FigureResult(", "return dict(", "must return figures_src.figure.FigureResult"),
        ('meta={"values": doubled}', 'meta={"v": float("nan")}', "not strict JSON data"),
    ],
)
def test_an_invalid_result_is_rejected_with_a_reason(project, caplog, old, new, message):
    edit(project / "figures_src" / "figures" / "alpha.py", old, new)
    with pytest.raises(render.FigureBuildError) as caught:
        run(project, caplog, names=["alpha"])
    assert message in caught.value.failures[0].message


def test_corrupted_cache_entries_are_detected_and_rebuilt(project, cache_dir, caplog):
    run(project, caplog)
    light = cache_dir / "alpha" / "light.svg"
    good = light.read_bytes()
    light.write_bytes(good.replace(b"3, 4, 6", b"6, 6, 6"))
    (cache_dir / "beta" / "spec.json").unlink()
    records, _ = run(project, caplog)
    assert statuses(records) == {"alpha": "rendered", "beta": "rendered"}
    assert light.read_bytes() == good

    (cache_dir / "manifest.json").write_text('{"figures": {"alpha": ')  # torn write
    records, log = run(project, caplog)
    assert statuses(records) == {"alpha": "rendered", "beta": "rendered"}
    assert "figures: cache manifest unreadable; rendering every figure" in log


def test_a_deleted_figure_module_is_dropped_from_the_cache(project, cache_dir, caplog):
    run(project, caplog)
    (project / "figures_src" / "figures" / "beta.py").unlink()
    records, _ = run(project, caplog)
    assert list(records) == ["alpha"]
    assert not (cache_dir / "beta").exists()
    assert list(json.loads((cache_dir / "manifest.json").read_text())["figures"]) == ["alpha"]


def test_force_and_name_selection(project, caplog):
    run(project, caplog)
    records, _ = run(project, caplog, force=True, names=["beta"])
    assert statuses(records) == {"beta": "rendered"}


def test_a_hanging_figure_times_out(project, caplog):
    edit(
        project / "figures_src" / "figures" / "beta.py",
        "    return",
        "    while True: pass  # noqa\n    return",  # one line: either line of a longer loop
    )
    with pytest.raises(render.FigureBuildError) as caught:
        run(project, caplog, names=["beta"], timeout=4)
    failure = caught.value.failures[0]
    assert failure.message == "TimeoutError: build() did not finish within 4 s"
    line = (
        (project / "figures_src/figures/beta.py")
        .read_text()
        .splitlines()
        .index("    while True: pass  # noqa")
    )
    assert failure.location == f"figures_src/figures/beta.py:{line + 1}"


def test_a_figure_that_exits_without_a_result_names_its_module(project, caplog):
    edit(
        project / "figures_src" / "figures" / "beta.py",
        "    return",
        "    import os\n    os._exit(0)\n    return",
    )
    with pytest.raises(render.FigureBuildError) as caught:
        run(project, caplog, names=["beta"])
    assert str(caught.value).startswith(
        "figures_src/figures/beta.py: the worker exited with status 0 without reporting a result"
    )


def test_a_killed_render_keeps_the_finished_figures_and_leaves_no_worker(project, cache_dir):
    pid_file = project / "beta.pid"
    edit(
        project / "figures_src" / "figures" / "beta.py",
        "    return",
        f"    import os, pathlib, time\n    pathlib.Path({str(pid_file)!r}).write_text("
        "str(os.getpid()))\n    time.sleep(120)\n    return",
    )
    build = subprocess.Popen(
        [sys.executable, "-m", "textbook.figures.cli", "--root", str(project), "-j", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    manifest = cache_dir / "manifest.json"
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text() and manifest.exists()):
        assert time.monotonic() < deadline and build.poll() is None
        time.sleep(0.1)
    build.kill()  # SIGKILL: no cleanup of its own
    build.wait()
    assert list(json.loads(manifest.read_text())["figures"]) == ["alpha"]
    beta = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{beta}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    stat = Path(f"/proc/{beta}/stat")
    assert not stat.exists() or stat.read_text().split()[2] == "Z"


def test_a_module_without_build_fails(project, caplog):
    (project / "figures_src" / "figures" / "gamma.py").write_text("X = 1\n")
    with pytest.raises(render.FigureBuildError) as caught:
        run(project, caplog)
    assert caught.value.failures[0].message == (
        "TypeError: figures_src/figures/gamma.py defines no build() function"
    )


def test_badly_named_modules_are_refused(project):
    (project / "figures_src" / "figures" / "Bad-Name.py").write_text("")
    with pytest.raises(ValueError, match="figure module names must match"):
        render.figure_names(project)


def test_load_records_reads_the_manifest_for_later_hooks(project, cache_dir, caplog):
    records, _ = run(project, caplog)
    loaded = render.load_records(cache_dir)
    assert loaded["alpha"].artifacts == records["alpha"].artifacts
    assert loaded["beta"].caption == "Beta."
    assert render.load_records(cache_dir / "missing") == {}


def test_cli_renders_all_and_reports_failures(project, capsys, caplog):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert cli.main(["--root", str(project), "-j", "1"]) == 0
    assert any(m.startswith("figures: 2 figures (2 rendered) in") for m in caplog.messages)
    edit(
        project / "figures_src" / "figures" / "beta.py",
        "    return",
        "    raise KeyError('x')\n    return",
    )
    assert cli.main(["--root", str(project)]) == 1
    err = capsys.readouterr().err
    assert "figures_src/figures/beta.py failed:" in err
    assert "KeyError: 'x'" in err


def test_a_missing_optional_input_is_tracked_and_its_appearance_rerenders(project, caplog):
    module = project / "figures_src" / "figures" / "beta.py"
    edit(module, "import FigureResult", "import DATA_DIR, FigureResult")
    edit(
        module,
        "    return",
        "    try:\n"
        "        caption = (DATA_DIR / 'extra.txt').read_text()\n"
        "    except FileNotFoundError:\n"
        "        caption = 'Beta.'\n"
        "    return",
    )
    edit(module, 'caption="Beta."', "caption=caption")
    records, _ = run(project, caplog, names=["beta"])
    assert records["beta"].caption == "Beta."
    records, _ = run(project, caplog, names=["beta"])
    assert records["beta"].status == "cached"
    (project / "figures_src" / "data" / "extra.txt").write_text("Extra.")
    records, _ = run(project, caplog, names=["beta"])
    assert (records["beta"].status, records["beta"].caption) == ("rendered", "Extra.")


def test_an_input_edited_while_rendering_is_not_trusted(project, cache_dir, caplog):
    edit(
        project / "figures_src" / "figures" / "alpha.py",
        "    text = ",
        "    import os\n    os.utime(data_path('values.csv'))  # an edit during the render\n"
        "    text = ",
    )
    run(project, caplog, names=["alpha"])
    inputs = json.loads((cache_dir / "manifest.json").read_text())["figures"]["alpha"]["inputs"]
    assert inputs["figures_src/data/values.csv"] is None
    records, _ = run(project, caplog, names=["alpha"])
    assert records["alpha"].status == "rendered"


def test_asking_for_an_unknown_figure_is_an_error(project):
    with pytest.raises(ValueError, match="no figure module figures_src/figures/gamma.py"):
        render.render_all(project, names=["gamma"])


def test_the_engine_is_never_a_figure_input():
    from textbook.figures import worker

    assert worker.is_engine(ROOT / "textbook" / "core" / "runner.py")
    assert worker.is_engine(ROOT / "textbook" / "figures" / "worker.py")
    assert not worker.is_engine(ROOT / "figures_src" / "figure.py")
