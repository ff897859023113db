"""Benchmark the instruments: control change -> updated chart and readouts (medians, JSON).

    .venv/bin/python bench/bench_instruments.py [--site DIR] [--changes N]

Without --site the real site is built into bench/out/instruments-site first. In Debian's
Chromium (every request outside 127.0.0.1 blocked) the chapter opens with no Plotly; the
first instrument is scrolled into view and the bytes that arrive for it are counted (Plotly's
bundle and stylesheet, as served here uncompressed and as gzip -9 would send them, plus the
instrument's figure.json). Then, per instrument, each control is changed in turn inside the
page: the time runs from just before the change (performance.now()) to the runtime's
`tb-instrument:update` event, which fires once the readouts are written and the drawing of
the new state is in the chart; `to_frame_ms` adds the wait for the next animation frame.

Two paces: a reader's (READER_PAUSE_MS between changes, the time to look at the result; the
runtime draws the states one change away in idle time, so most changes show a kept drawing)
and rapid, in a second page whose idle callbacks never run (one change per frame, N per
control; nothing is drawn ahead, only states seen before are kept). Each sample says whether
the drawing was kept or drawn on demand by Plotly; `drawn_ms` is the median of the latter,
Plotly's own cost. Target: median update at a reader's pace <= 16 ms.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.project import build_site  # noqa: E402
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.server import serve_directory  # noqa: E402

TARGET_MS = 16.0
PAGE = "01-computer-vision/"
INSTRUMENTS = {
    "receptive_field": "instrument-mm1-1",
    "patch_explorer": "instrument-mm1-2",
    "clip_similarity": "instrument-mm1-3",
}

READER_PAUSE_MS = 300

# Change every control of one instrument `changes` times (cycling through its values), after
# a pause of `pause` ms each, and time each change until the runtime reports chart and
# readouts updated.
CHANGE_CONTROLS = """async ([uid, changes, pause]) => {
  const stage = document.querySelector('#' + uid + ' .tb-instrument__stage');
  const controls = [...stage.querySelectorAll('[data-control]')];
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const change = (control) => {
    if (control.type === 'range') {
      control.value = String((Number(control.value) + 1) % (Number(control.max) + 1));
      return control;
    }
    if (control.tagName === 'SELECT') {
      control.selectedIndex = (control.selectedIndex + 1) % control.options.length;
      return control;
    }
    const radios = [...control.querySelectorAll('input[type=radio]')];
    let i = radios.findIndex((r) => r.checked);
    do { i = (i + 1) % radios.length; } while (radios[i].disabled);
    radios[i].checked = true;
    return radios[i];
  };
  const samples = [];
  for (let n = 0; n < changes; n++) {
    for (const control of controls) {
      if (pause) await new Promise((r) => setTimeout(r, pause));
      const done = new Promise((resolve) => stage.addEventListener(
        'tb-instrument:update', (e) => resolve(e.detail), {once: true}));
      const t0 = performance.now();
      change(control).dispatchEvent(new Event('input', {bubbles: true}));
      const detail = await done;
      const updated = performance.now() - t0;
      await nextFrame();
      samples.push({control: control.dataset.control, key: detail.key, kept: detail.kept, updated,
                    to_frame: performance.now() - t0});
      await nextFrame();
    }
  }
  return samples;
}"""


NO_IDLE_TIME = "window.requestIdleCallback = () => 0;"


def go_live(page, uid: str) -> None:
    page.locator(f"#{uid}").scroll_into_view_if_needed()
    page.wait_for_selector(f"#{uid} .tb-instrument__stage.is-live", timeout=30000)


def _file_bytes(site: Path, url: str) -> dict[str, int]:
    path = site / url.split("127.0.0.1", 1)[1].split("/", 1)[1].split("?")[0]
    data = path.read_bytes()
    return {"raw": len(data), "gzip": len(gzip.compress(data, 9, mtime=0))}


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 2),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
        "max": round(ordered[-1], 2),
        "n": len(ordered),
    }


def _pace(samples: list[dict]) -> dict:
    drawn = [s["updated"] for s in samples if not s["kept"]]
    return {
        "update_ms": _summary([s["updated"] for s in samples]),
        "to_frame_ms": _summary([s["to_frame"] for s in samples]),
        "kept_share": round(sum(1 for s in samples if s["kept"]) / len(samples), 3),
        "drawn_ms": _summary(drawn) if drawn else None,
    }


def measure(site: Path, changes: int, reader_changes: int) -> dict:
    from playwright.sync_api import sync_playwright

    base, shutdown = serve_directory(site)
    external: list[str] = []
    requested: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(r):
                if r.request.url.startswith("http://127.0.0.1"):
                    requested.append(r.request.url)
                    r.continue_()
                else:
                    external.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.goto(base + PAGE, wait_until="networkidle")
            at_load = list(requested)
            first = INSTRUMENTS["receptive_field"]
            page.locator(f"#{first}").scroll_into_view_if_needed()
            page.wait_for_selector(f"#{first} .tb-instrument__stage.is-live", timeout=30000)
            page.wait_for_load_state("networkidle")
            added = [url for url in requested[len(at_load) :]]
            plotly = {
                url.rsplit("/", 1)[1]: _file_bytes(site, url) for url in added if "plotly" in url
            }
            figure_json = {}
            reader = {}
            for name, uid in INSTRUMENTS.items():
                go_live(page, uid)
                figure_json[name] = _file_bytes(site, f"{base}assets/figures/{name}/figure.json")
                reader[name] = page.evaluate(
                    CHANGE_CONTROLS, [uid, reader_changes, READER_PAUSE_MS]
                )
            # A second page without idle time: nothing is drawn ahead, so a state's first
            # change is drawn on demand by Plotly, and only states seen before are kept.
            page.close()
            page = context.new_page()
            page.add_init_script(NO_IDLE_TIME)
            page.goto(base + PAGE, wait_until="networkidle")
            latency = {}
            for name, uid in INSTRUMENTS.items():
                go_live(page, uid)
                rapid = page.evaluate(CHANGE_CONTROLS, [uid, changes, 0])
                latency[name] = {
                    **_pace(reader[name]),
                    "per_control_median_ms": {
                        control: round(
                            statistics.median(
                                s["updated"] for s in reader[name] if s["control"] == control
                            ),
                            2,
                        )
                        for control in sorted({s["control"] for s in reader[name]})
                    },
                    "rapid_without_idle_time": _pace(rapid),
                }
            browser.close()
    finally:
        shutdown()
    all_updates = [v["update_ms"]["median"] for v in latency.values()]
    result = {
        "plotly_at_page_load": [url for url in at_load if "plotly" in url],
        "plotly_bytes_on_first_instrument": {
            "files": plotly,
            "raw": sum(v["raw"] for v in plotly.values()),
            "gzip": sum(v["gzip"] for v in plotly.values()),
        },
        "figure_json_bytes": figure_json,
        "latency": latency,
        "target_ms": TARGET_MS,
        "reader_pause_ms": READER_PAUSE_MS,
        "external_requests": len(external),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    result["ok"] = (
        max(all_updates) <= TARGET_MS and not external and not result["plotly_at_page_load"]
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one)")
    parser.add_argument("--changes", type=int, default=20, help="rapid changes per control")
    parser.add_argument(
        "--reader-changes", type=int, default=8, help="changes per control at a reader's pace"
    )
    args = parser.parse_args(argv)
    site = args.site or build_site(ROOT / "bench" / "out" / "instruments-site")
    result = measure(site, args.changes, args.reader_changes)
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
