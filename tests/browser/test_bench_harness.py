"""The benchmark's timed loads: Chromium over a bare DevTools pipe (`bench.cdp_pipe`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import page as bench_page
from bench.cdp_pipe import CDPError, PipeChromium
from bench.serve import StaticServer

# A page that paints, then blocks its main thread for 150 ms in one task, and whose script
# makes a request (the kind of request DevTools' Network domain would have stacked). The task
# starts once the first contentful paint is reported, so all of it is after FCP: on a busy
# machine the paint's presentation time could otherwise fall inside a task started 50 ms after
# the frame, and TBT counts a task spanning FCP from FCP (96 ms once in a full `make test`).
BUSY_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>busy</title></head>
<body><h1>Busy page</h1><p>Some text to paint.</p>
<script>
new PerformanceObserver((list, observer) => {
  if (!list.getEntriesByName("first-contentful-paint").length) return;
  observer.disconnect();
  setTimeout(() => {
    const xhr = new XMLHttpRequest(); xhr.open("GET", "data.txt"); xhr.send();
    const start = performance.now(); while (performance.now() - start < 150) {}
  }, 50);
}).observe({type: "paint", buffered: true});
</script></body></html>"""


def network_facts() -> bench_page.Load:
    return bench_page.Load(
        bytes=1234, bytes_cdp=1200, bytes_server=1234, requests=2, external=[],
        fcp_ms=0.0, lcp_ms=None, math_ms=None, math_at_first_paint=False, raw_tex_in_html=0,
        raw_tex_at_end=0, formulas=0, cls=0.0, cls_window=0.0, tbt_ms=0.0, long_tasks=0,
        load_ms=0.0,
    )  # fmt: skip


def test_a_timed_load_over_the_pipe_measures_paint_and_blocking_time(tmp_path: Path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "index.html").write_text(BUSY_PAGE, encoding="utf-8")
    (tmp_path / "busy" / "data.txt").write_text("data\n", encoding="utf-8")
    network = network_facts()
    with (
        StaticServer(tmp_path) as server,
        PipeChromium(bench_page.CHROMIUM, bench_page.CHROMIUM_ARGS) as pipe,
    ):
        loads = [bench_page.timed_load(pipe, server, "busy/", 1, network) for _ in range(2)]
        served = [path for path, _ in server.stats.requests]
    for load in loads:
        assert load.fcp_ms > 0 and load.lcp_ms is not None and load.lcp_ms >= load.fcp_ms
        assert load.long_tasks >= 1
        assert load.tbt_ms >= 100  # the 150 ms task, less the 50 ms a task may take
        assert load.cls == 0
        # What goes over the network comes from the reference load, not from this one.
        assert (load.bytes, load.requests, load.external) == (1234, 2, [])
    # The stats are the second load's: it asked the server again for what the first load had
    # fetched with max-age=600, so its browser context started with an empty cache.
    assert served.count("/busy/data.txt") == 1 and served.count("/busy/") == 1


def test_the_pipe_answers_errors_as_errors():
    with PipeChromium(bench_page.CHROMIUM, bench_page.CHROMIUM_ARGS) as pipe:
        assert "Chrome" in pipe.send("Browser.getVersion")["product"]
        with pytest.raises(CDPError, match="No.suchMethod"):
            pipe.send("No.suchMethod")
