"""Findings in the forms CI systems display: text, json, junit, github, sarif."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote_from_bytes

from .._version import __version__
from . import Finding, rules

FORMATS = ("text", "json", "junit", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"  # the base of relative artifact URIs: the folder the check ran in


def failing(findings: list[Finding]) -> list[Finding]:
    """The findings that fail a check: errors not waived (warnings are reported, and pass)."""
    return [f for f in findings if not f.waived and f.severity == "error"]


def exit_code(findings: list[Finding]) -> int:
    return 1 if failing(findings) else 0


def _position(f: Finding) -> str:
    """`:line:column` (or `:line`) of a finding on a field of a fund file; "" for one without."""
    return (f":{f.line}" + (f":{f.column}" if f.column else "")) if f.line else ""


def _where(f: Finding) -> str:
    parts = [f.file + _position(f)]
    if f.location:
        parts.append(f.location)
    return ": ".join(parts)


def to_text(findings: list[Finding], files: list[str], unchecked: int = 0) -> str:
    lines = []
    for f in findings:
        waived = f" [waived: {f.waiver}]" if f.waived else ""
        lang = f" ({f.lang})" if f.lang and f.lang not in (f.location or "") else ""
        lines.append(f"{_where(f)}: {f.code} [{f.name}] {f.message}{lang}{waived}")
    bad, waived = len(failing(findings)), sum(f.waived for f in findings)
    warnings = sum(1 for f in findings if not f.waived and f.severity != "error")
    summary = f"{bad} finding{'s' * (bad != 1)}" + (f" ({waived} waived)" if waived else "") + \
        (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "") + f" in {len(files)} file{'s' * (len(files) != 1)}"
    if unchecked:  # never "All clear" when some input was not checked
        summary += f"; {unchecked} file{'s' * (unchecked != 1)} could not be checked"
    lines.append(summary if bad or waived or warnings or unchecked else f"All clear: {len(files)} file{'s' * (len(files) != 1)} checked")
    return "\n".join(lines)


def to_json(findings: list[Finding], files: list[str]) -> str:
    keys = ("code", "name", "severity", "message", "file", "fund", "lang", "location", "line", "column", "waived", "waiver")
    return json.dumps([{k: f.to_dict()[k] for k in keys} for f in findings], ensure_ascii=False, indent=2)


def to_junit(findings: list[Finding], files: list[str]) -> str:
    """One testcase per file checked, with one <failure> per finding (its `type` the rule's code), as the
    Jenkins JUnit schema (jenkins-junit-10.xsd) allows; waived findings in <system-out>."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.file].append(f)
    names = list(dict.fromkeys([*files, *by_file]))
    suites = ET.Element("testsuites", name="factsheets", tests=str(len(names)),
                        failures=str(sum(1 for n in names if failing(by_file[n]))), errors="0")
    suite = ET.SubElement(suites, "testsuite", name="factsheets", tests=str(len(names)),
                          failures=str(sum(1 for n in names if failing(by_file[n]))), errors="0", skipped="0")
    for name in names:
        case = ET.SubElement(suite, "testcase", classname="factsheets", name=name)
        for f in failing(by_file[name]):
            where = f"{f.location}: " if f.location else ""
            failure = ET.SubElement(case, "failure", type=f.code, message=f"{where}{f.message}")
            lang = f" ({f.lang})" if f.lang and f.lang not in (f.location or "") else ""
            failure.text = f"{_where(f)}: {f.code} [{f.name}] {f.message}{lang}"
        if waived := [f for f in by_file[name] if f.waived]:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"waived {f.code} at {_where(f)}: {f.message} ({f.waiver})" for f in waived)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(findings: list[Finding], files: list[str]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in findings:
        level = "notice" if f.waived else ("error" if f.severity == "error" else "warning")
        props = [f"file={_escape_property(f.file)}"]
        if f.line:
            props.append(f"line={f.line}")
            if f.column:
                props.append(f"col={f.column}")
        props.append(f"title={_escape_property(f'{f.code} {f.name}')}")
        where = f"{f.location}: " if f.location else ""
        waived = f" (waived: {f.waiver})" if f.waived else ""
        lines.append(f"::{level} {','.join(props)}::{_escape_data(where + f.message + waived)}")
    return "\n".join(lines)


def artifact_location(file: str, root: Path | None = None) -> dict[str, str]:
    """A file as a SARIF artifactLocation: a percent-encoded URI reference relative to `root` (the
    current folder) with the `%SRCROOT%` base, or, for a file outside it, an absolute `file://` URI.
    `odd dir/基金 50%.yaml` becomes `odd%20dir/%E5%9F%BA%E9%87%91%2050%25.yaml`."""
    root = Path(os.path.abspath(root or os.getcwd()))
    absolute = Path(os.path.abspath(file))  # `..` folded, links kept as the user named them
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote_from_bytes(os.fsencode(relative.as_posix()), safe="/"), "uriBaseId": SRCROOT}


def _root_uri(root: Path) -> str:
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def to_sarif(findings: list[Finding], files: list[str]) -> str:
    catalogue = sorted(rules(), key=lambda r: r.code)
    index = {r.code: i for i, r in enumerate(catalogue)}
    root = Path(os.getcwd())
    names = list(dict.fromkeys([*files, *(f.file for f in findings)]))
    artifacts = {name: i for i, name in enumerate(names)}
    results = []
    for f in findings:
        location: dict = {"physicalLocation": {"artifactLocation": {**artifact_location(f.file, root), "index": artifacts[f.file]}}}
        if f.line:
            region = {"startLine": f.line}
            if f.column:
                region["startColumn"] = f.column
            location["physicalLocation"]["region"] = region
        if f.location:
            location["logicalLocations"] = [{"fullyQualifiedName": f.location}]
        result = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f.message},
            "locations": [location],
            "properties": {"name": f.name, "fund": f.fund, "lang": f.lang},
        }
        if f.waived:
            result["suppressions"] = [{"kind": "external", "justification": f.waiver}]
        results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "factsheets",
                "version": __version__,
                "informationUri": "https://github.com/factsheets/factsheets",
                "rules": [{
                    "id": r.code,
                    "name": r.name,
                    "shortDescription": {"text": r.message},
                    "fullDescription": {"text": r.explanation},
                    "help": {"text": r.explanation},
                    "defaultConfiguration": {"level": "error" if r.severity == "error" else "warning"},
                } for r in catalogue],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(root)}},
            "artifacts": [{"location": artifact_location(name, root)} for name in names],
            "columnKind": "unicodeCodePoints",  # columns count characters, as the YAML reader does
            "results": results,
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2)


WRITERS = {"text": to_text, "json": to_json, "junit": to_junit, "github": to_github, "sarif": to_sarif}


def render(findings: list[Finding], files: list[str], fmt: str, unchecked: int = 0) -> str:
    """The report of the files checked; `unchecked` files could not be (said in the text summary; the
    exit code says it in every format)."""
    ordered = sorted(findings, key=lambda f: f.sort_key)
    return to_text(ordered, files, unchecked) if fmt == "text" else WRITERS[fmt](ordered, files)
