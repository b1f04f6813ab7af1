"""The `factsheets` command as a user runs it: exit codes, messages, files written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ETF, EXAMPLES, mutate


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "factsheets", *args], capture_output=True, text=True, cwd=cwd)


def test_build_writes_each_variant(tmp_path):
    result = run("build", str(EXAMPLES), "--out", str(tmp_path), "--lang", "en,bilingual,zh-HK")
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert names == ["513770.bilingual.pdf", "513770.en.pdf", "990001.bilingual.pdf", "990001.en.pdf", "990001.zh-HK.pdf"]
    assert "skipped" in result.stdout and "publishes in en, zh-CN, not in zh-HK" in result.stdout
    assert all(p.read_bytes().startswith(b"%PDF-") for p in tmp_path.glob("*.pdf"))


def test_default_variants_are_the_funds_own_into_out(tmp_path):
    """Without --lang: one factsheet per language the fund publishes in, and English with each Chinese."""
    result = run("build", str(ETF), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["513770.bilingual.pdf", "513770.en.pdf", "513770.zh-CN.pdf"]
    single = run("build", str(ETF), "--lang", "bilingual", "--out", str(tmp_path / "one"))
    assert single.returncode == 0 and [p.name for p in (tmp_path / "one").glob("*.pdf")] == ["513770.bilingual.pdf"]


def test_bad_fund_file_lists_problems_exits_1_and_writes_nothing(tmp_path):
    bad = mutate(ETF, tmp_path, "min_investor: C4 ", "min_investor: C2 ")
    bad = mutate(bad, tmp_path, "  category: etf ", "  categroy: etf ", "bad.yaml")
    out = tmp_path / "out"
    result = run("build", str(bad), "--out", str(out))
    assert result.returncode == 1
    assert f"{bad}: fund.risk.min_investor: C2 is below C4, the minimum for an R4 fund" in result.stderr
    assert f"{bad}: fund.categroy: unknown key" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out.glob("*.pdf")) and not list(out.glob("*.part"))


def test_one_bad_fund_does_not_stop_the_others(tmp_path):
    funds = tmp_path / "funds"
    funds.mkdir()
    (funds / "good.yaml").write_bytes(ETF.read_bytes())
    (funds / "broken.yaml").write_text("schema: fund/v1\n", encoding="utf-8")
    result = run("build", str(funds), "--out", str(tmp_path / "out"), "--lang", "en")
    assert result.returncode == 1
    assert (tmp_path / "out" / "513770.en.pdf").is_file()
    assert "broken.yaml: fund: is required" in result.stderr
    assert "1 written, 0 unchanged, 0 skipped, 1 failed" in result.stdout


def test_missing_file_and_unknown_variant_are_usage_errors(tmp_path):
    missing = run("build", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    unknown = run("build", str(ETF), "--lang", "fr")
    assert unknown.returncode == 2 and "unknown variant 'fr'" in unknown.stderr


def test_manifest_lists_documents_and_a_rerun_renders_nothing(tmp_path):
    import hashlib
    import json

    out = tmp_path / "out"
    first = run("build", str(EXAMPLES), "--out", str(out), "--lang", "en,zh-CN", "--jobs", "2")
    assert first.returncode == 0, first.stderr
    rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {(r["fund"], r["variant"], r["status"]) for r in rows} == {
        (code, v, "written") for code in ("513770", "990001") for v in ("en", "zh-CN")
    }
    for row in rows:
        data = Path(row["path"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(data).hexdigest() and row["bytes"] == len(data) and row["pages"] >= 1
        assert "risk-general@1" in row["statements"] and len(row["inputs"]) == 64
    assert "money-market-not-deposit@1" in next(r for r in rows if r["fund"] == "990001")["statements"]
    assert (out / "manifest.csv").read_text(encoding="utf-8").startswith("source,variant,status")

    again = run("build", str(EXAMPLES), "--out", str(out), "--lang", "en,zh-CN")
    assert again.returncode == 0 and "0 written, 4 unchanged" in again.stdout

    (out / "513770.en.pdf").unlink()  # a missing output is rebuilt
    third = run("build", str(EXAMPLES), "--out", str(out), "--lang", "en,zh-CN")
    assert "1 written, 3 unchanged" in third.stdout
    forced = run("build", str(EXAMPLES), "--out", str(out), "--lang", "en,zh-CN", "--force")
    assert "4 written, 0 unchanged" in forced.stdout
