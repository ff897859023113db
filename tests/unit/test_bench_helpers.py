"""Pure helpers of the benchmarks: chapter copies, build logs, page metrics, report, server."""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench import page, project, report, scale, serve
from textbook.chapter.meta import chapter_meta, split_front_matter

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = (ROOT / "docs" / "01-computer-vision.md").read_text(encoding="utf-8")


# --- chapter copies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("eq-mm1-2", "eq-c037-2"),
        ("instrument-mm1-3", "instrument-c037-3"),
        ("sec-1-3", "sec-37-3"),
        ("sec-1-r", "sec-37-r"),
        ("fig-patch-cost", "fig-c037-patch-cost"),
        ("cell-zero-shot", "cell-c037-zero-shot"),
        ("quiz-iou-example", "quiz-c037-iou-example"),
        ("ref-he-2016", "ref-c037-he-2016"),
        ("computer-vision-with-deep-nets", "c037-computer-vision-with-deep-nets"),
    ],
)
def test_renamed_id(old, new):
    assert scale.renamed_id(old, 37) == new


def test_relabel_renames_ids_labels_and_section_numbers():
    text = (
        "---\nchapter: 1\nchapter_count: 6\nbreadcrumb: [\"A\", \"01 · Vision\"]\n"
        "instruments: [instrument-mm1-1]\n---\n\n## 1.3 ViT { #sec-1-3 }\n\n"
        "See [EQ MM1.2](#eq-mm1-2), INSTRUMENT MM1.1 and [§1.3](#sec-1-3); "
        "not §1.30x or eq-mm1-22.\n\n"
        "/// equation | E\n    id: eq-mm1-2\n    label: EQ MM1.2\n///\n"
        "/// instrument | I\n    id: instrument-mm1-1\n    label: INSTRUMENT MM1.1\n///\n"
    )  # fmt: skip
    out = scale.relabel(text, 7, 100)
    assert "chapter: 7\nchapter_count: 100" in out
    assert '"07 · Vision"' in out
    assert "instruments: [instrument-c007-1]" in out
    assert "## 7.3 ViT { #sec-7-3 }" in out
    assert "[EQ C007.2](#eq-c007-2), INSTRUMENT C007.1 and [§7.3](#sec-7-3); " in out
    assert "eq-mm1-22" in out  # not an id of this text: left alone
    assert "    id: eq-c007-2\n    label: EQ C007.2" in out


def test_copies_of_the_real_chapter_have_unique_ids_and_labels_across_the_site():
    copies = [CHAPTER] + [scale.relabel(CHAPTER, n, 100) for n in (2, 37, 100)]
    ids = [i for text in copies for i in scale.defined_ids(text)]
    assert len(ids) == len(set(ids)) and len(ids) == 4 * len(scale.defined_ids(CHAPTER))
    labels = [
        label
        for text in copies
        for label in re.findall(r"^ {4}label:\s*(.+)$|^## (\d+\.\w+)", text, re.MULTILINE)
    ]
    assert len(labels) == len(set(labels))
    for text in copies[1:]:
        data, _ = split_front_matter(text, "copy.md")
        assert chapter_meta(data, "copy.md", text) is not None  # the build's check passes
        assert not re.search(r"mm1|MM1|sec-1-|§1\.", text)
        links = set(re.findall(r"\]\(#([^)]+)\)", text))
        assert links <= set(scale.defined_ids(text))


def test_each_copy_announces_the_next_chapter_and_the_last_none():
    text = "---\nchapter: 1\nchapter_count: 6\nnext: {number: 2, title: T, summary: S}\n---\n"
    assert "next: {number: 8, title: T, summary: S}\n" in scale.relabel(text, 7, 100)
    last = scale.relabel(text, 100, 100)
    assert "next:" not in last and last.startswith("---\nchapter: 100\nchapter_count: 100\n---")


def test_relabel_refuses_chapter_one():
    with pytest.raises(ValueError):
        scale.relabel(CHAPTER, 1, 10)


def test_add_to_nav_inserts_after_the_chapter():
    yml = 'nav:\n  - Volume: index.md\n  - "01 · CV": 01-computer-vision.md\n\ntheme: x\n'
    out = scale.add_to_nav(yml, scale.nav_entries(3))
    assert out.splitlines()[3:5] == [
        '  - "02 · Computer Vision (copy)": chapters/c002.md',
        '  - "03 · Computer Vision (copy)": chapters/c003.md',
    ]
    assert out.endswith("\ntheme: x\n")
    with pytest.raises(ValueError):
        scale.add_to_nav("nav:\n  - a.md\n", [])


def test_write_chapters_grows_and_shrinks(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / scale.CHAPTER_FILE).write_text(CHAPTER, encoding="utf-8")
    yml = 'nav:\n  - "01 · CV": 01-computer-vision.md\n'
    scale.write_chapters(tmp_path, 4, yml, 100)
    assert sorted(p.name for p in (tmp_path / "docs" / "chapters").iterdir()) == [
        "c002.md", "c003.md", "c004.md",
    ]  # fmt: skip
    before = (tmp_path / "docs" / "chapters" / "c002.md").read_text(encoding="utf-8")
    scale.write_chapters(tmp_path, 2, yml, 100)
    assert [p.name for p in (tmp_path / "docs" / "chapters").iterdir()] == ["c002.md"]
    assert (tmp_path / "docs" / "chapters" / "c002.md").read_text(encoding="utf-8") == before
    assert "c003" not in (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")


# --- build logs -------------------------------------------------------------------------------

COLD_LOG = """INFO    -  cells: 3 cells: 3 executed (1.57 s)
INFO    -  figures: [1/2] clip_similarity rendered in 17.49 s
INFO    -  figures: [2/2] patch_cost rendered in 1.57 s
INFO    -  Converting notebook (execute=False): /x/notebooks/01-computer-vision.ipynb
INFO    -  math: 94 formulas, 55 rendered, 39 cached (0.27 s)
INFO    -  Documentation built in 28.58 seconds
"""
WARM_LOG = """INFO    -  cells: 3 cells: 0 executed (0.00 s)
INFO    -  figures: clip_similarity cached
INFO    -  figures: patch_cost cached
WARNING -  something
INFO    -  math: 94 formulas, 0 rendered, 94 cached (0.04 s)
INFO    -  Documentation built in 0.83 seconds
"""


def test_parse_build_log_cold_and_warm():
    cold = project.parse_build_log(COLD_LOG)
    assert cold["figures_rendered"] == ["clip_similarity", "patch_cost"]
    assert cold["figures_cached"] == []
    assert (cold["cells"], cold["cells_executed"]) == (3, 3)
    assert (cold["math_formulas"], cold["math_rendered"], cold["math_cached"]) == (94, 55, 39)
    assert cold["notebooks_converted"] == 1 and cold["reported_seconds"] == 28.58
    warm = project.parse_build_log(WARM_LOG)
    assert warm["figures_rendered"] == [] and len(warm["figures_cached"]) == 2
    assert warm["cells_executed"] == 0 and warm["math_rendered"] == 0 and warm["warnings"] == 1


def test_prose_edit_changes_one_word_of_prose_only():
    text = "---\ntitle: Some title\n---\n\n# Title { #t }\n\n```\nCode block here\n```\n\n"
    text += "Recognition was the first problem \\(\\mathbb{R}\\).\n"
    edited, word = project.prose_edit(text)
    assert word == "first"
    assert edited == text.replace("the first problem", "the bench problem")
    with pytest.raises(ValueError):
        project.prose_edit("# Only { #a }\n")


def test_prose_edit_of_the_real_chapter_touches_one_line():
    edited, _ = project.prose_edit(CHAPTER)
    changed = [a for a, b in zip(CHAPTER.splitlines(), edited.splitlines(), strict=True) if a != b]
    assert len(changed) == 1


# --- page metrics -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tasks", "fcp", "expected"),
    [
        ([], 100.0, 0.0),
        ([(200.0, 40.0)], 100.0, 0.0),  # short task
        ([(200.0, 120.0)], 100.0, 70.0),
        ([(0.0, 90.0)], 100.0, 0.0),  # before FCP
        ([(50.0, 150.0)], 100.0, 50.0),  # spans FCP: 100 ms after it
        ([(200.0, 120.0), (400.0, 51.0)], 100.0, 71.0),
    ],
)
def test_total_blocking_time(tasks, fcp, expected):
    assert page.total_blocking_time(tasks, fcp) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # Typeset at build time: KaTeX markup, its TeX only inside the annotation.
        (
            '<html><body><p><span class="katex"><math><annotation>\\(x\\)</annotation></math>'
            '<span class="katex-html"><span>x</span></span></span> and more</p></body></html>',
            (0, 1),
        ),
        # Left to the browser: raw TeX in the text, one node per formula-bearing text.
        ('<body><p class="arithmatex">\\(a^2\\)</p><div>$$b$$</div></body>', (2, 0)),
        # Code, nested code-like tags and the head do not count.
        (
            "<head><title>\\(t\\)</title></head><body><pre><code>\\(c\\)<span>\\[d\\]"
            "</span></code></pre><p>after</p></body>",
            (0, 0),
        ),
        # Text after a skipped element that nests its own tag counts again.
        (
            '<body><span class="katex"><span>x</span></span><span>\\[e\\]</span></body>',
            (1, 1),
        ),
    ],
)
def test_tex_in_html(html, expected):
    assert page.tex_in_html(html) == expected


def test_cls_session_window():
    shifts = [(100.0, 0.01), (600.0, 0.02), (3000.0, 0.05), (3500.0, 0.001)]
    assert page.cls_session_max(shifts) == pytest.approx(0.051)
    assert page.cls_session_max([]) == 0.0


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000/a.js", True),
        ("data:image/png;base64,xx", True),
        ("blob:http://127.0.0.1:1/x", True),
        ("https://unpkg.com/katex", False),
        ("http://localhost:8000/", False),
    ],
)
def test_is_local(url, local):
    assert page.is_local(url) is local


# --- report -----------------------------------------------------------------------------------


def test_linear_fit_and_marginal_costs():
    points = [(1, 1.5), (25, 13.5), (50, 26.0), (100, 51.0)]
    fit = report.linear_fit(points)
    assert fit["slope"] == pytest.approx(0.5) and fit["intercept"] == pytest.approx(1.0)
    assert fit["r2"] == pytest.approx(1.0)
    assert [m["per_page"] for m in report.marginal_costs(points)] == pytest.approx([0.5] * 3)
    assert report.linear_fit([(5, 1.0)]) is None


def test_analyse_scale_calls_a_constant_cost_per_chapter_linear():
    def sizes(costs):
        return [{"chapters": n, "warm": {"seconds": t * 2, "cpu_seconds": t}} for n, t in costs]

    linear = report.analyse_scale({"sizes": sizes([(100, 51.0), (50, 26.0), (25, 13.5), (1, 1.5)])})
    assert linear["linear"] is True and linear["warm_cpu_fit"]["slope"] == pytest.approx(0.5)
    assert linear["warm_fit"]["slope"] == pytest.approx(1.0)
    quadratic = report.analyse_scale(
        {"sizes": sizes([(n, 1 + 0.01 * n * n) for n in (100, 50, 25, 1)])}
    )
    assert quadratic["linear"] is False


def test_markdown_report_renders_partial_results():
    results = {
        "date": "2026-01-01 00:00 UTC",
        "machine": {"cpus": 2, "cpu": "x", "load_start": 1.0, "load_end": 2.0},
        "build": {
            "project": {"warm": {"seconds": 2.0}},
            "baseline_directory": {"warm": {"seconds": 1.0}},
        },
        "checks": {"warm_vs_baseline_directory": 2.0, "warm_target_met": True},
    }
    text = report.markdown_report(results)
    assert "| warm, nothing changed, wall clock | 2.00 s | – | 1.00 s | 2.00× |" in text
    assert "2 cores" in text and "_Page metrics not measured._" in text


def test_the_report_says_whether_the_mini_clip_training_met_its_target():
    fast = report.others_section({"mini_clip": {"seconds": 6.3, "target_s": 10.0, "ok": True}})
    assert "6.30 s (target < 10 s): met." in fast
    slow = report.others_section({"mini_clip": {"seconds": 11.2, "target_s": 10.0, "ok": False}})
    assert "11.20 s (target < 10 s): **not met**." in slow
    assert "ImportError" in report.others_section({"mini_clip": {"error": "ImportError: x"}})


def test_instrument_pace_and_table_split_kept_and_drawn_changes():
    from bench.bench_instruments import _pace

    samples = [
        {"updated": u, "to_frame": u + 10, "kept": k}
        for u, k in [(1.0, True), (1.2, True), (30.0, False), (1.1, True), (26.0, False)]
    ]
    pace = _pace(samples)
    assert pace["update_ms"]["median"] == 1.2 and pace["kept_share"] == 0.6
    assert pace["drawn_ms"]["median"] == 28.0 and pace["drawn_ms"]["n"] == 2
    assert _pace([{"updated": 2.0, "to_frame": 9.0, "kept": True}])["drawn_ms"] is None
    rapid = _pace(samples[2:])
    table = report.instrument_table({"clip": {**pace, "rapid_without_idle_time": rapid}})
    assert "| clip | 1.2 ms | 60 % | 26.0 ms | 33 % | 28.0 ms |" in table


# --- server -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "ok"),
    [("gzip, deflate, br", True), ("br", False), (None, False), ("gzip;q=0", False), ("*", True)],
)
def test_accepts_gzip(header, ok):
    assert serve.accepts_gzip(header) is ok


def test_server_gzips_text_and_types_wasm(tmp_path):
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<p>" + "hello " * 500 + "</p>")
    (tmp_path / "a.wasm").write_bytes(b"\0asm" + b"\0" * 100)
    with serve.StaticServer(tmp_path) as server:

        def get(path: str):
            request = urllib.request.Request(server.url + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request) as response:
                return response.headers, response.read()

        headers, body = get("page/")
        assert headers["Content-Encoding"] == "gzip"
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert gzip.decompress(body).startswith(b"<p>hello")
        headers, body = get("a.wasm")
        assert headers["Content-Type"] == "application/wasm" and "Content-Encoding" not in headers
        assert server.stats.bytes_by_path["/a.wasm"] == 104
        for path in ("nope.js", "../etc/passwd"):
            with pytest.raises(urllib.error.HTTPError) as missing:
                get(path)
            missing.value.close()
            assert missing.value.code == 404


def test_process_cpu_seconds_counts_this_process_work():
    import os

    from bench.many_pages import process_cpu_seconds

    before = process_cpu_seconds(os.getpid())
    sum(i * i for i in range(3_000_000))  # ~0.1-0.3 s of CPU
    after, reported = process_cpu_seconds(os.getpid()), sum(os.times()[:4])
    assert after - before > 0.05
    assert abs(after - reported) < 0.05  # what the kernel reports to the process itself


def test_the_page_report_gives_the_range_of_single_loads():
    samples = [
        {"fcp_ms": 300.0, "lcp_ms": 420.0, "tbt_ms": 151.0},
        {"fcp_ms": 280.0, "lcp_ms": None, "tbt_ms": 312.4},
        {"fcp_ms": 410.0, "lcp_ms": 600.0, "tbt_ms": 98.0},
    ]
    assert report.load_spread(samples) == (
        "FCP 280 ms to 410 ms, LCP 420 ms to 600 ms, TBT 98 ms to 312 ms"
    )
    assert report.load_spread(samples[:1]) == ""  # one load has no range
    page = {"project": {"4x": {"runs": 3, "tbt_ms": 151.0, "samples": samples}}}
    text = report.page_section({"page": page})
    assert "median of 3 loads" in text
    assert "Single loads of the project page: FCP 280 ms to 410 ms" in text


def test_paired_ratios_compare_the_loads_that_took_turns():
    mine = [{"lcp_ms": 400.0}, {"lcp_ms": 900.0}, {"lcp_ms": None}, {"lcp_ms": 500.0}]
    theirs = [{"lcp_ms": 500.0}, {"lcp_ms": 1000.0}, {"lcp_ms": 450.0}, {"lcp_ms": None}]
    # A burst of load (the second pair) slows both; the missing timings drop their pair.
    assert report.paired_ratios(mine, theirs, "lcp_ms") == [0.8, 0.9]
    assert report.paired_summary([0.8]) is None  # one pair has no interval


def test_paired_summary_is_the_pairs_median_with_a_bootstrap_interval():
    ratios = [0.8, 0.9, 1.3, 0.95, 1.05, 0.85, 1.1]
    summary = report.paired_summary(ratios)
    assert summary["median"] == 0.95
    assert summary["pairs"] == 7 and summary["not_slower"] == 4
    assert min(ratios) <= summary["low"] < summary["median"] < summary["high"] <= max(ratios)
    assert report.paired_summary(ratios) == summary  # seeded: one JSON, one report
    # Pairs in the order they were loaded: not the ratio of the two medians (300 / 200), nor
    # sorted loads matched up (100/100, 300/200, 400/300).
    mine = [{"fcp_ms": 100.0}, {"fcp_ms": 400.0}, {"fcp_ms": 300.0}]
    theirs = [{"fcp_ms": 200.0}, {"fcp_ms": 100.0}, {"fcp_ms": 300.0}]
    assert report.paired_ratios(mine, theirs, "fcp_ms") == [0.5, 4.0, 1.0]
    assert report.paired_summary(report.paired_ratios(mine, theirs, "fcp_ms"))["median"] == 1.0


def test_the_page_report_compares_load_by_load():
    mine = [{"fcp_ms": 90.0, "lcp_ms": 120.0}, {"fcp_ms": 180.0, "lcp_ms": 260.0}]
    theirs = [{"fcp_ms": 100.0, "lcp_ms": 100.0}, {"fcp_ms": 200.0, "lcp_ms": 200.0}]
    page = {
        "project": {"4x": {"runs": 2, "fcp_ms": 135.0, "samples": mine}},
        "baseline_inline": {"4x": {"runs": 2, "fcp_ms": 150.0, "samples": theirs}},
    }
    text = report.page_section({"page": page})
    assert "FCP 0.90× (90 % interval 0.90× to 0.90×; not slower in 2 of 2)" in text
    assert "LCP 1.25× (90 % interval 1.20× to 1.30×; not slower in 0 of 2)" in text


def test_paint_targets_say_how_far_noise_could_move_the_medians():
    from bench.__main__ import paint_checks

    mine = [{"fcp_ms": 90.0, "lcp_ms": 300.0}, {"fcp_ms": 300.0, "lcp_ms": 240.0}]
    theirs = [{"fcp_ms": 100.0, "lcp_ms": 200.0}, {"fcp_ms": 330.0, "lcp_ms": 250.0}]
    pages = {
        "project": {"4x": {"fcp_ms": 195.0, "lcp_ms": 270.0, "samples": mine}},
        "baseline_inline": {"4x": {"fcp_ms": 215.0, "lcp_ms": 225.0, "samples": theirs}},
    }
    checks = paint_checks(pages)
    assert checks["fcp_ms_4x"]["ok"] and not checks["lcp_ms_4x"]["ok"]  # the medians decide
    assert checks["fcp_ms_4x"]["measured"] == (
        "195 ms vs 215 ms (load by load 0.90×, 90 % interval 0.90× to 0.91×)"
    )
    assert checks["lcp_ms_4x"]["measured"].startswith("270 ms vs 225 ms (load by load 1.23×")
    assert "1x" not in pages["project"] and checks["fcp_ms_1x"]["measured"] == "– vs –"
