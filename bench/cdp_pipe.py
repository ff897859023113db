"""Chromium driven over its DevTools pipe with the fewest DevTools domains a timing needs.

Why not Playwright for timings: Playwright enables DevTools domains on every page it drives,
and one of them costs the page main-thread time a reader never spends. On the chapter page the
first request a script makes (Material's bundle fetching `sitemap.xml` while it starts, inside
a task that already counts towards Total Blocking Time) took 11–23 ms at 1x CPU and 35–75 ms
at 4x under Playwright, 0.2–1.9 ms in Chromium over this pipe, and 13–16 ms over this pipe once
`Runtime.enable` alone was added (`Network.enable` alone: 0.5–2.4 ms). Here only Page,
Emulation and `Runtime.evaluate` (which needs no `Runtime.enable`) are used; the HTTP cache is
empty because every load gets a new browser context.

The protocol over `--remote-debugging-pipe`: JSON messages, each ended by a NUL byte, read by
Chromium on file descriptor 3 and written by it on file descriptor 4.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

# Playwright's own switches that bear on timing, so both harnesses see the same browser.
TIMING_ARGS = [
    "--headless",
    "--hide-scrollbars",
    "--mute-audio",
    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,"
    "availablePointerTypes=4",
    "--disable-field-trial-config",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-back-forward-cache",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--force-color-profile=srgb",
    "--no-default-browser-check",
    "--password-store=basic",
]


def _as_fds_3_and_4(commands: int, replies: int) -> None:
    """In the child: the pipe ends as fds 3 and 4, through copies above both (either end may
    itself be 3 or 4)."""
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (commands, replies)]
    for target, fd in zip((3, 4), high, strict=True):
        os.dup2(fd, target)  # dup2 leaves the copy inheritable
        os.close(fd)


class CDPError(RuntimeError):
    pass


class PipeChromium:
    """``with PipeChromium(executable, args) as browser:`` ``browser.new_page(...)``, ``send``,
    ``wait_event``, ``evaluate``, ``close_context``; the browser closes with the block."""

    def __init__(self, executable: Path | str, args: list[str]) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Chromium expects its end of the pipes as fds 3 (commands) and 4 (replies).
        self._process = subprocess.Popen(
            [str(executable), *args, *TIMING_ARGS, "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Python's own descriptors are not inheritable (PEP 446): only 3 and 4 pass.
            close_fds=False,
            preexec_fn=lambda: _as_fds_3_and_4(to_browser_r, from_browser_w),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies: dict[int, queue.Queue] = {}
        self._events: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._replies.pop(message["id"]).put(message)
                    else:
                        self._events.put(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60.0) -> dict:  # fmt: skip
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            reply: queue.Queue = queue.Queue()
            self._replies[ident] = reply
            message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        try:
            answer = reply.get(timeout=timeout)
        except queue.Empty:
            raise CDPError(f"{method}: no reply within {timeout:.0f} s") from None
        if "error" in answer:
            raise CDPError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def wait_event(self, method: str, session: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self._events.get(timeout=left)
            except queue.Empty:
                break
            if event.get("method") == method and event.get("sessionId") == session:
                return event.get("params", {})
        raise CDPError(f"no {method} within {timeout:.0f} s")

    def new_page(self, viewport: dict, rate: float, init_script: str) -> tuple[str, str]:
        """A page in a new browser context (empty cache): returns (context id, session id)."""
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send(
            "Target.createTarget", {"url": "about:blank", "browserContextId": context}
        )["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Page.enable", session=session)
        metrics = {**viewport, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session=session)
        if rate > 1:
            self.send("Emulation.setCPUThrottlingRate", {"rate": rate}, session=session)
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": init_script}, session)
        return context, session

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=session,
        )
        if "exceptionDetails" in result:
            raise CDPError(f"{expression[:60]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def close_context(self, context: str) -> None:
        self.send("Target.disposeBrowserContext", {"browserContextId": context})

    def __enter__(self) -> PipeChromium:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (CDPError, OSError):
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
