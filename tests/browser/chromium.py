"""How every browser session of the project starts Debian's Chromium (tests, bench, tools).

The background-networking flags keep Chromium itself from calling out, so a page's own
requests are the only ones a test counts.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
