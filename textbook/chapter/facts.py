"""Numbers the chapter states, computed by the kernels, and their `{{ name }}` substitution.

Authors never type a number that code can compute: they write `{{ vit_patches }}` and the
build puts in the kernel's value. An unknown name fails the build with file and line.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import sys
from collections.abc import Callable
from fractions import Fraction
from functools import cache
from pathlib import Path

from textbook.core.cache import Cache
from textbook.core.errors import SourceError, line_of
from textbook.core.runner import Task, project_env, run_one, write_result

PLACEHOLDER_RE = re.compile(r"\{\{\s*(?P<name>[a-z0-9_]+)\s*\}\}")
# Fenced code is shown as written: a `{{ x }}` inside it is code, not a fact.
FENCE_BLOCK_RE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)

# Canonical settings the chapter talks about.
VIT_IMAGE_SIDE = 224
VIT_PATCH = 16
CHANNELS = 3


PROJECT = Path(__file__).resolve().parents[2]
CACHE_DIR = PROJECT / ".cache" / "facts"
TIMEOUT = 60.0  # seconds the kernels get to compute every fact (mkdocs.yml: fact_timeout)
# What the values depend on: the kernels (pure functions of their code) and this module.
INPUTS = (Path(__file__).resolve(), *sorted((PROJECT / "figures_src").glob("kernels/*.py")),
          PROJECT / "figures_src" / "numbers.py")  # fmt: skip


def _inputs_digest() -> str:
    digest = hashlib.sha256(importlib.metadata.version("numpy").encode())
    for path in INPUTS:
        digest.update(f"\0{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


@cache
def _values() -> dict[str, float | int]:
    """Raw numeric facts, computed by the kernels.

    The kernels are pure, so the values are cached on disk under the digest of their code
    (a warm build then skips importing numpy); any change to a kernel recomputes them.
    """
    cache = Cache(CACHE_DIR, what="computed facts cache entry")
    values = cache.fetch(_inputs_digest(), _compute_isolated, _valid_values)
    cache.prune()  # one set of values is current: those of other kernel code are dead
    return values


def _valid_values(values) -> bool:
    return bool(values) and all(
        isinstance(k, str) and type(v) in (int, float) for k, v in values.items()
    )


class FactError(Exception):
    """The kernels could not compute the facts (they raised, crashed or did not finish)."""


def _compute_isolated() -> dict[str, float | int]:
    """The kernels' values, computed in a worker process (a looping kernel cannot hang the
    build: it times out after ``TIMEOUT`` seconds, naming the kernel line it was at)."""
    task = Task(
        label="computed facts",
        source="figures_src/kernels",
        target=__name__,
        args=("--compute",),
        cwd=PROJECT,
        env=project_env(PROJECT),
        timeout=TIMEOUT,
    )
    outcome = run_one(task, PROJECT)
    if outcome.timed_out:
        where = outcome.where or "figures_src/kernels"
        raise FactError(f"the kernel at {where} did not finish within {TIMEOUT:g} s")
    if not isinstance(outcome.result, dict):
        frames = re.findall(
            r'File "[^"]*/(figures_src/kernels/\w+\.py)", line (\d+)', outcome.stderr
        )
        where = ":".join(frames[-1]) if frames else "figures_src/kernels"
        lines = [line for line in outcome.stderr.splitlines() if line.strip()]
        why = lines[-1].strip() if lines else f"exit status {outcome.returncode}, no result"
        raise FactError(f"the kernel at {where} failed: {why}")
    return outcome.result


def _compute_values() -> dict[str, float | int]:
    from figures_src.kernels import iou, mini_clip, patches, receptive_field

    n = patches.num_patches(VIT_IMAGE_SIDE, VIT_IMAGE_SIDE, VIT_PATCH)
    n_half = patches.num_patches(VIT_IMAGE_SIDE, VIT_IMAGE_SIDE, VIT_PATCH // 2)
    box_a, box_b = iou.IOU_EXAMPLE_BOXES
    inter = float(iou.intersection_area(box_a, box_b))
    union = float(iou.box_area(box_a) + iou.box_area(box_b) - inter)
    default = receptive_field.DEFAULT_STACK
    ks, ss = receptive_field.conv_stack(**default)
    rf, jump = receptive_field.conv_receptive_fields(ks, ss)
    two_rf, _ = receptive_field.conv_receptive_fields([3, 3], [1, 1])
    small, large = iou.SHIFT_EXAMPLE_SIDES
    shift = iou.SHIFT_EXAMPLE_OFFSET
    values = {
        "image_values_224": VIT_IMAGE_SIDE * VIT_IMAGE_SIDE * CHANNELS,
        "vit_patches_per_side": patches.patch_grid(VIT_IMAGE_SIDE, VIT_IMAGE_SIDE, VIT_PATCH)[0],
        "vit_patches": n,
        "vit_sequence": patches.sequence_length(VIT_IMAGE_SIDE, VIT_IMAGE_SIDE, VIT_PATCH),
        "vit_attention_cost": patches.attention_cost(n),
        "vit_patch_values": patches.patch_dim(VIT_PATCH, CHANNELS),
        "iou_example": float(iou.iou(box_a, box_b)),
        "iou_example_intersection": inter,
        "iou_example_union": union,
        "rf_default_px": int(rf[-1]),
        "rf_default_stride": int(jump[-1]),
        "rf_two_3x3": int(two_rf[-1]),
        "half_patch_token_factor": n_half // n,
        "half_patch_attention_factor": patches.attention_cost(n_half) // patches.attention_cost(n),
        "iou_shift_small_side": small,
        "iou_shift_large_side": large,
        "iou_shift_px": shift,
        "iou_shift_small": iou.shifted_square_iou(small, shift, shift),
        "iou_shift_large": iou.shifted_square_iou(large, shift, shift),
    }
    # The toy CLIP trains for seconds: last, so that a failing quick kernel is reported at once.
    toy = mini_clip.default_trained_clip()
    matched, mismatched = mini_clip.matched_and_mismatched_cosines(toy, toy.held_out)
    values["clip_toy_matched_cosine"] = matched
    values["clip_toy_mismatched_cosine"] = mismatched
    return values


def _format_number(value: float | int) -> str:
    from figures_src.numbers import format_thousands

    if float(value).is_integer():
        return format_thousands(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _two_decimals(value: float) -> str:
    # A cosine or an IoU reads at two decimals; U+2212 so a negative one gets a real minus.
    return f"{value:.2f}".replace("-", "\u2212")


def _fraction(value: float) -> str:
    frac = Fraction(value).limit_denominator(100)
    return f"{frac.numerator}/{frac.denominator}"


# name -> how it reads on the page
FORMATTERS: dict[str, Callable[[dict[str, float | int]], str]] = {
    **{
        name: (lambda v, n=name: _format_number(v[n]))
        for name in [
            "image_values_224",
            "vit_patches_per_side",
            "vit_patches",
            "vit_sequence",
            "vit_attention_cost",
            "vit_patch_values",
            "iou_example",
            "iou_example_intersection",
            "iou_example_union",
            "rf_default_px",
            "rf_default_stride",
            "rf_two_3x3",
            "half_patch_token_factor",
            "half_patch_attention_factor",
            "iou_shift_small_side",
            "iou_shift_large_side",
            "iou_shift_px",
        ]
    },  # fmt: skip
    **{
        name: (lambda v, n=name: _two_decimals(v[n]))
        for name in [
            "iou_shift_small",
            "iou_shift_large",
            "clip_toy_matched_cosine",
            "clip_toy_mismatched_cosine",
        ]
    },  # fmt: skip
    "vit_attention_cost_compact": lambda v: _compact(v["vit_attention_cost"]),
    "iou_example_fraction": lambda v: _fraction(v["iou_example"]),
}


def _compact(value: float | int) -> str:
    from figures_src.numbers import format_compact

    return format_compact(int(value))


def names() -> list[str]:
    return sorted(FORMATTERS)


def text(name: str) -> str:
    """The fact as it reads on the page, e.g. text('vit_attention_cost') == '38,416'."""
    return FORMATTERS[name](_values())


def value(name: str) -> float:
    """The fact's numeric value (quizzes check answers against it)."""
    values = _values()
    if name in values:
        return float(values[name])
    raise KeyError(name)


def substitute(markdown: str, path: str, first_line: int = 1) -> str:
    """Replace every `{{ name }}` outside fenced code; unknown names raise SourceError."""
    fenced = [(m.start(), m.end()) for m in FENCE_BLOCK_RE.finditer(markdown)]

    def in_fence(offset: int) -> bool:
        return any(start <= offset < end for start, end in fenced)

    def replace(match: re.Match[str]) -> str:
        if in_fence(match.start()):
            return match.group(0)
        name = match.group("name")
        line = first_line - 1 + line_of(markdown, match.start())
        if name not in FORMATTERS:
            raise SourceError(
                path,
                line,
                f"unknown computed value '{{{{ {name} }}}}' (known: {', '.join(names())})",
            )
        try:
            return text(name)
        except FactError as error:
            raise SourceError(path, line, f"computing '{{{{ {name} }}}}': {error}") from None

    return PLACEHOLDER_RE.sub(replace, markdown)


if __name__ == "__main__" and sys.argv[1:] == ["--compute"]:  # the worker of _compute_isolated
    write_result(_compute_values())
