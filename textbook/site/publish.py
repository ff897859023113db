"""Publish an edition of the site into the local `gh-pages` branch with mike (`make edition`).

    python -m textbook.site.publish 1.0 [--branch gh-pages] [--deploy-prefix ''] [--config mkdocs.yml]

mike is Material's documented versioning tool: each edition is committed under `<number>/` on
the branch, `versions.json` lists them for Material's version selector, and the `latest` alias
follows the newest edition (a symlink, so `latest/…` serves the newest edition's files). The
site root redirects to `latest/`.

What this adds to `mike deploy`:
- the build is this project's own strict build (`mkdocs build --strict`), made with the edition
  number (TEXTBOOK_EDITION, which the hooks turn into citations, anchors.json, the version
  selector and the outdated-edition banner) and with site_url = <site root>/<number>/;
- a placeholder site_url (an example domain, the default of mkdocs.yml) is refused: an edition's
  citations carry its permanent URL, which must be real;
- a published edition is never overwritten (its citations must keep meaning what they meant),
  unless --replace is given;
- `latest` only moves forward: publishing 1.1 after 2.0 does not make 1.1 the latest.

Nothing is pushed: pushing the branch is the deploy workflow's job.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from textbook.site import edition as editions


class PublishError(Exception):
    """A reason not to publish, worded for the person who ran `make edition`."""


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def check_number(number: str) -> str:
    number = number.strip()
    if not editions.NUMBER_RE.match(number):
        raise PublishError(
            f"edition '{number}' is not a number such as 1.0 or 2.1: run make edition VERSION=1.0"
        )
    return number


def check_site_url(site_url: str | None) -> str:
    reason = editions.placeholder_reason(site_url)
    if reason:
        raise PublishError(
            f"refusing to publish: {reason}. An edition's citations carry its permanent URL, so "
            "it must be the address the site is published at: run make edition VERSION=<n> "
            "SITE_URL=https://<host>/<path>/ (or set site_url in mkdocs.yml)"
        )
    assert site_url is not None
    return site_url if site_url.endswith("/") else site_url + "/"


def becomes_latest(number: str, published: list[str]) -> bool:
    """Whether `number` is at least as new as every published edition."""
    numbers = [n for n in published if editions.NUMBER_RE.match(n)]
    return all(_number_key(number) >= _number_key(n) for n in numbers)


def site_url_of(config_file: Path) -> str | None:
    """site_url as the build will see it (mkdocs.yml, with its `!ENV [SITE_URL, …]`)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    try:
        return load_config(str(config_file)).site_url
    except MkDocsException as error:
        raise PublishError(f"refusing to publish: {config_file.name}: {error}") from None


def build(config_file: Path, site_dir: Path, number: str, root_url: str) -> None:
    env = {
        **os.environ,
        editions.EDITION_ENV: number,
        "SITE_URL": f"{root_url}{number}/",
    }
    env.pop(editions.MIKE_ENV, None)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
        + ["-f", str(config_file), "-d", str(site_dir)],
        cwd=config_file.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise PublishError(f"the build of edition {number} failed:\n{result.stdout}{result.stderr}")


def publish(
    config_file: Path,
    number: str,
    branch: str = "gh-pages",
    deploy_prefix: str = "",
    replace: bool = False,
) -> str:
    """Build edition `number` and commit it to `branch`; returns a summary."""
    from mike import commands

    number = check_number(number)
    root_url = check_site_url(site_url_of(config_file))
    cwd = Path.cwd()
    os.chdir(config_file.parent)  # mike works on the repository of the current directory
    try:
        versions = commands.list_versions(branch, deploy_prefix)
        published = [str(v.version) for v in versions]
        if number in published and not replace:
            raise PublishError(
                f"edition {number} is already published on branch '{branch}': its citations must "
                "keep meaning what they meant, so publish a new number (or pass --replace to "
                "overwrite it knowingly)"
            )
        latest = becomes_latest(number, published)
        aliases = [editions.LATEST] if latest else []
        with tempfile.TemporaryDirectory(prefix="edition-") as tmp:
            site_dir = Path(tmp) / "site"
            cfg = {"site_dir": str(site_dir), "use_directory_urls": True}
            with commands.deploy(
                cfg,
                number,
                title=number,
                aliases=aliases,
                update_aliases=True,
                branch=branch,
                deploy_prefix=deploy_prefix,
                message=f"Publish edition {number}",
            ):
                build(config_file, site_dir, number, root_url)
        if not published:
            commands.set_default(editions.LATEST, branch=branch, deploy_prefix=deploy_prefix)
    finally:
        os.chdir(cwd)
    where = f"{root_url}{number}/"
    also = "; latest/ now shows it" if latest else "; latest/ stays on a newer edition"
    return f"edition {number} committed to branch '{branch}' (its address: {where}){also}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m textbook.site.publish", description=__doc__)
    parser.add_argument("number", help="the edition number, e.g. 1.0")
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("--branch", default="gh-pages")
    parser.add_argument("--deploy-prefix", default="")
    parser.add_argument("--replace", action="store_true", help="overwrite a published edition")
    args = parser.parse_args(argv)
    try:
        print(
            publish(
                args.config.resolve(), args.number, args.branch, args.deploy_prefix, args.replace
            )
        )
    except PublishError as error:
        print(f"make edition: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
