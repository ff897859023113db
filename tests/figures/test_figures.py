"""The chapter's real figures: valid SVGs, alt text computed from the data, determinism."""

from __future__ import annotations

import csv
import importlib
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from figures_src.figure import FigureResult, validate_result
from figures_src.kernels import mini_clip
from textbook.figures import render

from .conftest import ROOT

FIGURES = ("imagenet_error", "receptive_field_depth", "patch_cost", "iou_example", "clip_training")
_built: dict[str, FigureResult] = {}


def built(name: str) -> FigureResult:
    """Each real figure built once per test session, in this process."""
    if name not in _built:
        _built[name] = importlib.import_module(f"figures_src.figures.{name}").build()
    return _built[name]


def test_every_figure_the_chapter_asks_for_has_a_module():
    chapter = (ROOT / "docs" / "01-computer-vision.md").read_text(encoding="utf-8")
    wanted = set(
        re.findall(r"^/// figure\n(?:[ \t]+\S.*\n)*?[ \t]+name:[ \t]*(\S+)", chapter, re.M)
    )
    assert wanted == set(FIGURES)
    assert set(FIGURES) <= set(render.figure_names(ROOT))


@pytest.mark.parametrize("name", FIGURES)
def test_figure_builds_two_valid_svgs_of_one_size(name):
    result = built(name)
    info = validate_result(result)  # parses every SVG
    assert sorted(result.artifacts) == ["dark.svg", "light.svg"]
    assert info["light.svg"] == info["dark.svg"]
    assert 400 <= info["light.svg"]["width"] <= 800
    assert result.artifacts["light.svg"] != result.artifacts["dark.svg"]
    without_images = re.sub(rb"base64,[A-Za-z0-9+/=\s]+", b"", result.artifacts["light.svg"])
    assert not re.search(rb"\bnan\b", without_images, re.IGNORECASE)
    assert "\n" not in result.alt and len(result.alt) > 80


def test_imagenet_error_alt_states_every_row_of_the_data():
    alt = built("imagenet_error").alt
    with (ROOT / "figures_src" / "data" / "imagenet_top5.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 4
    for row in rows:
        error = float(row["ilsvrc_entry_top5_error_percent"])
        networks = row["networks_in_entry"]
        assert f"{row['model']} ({row['year']}) {error:g}%, an ensemble of {networks}" in alt
    errors = [float(row["ilsvrc_entry_top5_error_percent"]) for row in rows]
    assert f"{errors[0] / errors[-1]:.1f} times lower" in alt
    assert "ILSVRC entry" in alt


def test_imagenet_error_caption_says_the_values_are_ensemble_entries():
    caption = built("imagenet_error").caption
    assert caption.startswith("ImageNet (ILSVRC) top-5 test error of the landmark networks' ")
    assert "competition entries, 2012–2015, each an ensemble of 5 to 7 networks" in caption
    assert "(a single network scored worse)" in caption


def test_receptive_field_alt_matches_an_independent_computation():
    module = importlib.import_module("figures_src.figures.receptive_field_depth")
    fields, jump, field = [], 1, 1  # r_l = r_{l-1} + (k - 1) j_{l-1}, by hand
    for layer in range(1, module.DEPTH + 1):
        field += (module.KERNEL - 1) * jump
        jump *= 2 if layer in module.DOWNSAMPLES else 1
        fields.append(field)
    covering = next(i + 1 for i, r in enumerate(fields) if r >= module.IMAGE_SIDE)
    alt = built("receptive_field_depth").alt
    plain = 1 + (module.KERNEL - 1) * module.DEPTH
    assert f"from 3 px at layer 1 to {plain} px at layer {module.DEPTH}" in alt
    assert f"at layer {covering} ({fields[covering - 1]} px)" in alt
    assert "A ViT sees all 224 px from layer 1" in alt
    assert (plain, covering, fields[covering - 1]) == (35, 17, 251)


def test_patch_cost_marks_p16_as_196_tokens_and_38416_entries():
    result = built("patch_cost")
    assert "14×14 grid of 196 patches and 38,416 attention entries" in result.alt
    assert "P = 8: 784 patches, 614,656 entries" in result.alt
    assert "multiplies N by 4 and the cost by 16" in result.alt
    assert "196 tokens and an attention matrix of 38.4K entries" in result.caption
    assert b"<!-- 38.4K (38,416) -->" in result.artifacts["light.svg"]  # the P = 16 label


def test_iou_example_alt_walks_through_the_worked_example():
    alt = built("iou_example").alt
    assert "overlap in a shaded region of area 0.5" in alt
    assert "1 + 1 − 0.5 = 1.5, so IoU = 0.5 / 1.5 = 0.333 (1/3)" in alt
    assert "below the 0.5 detection threshold" in alt


def test_clip_training_alt_reports_the_hot_diagonal_and_the_loss():
    module = importlib.import_module("figures_src.figures.clip_training")
    trained = mini_clip.default_trained_clip()
    data = trained.held_out
    batch = module.pick_batch(data.labels, module.BATCH)
    assert len(set(data.labels[batch].tolist())) == module.BATCH
    captions = [data.captions[i] for i in batch]
    after = trained.embed_images(data.images[batch]) @ trained.embed_texts(captions).T
    diagonal, off = np.mean(np.diag(after)), np.mean(after[~np.eye(len(batch), dtype=bool)])
    assert diagonal > off + 0.5  # EQ MM1.4: the diagonal is hot after training

    alt = built("clip_training").alt
    assert f"After training the diagonal is hot: {diagonal:.2f} against {off:.2f}" in alt
    assert f"{len(batch)} of {len(batch)} images rank their own caption first" in alt
    loss = trained.loss_curve
    assert f"falls from {loss[0]:.2f} at step 1" in alt
    assert f"to {loss[-1]:.2f} at step {len(loss)}" in alt


def test_clip_training_renders_identically_twice():
    module = importlib.import_module("figures_src.figures.clip_training")
    assert module.build().artifacts == built("clip_training").artifacts


def test_nan_from_a_kernel_fails_the_figure(monkeypatch):
    from figures_src.kernels import patches

    module = importlib.import_module("figures_src.figures.patch_cost")
    monkeypatch.setattr(patches, "attention_cost", lambda n: float("nan"))
    with pytest.raises(ValueError, match=r"attention costs: 7 non-finite"):
        module.build()


def test_real_figures_are_byte_identical_across_fresh_processes(tmp_path: Path):
    project = tmp_path / "project"
    shutil.copytree(
        ROOT / "figures_src",
        project / "figures_src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    outputs = []
    for run in ("a", "b"):
        records = render.render_all(project, tmp_path / run, jobs=2, names=FIGURES)
        assert sorted(records) == sorted(FIGURES)
        outputs.append(
            {
                p.relative_to(tmp_path / run): p.read_bytes()
                for p in (tmp_path / run).rglob("*")
                if p.is_file() and p.name != ".lock"
            }
        )
    first, second = outputs
    assert sorted(map(str, first)) == sorted(map(str, second))
    assert len(first) == 2 * len(FIGURES) + 1  # light + dark per figure, and the manifest
    for path in first:
        assert first[path] == second[path], f"{path} differs between two fresh renders"
