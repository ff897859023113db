"""textbook.site.publish: the checks made before an edition is built and committed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from textbook.site.publish import PublishError, becomes_latest, check_number, check_site_url


@pytest.mark.parametrize("number", ["1.0", "2", "10.3.1"])
def test_edition_numbers(number):
    assert check_number(f" {number} ") == number


@pytest.mark.parametrize("number", ["", "latest", "v1.0", "1.0-rc1", "dev"])
def test_bad_edition_numbers_are_refused(number):
    with pytest.raises(PublishError, match="is not a number such as 1.0"):
        check_number(number)


def test_site_url_checks():
    assert check_site_url("https://host.org/multimodal") == "https://host.org/multimodal/"
    with pytest.raises(PublishError, match="refusing to publish: site_url .* is a placeholder"):
        check_site_url("https://textbook.example.org/multimodal/")
    with pytest.raises(PublishError, match="site_url is not set"):
        check_site_url(None)


@pytest.mark.parametrize(
    ("number", "published", "latest"),
    [
        ("1.0", [], True),
        ("2.0", ["1.0"], True),
        ("1.1", ["2.0", "1.0"], False),  # a late fix of an old edition does not become latest
        ("10.0", ["9.0", "2.0"], True),  # numbers compare as numbers, not as text
        ("2.0", ["2.0"], True),  # --replace of the newest
    ],
)
def test_latest_only_moves_forward(number, published, latest):
    assert becomes_latest(number, published) is latest


def test_the_default_site_url_of_mkdocs_yml_is_refused_before_anything_is_built():
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "textbook.site.publish", "1.0"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert (
        "make edition: refusing to publish: site_url 'https://textbook.example.org/multimodal/' "
        "is a placeholder (an example domain)"
    ) in result.stderr
