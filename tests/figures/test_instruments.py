"""The three instruments: every state agrees with the kernels; output is deterministic."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from figures_src.figure import validate_result
from figures_src.figures import _instrument as instrument_lib
from figures_src.figures import clip_similarity, patch_explorer, receptive_field
from figures_src.kernels import mini_clip
from figures_src.kernels import patches as kp
from figures_src.kernels import receptive_field as rf
from figures_src.numbers import format_compact

from .conftest import ROOT

MODULES = {
    "receptive_field": receptive_field,
    "patch_explorer": patch_explorer,
    "clip_similarity": clip_similarity,
}


@functools.cache
def built(name: str):
    """(Instrument, FigureResult) of one module, built once per test session."""
    module = MODULES[name]
    return module.instrument(), module.build()


def figure_json(name: str) -> dict:
    return json.loads(built(name)[1].artifacts["figure.json"])


def decode_png(uri: str) -> np.ndarray:
    """Pixels of a PNG data URI, as Pillow's decoder reads them."""
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as image:
        assert image.format == "PNG"
        return np.asarray(image)


# --- shared helper -------------------------------------------------------------------------


def test_rounded_refuses_nan_and_rounds_floats():
    assert instrument_lib.rounded({"a": [1.23456789, 2.0, np.float64(0.5)]}) == {
        "a": [1.2346, 2, 0.5]
    }
    with pytest.raises(ValueError, match="non-finite"):
        instrument_lib.rounded([float("nan")])


@pytest.mark.parametrize("channels", [3, 4])
def test_png_bytes_round_trip(channels):
    pixels = np.random.default_rng(channels).integers(0, 256, (5, 7, channels), dtype=np.uint8)
    png = instrument_lib.png_bytes(pixels)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == instrument_lib.png_bytes(pixels.copy())  # same bytes for the same pixels
    assert b"tIME" not in png and b"tEXt" not in png
    decoded = decode_png(instrument_lib.data_uri(png))
    assert decoded.shape == pixels.shape and (decoded == pixels).all()


def test_png_bytes_refuses_other_arrays():
    with pytest.raises(ValueError, match="uint8"):
        instrument_lib.png_bytes(np.zeros((2, 2, 3), dtype=float))
    with pytest.raises(ValueError, match="uint8"):
        instrument_lib.png_bytes(np.zeros((2, 2), dtype=np.uint8))


def test_merge_replaces_lists_and_merges_objects():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert instrument_lib.merge(base, {"a": {"c": [3]}}) == {"a": {"b": 1, "c": [3]}, "d": 1}


# --- every instrument ----------------------------------------------------------------------


@pytest.mark.parametrize("name", MODULES)
def test_result_is_valid_with_posters_json_and_meta(name):
    instrument, result = built(name)
    info = validate_result(result)
    for stem in ("poster-", "poster-narrow-"):
        assert info[f"{stem}light.svg"] == info[f"{stem}dark.svg"]
        assert result.artifacts[f"{stem}light.svg"] != result.artifacts[f"{stem}dark.svg"]
    assert info["poster-narrow-light.svg"]["width"] < info["poster-light.svg"]["width"]
    meta = result.meta["instrument"]
    assert meta["format"] == instrument_lib.FORMAT
    default = instrument.states[instrument_lib.default_key(instrument.controls)]
    assert [r["value"] for r in meta["readouts"]] == [
        default.readouts[r.name] for r in instrument.readouts
    ]
    for readout in meta["readouts"]:  # the readouts are drawn on the poster too
        assert readout["value"] in result.alt
    for option in (o for c in meta["controls"] for o in c["options"] if o.get("image")):
        assert result.artifacts[option["image"]].startswith(b"\x89PNG")


@pytest.mark.parametrize("name", MODULES)
def test_figure_json_is_compact_sorted_and_complete(name):
    instrument, result = built(name)
    text = result.artifacts["figure.json"].decode("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + (
        "\n"
    )
    assert not re.search(r"\d\.\d{5,}", re.sub(r'"data:image[^"]*"', "", text))
    assert not re.search(r"\bNaN\b|Infinity", text)
    assert data["default"] in data["states"]
    # Every combination of control values is a state or redirects to one.
    keys = [""]
    for control in data["controls"]:
        keys = [f"{k}|{v}" if k else v for k in keys for v in control["values"]]
    for key in keys:
        assert data["redirects"].get(key, key) in data["states"], key
    for state in data["states"].values():
        assert len(state["data"]) == len(data["figure"]["data"])
        assert set(state["readouts"]) == {r.name for r in instrument.readouts}


def test_two_builds_in_fresh_processes_give_identical_bytes():
    script = (
        "import hashlib, importlib, json, sys\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    result = importlib.import_module('figures_src.figures.' + name).build()\n"
        "    out[name] = {k: hashlib.sha256(v).hexdigest() for k, v in result.artifacts.items()}\n"
        "    out[name]['meta'] = json.dumps(result.meta, sort_keys=True)\n"
        "print(json.dumps(out, sort_keys=True))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, *MODULES],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"},
        ).stdout
        for seed in (0, 1)
    ]
    assert runs[0] == runs[1]
    here = {
        name: {k: hashlib.sha256(v).hexdigest() for k, v in built(name)[1].artifacts.items()}
        for name in MODULES
    }
    first = json.loads(runs[0])
    for name in MODULES:
        assert {k: v for k, v in first[name].items() if k != "meta"} == here[name]


# --- MM1.1 receptive field -------------------------------------------------------------------


def by_hand(depth: int, kernel: int, every: int) -> tuple[list[int], int]:
    """r_l = r_{l-1} + (k - 1) j_{l-1}, j doubles at every every-th layer."""
    fields, field, jump = [1], 1, 1
    for layer in range(1, depth + 1):
        field += (kernel - 1) * jump
        if every and layer % every == 0:
            jump *= 2
        fields.append(field)
    return fields, jump


def test_receptive_field_default_reads_11_px_and_stride_2():
    instrument, _ = built("receptive_field")
    key = instrument_lib.default_key(instrument.controls)
    assert key == "4|3|3"
    state = instrument.states[key]
    assert state.readouts == {"conv_rf": "11 px", "stride": "2", "vit_rf": "FULL"}
    assert state.data[1]["y"] == [1, 3, 5, 7, 11]
    assert rf.DEFAULT_STACK == {"depth": 4, "kernel_size": 3, "downsample_layers": (3,)}


@pytest.mark.parametrize(
    ("depth", "kernel", "every", "fields", "stride"),
    [
        (4, 3, 3, [1, 3, 5, 7, 11], 2),
        (6, 3, 2, [1, 3, 5, 9, 13, 21, 29], 8),
        (1, 5, 0, [1, 5], 1),
        (3, 7, 1, [1, 7, 19, 43], 8),
        (12, 3, 0, list(range(1, 26, 2)), 1),
    ],
)
def test_receptive_field_states_match_the_closed_form(depth, kernel, every, fields, stride):
    instrument, _ = built("receptive_field")
    state = instrument.states[f"{depth}|{kernel}|{every}"]
    assert state.data[1]["x"] == list(range(depth + 1))
    assert state.data[1]["y"] == fields == by_hand(depth, kernel, every)[0]
    assert state.readouts == {
        "conv_rf": f"{fields[-1]} px",
        "stride": str(stride),
        "vit_rf": "FULL",
    }
    layers = [layer for layer in range(1, depth + 1) if every and layer % every == 0]
    assert state.data[2]["x"] == layers
    assert state.data[0]["y"] == [224] * depth
    assert f"{fields[-1]} px at a feature stride of {stride}" in state.alt


def test_every_receptive_field_state_agrees_with_the_kernel():
    instrument, _ = built("receptive_field")
    assert len(instrument.states) == 12 * 3 * 5
    for key, state in instrument.states.items():
        depth, kernel, every = (int(v) for v in key.split("|"))
        layers = [layer for layer in range(1, depth + 1) if every and layer % every == 0]
        fields, jumps = rf.conv_receptive_fields(*rf.conv_stack(depth, kernel, layers))
        assert state.data[1]["y"] == fields.tolist()
        assert state.readouts["stride"] == str(jumps[-1])
        assert state.layout["yaxis"]["range"][1] > max(fields.max(), 224)


# --- MM1.2 patch explorer -------------------------------------------------------------------


def test_patch_explorer_default_reads_196_197_38_4k():
    instrument, _ = built("patch_explorer")
    assert instrument_lib.default_key(instrument.controls) == "224|16"
    assert instrument.states["224|16"].readouts == {
        "attention": "38.4K",
        "patches": "196",
        "sequence": "197",
    }


@pytest.mark.parametrize(
    ("side", "patch", "n"),
    [(224, 16, 196), (224, 8, 784), (224, 32, 49), (224, 14, 256), (112, 14, 64), (64, 32, 4)],
)
def test_patch_explorer_states_match_the_kernels(side, patch, n):
    instrument, _ = built("patch_explorer")
    state = instrument.states[f"{side}|{patch}"]
    assert n == (side // patch) ** 2 == kp.num_patches(side, side, patch)
    assert state.readouts == {
        "attention": format_compact(n * n),
        "patches": str(n),
        "sequence": str(n + 1),
    }
    # The grid has side/patch cells per row: side/patch + 1 lines each way.
    xs = state.data[0]["x"]
    assert xs.count(None) == 2 * (side // patch + 1)
    assert state.layout["images"][0]["source"] == {"$ref": f"scene-{side}"}


@pytest.mark.parametrize(("side", "patch"), [(224, 16), (96, 32), (112, 8)])
def test_patch_explorer_tokens_are_patch_means_in_row_major_order(side, patch):
    instrument, _ = built("patch_explorer")
    scene = patch_explorer.synthetic_scene(side)
    rows = side // patch
    expected = [
        scene[r * patch : (r + 1) * patch, c * patch : (c + 1) * patch].mean(axis=(0, 1))
        for r in range(rows)
        for c in range(rows)
    ]
    pixels = decode_png(instrument.states[f"{side}|{patch}"].layout["images"][1]["source"])
    cell = patch_explorer.CHIP + patch_explorer.GAP
    chips = [
        pixels[
            (i // patch_explorer.SEQUENCE_COLUMNS) * cell,
            (i % patch_explorer.SEQUENCE_COLUMNS) * cell,
        ]
        for i in range(rows * rows + 1)
    ]
    assert tuple(chips[0][:3]) == patch_explorer.CLS_RGB
    got = np.array([chip[:3] for chip in chips[1:]], dtype=float) / 255
    assert np.abs(got - np.array(expected)).max() <= 0.5 / 255 + 1e-9
    assert all(chip[3] == 255 for chip in chips)


def test_patch_explorer_scene_is_deterministic_and_resolution_independent():
    small, large = patch_explorer.synthetic_scene(64), patch_explorer.synthetic_scene(256)
    assert (small == patch_explorer.synthetic_scene(64)).all()
    assert small.shape == (64, 64, 3) and 0 <= small.min() and small.max() <= 1
    # Same scene at two resolutions: their block means agree closely.
    pooled = large.reshape(64, 4, 64, 4, 3).mean(axis=(1, 3))
    assert np.abs(pooled - small).mean() < 0.03


def test_patch_explorer_disables_and_redirects_patches_that_do_not_divide_h():
    instrument, _ = built("patch_explorer")
    for side in patch_explorer.SIDES:
        for patch in patch_explorer.PATCHES:
            key = f"{side}|{patch}"
            if side % patch:
                assert key not in instrument.states
                assert instrument.redirects[key] == f"{side}|16"
            else:
                state = instrument.states[key]
                offered = {str(p) for p in patch_explorer.PATCHES if side % p == 0}
                assert set(state.disabled.get("patch", [])) == (
                    {str(p) for p in patch_explorer.PATCHES} - offered
                )
    assert instrument.states["224|16"].disabled == {}
    assert instrument.states["256|16"].disabled == {"patch": ["14"]}


# --- MM1.3 CLIP similarity ------------------------------------------------------------------


def shown(state, trace: int) -> list[float]:
    """The five bar values of a trace: 0 = cosine, 1 = zero-shot probability."""
    return list(state.data[trace]["x"])


@functools.cache
def clip_truth():
    trained = mini_clip.default_trained_clip()
    indices = clip_similarity.picked_images(trained)
    prompts = [f"a photo of a {label}" for label in clip_similarity.LABELS]
    images = trained.embed_images(trained.held_out.images[indices])
    texts = trained.embed_texts(prompts)
    cosines = images @ texts.T  # both unit-norm: the dot product is the cosine
    return trained, indices, prompts, cosines


def test_clip_picks_two_held_out_images_per_label_and_ranks_each_one_correctly():
    trained, indices, prompts, cosines = clip_truth()
    assert len(indices) == 10 and len(set(indices)) == 10
    instrument, _ = built("clip_similarity")
    for row, index in enumerate(indices):
        label = trained.held_out.label_names[trained.held_out.labels[index]]
        state = instrument.states[f"{index}|0.1"]
        assert state.readouts["top_match"] == f"a photo of a {label}"
        assert prompts[int(np.argmax(cosines[row]))] == f"a photo of a {label}"
        assert state.readouts["top_cosine"] == f"{cosines[row].max():.2f}"
        first, second = sorted(cosines[row], reverse=True)[:2]
        assert state.readouts["lead"] == f"+{first - second:.2f}"


@pytest.mark.parametrize("tau", [0.01, 0.05, 0.1, 0.5, 2.0])
@pytest.mark.parametrize("row", [0, 3, 9])
def test_clip_states_match_cosine_and_softmax(row, tau):
    _, indices, _, cosines = clip_truth()
    instrument, _ = built("clip_similarity")
    state = instrument.states[f"{indices[row]}|{tau:g}"]
    top = int(np.argmax(cosines[row]))
    logits = cosines[row] / tau
    probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert state.readouts["p_top"] == clip_similarity.percent(probabilities[top])
    assert np.allclose(shown(state, 0), cosines[row], atol=1e-12)
    assert np.allclose(shown(state, 1), probabilities, atol=1e-12)
    roles = [k == top for k in range(5)]
    assert state.data[0]["marker"]["color"] == state.data[1]["marker"]["color"] == roles


def test_clip_lower_temperature_is_sharper_and_default_matches_zero_shot():
    trained, indices, _, _ = clip_truth()
    instrument, _ = built("clip_similarity")
    for index in indices:
        p_top = [
            max(shown(instrument.states[f"{index}|{t:g}"], 1)) for t in clip_similarity.TEMPERATURES
        ]
        assert p_top == sorted(p_top, reverse=True)  # tau up: flatter
    result = mini_clip.zero_shot(trained, trained.held_out.images[indices], clip_similarity.LABELS)
    default = instrument.states[f"{indices[0]}|{mini_clip.TEMPERATURE:g}"]
    assert default.readouts["p_top"] == clip_similarity.percent(result.probabilities[0].max())
    assert instrument_lib.default_key(instrument.controls) == f"{indices[0]}|0.1"
    tau = next(c for c in instrument.controls if c.name == "tau")
    assert "lower = sharper" in tau.label and tau.ends == ("sharper", "flatter")
