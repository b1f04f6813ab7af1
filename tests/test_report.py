"""Each report format parses as what a CI system expects."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from factsheets.report import exit_code, render
from factsheets.rules import REGISTRY, Finding


def _findings():
    return [
        Finding("FD003", "min-investor-below-rating", "error", "C2 is below C4, the minimum for an R4 fund",
                "funds/a,b.yaml", "513770", None, "fund.risk.min_investor"),
        Finding("DS003", "banned-wording", "error", "contains banned wording '保本'\n(second line) 100%",
                "funds/a,b.yaml", "513770", "zh-CN", "commentary.zh-CN"),
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


def test_junit_parses_with_one_testcase_per_file():
    root = ET.fromstring(render(_findings(), FILES, "junit"))
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == set(FILES) and suite.get("tests") == "3" and suite.get("failures") == "1"
    failure = cases["funds/a,b.yaml"].find("failure")
    assert "FD003" in failure.text and "DS003" in failure.text
    assert cases["funds/c.yaml"].find("failure") is None and "waived FD007" in cases["funds/c.yaml"].find("system-out").text
    assert cases["funds/d.yaml"].find("failure") is None


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


def test_github_annotations_escape_their_properties_and_data():
    lines = render(_findings(), FILES, "github").splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("::error file=funds/a%2Cb.yaml,title=DS003 banned-wording::commentary.zh-CN: ")
    assert "%0A(second line) 100%25" in lines[0]
    assert lines[2].startswith("::notice file=funds/c.yaml,title=FD007 stale-data::")


def test_text_ends_with_a_summary():
    text = render(_findings(), FILES, "text")
    assert text.splitlines()[-1] == "2 findings (1 waived) in 3 files"
    assert render([], FILES, "text") == "All clear: 3 files checked"
