"""Make the checkout importable from the venv and register its MkDocs plugin.

What `pip install -e .` would do, without a build backend: a .pth file puts the checkout on
the path, and a minimal dist-info carries the entry points from pyproject.toml (MkDocs finds
plugins through entry points only). Stale copies from earlier installs are removed first.
"""

from __future__ import annotations

import re
import shutil
import site
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def install(site_packages: Path, root: Path = ROOT) -> Path:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = project["name"], project["version"]
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for stale in [
        *site_packages.glob(f"{stem}-*.dist-info"),
        *site_packages.glob(f"__editable__*{stem}*"),
    ]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    (site_packages / f"{stem}.pth").write_text(f"{root}\n", encoding="utf-8")
    dist_info = site_packages / f"{stem}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    groups = project.get("entry-points", {})
    lines = []
    for group, entries in sorted(groups.items()):
        lines.append(f"[{group}]")
        lines += [f"{key} = {value}" for key, value in sorted(entries.items())]
        lines.append("")
    (dist_info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    (dist_info / "INSTALLER").write_text("tools/install_project.py\n", encoding="utf-8")
    return dist_info


if __name__ == "__main__":
    print(f"installed {install(Path(site.getsitepackages()[0]))}", file=sys.stderr)
