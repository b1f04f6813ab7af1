"""`factsheets check`, `rules` and `schema` as a user runs them: exit codes 0/1/2, messages, every format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from factsheets.cli import cli

from .conftest import ETF, EXAMPLES, MONEY_MARKET, ROOT, drop_statement, mutate

TODAY = ["--today", "2025-11-20"]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_reference_funds_check_clean():
    result = run("check", str(ETF), *TODAY)
    assert result.exit_code == 0, result.output
    assert "All clear: 1 file checked" in result.output
    assert run("check", str(EXAMPLES), *TODAY, "--format", "json").output.strip() == "[]"


@pytest.fixture
def bad_funds(tmp_path):
    """The three failures of the issue: a zh-CN text removed, banned wording in the commentary, C2 for R4."""
    no_zh = mutate(ETF, tmp_path, "    zh-CN: 港股互联网ETF\n", "", "no-zh.yaml")
    banned = mutate(ETF, tmp_path, "    受海外避险情绪影响", "    保本！受海外避险情绪影响", "banned.yaml")
    banned = mutate(banned, tmp_path, "overseas risk-off sentiment", "overseas risk-free sentiment", "banned.yaml")
    c2 = mutate(ETF, tmp_path, "min_investor: C4 ", "min_investor: C2 ", "c2.yaml")
    return {no_zh: {"FD002"}, banned: {"DS003"}, c2: {"FD003"}}


def _codes_by_file(fmt: str, output: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    if fmt == "json":
        for item in json.loads(output):
            found.setdefault(item["file"], set()).add(item["code"])
    elif fmt == "sarif":
        for result in json.loads(output)["runs"][0]["results"]:
            found.setdefault(_sarif_path(output, result), set()).add(result["ruleId"])
    elif fmt == "junit":
        for case in ET.fromstring(output).iter("testcase"):
            for failure in case.findall("failure"):
                found.setdefault(case.get("name"), set()).add(failure.get("type"))
    elif fmt == "github":
        for line in output.splitlines():
            assert line.startswith("::error file="), line
            props = line[2:].split("::", 1)[0].split(" ", 1)[1]
            fields = dict(p.split("=", 1) for p in props.split(","))
            found.setdefault(fields["file"], set()).add(fields["title"].split()[0])
    else:
        for line in output.splitlines()[:-1]:
            file, rest = line.split(": ", 1)
            file = re.sub(r"(:\d+){1,2}$", "", file)  # file:line:column
            found.setdefault(file, set()).add(next(w for w in rest.split() if w[:2] in ("FD", "DS", "PD")))
    return found


def _sarif_path(output: str, result: dict) -> str:
    """The file a SARIF result is about: its URI resolved against its base, decoded."""
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    uri = location["uri"]
    if "uriBaseId" in location:
        uri = json.loads(output)["runs"][0]["originalUriBaseIds"][location["uriBaseId"]]["uri"] + uri
    return unquote(urlsplit(uri).path)


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github", "sarif"])
def test_bad_funds_exit_1_with_the_right_codes_in_every_format(bad_funds, fmt):
    result = run("check", *map(str, bad_funds), *TODAY, "--format", fmt)
    assert result.exit_code == 1, result.output
    assert _codes_by_file(fmt, result.output) == {str(path): codes for path, codes in bad_funds.items()}


def test_messages_name_the_field_and_the_word(bad_funds):
    output = run("check", *map(str, bad_funds), *TODAY).output
    assert "fund.name.zh-CN: FD002 [missing-translation] missing in zh-CN" in output
    assert "commentary.zh-CN: DS003 [banned-wording] contains banned wording '保本'" in output
    assert "commentary.en: DS003 [banned-wording] contains banned wording 'risk-free'" in output
    assert "fund.risk.min_investor: FD003 [min-investor-below-rating] C2 is below C4, the minimum for an R4 fund" in output
    assert "3 findings" not in output and "4 findings in 3 files" in output


def _line_of(path: Path, text: str) -> tuple[int, int]:
    """Line and column (from 1) where `text` first stands in a file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number, line.index(text) + 1
    raise AssertionError(f"{text!r} not in {path}")


def test_findings_carry_the_line_and_column_of_their_field_in_every_format(tmp_path, monkeypatch):
    # A file in a folder and with a name that need encoding in a URI, named relative to the current folder.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "odd dir").mkdir()
    fund = mutate(ETF, tmp_path / "odd dir", "min_investor: C4 ", "min_investor: C2 ", "基金 50%.yaml")
    fund = mutate(fund, tmp_path / "odd dir", "    受海外避险情绪影响", "    保本！受海外避险情绪影响", "基金 50%.yaml")
    name = str(Path("odd dir") / "基金 50%.yaml")
    rating = _line_of(fund, "C2")
    lines = fund.read_text(encoding="utf-8").splitlines()
    start = lines.index("commentary:")
    commentary = next(n for n in range(start, len(lines)) if lines[n].startswith("  zh-CN: ")) + 1  # `zh-CN: >-`

    findings = {f["code"]: f for f in json.loads(run("check", name, *TODAY, "--format", "json").output)}
    assert (findings["FD003"]["line"], findings["FD003"]["column"]) == rating
    assert (findings["DS003"]["location"], findings["DS003"]["line"], findings["DS003"]["column"]) == \
        ("commentary.zh-CN", commentary, len("  zh-CN: ") + 1)  # where the value (a folded block) starts

    text = run("check", name, *TODAY).output
    assert f"{name}:{rating[0]}:{rating[1]}: fund.risk.min_investor: FD003" in text

    github = run("check", name, *TODAY, "--format", "github").output
    assert f"::error file=odd dir/基金 50%25.yaml,line={rating[0]},col={rating[1]},title=FD003 " in github

    sarif = json.loads(run("check", name, *TODAY, "--format", "sarif").output)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "FD003"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "odd%20dir/%E5%9F%BA%E9%87%91%2050%25.yaml", "uriBaseId": "%SRCROOT%", "index": 0}
    assert location["region"] == {"startLine": rating[0], "startColumn": rating[1]}
    assert sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"

    junit = ET.fromstring(run("check", name, *TODAY, "--format", "junit").output)
    [failure] = [f for f in junit.iter("failure") if f.get("type") == "FD003"]
    assert failure.text.startswith(f"{name}:{rating[0]}:{rating[1]}: ")


def test_a_missing_field_is_placed_at_the_field_above_it(tmp_path):
    fund = mutate(ETF, tmp_path, "    zh-CN: 港股互联网ETF\n", "")
    [finding] = json.loads(run("check", str(fund), *TODAY, "--format", "json").output)
    assert finding["location"] == "fund.name.zh-CN"
    assert (finding["line"], finding["column"]) == _line_of(fund, "name:")  # fund.name, whose zh-CN is missing


def test_positions_of_a_fund_file_for_scripts():
    from factsheets.fund.load import read_positions

    found = read_positions(ETF)
    assert found["fund.risk.min_investor"] == _line_of(ETF, "C4 ")
    assert found["index.annual_returns.2024"] == _line_of(ETF, "23.04")
    assert found["fund.name"] == _line_of(ETF, "name:")  # a mapping stands where its key does
    assert read_positions(ETF.parent / "no-such-file.yaml") == {}


def test_json_fund_files_get_lines_too(tmp_path):
    data = json.loads(json.dumps(__import__("factsheets.fund.load", fromlist=["read_data"]).read_data(ETF), default=str))
    data["fund"]["risk"]["min_investor"] = "C2"
    fund = tmp_path / "fund.json"
    fund.write_text(json.dumps(data, ensure_ascii=False, indent="\t"), encoding="utf-8")
    [finding] = [f for f in json.loads(run("check", str(fund), *TODAY, "--format", "json").output) if f["code"] == "FD003"]
    assert (finding["line"], finding["column"]) == _line_of(fund, '"C2"')


def test_missing_file_exits_2(tmp_path):
    result = run("check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml: no such file or folder" in result.output


def test_unknown_format_exits_2():
    assert run("check", str(ETF), "--format", "xml").exit_code == 2


def test_stale_data_against_today_and_max_age():
    result = run("check", str(ETF), "--today", "2026-01-31", "--format", "json")
    assert result.exit_code == 1
    [finding] = json.loads(result.output)
    assert (finding["code"], finding["location"], finding["fund"]) == ("FD007", "as_of", "513770")
    assert run("check", str(ETF), "--today", "2026-01-31", "--max-age", "100").exit_code == 0


def _config(tmp_path, body: str):
    path = tmp_path / "factsheets.toml"
    path.write_text(body, encoding="utf-8")
    return path


WAIVER = """
[[waivers]]
fund = "513770"
rule = "FD007"
reason = "archived factsheet of record"
approver = "J. Chen, Compliance"
expires = {expires}
"""


def test_waived_finding_is_listed_but_passes(tmp_path):
    config = _config(tmp_path, WAIVER.format(expires="2026-03-31"))
    result = run("check", str(ETF), "--today", "2026-01-31", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    [finding] = json.loads(result.output)
    assert finding["code"] == "FD007" and finding["waived"] is True and "J. Chen" in finding["waiver"]


def test_expired_waiver_is_a_finding_and_no_longer_waives(tmp_path):
    config = _config(tmp_path, WAIVER.format(expires="2026-01-01"))
    result = run("check", str(ETF), "--today", "2026-01-31", "--config", str(config), "--format", "json")
    assert result.exit_code == 1
    assert sorted((f["code"], f["waived"]) for f in json.loads(result.output)) == [("FD007", False), ("FD008", False)]


def test_waiver_in_pyproject_is_found_from_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.factsheets]\nmax_age = 1000\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("check", str(ETF), "--today", "2026-01-31").exit_code == 0


@pytest.mark.parametrize("body, message", [
    (WAIVER.format(expires="2026-03-31").replace('reason = "archived factsheet of record"\n', ""), "waivers.0.reason: is required"),
    (WAIVER.format(expires="2026-03-31").replace('approver = "J. Chen, Compliance"\n', ""), "waivers.0.approver: is required"),
    (WAIVER.format(expires='"soon"'), "waivers.0.expires: must be a TOML date"),
    (WAIVER.format(expires="2026-03-31").replace("FD007", "XX999"), "waivers.0.rule: unknown rule 'XX999'"),
    ("max_age = [", "not valid TOML"),
])
def test_bad_configuration_exits_2_naming_the_field(tmp_path, body, message):
    config = _config(tmp_path, body)
    result = run("check", str(ETF), *TODAY, "--config", str(config))
    assert result.exit_code == 2
    assert f"{config}: " in result.output and message in result.output


def test_unreadable_fund_file_is_a_finding_with_its_line(tmp_path):
    bad = mutate(ETF, tmp_path, "  currency: CNY", "  currency: [CNY")
    result = run("check", str(bad), *TODAY, "--format", "json")
    assert result.exit_code == 1
    [finding] = json.loads(result.output)
    assert finding["code"] == "FD001" and finding["line"] and "not valid YAML" in finding["message"]


def test_render_flag_renders_in_memory_and_passes_for_the_reference_fund(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "--render", str(MONEY_MARKET), *TODAY)
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_render_flag_fails_when_a_template_drops_a_statement(tmp_path):
    templates = drop_statement(tmp_path / "templates", "not-advice", "disclaimer")
    result = run("check", "--render", str(ETF), *TODAY, "--templates", str(templates), "--format", "json")
    assert result.exit_code == 1, result.output
    found = {(f["code"], f["lang"]) for f in json.loads(result.output)}
    assert found == {("PDF001", "en"), ("PDF001", "zh-CN")}
    assert all("not-advice" in f["message"] for f in json.loads(result.output))


def test_rules_lists_and_explains():
    listing = run("rules")
    assert listing.exit_code == 0
    for code in ("FD001", "FD003", "DS003", "PDF001", "PDF002"):
        assert code in listing.output
    explained = run("rules", "banned-wording")
    assert explained.exit_code == 0 and explained.output.startswith("DS003 banned-wording (error)")
    assert run("rules", "XX001").exit_code == 2


def test_schema_is_the_json_schema_of_fund_files():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["properties"]["schema"]["enum"] == ["fund/v1", "fund/v2"]
    assert {"schema", "as_of", "jurisdiction", "fund"} <= set(schema["required"])
    assert "zh-CN" in schema["$defs"]["LocalizedText"]["properties"]


def _json_copy(path, tmp_path, name: str = "fund.json"):
    """A JSON copy of a YAML fund file: dates become strings, as in any JSON fund file."""
    from factsheets.fund.load import read_data

    target = tmp_path / name
    target.write_text(json.dumps(read_data(path), default=lambda v: float(v) if isinstance(v, Decimal) else str(v),
                                 ensure_ascii=False), encoding="utf-8")
    return target


def test_json_fund_gets_the_date_rules(tmp_path):
    # In JSON, as_of is a string: the rules that compare dates with it must still apply.
    clean = _json_copy(ETF, tmp_path, "clean.json")
    assert run("check", str(clean), *TODAY).exit_code == 0
    late = mutate(ETF, tmp_path, "    2024: 23.04\n", "    2024: 23.04\n    2026: 5.0\n", "late.yaml")
    result = run("check", str(_json_copy(late, tmp_path, "late.json")), *TODAY, "--format", "json")
    assert result.exit_code == 1, result.output
    assert {(f["code"], f["location"]) for f in json.loads(result.output)} == {("FD004", "index.annual_returns.2026")}


def test_today_option_reaches_the_model():
    # as_of 2025-11-07 is in the future on 2025-11-01: the model's date rule runs against --today, not the clock.
    result = run("check", str(ETF), "--today", "2025-11-01", "--format", "json")
    assert result.exit_code == 1, result.output
    assert ("FD001", "as_of") in {(f["code"], f["location"]) for f in json.loads(result.output)}


COVER_DISCLAIMER = (".disclaimer { position: relative } .disclaimer::after { content: ''; position: absolute;"
                    " left: 0; right: 0; top: 0; bottom: 0; background: #fff; }")


def test_render_flag_fails_when_a_style_covers_the_statements(tmp_path):
    css = tmp_path / "cover.css"
    css.write_text(COVER_DISCLAIMER, encoding="utf-8")
    result = run("check", "--render", str(ETF), *TODAY, "--lang", "en", "--styles", str(css), "--format", "json")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.output)
    assert findings and {f["code"] for f in findings} == {"PDF002"}
    assert "not-advice" in {f["message"].split("statement ", 1)[1].split()[0] for f in findings}
    assert all(f["lang"] == "en" for f in findings)


def test_render_flag_uses_the_projects_styles(tmp_path, monkeypatch):
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "cover.css").write_text(COVER_DISCLAIMER, encoding="utf-8")
    (tmp_path / "factsheets.toml").write_text('[build]\nstyles = "styles"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("check", "--render", str(ETF), *TODAY, "--lang", "en", "--format", "json")
    assert result.exit_code == 1, result.output
    assert {f["code"] for f in json.loads(result.output)} == {"PDF002"}


def test_render_flag_takes_relative_style_and_template_paths(tmp_path, monkeypatch):
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "x.css").write_text("h2 { color: #7a1f3d; }", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    monkeypatch.chdir(tmp_path)
    import factsheets.render.renderer

    given = []

    class Recording(factsheets.render.renderer.Renderer):
        def __init__(self, template_dirs=None, style_files=None, **options):
            given.extend([*template_dirs, *style_files])
            super().__init__(template_dirs, style_files, **options)

    monkeypatch.setattr(factsheets.render.renderer, "Renderer", Recording)
    result = run("check", "--render", str(ETF), *TODAY, "--lang", "en",
                 "--styles", "styles/x.css", "--templates", "templates")
    assert result.exit_code == 0, result.output
    # Resolved by the command, so that no part of the renderer ever sees a path relative to the current folder.
    assert given == [tmp_path.resolve() / "templates", tmp_path.resolve() / "styles" / "x.css"]
    assert all(p.is_absolute() for p in given)


def test_pre_commit_hook_checks_fund_files_under_funds_only():
    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["entry"] == "factsheets check"
    files = re.compile(hook["files"])  # pre-commit matches with re.search
    exclude = re.compile(hook.get("exclude", "^$"))
    chosen = [p for p in ("funds/513770.yaml", "funds/hk/990001.yml", "funds/a.json", "archive/2025-11/513770.yaml",
                          ".github/workflows/ci.yml", "factsheets.toml", "funds/README.md", ".pre-commit-config.yaml",
                          "myfunds/x.yaml")
              if files.search(p) and not exclude.search(p)]
    assert chosen == ["funds/513770.yaml", "funds/hk/990001.yml", "funds/a.json"]


def _documented(block: str, after: str) -> str:
    """The first fenced `block` (toml, yaml) after the heading `after` in docs/ci.md."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    section = text[text.index(after):]
    return section.split(f"```{block}\n", 1)[1].split("```", 1)[0]


def test_documented_waiver_keeps_an_archived_fund_passing_until_it_expires(tmp_path):
    config = tmp_path / "factsheets.toml"
    config.write_text(_documented("toml", "## Archived fund files"), encoding="utf-8")
    result = run("check", str(MONEY_MARKET), "--today", "2026-03-31", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(f["code"], f["waived"]) for f in json.loads(result.output)] == [("FD007", True)]
    result = run("check", str(MONEY_MARKET), "--today", "2026-04-01", "--config", str(config), "--format", "json")
    assert result.exit_code == 1
    assert sorted((f["code"], f["waived"]) for f in json.loads(result.output)) == [("FD007", False), ("FD008", False)]


def test_documented_archive_check_pins_today(tmp_path):
    args = _documented("yaml", "2. **Check the archive").split("factsheets check ", 1)[1].split()
    assert args[1] == "--today"
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / ETF.name).write_text(ETF.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("check", str(archive), *args[1:3]).exit_code == 0  # fresh on the day it was published
    assert run("check", str(archive)).exit_code == 1  # and stale today, as it should be


def test_render_with_no_readable_history_reports_each_file_once(tmp_path):
    """Every history file missing: each is one PF001 at its field, and `--render` adds no render failure."""
    fund = tmp_path / "990101.yaml"
    fund.write_bytes((ROOT / "tests" / "data" / "funds" / "990101.yaml").read_bytes())
    result = run("check", "--render", str(fund), "--today", "2025-11-10", "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.output)
    assert sorted(f["code"] for f in found) == ["PF001"] * 3
    assert {f["message"].split(":")[0] for f in found} == {"history/nav/990101.csv", "history/nav/990102.csv",
                                                          "history/benchmark/990101.csv"}


def test_one_default_maximum_age():
    from factsheets.rules import check, fund_data

    assert fund_data.DEFAULT_MAX_AGE == 45 and not hasattr(check, "DEFAULT_MAX_AGE")
