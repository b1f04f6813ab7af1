"""The regulators' templates the package carries are the approved files, byte for byte (their SHA-256 pinned and
checked whenever one is read), and say nothing the project cannot act on: every statement they place is in the
library, every row's condition is understood."""

from __future__ import annotations

import hashlib

import pytest

from factsheets.documents import regulatory
from factsheets.documents.disclosures import library
from factsheets.documents.regulatory import ROW_CONDITIONS, TemplateSpecError, parse_template, pins, source, template

from .conftest import SHARED

NAMES = ("hk-kfs", "cn-kfs", "eu-kid")


@pytest.mark.parametrize("name", [*(f"{n}.yaml" for n in NAMES), "README.md"])
def test_the_package_templates_are_the_pinned_files(name):
    assert hashlib.sha256(source(name)).hexdigest() == pins()[name]


@pytest.mark.skipif(not (SHARED / "spec" / "templates").is_dir(), reason="no ../shared/spec/templates beside this clone")
@pytest.mark.parametrize("name", [*(f"{n}.yaml" for n in NAMES), "README.md"])
def test_the_pinned_files_are_the_spec_in_shared(name):
    assert hashlib.sha256((SHARED / "spec" / "templates" / name).read_bytes()).hexdigest() == pins()[name]


def test_an_edited_template_is_refused_whenever_it_is_read(monkeypatch):
    edited = source("hk-kfs.yaml").replace(b"max_pages: 4", b"max_pages: 5")
    monkeypatch.setattr(regulatory, "_package_bytes", lambda name: edited if name == "hk-kfs.yaml" else b"files: {}")
    regulatory.pins.cache_clear()
    try:
        with pytest.raises(TemplateSpecError, match="hk-kfs.yaml is not the approved file"):
            source("hk-kfs.yaml")
    finally:
        regulatory.pins.cache_clear()


@pytest.mark.parametrize("name", NAMES)
def test_every_statement_a_template_places_is_in_its_library(name):
    found = template(name)
    ids = {s.id for s in library(found.jurisdiction).statements}
    assert set(found.placement()) <= ids
    for statement in library(found.jurisdiction).statements:  # and each stands in one part only
        assert sum(statement.id in part.statements for part in found.parts()) <= 1


def test_the_templates_as_read():
    hk, cn, kid = (template(n) for n in NAMES)
    assert (hk.document, hk.jurisdiction, hk.max_pages, cn.max_pages, kid.max_pages) == ("kfs", "HK", 4, 4, 3)
    assert [s.id for s in hk.sections][-2:] == ["additional-information", "important"]
    assert hk.part("fees.1").heading == {"en": "Charges which may be payable by you", "zh-HK": "閣下或須繳付的收費"}
    assert [r.id for r in hk.part("fees.1").rows] == ["subscription-fee", "switching-fee", "redemption-fee"]
    assert hk.part("quick-facts").find("investment-manager").when == "the management company delegates investment management"
    assert cn.part("investment.3").headings("zh-CN")[1] == "（三）最近十年基金每年的净值增长率及与同期业绩比较基准的比较图"
    assert [r.id for r in cn.header.rows] == ["prepared-on", "sent-on"] and cn.placement()["cn-kfs-header"] == "header"
    assert kid.part("unable-to-pay").headings("en")[1] == "What happens if [manufacturer] is unable to pay out?"
    assert {r.when for p in (hk, cn, kid) for part in p.parts() for r in part.rows} - {None} <= set(ROW_CONDITIONS)


def test_a_template_with_a_condition_the_project_does_not_know_is_refused():
    edited = source("eu-kid.yaml").replace(b"when: the product is a UCITS", b"when: the moon is full")
    with pytest.raises(TemplateSpecError, match="unknown condition 'the moon is full'"):
        parse_template(edited, "eu-kid")
