"""Bad input: `mkdocs build --strict` fails with one message naming the file, the line and what
to fix, and the site built before stays exactly as it was.

Each case is a folder `tests/fixtures/bad_<case>/` laid over a copy of the whole project (its
real mkdocs.yml, hooks, pages, figures and cells): its files are copied in, and a file
`<name>.append` is appended to `<name>`; a case may also set options of the `textbook` plugin
in the copy's mkdocs.yml (small timeouts). The copy was built once, from clean, before; every
case builds it again in a fresh process with warm caches.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import MKDOCS, ROOT, run_mkdocs_build

FIXTURES = ROOT / "tests" / "fixtures"
ENV = {"SOURCE_DATE_EPOCH": "1767225600", "PYTHONHASHSEED": "0"}
# Not sources: outputs, caches, environments, and what the build never reads.
NOT_COPIED = {".git", ".venv", "node_modules", ".cache", "site", ".site.partial", ".site.old",
              ".deps", ".pytest_cache", ".ruff_cache", ".hypothesis", ".screens", "bench",
              "tests", "build", "__pycache__"}  # fmt: skip
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LEVEL = re.compile(r"^(ERROR|WARNING) +- +")
MKDOCS_PREAMBLE = re.compile(r"Error (reading|building) page '[^']+':$")


def copy_project(dest: Path) -> Path:
    """The project's sources in `dest`, with what set-up installed (npm packages, the vendored
    Pyodide) linked in; caches and outputs start empty."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == ROOT
        return {n for n in names if n == "__pycache__" or n.endswith(".egg-info")
                or (top and n in NOT_COPIED)}  # fmt: skip

    shutil.copytree(ROOT, dest, ignore=ignore)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    (dest / ".cache").mkdir()
    (dest / ".cache" / "vendor").symlink_to(ROOT / ".cache" / "vendor")
    return dest


def build(project: Path, **env: str):
    """`mkdocs build --strict` of a project copy into its own site/, in a fresh process."""
    return run_mkdocs_build(project / "mkdocs.yml", project / "site", cwd=project,
                            env={**ENV, **env})  # fmt: skip


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def messages(output: str) -> list[str]:
    """The warnings and errors MkDocs logged (a message goes on until the next log line)."""
    found: list[str] = []
    current: list[str] | None = None
    for line in ANSI.sub("", output).splitlines():
        if re.match(r"^[A-Z]+ +- +", line):
            current = [LEVEL.sub("", line)] if LEVEL.match(line) else None
            if current is not None:
                found.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(m) for m in found if not MKDOCS_PREAMBLE.fullmatch(m[0])]


@dataclass(frozen=True)
class Good:
    project: Path
    site: dict[str, str]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Good:
    """The project copy, built once from clean (no caches)."""
    project = copy_project(tmp_path_factory.mktemp("bad-input") / "project")
    result = build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return Good(project, tree_digest(project / "site"))


def copy_good(good: Good, dest: Path) -> Path:
    shutil.copytree(good.project, dest, symlinks=True)
    return dest


def lay_over(fixture: Path, project: Path) -> None:
    for source in sorted(p for p in fixture.rglob("*") if p.is_file()):
        relative = source.relative_to(fixture)
        if relative.suffix == ".append":
            target = project / relative.with_suffix("")
            target.write_text(target.read_text(encoding="utf-8") + source.read_text("utf-8"))
        else:
            (project / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, project / relative)


def set_plugin_options(project: Path, options: dict[str, object]) -> None:
    """Set options of the `textbook` plugin in the project's mkdocs.yml: each replaces the line
    that sets it, or is added to the plugin's block."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    block = "  - textbook:\n"
    assert text.count(block) == 1
    for name, value in options.items():
        line = f"      {name}: {json.dumps(value)}"
        text, found = re.subn(rf"^      {name}: .*$", line, text, flags=re.MULTILINE)
        assert found <= 1, name
        if not found:
            text = text.replace(block, f"{block}{line}\n")
    config.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Case:
    fixture: str
    path: str  # the file the message must name...
    marker: str | None  # ...at the line where this text is (None: the file, no line)
    says: str  # what the message says (what is wrong, what to fix)...
    also: str = ""  # ...with "{also}" the line of this other text (first occurrence)...
    also_in: str = ""  # ...in this file (default: `path`)
    options: dict[str, object] = field(default_factory=dict)  # of the `textbook` plugin


CASES = [
    Case("bad_tex", "docs/index.md", r"\(\frac{1}{\}\)",
         r"invalid TeX in $\frac{1}{\}$: KaTeX parse error: Unexpected end of input"),
    Case("bad_duplicate_id", "docs/index.md", "## Chapters, again",
         "id 'chapters' is used more than once on the page (also at line"),
    Case("bad_anchor", "docs/index.md", "(01-computer-vision.md#no-such-anchor)",
         "link '01-computer-vision.md#no-such-anchor': the doc '01-computer-vision.md' does not "
         "contain an anchor '#no-such-anchor'. Fix the link, or give its target that id."),
    Case("bad_xref", "docs/index.md", "EQ MM9.9",
         "cross-reference 'EQ MM9.9' names no equation of the site"),
    Case("bad_placeholder_xref", "docs/index.md", "(Vol II · EQ 2.x)",
         "placeholder cross-reference 'EQ 2.x': write a label the site defines (such as "
         "EQ MM1.2 or §1.3), cite another volume in words (such as 'Vol II · Ch 02'), or "
         "remove it"),
    Case("bad_figure_raises", "figures_src/figures/broken.py", "values[7]",
         "IndexError: list index out of range: fix the figure module"),
    Case("bad_figure_nan", "figures_src/figures/broken_nan.py", "render_svgs(draw)",
         "NaN/inf in plotted data"),
    Case("bad_cell", "cells/broken.py", "print(x[5])",
         "the cell raised IndexError at build time; fix the cell"),
    Case("bad_missing_figure", "docs/index.md", "name: no_such_figure",
         "unknown figure 'no_such_figure': add figures_src/figures/no_such_figure.py or use one "
         "of: "),
    Case("bad_front_matter", "docs/index.md", 'description: "',
         "malformed front matter: while scanning a quoted scalar, found unexpected end of stream; "
         "fix the YAML between the '---' lines"),
    Case("bad_front_matter_next", "docs/index.md", "next: {number: two",
         "front matter 'next.number' must be a whole number, not 'two'"),
    Case("bad_front_matter_no_title", "docs/index.md", "---\nchapter: 1",
         "the front matter of a chapter lacks 'title': add `title: ...`"),
    Case("bad_front_matter_chapter_range", "docs/index.md", "chapter: 99",
         "front matter 'chapter' is 99, but the volume has 6 chapters (chapter_count): "
         "use 1 to 6"),
    Case("bad_front_matter_chapter_negative", "docs/index.md", "chapter: -3",
         "front matter 'chapter' must be at least 1, not -3"),
    Case("bad_cell_source_outside", "docs/index.md", "source: /usr/lib/python3.11/this.py",
         "cell 'cell-outside' (/usr/lib/python3.11/this.py): cell source "
         "'/usr/lib/python3.11/this.py' is outside the project's cells/ folder; a cell runs and "
         "is published, so only files in cells/ may be cells: move the file there and write "
         "`source: cells/NAME.py`"),
    Case("bad_duplicate_equation", "docs/01-computer-vision.md",
         "    id: eq-mm1-1\n    label: EQ MM1.99",
         "id 'eq-mm1-1' is already used at docs/01-computer-vision.md:{also}; citable ids must "
         "be unique across the site: choose another id",
         also="    id: eq-mm1-1\n    label: EQ MM1.1\n"),
    Case("bad_fact_kernel_loops", "docs/01-computer-vision.md", "{{ image_values_224 }}",
         "computing '{{ image_values_224 }}': the kernel at figures_src/kernels/iou.py:{also} "
         "did not finish within 5 s",
         also="    while True: pass  # the endless loop", also_in="figures_src/kernels/iou.py",
         options={"fact_timeout": 5}),
    Case("bad_figure_timeout", "figures_src/figures/slow.py", "time.sleep(0.1)",
         "TimeoutError: build() did not finish within 4 s: fix the figure module",
         options={"figure_timeout": 4}),
    Case("bad_figure_exits", "figures_src/figures/quits.py", None,
         "the worker exited with status 0 without reporting a result (os._exit, a crash or "
         "sys.exit in the module?): fix the figure module"),
    Case("bad_cell_timeout", "cells/slow.py", "time.sleep(0.1)",
         "did not finish within 3 s at build time; make the cell fast (or stop the endless "
         "loop)", options={"cell_timeout": 3}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fixture)
def test_bad_input_fails_with_one_message_and_keeps_the_site(good, tmp_path, case):
    project = copy_good(good, tmp_path / "project")
    lay_over(FIXTURES / case.fixture, project)
    set_plugin_options(project, case.options)
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    source = (project / case.path).read_text(encoding="utf-8")
    where = case.path
    if case.marker is not None:
        assert source.count(case.marker) == 1
        where += f":{source[: source.index(case.marker)].count(chr(10)) + 1}"
    logged = messages(output)
    located = [m for m in logged if f"{where}: " in m.splitlines()[0]]
    assert len(located) == 1, f"no single message for {where}:\n{output}"
    if case.also:
        other = (project / (case.also_in or case.path)).read_text(encoding="utf-8")
        also = str(other[: other.index(case.also)].count("\n") + 1)
    assert case.says.replace("{also}", also if case.also else "") in located[0]
    assert all(case.path in m for m in logged), f"more than one problem reported:\n{logged}"
    assert "Aborted" in output
    assert tree_digest(project / "site") == good.site, "the failed build changed site/"
    assert not list(project.glob(".site.partial*")) and not (project / ".site.old").exists()


def test_corrupted_cache_entries_are_rebuilt_not_served(good, tmp_path):
    project = copy_good(good, tmp_path / "project")
    cache = project / ".cache"
    figures = json.loads((cache / "figures" / "manifest.json").read_text())["figures"]
    name = sorted(figures)[0]
    artifact = cache / "figures" / name / sorted(figures[name]["artifacts"])[0]
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0x20  # one flipped bit, same size
    artifact.write_bytes(bytes(data))
    altered, truncated = sorted((cache / "katex").glob("*.json"))[:2]
    entry = altered.read_bytes()  # a verified entry: key and digest, then the HTML as JSON
    altered.write_bytes(entry.replace(b"katex", b"k4tex", 1))  # valid JSON, wrong content
    truncated.write_bytes(truncated.read_bytes()[:40])
    cell = sorted((cache / "cells" / "outputs").glob("*.json"))[0]
    header, payload = cell.read_bytes().split(b"\n", 1)  # a verified entry, as above
    edited = re.sub(rb"\d", lambda d: b"%d" % ((int(d[0]) + 1) % 10), payload, count=1)
    assert edited != payload and json.loads(edited)  # valid JSON, another output
    cell.write_bytes(header + b"\n" + edited)
    notebook = sorted((cache / "mkdocs-jupyter").glob("*.json"))[0]
    page = json.loads(notebook.read_text())
    page["content"] = page["content"].replace("Download", "Tampered", 1)
    notebook.write_text(json.dumps(page))

    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("discarded damaged KaTeX cache entry") == 2, output
    assert f"discarded damaged cell output cache entry {cell}" in output
    assert f"discarded notebook cache entry {notebook.name}" in output
    assert f"{name} rendered in" in output
    assert re.search(r"cells: \d+ cells: 1 executed", output), output
    assert tree_digest(project / "site") == good.site, "a rebuilt site differs from a clean one"


def test_damaged_cell_notebook_font_and_bundle_caches_are_recomputed_silently(good, tmp_path):
    """#13.4 and #13.5: every cache entry replaced by what a crash, a full disk or a careless
    hand leaves: the build succeeds, logs each discarded entry, and the site is byte for byte
    the clean build's."""
    project = copy_good(good, tmp_path / "project")
    cache = project / ".cache"
    empty, listed, malformed = sorted((cache / "cells" / "outputs").glob("*.json"))
    empty.write_bytes(b"{}")
    listed.write_bytes(b"[]")
    malformed.write_bytes(b'{"outputs": [["stdout", "trunc')
    sums = cache / "mkdocs-jupyter" / "SHA256SUMS.verified"
    sums.write_bytes(b"\xff\xfe\x00 not UTF-8 \xc3\x28")
    (page,) = sorted((cache / "mkdocs-jupyter").glob("*.json"))
    (notebook,) = sorted((cache / "cells" / "notebooks").glob("*.ipynb"))
    header, payload = notebook.read_bytes().split(b"\n", 1)
    assert b"runnable cells" in payload
    notebook.write_bytes(header + b"\n" + payload.replace(b"runnable cells", b"edited  cells", 1))
    fonts = sorted((cache / "katex" / "fonts").glob("*.json"))[0]
    fonts.write_bytes(b"[]")
    bundle = cache / "cells" / "assets"
    published = {name: (bundle / name).read_bytes() for name in ("cells.js", "worker.js")}
    for name, data in published.items():
        (bundle / name).write_bytes(data[: len(data) // 2])

    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    for entry in (empty, listed, malformed):
        assert f"discarded damaged cell output cache entry {entry}" in output
    assert re.search(r"cells: 3 cells: 3 executed", output), output
    assert f"discarded damaged notebook page checksums {sums}" in output
    assert f"discarded notebook cache entry {page.name} (checksum mismatch)" in output
    assert f"discarded damaged notebook cache entry {notebook}" in output
    assert f"discarded damaged fonts entry {fonts}" in output
    assert {name: (bundle / name).read_bytes() for name in published} == published
    assert tree_digest(project / "site") == good.site, "a rebuilt site differs from a clean one"


def test_a_truncated_vendored_pyodide_fails_naming_the_file_and_the_fix(good, tmp_path):
    """#13.5: a vendored file that no longer has the digest recorded when it was vendored is
    never published: the build fails naming it and the command that restores it."""
    project = copy_good(good, tmp_path / "project")
    vendor = project / ".cache" / "vendor"
    vendor.unlink()  # a link to the real tree's: damage a copy, never that one
    shutil.copytree(ROOT / ".cache" / "vendor", vendor)
    runtime = vendor.resolve() / "pyodide" / "pyodide.asm.js"
    runtime.write_bytes(runtime.read_bytes()[: runtime.stat().st_size // 2])
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert messages(output) == [
        f"cells: {runtime} does not match the sha256 recorded when it was vendored (truncated "
        "or edited): run `.venv/bin/python tools/vendor_pyodide.py` (part of `make setup`)"
    ]
    assert "Aborted" in output
    assert tree_digest(project / "site") == good.site, "the failed build changed site/"


def command_lines_naming(folder: Path) -> list[str]:
    """Command lines of the running processes (zombies have none) that name ``folder``."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(folder) in command:
            found.append(f"{proc.name}: {command}")
    return found


def test_a_killed_build_leaves_no_worker_and_keeps_the_finished_figures(good, tmp_path):
    """#13.12: `kill -9` of a build while figures render. One figure (edited, so stale) finishes
    before the kill; another sleeps. No worker outlives the build, and the next build reuses
    the finished figure instead of rendering it again."""
    project = copy_good(good, tmp_path / "project")
    lay_over(FIXTURES / "killed_build", project)
    edited = project / "figures_src" / "figures" / "imagenet_error.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited: to be rendered again\n")
    digest = hashlib.sha256(edited.read_bytes()).hexdigest()
    manifest = project / ".cache" / "figures" / "manifest.json"
    pid_file = project / "sleepy.pid"

    def finished() -> bool:
        figures = json.loads(manifest.read_text(encoding="utf-8"))["figures"]
        return figures["imagenet_error"]["inputs"][edited.relative_to(project).as_posix()] == digest

    command = [*MKDOCS, "build", "--strict", "-f", str(project / "mkdocs.yml")]
    with open(tmp_path / "killed.log", "w") as log:
        running = subprocess.Popen(command, cwd=project, env={**os.environ, **ENV},
                                   stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not (pid_file.exists() and pid_file.read_text() and finished()):
            assert running.poll() is None, (tmp_path / "killed.log").read_text()
            assert time.monotonic() < deadline, "the figures never got there"
            time.sleep(0.2)
        workers = command_lines_naming(project)  # the check below sees a live worker
        assert any("textbook.figures.worker sleepy" in c for c in workers), workers
    finally:
        running.kill()  # SIGKILL: the build gets no chance to clean up
        running.wait()
    sleepy = Path("/proc") / pid_file.read_text()
    deadline = time.monotonic() + 10
    while command_lines_naming(project) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert command_lines_naming(project) == [], "a worker outlived the killed build"
    assert not sleepy.exists() or (sleepy / "stat").read_text().split()[2] == "Z"

    (project / "figures_src" / "figures" / "sleepy.py").unlink()
    pid_file.unlink()
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "figures: imagenet_error cached" in output
    assert not re.search(r"imagenet_error rendered", output), output
    assert tree_digest(project / "site") == good.site


def test_two_builds_at_once_always_leave_a_complete_site(good, tmp_path):
    """Ten times, two `mkdocs build --strict` of one checkout start together: both succeed (the
    second waits for the first, saying so) and site/ is exactly the site one build makes."""
    project = copy_good(good, tmp_path / "project")
    command = [*MKDOCS, "build", "--strict", "-f", str(project / "mkdocs.yml")]
    env = {**os.environ, **ENV}
    waited = 0
    for _ in range(10):
        builds = [
            subprocess.Popen(
                command,
                cwd=project,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
            for _ in range(2)
        ]
        outputs = [build.communicate(timeout=600)[0] for build in builds]
        assert [build.returncode for build in builds] == [0, 0], outputs
        waited += sum("waiting for another build of this checkout (pid " in o for o in outputs)
        assert tree_digest(project / "site") == good.site, "site/ is not one complete build"
        assert sorted(p.name for p in project.glob(".site*")) == [".site.lock"]
    assert waited >= 1, "the builds never overlapped: the test did not test anything"


def test_a_huge_cell_output_is_capped_on_the_page_and_kept_out_of_search(good, tmp_path):
    """A cell printing ~5 MB: the build succeeds; the page shows the first cell_output_limit
    bytes (the plugin option, here 10 000 instead of 20 000) and says how many it left out;
    neither the search index nor the notebook page's index entry holds any of it."""
    project = copy_good(good, tmp_path / "project")
    lay_over(FIXTURES / "big_cell_output", project)
    limit = 10_000
    set_plugin_options(project, {"cell_output_limit": limit})
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    printed = 100_000 * len(f"row {0:6d}: {'x' * 40}\n")
    assert printed > 5_000_000
    site = project / "site"
    page = (site / "index.html").read_text(encoding="utf-8")
    before = (good.project / "site" / "index.html").stat().st_size
    assert before < len(page.encode()) < before + limit + 5_000
    shown = page.count("x" * 40)  # the code holds `"x" * 40`, never 40 x's
    assert 0 < shown < limit / 40
    hidden = printed - shown * len(f"row {0:6d}: {'x' * 40}\n")
    assert f"… output truncated: {hidden:,} bytes not shown" in page
    logged = f"cell 'cell-loud' printed {printed:,} bytes; the page shows the first {limit:,}"
    assert logged in output
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "x" * 40 not in index and "output truncated" not in index
    before = (good.project / "site" / "search" / "search_index.json").stat().st_size
    assert len(index.encode()) < before + 2_000  # the cell's title and code only
    notebook = (site / "notebooks" / "index.html").read_text("utf-8")  # of docs/index.md
    assert notebook.count("x" * 40) == shown


def test_a_bad_plugin_option_value_fails_naming_the_option(good, tmp_path):
    project = copy_good(good, tmp_path / "project")
    set_plugin_options(project, {"cell_output_limit": "20 KB"})
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert (
        "Config value 'plugins': Plugin 'textbook' option 'cell_output_limit': must be a whole "
        "number of bytes above 0, not '20 KB'"
    ) in messages(output)
    assert tree_digest(project / "site") == good.site


def test_figures_record_content_as_inputs_never_the_engine(good):
    """An edit to the build's machinery (textbook/) must not re-render figures: the manifest
    lists what each figure read, and none of it is engine code."""
    manifest = json.loads((good.project / ".cache" / "figures" / "manifest.json").read_text())
    inputs = {path for record in manifest["figures"].values() for path in record["inputs"]}
    assert "figures_src/figure.py" in inputs and "figures_src/kernels/iou.py" in inputs
    assert sorted(p for p in inputs if p.startswith("textbook/")) == []
