"""Scale in pages, and the live rebuild: a site with 1,000 cheap pages, and `mkdocs serve`.

- ``add_pages(root, count)``: ``docs/many/pNNNN.md``, each a heading with an id, two short
  paragraphs and one inline formula, listed in the nav under "Many pages" (strict MkDocs wants
  every page in the nav). The same files go into the project and into the baseline, so the
  build times compare the machinery, not the content.
- ``serve_rebuild(root, page)``: starts ``mkdocs serve`` in ``root`` on a free port, waits for
  its first build, changes one word of ``page`` and returns the seconds MkDocs reports for the
  rebuild that edit triggers (its own "Documentation built in X seconds", which leaves out the
  file watcher's debounce, the same on both sides), and the CPU time the server spent from the
  edit to that message. The file is restored and the server, a process of our own, stopped.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import project

FOLDER = "many"
BUILT_RE = re.compile(r"Documentation built in (?P<seconds>[0-9.]+) seconds")

PAGE = """# Page {n} {{ #many-p{n:04d} }}

A short page of the scale benchmark, number {n}. Its one formula, $x_{{{n}}} = {n}^2$, is typeset
when the site is built, like every formula of the site.

## Notes {{ #many-p{n:04d}-notes }}

Nothing else: this page costs what any page costs.
"""


def page_uri(n: int) -> str:
    return f"{FOLDER}/p{n:04d}.md"


def add_nav_section(mkdocs_yml: str, title: str, uris: list[str]) -> str:
    """``mkdocs_yml`` with a nav section after the last top-level entry of ``nav:``."""
    lines = mkdocs_yml.split("\n")
    try:
        start = lines.index("nav:")
    except ValueError:
        raise ValueError("mkdocs.yml has no top-level 'nav:'") from None
    end = start + 1
    while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    section = [f'  - "{title}":'] + [f"      - {uri}" for uri in uris]
    return "\n".join(lines[:end] + section + lines[end:])


def add_pages(root: Path, count: int) -> list[str]:
    """Write ``count`` cheap pages into ``root/docs`` and list them in its nav."""
    uris = [page_uri(n) for n in range(1, count + 1)]
    (root / "docs" / FOLDER).mkdir(parents=True, exist_ok=True)
    for n, uri in enumerate(uris, start=1):
        (root / "docs" / uri).write_text(PAGE.format(n=n), encoding="utf-8")
    yml = root / "mkdocs.yml"
    yml.write_text(add_nav_section(yml.read_text("utf-8"), "Many pages", uris), "utf-8")
    return uris


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` and its waited-for children (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "; field 3 is fields[0]
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def serve_rebuild(root: Path, page: str, timeout: float = 900) -> dict:
    """Seconds of the first build and of the rebuild after a one-word edit of ``page``."""
    port = _free_port()
    command = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"]
    env = project.build_env(root)
    env["SITE_URL"] = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    builds: list[float] = []
    lines: list[str] = []
    changed = threading.Condition()

    def read() -> None:
        for line in server.stdout:
            with changed:
                lines.append(line)
                if match := BUILT_RE.search(line):
                    builds.append(float(match["seconds"]))
                changed.notify_all()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + timeout
        with changed:
            while len(builds) < count:
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = "".join(lines[-30:])
                    raise RuntimeError(f"mkdocs serve in {root}: no build #{count}:\n{tail}")
                changed.wait(1.0)

    path = root / "docs" / page
    original = path.read_text(encoding="utf-8")
    try:
        wait_for(1)
        time.sleep(2.0)  # let the watcher settle after the first build
        cpu_before = process_cpu_seconds(server.pid)
        edited, _ = project.prose_edit(original)
        path.write_text(edited, encoding="utf-8")
        wait_for(2)
        rebuild_cpu = process_cpu_seconds(server.pid) - cpu_before
        return {
            "first_build_s": builds[0],
            "rebuild_s": builds[1],
            "rebuild_cpu_s": round(rebuild_cpu, 2),  # what a busy machine hardly changes
            "page": page,
        }
    finally:
        path.write_text(original, encoding="utf-8")
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
