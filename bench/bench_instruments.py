"""Benchmark the instruments: control change -> updated chart and readouts (medians, JSON).

    .venv/bin/python bench/bench_instruments.py [--site DIR] [--changes N]

Without --site the real site is built into bench/out/instruments-site first. In Debian's
Chromium (every request outside 127.0.0.1 blocked) the chapter opens with no Plotly; the
first instrument is scrolled into view and the bytes that arrive for it are counted (Plotly's
bundle and stylesheet, as served here uncompressed and as gzip -9 would send them, plus the
instrument's figure.json). Then, per instrument, each control is changed N times in turn
inside the page: the time runs from just before the change (performance.now()) to the
runtime's `tb-instrument:update` event, which fires once the readouts are written and
Plotly.react has resolved; `to_frame_ms` adds the wait for the next animation frame.
Target: median update <= 16 ms.
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

# Change every control of one instrument `changes` times (cycling through its values) and
# time each change until the runtime reports the chart and readouts updated.
CHANGE_CONTROLS = """async ([uid, changes]) => {
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
      const done = new Promise((resolve) => stage.addEventListener(
        'tb-instrument:update', (e) => resolve(e.detail), {once: true}));
      const t0 = performance.now();
      change(control).dispatchEvent(new Event('input', {bubbles: true}));
      const detail = await done;
      const updated = performance.now() - t0;
      await nextFrame();
      samples.push({control: control.dataset.control, key: detail.key, updated,
                    to_frame: performance.now() - t0});
      await nextFrame();
    }
  }
  return samples;
}"""


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


def measure(site: Path, changes: int) -> dict:
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
            latency = {}
            for name, uid in INSTRUMENTS.items():
                page.locator(f"#{uid}").scroll_into_view_if_needed()
                page.wait_for_selector(f"#{uid} .tb-instrument__stage.is-live", timeout=30000)
                figure_json[name] = _file_bytes(site, f"{base}assets/figures/{name}/figure.json")
                page.evaluate(CHANGE_CONTROLS, [uid, 2])  # warm-up: JIT, caches
                samples = page.evaluate(CHANGE_CONTROLS, [uid, changes])
                latency[name] = {
                    "update_ms": _summary([s["updated"] for s in samples]),
                    "to_frame_ms": _summary([s["to_frame"] for s in samples]),
                    "per_control_median_ms": {
                        control: round(
                            statistics.median(
                                s["updated"] for s in samples if s["control"] == control
                            ),
                            2,
                        )
                        for control in sorted({s["control"] for s in samples})
                    },
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
    parser.add_argument("--changes", type=int, default=20, help="changes per control")
    args = parser.parse_args(argv)
    site = args.site or build_site(ROOT / "bench" / "out" / "instruments-site")
    result = measure(site, args.changes)
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
