"""Defects found in review, each pinned by a test that failed before its fix."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from factsheets import BuildError, FundFileError, Renderer, load_fund, parse_variant, render_document
from factsheets.build.batch import Batch
from factsheets.build.pipeline import build_file
from factsheets.build.render_check import render_findings
from factsheets.documents.disclosures import library
from factsheets.documents.localise import Localiser
from factsheets.fund.load import FundLoader
from factsheets.fund.validate import validate_data
from factsheets.pdf.text import normalise, pdf_pages_text
from factsheets.rules.check import check_pdf_bytes

from .conftest import ETF, MONEY_MARKET, drop_statement, mutate


def data(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=FundLoader)


def test_a_statement_inside_another_does_not_stand_for_itself(tmp_path):
    # zh-CN money-market-not-deposit contains the whole zh-CN no-guarantee text.
    renderer = Renderer(template_dirs=[drop_statement(tmp_path / "templates", "no-guarantee")])
    with pytest.raises(BuildError) as caught:
        render_document(validate_data(data(MONEY_MARKET)), "zh-CN", renderer)
    assert "statement no-guarantee (version 1) is missing in zh-CN" in str(caught.value)


def test_a_risk_note_that_quotes_part_of_a_statement_builds_and_checks_clean(tmp_path):
    # "Invest with caution." is the end of risk-general ("Investment involves risks. Invest with caution.").
    note = mutate(ETF, tmp_path, "en: Recent volatility may persist. Investors should assess their risk tolerance and "
                                 "manage positions prudently.", "en: Invest with caution.")
    note = mutate(note, tmp_path, "zh-CN: 近期市场波动可能持续，投资者应评估自身风险承受能力，审慎管理仓位。", "zh-CN: 投资需谨慎。")
    fund = load_fund(note)
    document = render_document(fund, "bilingual")
    text = normalise("".join(pdf_pages_text(document.pdf)))
    assert text.count("Investwithcaution.") == 2 and text.count("投资需谨慎。") == 2  # the note, and the statement
    assert check_pdf_bytes(document.pdf, str(note), fund=fund) == []
    assert render_findings(fund, str(note), [parse_variant("bilingual")]) == []


def test_a_short_fund_text_found_across_two_statements_does_not_take_them_out(tmp_path):
    # Found by Hypothesis: a commentary of ".T" occurs where one statement ends ("…performance.") and
    # the next begins ("The fund manager…"): it is their words, not the fund's prose.
    fund = data(ETF)
    fund["commentary"] = {"en": ".T", "zh-CN": "。本"}
    document = render_document(validate_data(fund), "bilingual")
    assert normalise(".T") in normalise("".join(pdf_pages_text(document.pdf)))
    assert check_pdf_bytes(document.pdf, "f.yaml", fund=validate_data(fund)) == []


def test_a_fund_text_quoting_a_statement_next_to_another_statement_does_not_stand_for_it():
    """The other side of the rule above: a fund text that *is* a statement (or two), printed right
    next to a real statement, is still the fund's prose, and the statement it quotes is missing."""
    from types import SimpleNamespace

    from factsheets.pdf.text import place

    one = SimpleNamespace(id="one", texts={"en": "Past performance is not indicative of future results."})
    two = SimpleNamespace(id="two", texts={"en": "Investment involves risks."})
    three = SimpleNamespace(id="three", texts={"en": "This fund is not a bank deposit."})
    quoted = normalise("Key risks " + one.texts["en"] + " " + two.texts["en"] + " Page 1")
    assert {k[0]: bool(v) for k, v in place(quoted, [one, two], [one.texts["en"]]).items()} == {"one": False, "two": True}
    both = one.texts["en"] + " " + two.texts["en"]
    after = normalise(three.texts["en"] + " " + both + " Manager's view")
    assert {k[0]: bool(v) for k, v in place(after, [one, two, three], [both]).items()} == {"one": False, "two": False, "three": True}


def test_a_statement_quoted_in_the_commentary_does_not_stand_for_itself(tmp_path):
    # The quote is the library's wording as it stands: a copy of it went stale when the statement
    # was re-approved (version 2), and the test then passed whether or not the prose was claimed.
    quoted = library("CN").statement("past-performance").texts["en"]
    fund = data(ETF)
    fund["commentary"]["en"] += " " + quoted
    renderer = Renderer(template_dirs=[drop_statement(tmp_path / "templates", "past-performance")])
    with pytest.raises(BuildError, match="statement past-performance .* is missing in en"):
        render_document(validate_data(fund), "en", renderer)


def _plain(value):
    """JSON for a fund's data: numbers stay numbers, dates become ISO strings."""
    return float(value) if isinstance(value, Decimal) else str(value)


def test_a_fund_missing_one_zh_hk_text_fails_naming_it_instead_of_being_skipped(tmp_path):
    fund = data(MONEY_MARKET)
    del fund["commentary"]["zh-HK"]
    source = tmp_path / "fund.yaml"
    source.write_text(yaml.safe_dump(json.loads(json.dumps(fund, default=_plain)), allow_unicode=True), encoding="utf-8")
    (outcome,) = build_file(source, [parse_variant("zh-HK")], tmp_path / "out")
    assert outcome.status == "failed" and "commentary.zh-HK: missing, needed for the zh-HK variant" in outcome.message


def test_fund_returns_before_inception_are_rejected():
    fund = data(MONEY_MARKET)
    fund["fund"]["inception_date"] = dt.date(2020, 6, 1)
    with pytest.raises(FundFileError, match=r"performance\.annual_returns\.fund\.2019: a return for 2019 is before"):
        validate_data(fund)


def test_a_fund_younger_than_six_months_shows_no_performance():
    def text_for(inception: dt.date, year: int) -> str:
        fund = data(MONEY_MARKET)
        fund["as_of"] = dt.date(2025, 12, 31)
        fund["fund"]["inception_date"] = inception
        fund["performance"]["annual_returns"] = {"fund": {year: Decimal("0.5")}, "benchmark": {year: Decimal("0.4")}}
        return normalise("".join(pdf_pages_text(render_document(validate_data(fund), "en").pdf)))

    older = text_for(dt.date(2023, 6, 30), 2024)  # two and a half years: its complete year 2024 is shown
    assert "Calendar-yearreturns" in older and "0.50%" in older
    young = text_for(dt.date(2025, 7, 15), 2025)  # five and a half months: nothing of its own, and the reason
    assert "Calendar-yearreturns" not in young and "0.50%" not in young
    assert normalise("The fund's contract has been effective for less than six months, so its performance is not shown.") in young


@pytest.mark.parametrize("value,expected", [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (21, "21st"), (24, "24th")])
def test_english_percentiles_are_ordinals(value, expected):
    assert Localiser("en").ordinal_percentile(Decimal(value)) == f"{expected} percentile"


def test_figures_round_half_up_with_no_negative_zero():
    en = Localiser("en")
    assert en.percent(Decimal("73.25"), 1) == "73.3%"
    assert en.percent(Decimal("-0.001"), 2) == "0.00%"
    assert en.money(Decimal("999.123456"), "CNY") == "CN¥999.12"


def test_a_fifo_among_the_fund_files_fails_alone_and_does_not_hang(tmp_path):
    fifo = tmp_path / "stuck.yaml"
    os.mkfifo(fifo)
    (tmp_path / "513770.yaml").write_bytes(ETF.read_bytes())
    entries = Batch([fifo, tmp_path / "513770.yaml"], [parse_variant("en")], tmp_path / "out", jobs=1).run()
    status = {Path(e.source).name: e for e in entries}
    assert status["stuck.yaml"].status == "failed" and "not a regular file" in status["stuck.yaml"].error
    assert status["513770.yaml"].status == "written"


def test_written_pdfs_are_readable_by_others(tmp_path):
    (outcome,) = build_file(ETF, [parse_variant("en")], tmp_path)
    mode = stat.S_IMODE(outcome.path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_a_pdf_changed_on_disk_is_rebuilt(tmp_path):
    out = tmp_path / "out"
    Batch([ETF], [parse_variant("en")], out, jobs=1).run()
    target = out / "513770.en.pdf"
    original = target.read_bytes()
    target.write_bytes(original[:-10] + b"0123456789")  # same size, other bytes
    (entry,) = Batch([ETF], [parse_variant("en")], out, jobs=1).run()
    assert entry.status == "written" and target.read_bytes() == original


def test_relative_template_and_style_paths_work(tmp_path, monkeypatch):
    (tmp_path / "house.css").write_text("h2 { letter-spacing: 0.02em; }", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert render_document(validate_data(data(ETF)), "en", Renderer(style_files=[Path("house.css")])).pdf
