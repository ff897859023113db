"""Screenshot built pages in headless Chromium (light, dark, phone) to look at them.

.venv/bin/python tools/screenshot.py SITE_DIR [PAGE ...] [--out .screens] [--full]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.server import serve_directory  # noqa: E402

VIEWS = {
    "light": {"color_scheme": "light", "viewport": {"width": 1280, "height": 900}},
    "dark": {"color_scheme": "dark", "viewport": {"width": 1280, "height": 900}},
    "phone": {"color_scheme": "light", "viewport": {"width": 390, "height": 844}},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("pages", nargs="*", default=["", "01-computer-vision/"])
    parser.add_argument("--out", type=Path, default=ROOT / ".screens")
    parser.add_argument("--full", action="store_true", help="whole page, not just the viewport")
    parser.add_argument("--scroll-to", default=None, help="CSS selector to scroll into view")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    base, shutdown = serve_directory(args.site, port=args.port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for name, options in VIEWS.items():
                context = browser.new_context(**options)
                context.route(
                    "**/*",
                    lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort(),
                )
                page = context.new_page()
                for path in args.pages:
                    page.goto(base + path, wait_until="networkidle")
                    if args.scroll_to:
                        page.locator(args.scroll_to).first.scroll_into_view_if_needed()
                        page.wait_for_timeout(1500)
                    slug = (path.strip("/").replace("/", "_") or "home") + f"-{name}.png"
                    page.screenshot(path=str(args.out / slug), full_page=args.full)
                    print(args.out / slug)
                context.close()
            browser.close()
    finally:
        shutdown()


if __name__ == "__main__":
    main()
