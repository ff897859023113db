"""Bad input: `mkdocs build --strict` fails with one message naming the file, the line and what
to fix, and the site built before stays exactly as it was.

Each case is a folder `tests/fixtures/bad_<case>/` laid over a copy of the whole project (its
real mkdocs.yml, hooks, pages, figures and cells): its files are copied in, and a file
`<name>.append` is appended to `<name>`. The copy was built once, from clean, before; every
case builds it again in a fresh process with warm caches.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Case:
    fixture: str
    path: str  # the file the message must name...
    marker: str  # ...at the line where this text is
    says: str  # what the message says (what is wrong, what to fix)...
    also: str = ""  # ...with "{also}" the line of this other text (first occurrence)


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
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.fixture)
def test_bad_input_fails_with_one_message_and_keeps_the_site(good, tmp_path, case):
    project = copy_good(good, tmp_path / "project")
    lay_over(FIXTURES / case.fixture, project)
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    source = (project / case.path).read_text(encoding="utf-8")
    assert source.count(case.marker) == 1
    line = source[: source.index(case.marker)].count("\n") + 1
    logged = messages(output)
    located = [m for m in logged if f"{case.path}:{line}: " in m.splitlines()[0]]
    assert len(located) == 1, f"no single message for {case.path}:{line}:\n{output}"
    also = source[: source.index(case.also)].count("\n") + 1 if case.also else None
    assert case.says.replace("{also}", str(also)) in located[0]
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
    cell.write_text(cell.read_text()[:20])
    notebook = sorted((cache / "mkdocs-jupyter").glob("*.json"))[0]
    page = json.loads(notebook.read_text())
    page["content"] = page["content"].replace("Download", "Tampered", 1)
    notebook.write_text(json.dumps(page))

    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("discarded damaged KaTeX cache entry") == 2, output
    assert f"discarded notebook cache entry {notebook.name}" in output
    assert f"{name} rendered in" in output
    assert re.search(r"cells: \d+ cells: 1 executed", output), output
    assert tree_digest(project / "site") == good.site, "a rebuilt site differs from a clean one"


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
    bytes and says how many it left out; neither the search index nor the notebook page's
    index entry holds any of it."""
    project = copy_good(good, tmp_path / "project")
    lay_over(FIXTURES / "big_cell_output", project)
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    printed = 100_000 * len(f"row {0:6d}: {'x' * 40}\n")
    assert printed > 5_000_000
    site = project / "site"
    page = (site / "index.html").read_text(encoding="utf-8")
    before = (good.project / "site" / "index.html").stat().st_size
    assert before < len(page.encode()) < before + 20_000 + 5_000
    shown = page.count("x" * 40)  # the code holds `"x" * 40`, never 40 x's
    assert 0 < shown < 20_000 / 40
    hidden = printed - shown * len(f"row {0:6d}: {'x' * 40}\n")
    assert f"… output truncated: {hidden:,} bytes not shown" in page
    assert f"cell 'cell-loud' printed {printed:,} bytes; the page shows the first 20,000" in output
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "x" * 40 not in index and "output truncated" not in index
    before = (good.project / "site" / "search" / "search_index.json").stat().st_size
    assert len(index.encode()) < before + 2_000  # the cell's title and code only
    notebook = (site / "notebooks" / "index.html").read_text("utf-8")  # of docs/index.md
    assert notebook.count("x" * 40) == shown
