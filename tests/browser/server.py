"""A static file server for browser tests: correct MIME types, optional isolation headers."""

from __future__ import annotations

import functools
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".ipynb": "application/x-ipynb+json",
    ".whl": "application/octet-stream",
    ".zip": "application/zip",
}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    isolation = False

    def end_headers(self):
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, *args):  # keep test output quiet
        pass


class _Server(ThreadingHTTPServer):
    # Chromium opens many connections at once; with the default backlog of 5, a loaded machine
    # drops some of them and each dropped request stalls for a second.
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # A page that navigates away or aborts a fetch drops its connection mid-response: that
        # is the browser's choice, not a server fault, and its traceback only buried test output.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def serve_directory(root: Path, port: int = 0, isolation: bool = False):
    """Serve `root` on 127.0.0.1; returns (base_url, shutdown)."""
    handler = functools.partial(
        type("Handler", (_Handler,), {"isolation": isolation}), directory=str(root)
    )
    server = _Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def shutdown():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/", shutdown
