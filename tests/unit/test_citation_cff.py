"""CITATION.cff: valid against the vendored CFF 1.2.0 JSON Schema, and agrees with the site."""

from __future__ import annotations

import copy
import hashlib
import json

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT

SCHEMA_FILE = ROOT / "tests" / "fixtures" / "cff" / "schema-1.2.0.json"
SCHEMA_SHA256 = "0b8d22140da702d766df318dcff3a91af2f39521298dcf36d76315fd99cc169b"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cff_is_valid_cff_1_2_0(validator, cff):
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(cff)]
    assert errors == []
    assert cff["cff-version"] == "1.2.0"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("authors"), "'authors' is a required property"),
        (lambda d: d.update({"cff-version": "9.9"}), "'9.9' does not match"),
        (lambda d: d["preferred-citation"].update({"type": "chapterish"}), "is not one of"),
        (lambda d: d.update({"date-released": "4 Dec 2026"}), "does not match"),
    ],
)
def test_the_schema_check_rejects_broken_files(validator, cff, change, message):
    broken = copy.deepcopy(cff)
    change(broken)
    assert any(message in e.message for e in validator.iter_errors(broken))


def test_citation_cff_names_the_sites_authors_and_volume(cff):
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    author = next(line for line in config.splitlines() if line.startswith("site_author:"))
    assert [a["name"] for a in cff["authors"]] == [author.split(":", 1)[1].strip()]
    volume = yaml.safe_load((ROOT / "docs" / "index.md").read_text().split("---")[1])["title"]
    assert cff["preferred-citation"]["title"] == volume
    assert cff["preferred-citation"]["authors"] == cff["authors"]
