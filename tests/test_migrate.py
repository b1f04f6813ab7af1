"""`factsheets migrate`: fund/v1 files -> fund/v2, on the two reference examples and on bad input."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from factsheets.cli import cli
from factsheets.fund.load import read_data
from factsheets.fund.validate import load_fund

from .conftest import ETF, MONEY_MARKET


def migrate(*args: str):
    return CliRunner().invoke(cli, ["migrate", *args, "--today", "2025-11-10"], catch_exceptions=False)


def same_apart_from_schema(old: Path, new: Path) -> None:
    before, after = load_fund(old), load_fund(new)
    assert after.schema_ == "fund/v2" and before.schema_ == "fund/v1"
    assert after.model_dump(exclude={"schema_", "languages"}) == before.model_dump(exclude={"schema_", "languages"})
    assert after.publishes == before.publishes


@pytest.mark.parametrize("example,languages", [(ETF, ["en", "zh-CN"]), (MONEY_MARKET, ["en", "zh-CN", "zh-HK"])])
def test_the_reference_examples_migrate_to_files_that_validate(tmp_path, example, languages):
    source = tmp_path / example.name
    shutil.copy(example, source)
    result = migrate(str(source))
    assert result.exit_code == 0, result.output
    target = tmp_path / f"{example.stem}.v2.yaml"
    assert f"{source} -> {target}: fund/v2, languages {', '.join(languages)}" in result.output
    assert read_data(target)["languages"] == languages
    same_apart_from_schema(example, target)
    assert source.read_bytes() == example.read_bytes()  # the old file is left as it was
    old, new = example.read_text(encoding="utf-8"), target.read_text(encoding="utf-8")
    comments = [line for line in old.splitlines() if line.lstrip().startswith("#") or "  # " in line]
    assert comments and all(line in new.splitlines() for line in comments if "fund/v1" not in line)  # comments kept
    assert len(new.splitlines()) == len(old.splitlines()) + 1


def test_in_place_and_again(tmp_path):
    source = tmp_path / "fund.yaml"
    shutil.copy(ETF, source)
    assert migrate("--in-place", str(source)).exit_code == 0
    assert not (tmp_path / "fund.v2.yaml").exists()
    same_apart_from_schema(ETF, source)
    first = source.read_bytes()
    result = migrate("--in-place", str(source))
    assert result.exit_code == 0 and "fund/v2 already, nothing to do" in result.output and source.read_bytes() == first


def test_a_json_file(tmp_path):
    data = read_data(MONEY_MARKET)
    source = tmp_path / "fund.json"
    source.write_text(json.dumps(data, default=lambda v: float(v) if isinstance(v, Decimal) else v.isoformat(),
                                 ensure_ascii=False, indent=2), encoding="utf-8")
    result = migrate(str(source))
    assert result.exit_code == 0, result.output
    same_apart_from_schema(MONEY_MARKET, tmp_path / "fund.v2.json")


def test_a_file_whose_layout_cannot_be_edited_is_rewritten_from_its_data(tmp_path):
    source = tmp_path / "flow.yaml"  # JSON text is YAML too, in flow style: no `schema:` line to edit
    source.write_text(json.dumps(read_data(ETF), default=lambda v: float(v) if isinstance(v, Decimal) else v.isoformat(),
                                 ensure_ascii=False), encoding="utf-8")
    result = migrate(str(source))
    assert result.exit_code == 0, result.output
    assert "re-written from its data: its comments are not kept" in result.output
    same_apart_from_schema(ETF, tmp_path / "flow.v2.yaml")
    assert (tmp_path / "flow.v2.yaml").read_text(encoding="utf-8").startswith("schema: fund/v2\nlanguages:\n- en\n- zh-CN\n")


def test_a_file_that_would_not_validate_is_not_written(tmp_path):
    source = tmp_path / "fund.yaml"
    text = MONEY_MARKET.read_text(encoding="utf-8")
    source.write_text(text.replace("    zh-HK: 示例現金儲備貨幣市場基金\n", "", 1), encoding="utf-8")
    result = migrate(str(source))
    assert result.exit_code == 1
    assert f"{source}: fund.name.zh-HK: is required: the fund publishes in zh-HK" in result.output
    assert not (tmp_path / "fund.v2.yaml").exists()


def test_files_that_cannot_be_read(tmp_path):
    assert migrate(str(tmp_path / "none.yaml")).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: [fund/v1\n", encoding="utf-8")
    result = migrate(str(bad))
    assert result.exit_code == 2 and "not valid YAML" in result.output and "Traceback" not in result.output
    other = tmp_path / "other.yaml"
    other.write_text("schema: fund/v0\nas_of: 2025-01-01\n", encoding="utf-8")
    result = migrate(str(other))
    assert result.exit_code == 1 and "schema: must be fund/v1 to migrate" in result.output
