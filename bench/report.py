"""Turn the results dict into Markdown tables (pure functions)."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

TARGETS = {
    "warm_vs_baseline_directory": 2.0,  # project warm build <= 2x the shared-plotly baseline
    "bytes": 250_000,
    "requests": 25,
    "cls": 0.001,
    "tbt_ms": 100.0,
    "tbt_ms_4x": 200.0,
    "rebuild_vs_baseline": 1.5,  # `mkdocs serve` rebuild after one edit, project / baseline
}


def linear_fit(points: Sequence[tuple[float, float]]) -> dict | None:
    """Least squares t = a + b n: slope b, intercept a, R²; None for fewer than two sizes."""
    if len({n for n, _ in points}) < 2:
        return None
    count = len(points)
    mean_n = sum(n for n, _ in points) / count
    mean_t = sum(t for _, t in points) / count
    snn = sum((n - mean_n) ** 2 for n, _ in points)
    snt = sum((n - mean_n) * (t - mean_t) for n, t in points)
    slope = snt / snn
    intercept = mean_t - slope * mean_n
    sst = sum((t - mean_t) ** 2 for _, t in points)
    sse = sum((t - intercept - slope * n) ** 2 for n, t in points)
    r2 = 1.0 - sse / sst if sst else 1.0
    return {"slope": slope, "intercept": intercept, "r2": r2}


def marginal_costs(points: Sequence[tuple[float, float]]) -> list[dict]:
    """Per-page cost between consecutive sizes: (t2 - t1) / (n2 - n1)."""
    ordered = sorted(points)
    return [
        {"from": n1, "to": n2, "per_page": (t2 - t1) / (n2 - n1)}
        for (n1, t1), (n2, t2) in zip(ordered, ordered[1:], strict=False)
        if n2 != n1
    ]


def analyse_scale(scale: dict) -> dict:
    """Fits and marginal costs of the scale builds (wall clock and CPU), and a linearity verdict.

    Linear: the CPU fit explains the sizes (R² >= 0.99) and one more chapter costs no more at
    the largest size than at the smallest (within 30 %): the cost per chapter does not grow.
    """
    sizes = scale.get("sizes", [])
    wall = [(s["chapters"], s["warm"]["seconds"]) for s in sizes]
    cpu = [(s["chapters"], s["warm"]["cpu_seconds"]) for s in sizes]
    scale["warm_fit"], scale["warm_marginal"] = linear_fit(wall), marginal_costs(wall)
    scale["warm_cpu_fit"], scale["warm_cpu_marginal"] = linear_fit(cpu), marginal_costs(cpu)
    margins = scale["warm_cpu_marginal"]
    fit = scale["warm_cpu_fit"]
    if fit and len(margins) >= 2:
        scale["linear"] = (
            fit["r2"] >= 0.99 and margins[-1]["per_page"] <= 1.3 * margins[0]["per_page"]
        )
    return scale


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt(value, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if unit == "KB":
        return f"{value / 1000:,.0f} KB"
    if unit == "ms":
        return f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.{digits}f} s"
    if unit == "x":
        return f"{value:.{digits}f}×"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def build_section(results: dict) -> str:
    builds = results.get("build", {})
    project = builds.get("project", {})
    inline = builds.get("baseline_inline", {})
    shared = builds.get("baseline_directory", {})
    rows = []
    kinds = (("cold", "cold (empty caches)"), ("warm", "warm, nothing changed"),
             ("prose", "after a one-word prose edit"))  # fmt: skip
    for measure, suffix in (("seconds", "wall clock"), ("cpu_seconds", "CPU time")):
        for key, label in kinds:
            p = project.get(key, {}).get(measure)
            i = inline.get(key, {}).get(measure)
            d = shared.get(key, {}).get(measure)
            rows.append([f"{label}, {suffix}", fmt(p, "s"), fmt(i, "s"), fmt(d, "s"),
                         fmt(ratio(p, d), "x")])  # fmt: skip
    text = table(
        ["build", "project", "baseline, plotly.js inlined ×3",
         "baseline, one shared plotly.min.js", "project / shared baseline"],
        rows,
    )  # fmt: skip
    checks = results.get("checks", {})
    warm_ratio = checks.get("warm_vs_baseline_directory")
    lines = [
        text,
        "",
        f"- Target: project warm build ≤ 2× the shared-plotly baseline: "
        f"{fmt(warm_ratio, 'x')} wall clock → {verdict(checks.get('warm_target_met'))} "
        f"(CPU time: {fmt(checks.get('warm_vs_baseline_directory_cpu'), 'x')}). Warm and "
        "prose-edit times are medians of rounds in which the three sites take turns.",
    ]
    prose = project.get("prose", {})
    if prose:
        rendered = len(prose.get("figures_rendered", []))
        cached = len(prose.get("figures_cached", []))
        lines.append(
            f"- Prose edit, from the build log: figures rendered {rendered} (cached {cached}),"
            f" cells executed {prose.get('cells_executed', '–')} of {prose.get('cells', '–')},"
            f" formulas typeset {prose.get('math_rendered', '–')} "
            f"(cached {prose.get('math_cached', '–')}) → "
            f"{verdict(checks.get('prose_edit_rerenders_nothing'))}; companion notebooks "
            f"converted again: {prose.get('notebooks_converted', '–')}."
        )
    cold = project.get("cold", {})
    if cold:
        lines.append(
            f"- Cold project build: {len(cold.get('figures_rendered', []))} figures rendered, "
            f"{cold.get('cells_executed', '–')} cells executed, "
            f"{cold.get('math_rendered', '–')} formulas typeset."
        )
    return "\n".join(lines)


PAGE_ROWS = (
    ("bytes", "transferred before any interaction", "KB"),
    ("requests", "requests", ""),
    ("fcp_ms", "First Contentful Paint", "ms"),
    ("lcp_ms", "Largest Contentful Paint", "ms"),
    ("math_ms", "math typeset", "ms"),
    ("cls", "Cumulative Layout Shift (sum)", ""),
    ("tbt_ms", "Total Blocking Time", "ms"),
    ("external_requests", "requests outside 127.0.0.1", ""),
)


def load_spread(samples: list[dict]) -> str:
    """The range of each timing over single loads: on a shared machine a median hides it."""
    parts = []
    for key, label in (("fcp_ms", "FCP"), ("lcp_ms", "LCP"), ("tbt_ms", "TBT")):
        values = [s[key] for s in samples if s.get(key) is not None]
        if len(values) > 1:
            parts.append(f"{label} {fmt(min(values), 'ms')} to {fmt(max(values), 'ms')}")
    return ", ".join(parts)


def paired_ratios(mine: list[dict], theirs: list[dict], key: str) -> list[float]:
    """Load-by-load ratios of two sites measured in turns (`bench.page.measure_sites`): load n of
    each saw the same moment of the shared machine, so a burst of load cancels in its ratio."""
    return [
        a[key] / b[key]
        for a, b in zip(mine, theirs, strict=False)
        if a.get(key) is not None and b.get(key)
    ]


def paired_summary(ratios: Sequence[float], rounds: int = 2000, seed: int = 0) -> dict | None:
    """Median of the paired ratios, a 90 % bootstrap interval of that median (seeded: the report
    is the same for the same JSON), and in how many pairs the project was not slower."""
    if len(ratios) < 2:
        return None
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(rounds))
    return {
        "median": statistics.median(ratios),
        "low": medians[int(0.05 * rounds)],
        "high": medians[int(0.95 * rounds) - 1],
        "not_slower": sum(r <= 1 for r in ratios),
        "pairs": len(ratios),
    }


def paired(mine: list[dict], theirs: list[dict], key: str) -> dict | None:
    """`paired_summary` of the two sites' samples for one timing."""
    return paired_summary(paired_ratios(mine, theirs, key))


def interval_text(summary: dict) -> str:
    return f"90 % interval {fmt(summary['low'], 'x')} to {fmt(summary['high'], 'x')}"


def paired_text(mine: list[dict], theirs: list[dict]) -> str:
    parts = []
    for key, label in (("fcp_ms", "FCP"), ("lcp_ms", "LCP")):
        summary = paired(mine, theirs, key)
        if summary:
            parts.append(
                f"{label} {fmt(summary['median'], 'x')} ({interval_text(summary)}; not slower in "
                f"{summary['not_slower']} of {summary['pairs']})"
            )
    return "; ".join(parts)


def page_section(results: dict) -> str:
    pages = results.get("page", {})
    if not pages:
        return "_Page metrics not measured._"
    out = []
    for rate in ("1x", "4x"):
        p = pages.get("project", {}).get(rate, {})
        i = pages.get("baseline_inline", {}).get(rate, {})
        d = pages.get("baseline_directory", {}).get(rate, {})
        if not p:
            continue
        rows = []
        for key, label, unit in PAGE_ROWS:
            digits = 4 if key == "cls" else 2
            value = fmt(p.get(key), unit, digits)
            if key == "math_ms" and p.get("math_at_first_paint"):
                value += " (at first paint)"
            ratio_text = fmt(ratio(p.get(key), i.get(key)), "x") if key != "cls" else (
                fmt(ratio(p.get(key), i.get(key)), "x", 3)
            )  # fmt: skip
            rows.append([label, value, fmt(i.get(key), unit, digits),
                         fmt(d.get(key), unit, digits), ratio_text])  # fmt: skip
        cpu = "no CPU throttling" if rate == "1x" else "CPU throttled 4× (CDP)"
        runs = p.get("runs", 0)
        how = f"median of {runs} loads" if runs > 1 else "one load"
        out.append(f"Chapter page, {cpu}, {how}:\n")
        out.append(
            table(["page", "project", "baseline, plotly.js inlined ×3",
                   "baseline, one shared plotly.min.js", "project / inlined baseline"], rows)
        )  # fmt: skip
        spread = load_spread(p.get("samples", []))
        if spread:
            out.append(f"\nSingle loads of the project page: {spread}.")
        paired = paired_text(p.get("samples", []), i.get("samples", []))
        if paired:
            out.append(
                "\nLoad by load against the inlined baseline (the sites took turns, so each "
                f"pair saw the same machine), project / baseline: {paired}."
            )
        out.append("")
    targets = results.get("checks", {}).get("page_targets", {})
    if targets:
        out.append("Targets for the chapter page:\n")
        out.append(
            table(
                ["target", "measured", "verdict"],
                [[t["label"], t["measured"], verdict(t["ok"])] for t in targets.values()],
            )
        )
    return "\n".join(out)


def scale_section(results: dict) -> str:
    scale = results.get("scale", {})
    if not scale.get("sizes"):
        return f"_Scale not measured: {scale.get('skipped', 'not run')}._"
    rows = []
    for size in scale["sizes"]:
        cold, warm = size.get("cold", {}), size.get("warm", {})
        n = size["chapters"]
        rows.append([
            str(n), str(size.get("pages", "–")),
            f"{fmt(cold.get('seconds'), 's', 1)} / {fmt(cold.get('cpu_seconds'), 's', 1)}",
            f"{fmt(warm.get('seconds'), 's', 1)} / {fmt(warm.get('cpu_seconds'), 's', 1)}",
            fmt(warm["cpu_seconds"] / n if warm.get("cpu_seconds") else None, "s", 3),
            " / ".join(str(len(warm.get("figures_rendered", []))) if k == "figures" else
                       str(warm.get(k, "–")) for k in (
                "figures", "cells_executed", "math_rendered", "notebooks_converted")),
        ])  # fmt: skip
    lines = [
        table(
            [
                "chapters",
                "pages built",
                "cold: wall / CPU",
                "warm: wall / CPU",
                "warm CPU per chapter",
                "warm build log: figures rendered / cells run / formulas typeset / "
                "notebooks converted",
            ],
            rows,
        ),  # fmt: skip
        "",
    ]
    sizes = ", ".join(str(s["chapters"]) for s in scale["sizes"])
    for key, what in (("warm_cpu_fit", "CPU time"), ("warm_fit", "wall clock")):
        fit = scale.get(key)
        if fit:
            lines.append(
                f"- Warm build, {what} ≈ {fit['intercept']:.2f} s + {fit['slope']:.3f} s × "
                f"chapters (least squares over {sizes} chapters; R² = {fit['r2']:.3f})."
            )
    for key, what in (("warm_cpu_marginal", "CPU time"), ("warm_marginal", "wall clock")):
        margins = scale.get(key, [])
        if margins:
            parts = [f"{m['from']}→{m['to']}: {m['per_page']:.3f} s" for m in margins]
            lines.append(f"- Extra warm cost per chapter, {what}: {'; '.join(parts)}.")
    if scale.get("linear") is not None:
        lines.append(
            "- Linear in the number of chapters (CPU fit R² ≥ 0.99 and an extra chapter costs "
            f"no more at the largest size than at the smallest, ±30 %): {fmt(scale['linear'])}."
        )
    if scale.get("cold_per_chapter") is not None:
        lines.append(
            f"- Cold: {scale['cold_per_chapter']:.3f} s wall clock, "
            f"{scale.get('cold_cpu_per_chapter', 0):.3f} s CPU per extra chapter "
            f"({scale.get('cold_chapters')}-chapter cold build vs the project's 1-chapter cold "
            "build above)."
        )
    if "figures_never_rerendered" in scale:
        lines.append(
            "- Figures: each rendered once in the cold build "
            f"({fmt(scale.get('figures_rendered_once_in_cold'))}), never again in the warm "
            f"builds ({fmt(scale['figures_never_rerendered'])})."
        )
    if scale.get("skipped"):
        lines.append(f"- Not measured: {scale['skipped']}.")
    return "\n".join(lines)


def instrument_table(latency: dict) -> str:
    """Per instrument: medians at a reader's pace and one change per frame, kept shares and
    what drawing on demand (Plotly) costs."""

    def median(pace: dict | None, key: str) -> str:
        value = ((pace or {}).get(key) or {}).get("median")
        return "–" if value is None else f"{value:.1f} ms"

    def share(pace: dict | None) -> str:
        value = (pace or {}).get("kept_share")
        return "–" if value is None else f"{100 * value:.0f} %"

    rows = [
        "| instrument | update, reader's pace | kept | one change per frame, no idle time "
        "| kept | drawn on demand (Plotly) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, v in sorted(latency.items()):
        rapid = v.get("rapid_without_idle_time")
        drawn = (rapid or {}).get("drawn_ms") or v.get("drawn_ms") or {}
        rows.append(
            f"| {name} | {median(v, 'update_ms')} | {share(v)} | {median(rapid, 'update_ms')} "
            f"| {share(rapid)} | {median({'drawn_ms': drawn}, 'drawn_ms')} |"
        )
    return "\n".join(rows)


def others_section(results: dict) -> str:
    lines = []
    cells = results.get("cells")
    if isinstance(cells, dict) and "cold_ms" in cells:
        lines.append(
            f"- Cells (`bench/bench_cells.py`): click → first output cold "
            f"{fmt(cells['cold_ms'].get('median'), 'ms')} (target ≤ {cells['targets']['cold_ms']} "
            f"ms), cold after the pointer rested on the cell "
            f"{cells.get('cold_after_intent_ms', {}).get('lead_ms', '–')} ms before the click "
            f"{fmt(cells.get('cold_after_intent_ms', {}).get('median'), 'ms')} (target ≤ "
            f"{cells['targets'].get('cold_after_intent_ms', '–')} ms; runtime requests before "
            f"that intent: {cells.get('runtime_requests_before_intent', '–')}), "
            f"warm {fmt(cells['warm_ms'].get('median'), 'ms')} (target ≤ "
            f"{cells['targets']['warm_ms']} ms); runtime downloaded on first run "
            f"{fmt(cells['bytes'].get('runtime_on_first_run'), 'KB')}; "
            f"{'targets met' if cells.get('ok') else '**targets not met**'}."
        )
    elif cells:
        lines.append(f"- Cells (`bench/bench_cells.py`): {cells.get('error', cells)}.")
    instruments = results.get("instruments")
    if isinstance(instruments, dict) and "error" not in instruments:
        ok = instruments.get("ok")
        state = "" if ok is None else ("targets met" if ok else "**target not met**")
        latency = instruments.get("latency", {})
        first = instruments.get("plotly_bytes_on_first_instrument", {}).get("gzip")
        lines.append(
            "- Instruments (`bench/bench_instruments.py`): control change → chart and readouts "
            f"updated (target: median ≤ {instruments.get('target_ms', '–')} ms at a reader's "
            f"pace, one change every {instruments.get('reader_pause_ms', '–')} ms); Plotly "
            f"loaded at page load: {len(instruments.get('plotly_at_page_load', [])) or 'no'}; "
            f"Plotly fetched when the first instrument scrolls into view: {fmt(first, 'KB')} "
            f"gzip; {state}."
        )
        if latency:
            lines.append("")
            lines.append(instrument_table(latency))
    elif instruments:
        lines.append(f"- Instruments (`bench/bench_instruments.py`): {instruments.get('error')}.")
    clip = results.get("mini_clip")
    if isinstance(clip, dict) and "seconds" in clip:
        verdict = "met" if clip.get("ok") else "**not met**"
        lines.append(
            f"- Miniature CLIP training (`train_mini_clip(seed=0)` in a fresh process, as each "
            f"cold build runs it): {clip['seconds']:.2f} s (target < {clip['target_s']:g} s): "
            f"{verdict}."
        )
    elif clip:
        lines.append(f"- Miniature CLIP training: {clip.get('error')}.")
    return "\n".join(lines) or "_Not measured._"


def many_pages_section(results: dict) -> str:
    many = results.get("many_pages", {})
    mine, theirs = many.get("project"), many.get("baseline_directory")
    if not mine or not theirs:
        return "_Not measured._"
    rows = [
        ["first build with the pages (the project's figures and cells cached), wall clock",
         fmt(mine["cold"]["seconds"], "s"),
         fmt(theirs["cold"]["seconds"], "s"),
         fmt(ratio(mine["cold"]["seconds"], theirs["cold"]["seconds"]), "x")],
        ["warm build, wall clock", fmt(mine["warm"]["seconds"], "s"),
         fmt(theirs["warm"]["seconds"], "s"), fmt(many.get("warm_ratio"), "x")],
        ["`mkdocs serve`: rebuild after a one-word edit of the chapter (MkDocs' own time)",
         fmt(mine["serve"]["rebuild_s"], "s"), fmt(theirs["serve"]["rebuild_s"], "s"),
         fmt(many.get("rebuild_ratio"), "x")],
        ["`mkdocs serve`: CPU time of that rebuild",
         fmt(mine["serve"].get("rebuild_cpu_s"), "s"),
         fmt(theirs["serve"].get("rebuild_cpu_s"), "s"),
         fmt(many.get("rebuild_cpu_ratio"), "x")],
    ]  # fmt: skip
    check = results.get("checks", {}).get("serve_rebuild", {})
    return (
        f"The chapter plus {many.get('extra_pages')} cheap pages (`bench/many_pages.py`), in "
        "the project and in the shared-plotly baseline:\n\n"
        + table(["build", "project", "baseline, one shared plotly.min.js", "ratio"], rows)
        + f"\n\n- Target: serve rebuild ≤ {TARGETS['rebuild_vs_baseline']}× the baseline's: "
        + f"{fmt(check.get('ratio'), 'x')} → {verdict(bool(check.get('ok')))}."
    )


def markdown_report(results: dict) -> str:
    machine = results.get("machine", {})
    head = (
        f"Measured {results.get('date', '?')} in one run of `python -m bench` (what `make bench` "
        "runs after set-up; "
        f"{results.get('duration_s', 0) / 60:.1f} min) on {machine.get('cpus', '?')} cores "
        f"({machine.get('cpu', '?')}), shared with colleagues' builds: load average "
        f"{machine.get('load_start', '?')} at the start, "
        f"{machine.get('load_end', '?')} at the end. "
        f"Commit {results.get('git', {}).get('commit', '?')} with "
        f"{results.get('git', {}).get('uncommitted_files', '?')} uncommitted files in the tree. "
        "Absolute times depend on that load; compare the ratios."
    )
    return "\n\n".join(
        [
            head,
            "#### Build\n\n" + build_section(results),
            "#### Page\n\n" + page_section(results),
            "#### Cells and instruments\n\n" + others_section(results),
            "#### Scale (a site of N chapters)\n\n" + scale_section(results),
            "#### Many pages and the live rebuild\n\n" + many_pages_section(results),
        ]
    )
