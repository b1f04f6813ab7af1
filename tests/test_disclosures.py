"""The package's disclosure libraries are the approved files, byte for byte: checked on every run,
with or without the spec beside the clone (the pins record each approved file's SHA-256)."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from factsheets.documents.disclosures import LIBRARY_FILES, approved_sha256, library, library_source, parse_library, pins_file
from factsheets.rules.disclosures import source_mismatch, text_hash

from .conftest import SHARED

SPEC_FILES = {"CN": "disclosures-cn.yaml", "HK": "disclosures-hk.yaml", "EU": "disclosures-eu-priips.yaml"}


@pytest.mark.parametrize("jurisdiction", sorted(LIBRARY_FILES))
def test_the_package_library_is_the_approved_file(jurisdiction):
    assert hashlib.sha256(library_source(jurisdiction)).hexdigest() == approved_sha256(jurisdiction)
    assert source_mismatch(library(jurisdiction)) is None


@pytest.mark.parametrize("jurisdiction", sorted(LIBRARY_FILES))
def test_every_statement_text_is_pinned_at_its_version(jurisdiction):
    pinned = {(p["id"], p["version"]): p["sha256"] for p in pins_file(jurisdiction)["pins"]}
    for statement in library(jurisdiction).statements:
        assert {lang: text_hash(text) for lang, text in statement.texts.items()} == pinned[(statement.id, statement.version)]


def test_an_edited_library_is_not_the_approved_one_even_when_re_pinned():
    edited = library_source("CN").replace("基金有风险，投资需谨慎。".encode(), "基金有风险。".encode())
    assert source_mismatch(parse_library(edited)).startswith("the CN disclosure library is not the approved file")


def test_retired_statements_keep_their_last_approved_wording():
    (retired,) = library("CN").retired
    assert (retired.id, retired.version, retired.replaced_by) == ("other-funds", 1, "past-performance@2")
    pinned = {(p["id"], p["version"]): p["sha256"] for p in pins_file("CN")["pins"]}
    assert {lang: text_hash(text) for lang, text in retired.texts.items()} == pinned[("other-funds", 1)]


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared beside this clone (the pinned hashes are checked above)")
@pytest.mark.parametrize("jurisdiction", sorted(LIBRARY_FILES))
def test_the_approved_file_is_the_spec_in_shared(jurisdiction):
    spec = (SHARED / "spec" / SPEC_FILES[jurisdiction]).read_bytes()
    assert hashlib.sha256(spec).hexdigest() == approved_sha256(jurisdiction)
    assert yaml.safe_load(spec) == yaml.safe_load(library_source(jurisdiction))
