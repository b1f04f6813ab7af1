"""Every rule against its passing and failing cases, kept as data in tests/rules/<CODE>.yaml."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from factsheets.build.render_check import render_findings
from factsheets.config.load import apply_waivers, parse_config
from factsheets.documents.disclosures import parse_library
from factsheets.documents.variants import parse_variant
from factsheets.fund.validate import load_fund
from factsheets.rules import REGISTRY
from factsheets.rules.check import check_context, check_pdf_bytes, fund_context
from factsheets.rules.disclosures import pins

from .conftest import EXAMPLES, ROOT, rendered, text_pdf

CASES_DIR = Path(__file__).parent / "rules"
DEFAULT_TODAY = dt.date(2025, 11, 20)  # within 45 days of both examples' as_of
LIBRARY = ROOT / "factsheets" / "disclosures" / "cn.yaml"


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert spec["rule"] == path.stem, f"{path.name} holds cases of {spec['rule']}"
        for case in spec["cases"]:
            yield pytest.param(spec["rule"], case, id=f"{spec['rule']}-{case['name']}")


def _apply(text: str, pairs: list[list]) -> str:
    """Each pair's change, which must apply; a third item repeats the new text that many times (a long text)."""
    for old, new, *times in pairs or []:
        assert old in text, f"{old!r} does not occur: the case no longer applies"
        text = text.replace(old, new * (times[0] if times else 1), 1)
    return text


def _source(name: str) -> Path:
    """A case's fund: a file in examples/, or (with a folder) one under tests/data/ (the fund/v2 files
    of the house export, with their histories)."""
    return (Path(__file__).parent / "data" / name) if "/" in name else EXAMPLES / name


def _case_file(case: dict, tmp_path: Path) -> Path:
    """The case's fund file, changed as the case says (`replace` pairs, `remove` dotted paths), in
    tmp_path with its history files (changed by `history_replace`)."""
    source = _source(case["fund"])
    target = tmp_path / source.name
    if (source.parent / "history").is_dir() and not (tmp_path / "history").exists():
        shutil.copytree(source.parent / "history", tmp_path / "history")  # a history file must lie inside the fund's folder
        for name, pairs in (case.get("history_replace") or {}).items():
            file = tmp_path / name
            file.write_bytes(_apply(file.read_bytes().decode("utf-8"), pairs).encode("utf-8"))
    text = _apply(source.read_text(encoding="utf-8"), case.get("replace"))
    if case.get("remove"):  # dotted paths of fields to leave out
        data = yaml.safe_load(text)
        for path in case["remove"]:
            *parents, last = path.split(".")
            node = data
            for part in parents:
                node = node[int(part)] if isinstance(node, list) else node[part]
            assert last in node, f"{path} does not occur: the case no longer applies"
            del node[last]
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    target.write_text(text, encoding="utf-8")
    return target


def _fund_findings(case: dict, tmp_path: Path):
    target = _case_file(case, tmp_path)
    library = None
    if "library_replace" in case:
        library = parse_library(_apply(LIBRARY.read_text(encoding="utf-8"), case["library_replace"]).encode("utf-8"))
    today = case.get("today", DEFAULT_TODAY)
    ctx = fund_context(target, today=today, max_age=case.get("max_age"), library=library,
                       pins=pins("CN") if library else None)
    findings = check_context(ctx)
    if "config" in case:
        findings = apply_waivers(findings, parse_config(__import__("tomllib").loads(case["config"])), today, {ctx.fund_code})
    return findings


_renderers: dict = {}
_printed: dict = {}  # (fund, template changes, target) -> what the document prints


def _pdf_findings(case: dict, tmp_path: Path):
    spec = case["render"] or {}
    changed = case.get("replace") or case.get("history_replace")
    source = _case_file(case, tmp_path) if changed else _source(case["fund"])
    fund = load_fund(source)
    document = spec.get("document", "factsheet")  # kid: the fund's PRIIPs KID (in English)
    variant = spec.get("variant", "bilingual")
    renderer = None
    if spec.get("templates") or spec.get("css"):
        from factsheets.render.renderer import Renderer
        templates = tmp_path / "templates"
        for name, pairs in (spec.get("templates") or {}).items():
            original = (ROOT / "templates" / name).read_text(encoding="utf-8")
            (templates / name).parent.mkdir(parents=True, exist_ok=True)
            (templates / name).write_text(_apply(original, pairs), encoding="utf-8")
        styles = []
        if spec.get("css"):
            styles = [tmp_path / "tampered.css"]
            styles[0].write_text(spec["css"], encoding="utf-8")
        renderer = Renderer([templates] if templates.exists() else [], styles)
    if spec.get("check"):
        return render_findings(fund, str(source), [parse_variant(variant)], renderer, documents=(document,))
    if spec.get("pdf"):
        pdf = (CASES_DIR.parent / spec["pdf"]).read_bytes()
    elif spec.get("blank") or spec.get("text"):
        pdf = text_pdf(spec.get("text", ""))
    elif document != "factsheet":  # rendered whatever its length, as another tool might have made it
        from factsheets.build.pipeline import default_renderer
        pdf = (renderer or default_renderer()).render(fund, parse_variant(variant), document).pdf
    elif renderer is None:
        pdf = rendered(source, variant).pdf
    else:
        pdf = renderer.render(fund, parse_variant(variant)).pdf
    verify_fund = load_fund(_source(spec["verify_fund"])) if spec.get("verify_fund") else fund
    if spec.get("no_fund"):
        verify_fund = None
    langs = tuple(spec["langs"]) if spec.get("langs") else None  # as `verify --lang`
    if "min_pages" in case:  # the case is about a document of that length
        from factsheets.pdf.text import pdf_pages_text
        assert len(pdf_pages_text(pdf)) >= case["min_pages"]
    return check_pdf_bytes(pdf, "doc.pdf", fund=verify_fund, langs=langs)


def _documents_findings(case: dict, tmp_path: Path):
    """The cross-document rules on documents of one fund rendered in memory (`documents`: target names,
    `kfs.en`, `en+zh-HK`), through templates changed by `templates` (file -> replace pairs), compared with
    the fund file after `replace` (the data changed since the documents were made), or only with each
    other (`no_fund`)."""
    from factsheets.documents.types import parse_target
    from factsheets.render.renderer import Renderer
    from factsheets.rules.consistency import compare_documents, printed_figures

    source = _source(case["fund"])
    changes = json.dumps(case.get("templates") or {}, sort_keys=True)
    printed = []
    for name in case["documents"]:
        key = (source, changes, name)
        if key not in _printed:  # each document once per session: passing cases share them
            templates = tmp_path / "templates"
            for file, pairs in (case.get("templates") or {}).items():
                original = (ROOT / "templates" / file).read_text(encoding="utf-8")
                (templates / file).parent.mkdir(parents=True, exist_ok=True)
                (templates / file).write_text(_apply(original, pairs), encoding="utf-8")
            renderer = Renderer([templates] if templates.exists() else [])
            target = parse_target(name)
            pdf = renderer.render(load_fund(source), target.variant, target.document).pdf
            _printed[key] = printed_figures(pdf, name, target.document, target.variant.langs, "doc.pdf")
        printed.append(_printed[key])
    against = None if case.get("no_fund") else load_fund(_case_file(case, tmp_path))
    return compare_documents(printed, against)


def _ept_findings(case: dict, tmp_path: Path):
    """The EPT rules on an EPT file under tests/data/ (`ept:`), changed by the case's `replace` pairs."""
    from factsheets.rules.check import check_ept_file

    source = Path(__file__).parent / "data" / case["ept"]
    target = tmp_path / source.name
    if source.suffix == ".xlsx":
        target.write_bytes(source.read_bytes())
    else:
        target.write_text(_apply(source.read_text(encoding="utf-8"), case.get("replace")), encoding="utf-8")
    return check_ept_file(target)


@pytest.mark.parametrize("code, case", list(_cases()))
def test_rule_case(code: str, case: dict, tmp_path: Path):
    if "ept" in case:
        findings = _ept_findings(case, tmp_path)
    elif "documents" in case:
        findings = _documents_findings(case, tmp_path)
    else:
        findings = _pdf_findings(case, tmp_path) if "render" in case else _fund_findings(case, tmp_path)
    mine = [f for f in findings if f.code == code and not f.waived]
    for finding in mine:
        assert finding.name == REGISTRY[code].name and finding.message
    if "min_count" in case:
        assert len(mine) >= case["min_count"], findings
    else:
        assert sorted(f.location or "" for f in mine) == sorted(x or "" for x in case["expect"]), findings
    if "waived" in case:
        assert sorted(f.code for f in findings if f.waived) == case["waived"]
    if case.get("expect") == [] and code != "FD001" and not {"render", "documents", "ept"} & set(case):
        # A passing case must be a valid fund, or the rule never ran and the case proves nothing.
        assert not [f for f in findings if f.code == "FD001"], findings


def test_every_rule_has_cases_that_pass_and_fail():
    for code in REGISTRY:
        path = CASES_DIR / f"{code}.yaml"
        assert path.exists(), f"{code} has no case file"
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        assert any(c.get("expect") == [] for c in cases), f"{code} has no passing case"
        assert any(c.get("expect") or c.get("min_count") for c in cases), f"{code} has no failing case"


def test_rules_have_codes_names_and_explanations():
    import re
    for code, rule in REGISTRY.items():
        assert re.fullmatch(r"(FD|DS|PF|PDF|KD|XD|RT|EP|LY)\d{3}", code)
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", rule.name)
        assert rule.severity in ("error", "warning") and rule.message and "\n" not in rule.message
        assert len(rule.explanation) > len(rule.message)
