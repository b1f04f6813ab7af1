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
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["513770.bilingual.pdf", "513770.en.pdf", "990001.bilingual.pdf", "990001.en.pdf", "990001.zh-HK.pdf"]
    assert "skipped" in result.stdout and "no zh-HK texts" in result.stdout
    assert all(p.read_bytes().startswith(b"%PDF-") for p in tmp_path.iterdir())


def test_default_variant_is_bilingual_into_out(tmp_path):
    result = run("build", str(ETF), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["513770.bilingual.pdf"]


def test_bad_fund_file_lists_problems_exits_1_and_writes_nothing(tmp_path):
    bad = mutate(ETF, tmp_path, "min_investor: C4 ", "min_investor: C2 ")
    bad = mutate(bad, tmp_path, "  category: etf ", "  categroy: etf ", "bad.yaml")
    out = tmp_path / "out"
    result = run("build", str(bad), "--out", str(out))
    assert result.returncode == 1
    assert f"{bad}: fund.risk.min_investor: C2 is below C4, the minimum for an R4 fund" in result.stderr
    assert f"{bad}: fund.categroy: unknown key" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_one_bad_fund_does_not_stop_the_others(tmp_path):
    funds = tmp_path / "funds"
    funds.mkdir()
    (funds / "good.yaml").write_bytes(ETF.read_bytes())
    (funds / "broken.yaml").write_text("schema: fund/v1\n", encoding="utf-8")
    result = run("build", str(funds), "--out", str(tmp_path / "out"), "--lang", "en")
    assert result.returncode == 1
    assert (tmp_path / "out" / "513770.en.pdf").is_file()
    assert "broken.yaml: fund: is required" in result.stderr
    assert "1 written, 0 skipped, 1 failed" in result.stdout


def test_missing_file_and_unknown_variant_are_usage_errors(tmp_path):
    missing = run("build", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    unknown = run("build", str(ETF), "--lang", "fr")
    assert unknown.returncode == 2 and "unknown variant 'fr'" in unknown.stderr
