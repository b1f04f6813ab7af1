"""Each report format parses as what a CI system expects."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from lxml import etree

from factsheets.rules import REGISTRY, Finding
from factsheets.rules.report import artifact_location, exit_code, render

SCHEMAS = Path(__file__).parent / "data" / "schemas"  # copies of shared/schemas, for a clean clone


def _findings():
    return [
        Finding("FD003", "min-investor-below-rating", "error", "C2 is below C4, the minimum for an R4 fund",
                "funds/a,b.yaml", "513770", None, "fund.risk.min_investor", 22, column=19),
        Finding("DS003", "banned-wording", "error", "contains banned wording '保本'\n(second line) 100%",
                "funds/a,b.yaml", "513770", "zh-CN", "commentary.zh-CN", 80, column=12),
        Finding("FD007", "stale-data", "error", "as_of is old", "funds/c.yaml", "990001", None, "as_of",
                waived=True, waiver="waived until 2026-03-31 by J. Chen: archived"),
    ]


FILES = ["funds/a,b.yaml", "funds/c.yaml", "funds/d.yaml"]


def test_exit_code_ignores_waived_findings():
    assert exit_code(_findings()) == 1
    assert exit_code(_findings()[2:]) == 0
    assert exit_code([]) == 0


def test_json_is_a_list_of_findings():
    data = json.loads(render(_findings(), FILES, "json"))
    assert [d["code"] for d in data] == ["DS003", "FD003", "FD007"]
    for item in data:
        assert {"code", "name", "severity", "message", "file", "fund", "lang", "location"} <= set(item)
    assert data[0]["lang"] == "zh-CN" and data[2]["waived"] is True


def test_junit_has_one_testcase_per_file_and_one_failure_per_finding():
    root = ET.fromstring(render(_findings(), FILES, "junit"))
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == set(FILES) and suite.get("tests") == "3" and suite.get("failures") == "1"
    failures = cases["funds/a,b.yaml"].findall("failure")
    assert [f.get("type") for f in failures] == ["DS003", "FD003"]
    assert failures[1].get("message") == "fund.risk.min_investor: C2 is below C4, the minimum for an R4 fund"
    assert failures[1].text.startswith("funds/a,b.yaml:22:19: fund.risk.min_investor: FD003 [min-investor-below-rating]")
    assert cases["funds/c.yaml"].find("failure") is None and "waived FD007" in cases["funds/c.yaml"].find("system-out").text
    assert cases["funds/d.yaml"].find("failure") is None


def _junit_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "jenkins-junit-10.xsd")))


def test_junit_validates_against_the_jenkins_schema():
    schema = _junit_schema()
    for findings in (_findings(), [], _findings()[2:]):
        document = etree.fromstring(render(findings, FILES, "junit").encode())
        assert schema.validate(document), schema.error_log


def test_junit_schema_check_bites():
    # What the report wrote before: a `file` attribute on <testcase>, which the Jenkins schema does not allow.
    document = etree.fromstring(render(_findings(), FILES, "junit").encode())
    document.find("testsuite/testcase").set("file", "funds/a,b.yaml")
    assert not _junit_schema().validate(document)


def test_sarif_carries_rules_and_results_of_2_1_0():
    sarif = json.loads(render(_findings(), FILES, "sarif"))
    assert sarif["version"] == "2.1.0" and "sarif" in sarif["$schema"]
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(REGISTRY)
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] for r in rules)
    results = run["results"]
    assert len(results) == 3
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("funds/")
    assert [r.get("suppressions", [{}])[0].get("kind") for r in results] == [None, None, "external"]
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 22, "startColumn": 19}
    assert "region" not in results[2]["locations"][0]["physicalLocation"]  # a finding without a line has no region


def _sarif_validator():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()
    # `uri` and `uri-reference` are checked only when a URI library is installed (the test extra has one):
    # without it these formats would pass anything, and this test would prove nothing.
    assert {"uri", "uri-reference"} <= set(checker.checkers)
    return jsonschema.Draft4Validator(schema, format_checker=checker)


ODD = Path("odd dir") / "基金 50%.yaml"


def _odd_findings(tmp_path: Path, outside: Path) -> tuple[list[Finding], list[str]]:
    files = [str(ODD), str(outside), "funds/c.yaml"]
    return [
        Finding("FD003", "min-investor-below-rating", "error", "C2 is below C4", str(ODD), "513770", None,
                "fund.risk.min_investor", 22, column=19),
        Finding("FD007", "stale-data", "error", "as_of is old", str(outside), "990001", None, "as_of", 9, column=8),
        Finding("PDF001", "statement-missing", "error", "statement risk-general is missing in en", "funds/c.yaml",
                None, "en", "statement risk-general"),
    ], files


def test_sarif_validates_against_the_official_schema_with_format_checks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path.parent / "elsewhere" / "a b#1.yaml"
    findings, files = _odd_findings(tmp_path, outside)
    sarif = json.loads(render(findings, files, "sarif"))
    errors = sorted(_sarif_validator().iter_errors(sarif), key=str)
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    run = sarif["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    by_rule = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in run["results"]}
    odd = by_rule["FD003"]["artifactLocation"]
    assert odd["uri"] == "odd%20dir/%E5%9F%BA%E9%87%91%2050%25.yaml" and odd["uriBaseId"] == "%SRCROOT%"
    assert by_rule["FD003"]["region"] == {"startLine": 22, "startColumn": 19}
    far = by_rule["FD007"]["artifactLocation"]
    assert far["uri"].startswith("file:///") and "uriBaseId" not in far
    # Each URI leads back to its file: relative ones against the base, absolute ones by themselves.
    assert Path(unquote(urlsplit(base).path)) / unquote(odd["uri"]) == tmp_path / ODD
    assert Path(unquote(urlsplit(far["uri"]).path)) == outside
    assert [run["artifacts"][loc["artifactLocation"]["index"]]["location"]["uri"] for loc in by_rule.values()] == \
        [loc["artifactLocation"]["uri"] for loc in by_rule.values()]


@pytest.mark.parametrize("uri", ["odd dir/基金 50%.yaml", "funds/50%.yaml", "file:///odd dir/a.yaml"])
def test_sarif_format_checks_reject_an_unencoded_uri(tmp_path, monkeypatch, uri):
    # The same report with one URI as the report used to write it: the schema check must catch it.
    monkeypatch.chdir(tmp_path)
    findings, files = _odd_findings(tmp_path, tmp_path / "x.yaml")
    sarif = json.loads(render(findings, files, "sarif"))
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = uri
    errors = list(_sarif_validator().iter_errors(sarif))
    assert errors and all(e.validator == "format" for e in errors), errors


def test_artifact_locations_are_relative_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert artifact_location("funds/a,b.yaml", tmp_path) == {"uri": "funds/a%2Cb.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location(str(tmp_path / "x" / ".." / "a.yaml"), tmp_path) == {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("a:b.yaml", tmp_path)["uri"] == "a%3Ab.yaml"  # never read as a scheme
    assert artifact_location(os.path.join(os.sep, "srv", "f 1.yaml"), tmp_path) == {"uri": "file:///srv/f%201.yaml"}


def test_github_annotations_escape_their_properties_and_data():
    lines = render(_findings(), FILES, "github").splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("::error file=funds/a%2Cb.yaml,line=80,col=12,title=DS003 banned-wording::commentary.zh-CN: ")
    assert "%0A(second line) 100%25" in lines[0]
    assert lines[2].startswith("::notice file=funds/c.yaml,title=FD007 stale-data::")


def test_json_and_text_carry_line_and_column():
    data = json.loads(render(_findings(), FILES, "json"))
    assert [(d["line"], d["column"]) for d in data] == [(80, 12), (22, 19), (None, None)]
    text = render(_findings(), FILES, "text")
    assert text.startswith("funds/a,b.yaml:80:12: commentary.zh-CN: DS003 [banned-wording]")
    assert "\nfunds/a,b.yaml:22:19: fund.risk.min_investor: FD003 [min-investor-below-rating]" in text
    assert "\nfunds/c.yaml: as_of: FD007" in text


def test_text_ends_with_a_summary():
    text = render(_findings(), FILES, "text")
    assert text.splitlines()[-1] == "2 findings (1 waived) in 3 files"
    assert render([], FILES, "text") == "All clear: 3 files checked"
