"""A static host for the page benchmarks: threaded, gzip for text, correct MIME types.

Text responses (HTML, CSS, JS, JSON, SVG, MJS) are gzip-compressed once (level 6, as a static
host or CDN typically serves them) and kept in memory, so compression never counts in a page
load. Every other file is sent as it is, ``.wasm`` as ``application/wasm``. Responses carry
``Last-Modified`` and ``Cache-Control: max-age=600`` like GitHub Pages. The server counts the
body bytes it sends per path (a cross-check for the browser's own count).
"""

from __future__ import annotations

import email.utils
import gzip
import posixpath
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

GZIP_LEVEL = 6
TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
OTHER_TYPES = {
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".ipynb": "application/x-ipynb+json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
    ".map": "application/json",
}


def content_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    return TEXT_TYPES.get(suffix) or OTHER_TYPES.get(suffix) or "application/octet-stream"


def compressible(path: str) -> bool:
    return posixpath.splitext(path)[1].lower() in TEXT_TYPES


def accepts_gzip(header: str | None) -> bool:
    """True when an Accept-Encoding header allows gzip (and does not refuse it with q=0)."""
    for part in (header or "").split(","):
        token, _, params = part.strip().partition(";")
        if token.strip().lower() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def resolve(root: Path, url_path: str) -> tuple[Path | None, str | None]:
    """(file to send, or None) and a redirect location for a directory without a slash."""
    path = unquote(urlsplit(url_path).path)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, None
    target = root.joinpath(*parts)
    if target.is_dir():
        if not path.endswith("/"):
            return None, path + "/"
        target = target / "index.html"
    return (target if target.is_file() else None), None


@dataclass
class Stats:
    """Body bytes and requests served since the last reset."""

    bytes_by_path: Counter = field(default_factory=Counter)
    requests: list[tuple[str, int]] = field(default_factory=list)
    last_request: float = 0.0  # time.monotonic() of the last response
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, status: int, size: int) -> None:
        with self.lock:
            self.bytes_by_path[path] += size
            self.requests.append((path, status))
            self.last_request = time.monotonic()

    def reset(self) -> None:
        with self.lock:
            self.bytes_by_path.clear()
            self.requests.clear()

    def total(self) -> int:
        with self.lock:
            return sum(self.bytes_by_path.values())


class GzipCache:
    """Each text file compressed once, kept in memory."""

    def __init__(self) -> None:
        self._data: dict[Path, bytes] = {}
        self._lock = threading.Lock()

    def get(self, path: Path) -> bytes:
        with self._lock:
            if path not in self._data:
                self._data[path] = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
            return self._data[path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root: Path
    stats: Stats
    gzip_cache: GzipCache

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, head_only: bool) -> None:
        target, redirect = resolve(self.root, self.path)
        if redirect:
            self.send_response(301)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.stats.add(urlsplit(self.path).path, 301, 0)
            return
        if target is None:
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head_only:
                self.wfile.write(body)
            self.stats.add(urlsplit(self.path).path, 404, len(body))
            return
        gzipped = compressible(target.name) and accepts_gzip(self.headers.get("Accept-Encoding"))
        body = self.gzip_cache.get(target) if gzipped else target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", content_type(target.name))
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        if compressible(target.name):
            self.send_header("Vary", "Accept-Encoding")
        modified = email.utils.formatdate(target.stat().st_mtime, usegmt=True)
        self.send_header("Last-Modified", modified)
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.stats.add(urlsplit(self.path).path, 200, 0 if head_only else len(body))
        if not head_only:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self._send(head_only=False)

    def do_HEAD(self) -> None:  # noqa: N802 (http.server API)
        self._send(head_only=True)


class StaticServer:
    """``with StaticServer(site_dir) as server: server.url`` serves on 127.0.0.1."""

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.stats = Stats()
        self.gzip_cache = GzipCache()
        attrs = {"root": self.root, "stats": self.stats, "gzip_cache": self.gzip_cache}
        handler = type("Handler", (_Handler,), attrs)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def read_page(self, url_path: str) -> str:
        """The HTML the server sends for `url_path` (read from disk, not counted in stats)."""
        target, _ = resolve(self.root, url_path)
        if target is None:
            raise FileNotFoundError(f"{self.root}: nothing to serve for {url_path}")
        return target.read_text(encoding="utf-8")

    def precompress(self) -> int:
        """Compress every text file up front; returns how many."""
        count = 0
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and compressible(path.name):
                self.gzip_cache.get(path)
                count += 1
        return count

    def __enter__(self) -> StaticServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
