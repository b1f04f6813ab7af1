"""The fund file: the reference files load, and every validation rule names its field."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml
from pydantic import ValidationError

from factsheets import FundFileError, load_fund
from factsheets.fund.dates import year_before
from factsheets.fund.load import FundLoader
from factsheets.fund.model import Contact, Priips, ShareClass

from .conftest import ETF, EXAMPLES, MONEY_MARKET, SHARED, mutate


def test_reference_etf_loads():
    fund = load_fund(ETF)
    assert fund.code == "513770"
    assert [c.code for c in fund.fund.share_classes] == ["513770", "017125", "017126"]
    assert fund.fund.risk.rating == "R4" and fund.fund.risk.min_investor == "C4"
    assert fund.holdings.top[0].weight == Decimal("19.22")
    assert isinstance(fund.fund.aum, Decimal)
    assert fund.index.annual_returns[2021] == Decimal("-36.61")


def test_money_market_loads_with_traditional_chinese():
    fund = load_fund(MONEY_MARKET)
    assert fund.index is None and fund.performance is not None
    assert fund.has_lang("zh-HK")
    assert not load_fund(ETF).has_lang("zh-HK")


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared beside this clone")
@pytest.mark.parametrize("name", ["examples/513770.yaml", "examples/990001-demo-money-market.yaml", "spec/disclosures-cn.yaml"])
def test_project_copies_match_shared_inputs(name):
    ours = EXAMPLES / name.split("/")[1] if name.startswith("examples") else EXAMPLES.parent / "factsheets/disclosures/cn.yaml"
    assert ours.read_bytes() == (SHARED / name).read_bytes()


def test_json_fund_file_with_same_structure_loads(tmp_path):
    data = yaml.load(ETF.read_text(encoding="utf-8"), Loader=FundLoader)
    path = tmp_path / "513770.json"
    # Numbers stay numbers (JSON reads them back as exact decimals); dates become ISO strings.
    path.write_text(json.dumps(data, default=lambda o: float(o) if isinstance(o, Decimal) else str(o)), encoding="utf-8")
    assert load_fund(path) == load_fund(ETF)


BAD = [
    # (old text, new text, dotted path, words of the message)
    ("  category: etf ", "  categroy: etf ", "fund.categroy", "unknown key"),
    ("min_investor: C4 ", "min_investor: C2 ", "fund.risk.min_investor", "C2 is below C4, the minimum for an R4 fund"),
    ("base_date: 2016-12-30", "base_date: 2022-12-30", "index.launch_date", "after launch date"),
    ("    2024: 23.04", "    2024: 23.04\n    2026: 1.5", "index.annual_returns.2026", "after as_of"),
    ("weight: 19.22", "weight: 119.22", "holdings.top.0.weight", "must be at most 100"),
    ("weight: 16.46", "weight: 26.46", "holdings.top.1.weight", "largest first"),
    ("top10_weight: 73.0", "top10_weight: 40.0", "holdings.top10_weight", "below 46.09"),
    ("rating: R4 ", "rating: R6 ", "fund.risk.rating", "R1"),
    ("    zh-CN: 港股互联网ETF\n", "", "fund.name.zh-CN", "required"),
    ('code: "017125"', "code: 017125", "fund.share_classes.1.code", "quote codes"),
]


@pytest.mark.parametrize("old,new,path,words", BAD, ids=[b[2] for b in BAD])
def test_each_rule_names_file_and_dotted_path(tmp_path, old, new, path, words):
    bad = mutate(ETF, tmp_path, old, new)
    with pytest.raises(FundFileError) as caught:
        load_fund(bad)
    lines = str(caught.value).splitlines()
    assert any(line.startswith(f"{bad}: {path}: ") and words in line for line in lines), lines


def test_weights_summing_above_100(tmp_path):
    bad = mutate(MONEY_MARKET, tmp_path, "weight: 31.20", "weight: 46.00")
    bad = mutate(bad, tmp_path, "weight: 18.05", "weight: 18.00", "fund2.yaml")
    with pytest.raises(FundFileError, match=r"holdings\.top: weights sum to 110\.50, above 100"):
        load_fund(bad)


def test_every_problem_is_listed_at_once(tmp_path):
    # One problem per section and rule; a section's cross-field rules need its fields valid,
    # so the out-of-range weight (BAD[4]) is left out of this combination.
    chosen = [BAD[i] for i in (0, 1, 2, 3, 5, 6, 8)]
    bad = ETF
    for i, (old, new, *_rest) in enumerate(chosen):
        bad = mutate(bad, tmp_path, old, new, f"step{i}.yaml")
    with pytest.raises(FundFileError) as caught:
        load_fund(bad)
    paths = {p.path for p in caught.value.problems}
    assert {b[2] for b in chosen} <= paths


@pytest.mark.parametrize(
    "content,words",
    [
        (b"", "file is empty"),
        (b"- a\n- b\n", "expected a mapping"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"a: 1\na: 2\n", "duplicate key 'a'"),
        (b"a: &x [1]\nb: *x\n", "aliases"),
        (b"a: [1,\n", "not valid YAML"),
    ],
)
def test_unreadable_files_get_one_clear_line(tmp_path, content, words):
    path = tmp_path / "fund.yaml"
    path.write_bytes(content)
    with pytest.raises(FundFileError) as caught:
        load_fund(path)
    assert str(caught.value).startswith(str(path)) and words in str(caught.value)


def test_nan_is_rejected_with_its_path(tmp_path):
    bad = mutate(ETF, tmp_path, "weight: 10.41", "weight: .nan")
    with pytest.raises(FundFileError, match=r"holdings\.top\.2\.weight"):
        load_fund(bad)


def test_year_before_is_the_same_day_a_year_earlier():
    assert year_before(date(2025, 10, 31)) == date(2024, 10, 31)
    assert year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert year_before(date(2025, 3, 1)) == date(2024, 3, 1)


@pytest.mark.parametrize("as_of,oldest_kept", [(date(2025, 10, 31), date(2024, 11, 1)), (date(2024, 2, 29), date(2023, 3, 1))])
def test_dividends_are_those_of_the_twelve_months_to_as_of(as_of, oldest_kept):
    def problems(ex_date: date) -> list[str]:
        data = {"class": "A", "code": "990101", "distribution": "monthly", "dividends": [{"ex_date": ex_date, "amount": 1}]}
        try:
            ShareClass.model_validate(data, context={"as_of": as_of})
        except ValidationError as error:
            return [str(item["ctx"]["summary"]) for item in error.errors()]
        return []

    assert problems(oldest_kept) == []
    assert problems(oldest_kept - timedelta(days=1)) == [
        f"{oldest_kept - timedelta(days=1)} is more than 12 months before as_of {as_of}"]


@pytest.mark.parametrize("key,value", [("website", "http://example.com"), ("phone", "call us")])
def test_the_kid_contact_follows_the_contact_rules(key, value):
    """priips.website and priips.phone are checked as fund.contact's are, with the same words."""
    def message(model) -> str:
        try:
            model.model_validate({key: value})
        except ValidationError as error:
            return next(item["msg"] for item in error.errors() if item["loc"] == (key,))
        raise AssertionError(f"{value!r} was accepted")

    assert message(Priips) == message(Contact) and value in message(Priips)
