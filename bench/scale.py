"""A site of N chapters: copies of the chapter, each with its own ids and labels.

Chapter 1 stays the real chapter (its anchors are published); chapter ``n`` (2..N) is a copy
in which every id and label is renamed so anchors stay unique on the page and across the
site: ``eq-mm1-2`` -> ``eq-c037-2``, ``EQ MM1.2`` -> ``EQ C037.2``, ``sec-1-3`` ->
``sec-37-3`` with its heading ``1.3`` -> ``37.3`` (so ``§37.3``), and ``fig-``, ``cell-``,
``quiz-``, ``ref-`` ids get a ``c037-`` part. Figures, instruments and cells are the same.
"""

from __future__ import annotations

import re
from pathlib import Path

ID_DEFINITIONS = (
    re.compile(r"^ {4}id:\s*(?P<id>[a-z][a-z0-9-]*)\s*$", re.MULTILINE),
    re.compile(r"^/{3,}\s*quiz\s*\|\s*(?P<id>[a-z][a-z0-9-]*)\s*$", re.MULTILINE),
    re.compile(r"\{\s*#(?P<id>[a-z][a-z0-9-]*)\s*\}"),
    re.compile(r"""\bid=["'](?P<id>[a-z][a-z0-9-]*)["']"""),
)
PREFIXED = ("eq", "instrument", "fig", "cell", "quiz", "ref")
LABEL_RE = re.compile(r"\b(EQ|INSTRUMENT)([ \u00a0]+)MM1\.(\d+)\b")
SECTION_LABEL_RE = re.compile(r"§1\.(\d+|R)(?![\w.])")
HEADING_NUMBER_RE = re.compile(r"^(#{2,6}[ \t]+)1\.(\d+|R)(?=[ \t])", re.MULTILINE)
NEXT_NUMBER_RE = re.compile(r"^(?P<head>next: \{number: )\d+(?=,)", re.MULTILINE)
NEXT_LINE_RE = re.compile(r"^next: .*\n", re.MULTILINE)
CHAPTER_FILE = "01-computer-vision.md"


def tag(n: int) -> str:
    return f"c{n:03d}"


def defined_ids(markdown: str) -> list[str]:
    """Every id the chapter gives an element, in order of first definition."""
    found: dict[str, None] = {}
    for pattern in ID_DEFINITIONS:
        for match in pattern.finditer(markdown):
            found.setdefault(match.group("id"), None)
    return list(found)


def renamed_id(anchor: str, n: int) -> str:
    """The id ``anchor`` takes in chapter ``n``."""
    if "-mm1-" in anchor:
        return anchor.replace("-mm1-", f"-{tag(n)}-", 1)
    if match := re.fullmatch(r"sec-1-(\w+)", anchor):
        return f"sec-{n}-{match.group(1)}"
    prefix, _, rest = anchor.partition("-")
    if prefix in PREFIXED and rest:
        return f"{prefix}-{tag(n)}-{rest}"
    return f"{tag(n)}-{anchor}"


def relabel(markdown: str, n: int, count: int) -> str:
    """Chapter ``n`` of ``count``: the chapter's text with every id and label renamed."""
    if n < 2:
        raise ValueError("chapter 1 is the original chapter")
    mapping = {anchor: renamed_id(anchor, n) for anchor in defined_ids(markdown)}
    if mapping:
        alternatives = "|".join(re.escape(a) for a in sorted(mapping, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
        markdown = pattern.sub(lambda m: mapping[m.group(0)], markdown)
    markdown = LABEL_RE.sub(lambda m: f"{m[1]}{m[2]}{tag(n).upper()}.{m[3]}", markdown)
    markdown = SECTION_LABEL_RE.sub(lambda m: f"§{n}.{m[1]}", markdown)
    markdown = HEADING_NUMBER_RE.sub(lambda m: f"{m[1]}{n}.{m[2]}", markdown)
    markdown = re.sub(r"^chapter: 1$", f"chapter: {n}", markdown, count=1, flags=re.MULTILINE)
    markdown = re.sub(
        r"^chapter_count: \d+$", f"chapter_count: {count}", markdown, count=1, flags=re.MULTILINE
    )
    markdown = markdown.replace('"01 · Vision"', f'"{n:02d} · Vision"', 1)
    # The next chapter is n + 1; the last chapter of the site has none.
    if n < count:
        markdown = NEXT_NUMBER_RE.sub(rf"\g<head>{n + 1}", markdown, count=1)
    else:
        markdown = NEXT_LINE_RE.sub("", markdown, count=1)
    return markdown


def chapter_uri(n: int) -> str:
    return f"chapters/{tag(n)}.md"


def nav_entries(count: int) -> list[str]:
    return [
        f'  - "{n:02d} · Computer Vision (copy)": {chapter_uri(n)}' for n in range(2, count + 1)
    ]


def add_to_nav(mkdocs_yml: str, entries: list[str], after: str = CHAPTER_FILE) -> str:
    """Insert nav lines after the line naming ``after`` (the file keeps its other lines)."""
    lines = mkdocs_yml.split("\n")
    for index, line in enumerate(lines):
        if line.strip().startswith("- ") and line.rstrip().endswith(f": {after}"):
            return "\n".join(lines[: index + 1] + entries + lines[index + 1 :])
    raise ValueError(f"mkdocs.yml has no nav entry for {after}")


def write_chapters(root: Path, count: int, original_yml: str, chapter_count: int = 0) -> None:
    """Make the copy at ``root`` a site of ``count`` chapters (removing copies beyond it).

    ``chapter_count`` (default ``count``) is what the copies' front matter says, so the
    files of a smaller site are byte-identical to those of a larger one.
    """
    source = (root / "docs" / CHAPTER_FILE).read_text(encoding="utf-8")
    folder = root / "docs" / "chapters"
    folder.mkdir(exist_ok=True)
    wanted = {root / "docs" / chapter_uri(n) for n in range(2, count + 1)}
    for old in folder.glob("*.md"):
        if old not in wanted:
            old.unlink()
    for n in range(2, count + 1):
        target = root / "docs" / chapter_uri(n)
        text = relabel(source, n, chapter_count or count)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(add_to_nav(original_yml, nav_entries(count)), "utf-8")
