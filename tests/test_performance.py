"""Performance figures (factsheets/performance.py): agreement with an independent pandas
implementation (tests/reference_performance.py) on the house export and on generated histories,
properties that any correct total-return engine has, and the CN / HK display rules written out by
hand from PERFORMANCE.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factsheets.figures.performance import (
    PerformanceError,
    add_months,
    allowed,
    class_performance,
    figures_too_old,
    growth,
    growth_chart,
    percent,
    returns,
    too_young,
    total_return,
    typed_calendar_years,
    years_before,
)
from factsheets.fund.nav import LevelSeries, NavHistory, read_levels, read_nav

from . import reference_performance as reference

EXPORT = Path(__file__).parent / "data" / "house-export"
D = dt.date
TOLERANCE_PP = 0.005  # percentage points

PROPS = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def export_classes() -> list[dict]:
    """Every share class of the export with its fund's jurisdiction, inception, as_of and benchmark file."""
    book = openpyxl.load_workbook(EXPORT / "fund-range.xlsx", read_only=True)
    try:
        funds = {row[0]: row for row in book["funds"].iter_rows(min_row=2, values_only=True)}
        out = []
        for code, name, class_code, currency, inception, *_ in book["share_classes"].iter_rows(min_row=2, values_only=True):
            fund = funds[code]
            bench = EXPORT / "benchmark" / f"{code}.csv"
            out.append({"fund": code, "class": name, "code": class_code, "jurisdiction": fund[1], "currency": currency,
                        "inception": inception.date(), "as_of": fund[5].date(), "nav": EXPORT / "nav" / f"{class_code}.csv",
                        "benchmark": bench if bench.exists() else None})
        return out
    finally:
        book.close()


CLASSES = export_classes()


def assert_agrees(mine, theirs, label: str) -> None:
    assert set(mine) == set(theirs), f"{label}: keys differ: {sorted(set(mine) ^ set(theirs))}"
    for key, figure in mine.items():
        exact, start, end = theirs[key]
        assert abs(figure.exact - exact) * 100 < TOLERANCE_PP, (label, key, figure.exact, exact)
        assert abs(float(figure.value) - exact * 100) <= TOLERANCE_PP + 1e-9, (label, key, figure.value, exact)
        assert (figure.start, figure.end) == (start, end), (label, key)


# --- the house export against the independent implementation ----------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c["code"])
def test_export_class_and_benchmark_agree_with_pandas(cls):
    history = read_nav(cls["nav"], inception=cls["inception"], as_of=cls["as_of"])
    assert_agrees(returns(history, inception=cls["inception"], as_of=cls["as_of"]),
                  reference.nav_figures(cls["nav"], cls["inception"], cls["as_of"]), cls["code"])
    if cls["benchmark"]:
        levels = read_levels(cls["benchmark"])
        assert_agrees(returns(levels, inception=cls["inception"], as_of=cls["as_of"]),
                      reference.level_figures(cls["benchmark"], cls["inception"], cls["as_of"]), f"benchmark of {cls['code']}")


def test_export_figures_a_reader_can_check_by_hand():
    # No dividends: since inception is the ratio of the last NAV to the first.
    young = returns(read_nav(EXPORT / "nav" / "990401.csv"), inception=D(2025, 6, 20), as_of=D(2025, 10, 31))
    assert young["since_inception"].value == Decimal("-7.09")  # 0.9291 / 1.0000 - 1
    acc = returns(read_nav(EXPORT / "nav" / "LU0000990301.csv"), inception=D(2018, 6, 1), as_of=D(2025, 10, 31))
    assert acc["since_inception"].value == Decimal("76.87")  # 17.6869 / 10.0000 - 1
    days = (D(2025, 10, 31) - D(2018, 6, 1)).days
    assert acc["since_inception_annualised"].value == Decimal("7.99")  # 1.76869 ** (365 / 2709) - 1
    assert days == 2709 and acc["since_inception_annualised"].annualised
    # The distributing class of the same portfolio, dividends reinvested, ends within a cent of it.
    mdis = returns(read_nav(EXPORT / "nav" / "LU0000990319.csv"), inception=D(2018, 6, 1), as_of=D(2025, 10, 31))
    assert abs(mdis["since_inception"].exact - acc["since_inception"].exact) < 0.0005
    # Calendar 2024 of the benchmark: the ratio of its levels on the last days of 2023 and 2024.
    bench = returns(read_levels(EXPORT / "benchmark" / "990101.csv"), inception=D(2019, 3, 15), as_of=D(2025, 10, 31))
    assert (bench["2024"].start, bench["2024"].end) == (D(2023, 12, 29), D(2024, 12, 31))


def test_export_classes_as_a_factsheet_shows_them():
    by_code = {c["code"]: c for c in CLASSES}

    def perf(code):
        c = by_code[code]
        bench = read_levels(c["benchmark"]) if c["benchmark"] else None
        return class_performance(read_nav(c["nav"]), jurisdiction=c["jurisdiction"], inception=c["inception"],
                                 as_of=c["as_of"], benchmark=bench, code=code)

    a = perf("990101")
    assert a.keys == ("ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised",
                      "2019", "2020", "2021", "2022", "2023", "2024")
    assert a.fund["2019"].partial and a.fund["2019"].start == D(2019, 3, 15)
    assert a.missing_benchmark == ()
    assert a.benchmark is not None and tuple(a.benchmark) == a.keys
    bond = perf("990201")  # launched 2017-08-01: its five months of 2017 are not shown in CN
    assert "2017" in bond.computed and "2017" not in bond.fund
    assert bond.keys[-7:] == ("2018", "2019", "2020", "2021", "2022", "2023", "2024")
    hk = perf("LU0000990319")  # HK: the last five complete years, no launch year, no benchmark
    assert hk.keys == ("ytd", "1y", "3y", "5y", "since_inception", "since_inception_annualised",
                       "2020", "2021", "2022", "2023", "2024")
    assert hk.benchmark is None and hk.allowed.publish_by == D(2026, 1, 31)
    young = perf("990401")
    assert young.too_young and young.keys == () and young.chart is None
    assert young.computed["since_inception"].value == Decimal("-7.09")  # computed, never shown


def test_growth_chart_of_a_fund_older_than_five_years():
    c = next(c for c in CLASSES if c["code"] == "990101")
    history, bench = read_nav(c["nav"]), read_levels(c["benchmark"])
    chart = growth_chart(history, inception=c["inception"], as_of=c["as_of"], benchmark=bench)
    figures = returns(history, inception=c["inception"], as_of=c["as_of"])
    assert not chart.since_inception
    assert (chart.start, chart.end) == (figures["5y"].start, D(2025, 10, 31))
    assert chart.fund[0] == chart.benchmark[0] == 10_000.0
    assert chart.fund[-1] == round(10_000 * (1 + figures["5y"].exact), 2)
    assert len(chart.dates) == 61  # the start and 60 month ends
    dates = history.dates.astype(object).tolist()
    for day in chart.dates[1:-1]:  # every inner point is the last dealing day of its month
        following = dates[dates.index(day) + 1]
        assert (following.year, following.month) != (day.year, day.month)


def test_growth_chart_of_a_young_fund_starts_at_inception():
    days = np.arange(np.datetime64("2023-03-01"), np.datetime64("2025-03-01"))
    days = days[np.is_busday(days)]
    history = NavHistory.from_values(days, 1 + np.arange(len(days)) / 1000)
    chart = growth_chart(history, inception=D(2023, 3, 1), as_of=D(2025, 2, 28))
    assert chart.since_inception and chart.start == D(2023, 3, 1) and chart.benchmark is None
    assert chart.fund[-1] == round(10_000 * history.unit_nav[-1], 2)
    assert len(chart.dates) == 25  # inception, and 24 month ends (February 2025's is the end)


# --- rounding and dates ---------------------------------------------------------------------------


def test_percent_rounds_half_up_away_from_zero():
    assert percent(0.123449) == Decimal("12.34")
    assert percent(0.12345) == Decimal("12.35")
    assert percent(-0.12345) == Decimal("-12.35")
    assert percent(2.2469 / 2.0 - 1) == Decimal("12.35")  # 12.345 % exactly on paper
    assert str(percent(-0.00001)) == "0.00"


def test_a_return_exactly_half_way_rounds_up_in_the_engine():
    history = NavHistory.from_values(["2024-01-02", "2024-01-03"], ["2.0000", "2.2469"])
    assert returns(history, inception=D(2024, 1, 2), as_of=D(2024, 1, 3))["since_inception"].value == Decimal("12.35")


@pytest.mark.parametrize("day, months, expected", [
    (D(2024, 8, 31), 6, D(2025, 2, 28)),
    (D(2024, 2, 29), -12, D(2023, 2, 28)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 2, 29), 48, D(2028, 2, 29)),
    (D(2023, 12, 31), 2, D(2024, 2, 29)),
    (D(2025, 1, 31), -1, D(2024, 12, 31)),
    (D(2025, 3, 31), -13, D(2024, 2, 29)),
    (D(2025, 5, 31), 6, D(2025, 11, 30)),
    (D(2025, 10, 31), 0, D(2025, 10, 31)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_one_definition_of_six_months_old_everywhere():
    """The build (a young fund's statement), check (FD006) and the engine share performance.too_young."""
    from factsheets.rules import fund_data

    assert fund_data.too_young is too_young
    assert not hasattr(fund_data, "_add_months")


def test_one_definition_of_the_hong_kong_publication_limit():
    """check (FD007) and the figures' publish_by share performance.figures_too_old."""
    from factsheets.rules import fund_data

    assert fund_data.figures_too_old is figures_too_old
    rules = allowed("HK", D(2020, 1, 15), D(2025, 11, 30))
    assert not figures_too_old(D(2025, 11, 30), rules.publish_by) and figures_too_old(D(2025, 11, 30), rules.publish_by + dt.timedelta(days=1))


def test_years_before_and_publication_age():
    assert years_before(D(2024, 2, 29), 1) == D(2023, 2, 28)
    assert years_before(D(2025, 10, 31), 5) == D(2020, 10, 31)
    assert not figures_too_old(D(2025, 10, 31), D(2026, 1, 31))
    assert figures_too_old(D(2025, 10, 31), D(2026, 2, 1))
    assert not figures_too_old(D(2025, 11, 30), D(2026, 2, 28)) and figures_too_old(D(2025, 11, 30), D(2026, 3, 1))


# --- display rules, by hand from PERFORMANCE.md ------------------------------------------------------

SI, SIA = "since_inception", "since_inception_annualised"
AS_OF = D(2025, 10, 31)  # a Friday


@pytest.mark.parametrize("case, inception, as_of, keys, partial, optional", [
    ("a day under six months", D(2025, 5, 1), AS_OF, None, None, ()),
    ("six months and a day", D(2025, 4, 30), AS_OF, (SI,), None, ()),
    ("exactly six months", D(2025, 5, 31), D(2025, 11, 30), (SI,), None, ()),
    ("a day under a year: existed on 31 Dec, but no year to date", D(2024, 11, 1), AS_OF, (SI,), None, ()),
    ("one year", D(2024, 10, 31), AS_OF, ("ytd", "1y", SI, SIA), None, ("ytd",)),
    ("30 June: six months of the year passed, not more", D(2023, 1, 10), D(2025, 6, 30),
     ("1y", SI, SIA, "2023", "2024"), 2023, ("2023",)),
    ("1 July: more than six months passed", D(2023, 1, 10), D(2025, 7, 1),
     ("ytd", "1y", SI, SIA, "2023", "2024"), 2023, ("ytd", "2023")),
    ("a day under three years; launch part of two months", D(2022, 11, 1), AS_OF,
     ("ytd", "1y", SI, SIA, "2023", "2024"), None, ("ytd",)),
    ("three years", D(2022, 10, 31), AS_OF, ("ytd", "1y", "3y", SI, SIA, "2023", "2024"), None, ("ytd",)),
    ("a day under five years", D(2020, 11, 1), AS_OF,
     ("ytd", "1y", "3y", SI, SIA, "2021", "2022", "2023", "2024"), None, ("ytd",)),
    ("five years and a day", D(2020, 10, 30), AS_OF,
     ("ytd", "1y", "3y", "5y", SI, SIA, "2021", "2022", "2023", "2024"), None, ("ytd",)),
    ("launched 30 June: the launch part is six months and a day", D(2019, 6, 30), AS_OF,
     ("ytd", "1y", "3y", "5y", SI, SIA, "2019", "2020", "2021", "2022", "2023", "2024"), 2019, ("ytd", "2019")),
    ("launched 1 July: the launch part is under six months", D(2019, 7, 1), AS_OF,
     ("ytd", "1y", "3y", "5y", SI, SIA, "2020", "2021", "2022", "2023", "2024"), None, ("ytd",)),
    ("older than ten years: the last ten, the last five required", D(2012, 3, 15), AS_OF,
     ("ytd", "1y", "3y", "5y", SI, SIA) + tuple(str(y) for y in range(2015, 2025)), None,
     ("ytd", "2015", "2016", "2017", "2018", "2019")),
])
def test_cn_display_rules(case, inception, as_of, keys, partial, optional):
    rules = allowed("CN", inception, as_of)
    assert rules.too_young == (keys is None), case
    assert rules.keys == (keys or ()), case
    assert rules.partial_year == partial, case
    assert sorted(rules.optional) == sorted(optional), case
    assert rules.chart == (keys is not None) and rules.publish_by is None


@pytest.mark.parametrize("case, inception, as_of, keys", [
    ("a day under six months", D(2025, 5, 1), AS_OF, None),
    ("six months and a day", D(2025, 4, 30), AS_OF, (SI,)),
    ("a day under a year: year to date, not annualised", D(2024, 11, 1), AS_OF, ("ytd", SI)),
    ("one year", D(2024, 10, 31), AS_OF, ("ytd", "1y", SI, SIA)),
    ("a day under three years: no launch year", D(2022, 11, 1), AS_OF, ("ytd", "1y", SI, SIA, "2023", "2024")),
    ("three years", D(2022, 10, 31), AS_OF, ("ytd", "1y", "3y", SI, SIA, "2023", "2024")),
    ("a day under five years", D(2020, 11, 1), AS_OF, ("ytd", "1y", "3y", SI, SIA, "2021", "2022", "2023", "2024")),
    ("five years and a day", D(2020, 10, 30), AS_OF, ("ytd", "1y", "3y", "5y", SI, SIA, "2021", "2022", "2023", "2024")),
    ("older: the last five complete years", D(2012, 3, 15), AS_OF,
     ("ytd", "1y", "3y", "5y", SI, SIA, "2020", "2021", "2022", "2023", "2024")),
    ("year to date in January", D(2020, 1, 15), D(2025, 1, 10),
     ("ytd", "1y", "3y", SI, SIA, "2021", "2022", "2023", "2024")),
])
def test_hk_display_rules(case, inception, as_of, keys):
    rules = allowed("HK", inception, as_of)
    assert rules.too_young == (keys is None), case
    assert rules.keys == (keys or ()), case
    assert rules.partial_year is None and rules.optional == frozenset()
    assert rules.publish_by == add_months(as_of, 3)


def test_periods_are_measured_to_the_end_day():
    # as_of a Sunday, one year and a day after inception; the end day, Friday, is not a year after it.
    rules = allowed("CN", D(2024, 11, 29), D(2025, 11, 30), end=D(2025, 11, 28))
    assert rules.keys == ("ytd", SI)
    assert allowed("CN", D(2024, 11, 29), D(2025, 11, 30)).keys == ("ytd", "1y", SI, SIA)
    # The same in the engine: its end day is found from the history.
    days = np.arange(np.datetime64("2024-11-29"), np.datetime64("2025-12-01"))
    history = NavHistory.from_values(days[np.is_busday(days)], np.linspace(1, 1.1, int(np.is_busday(days).sum())))
    perf = class_performance(history, jurisdiction="CN", inception=D(2024, 11, 29), as_of=D(2025, 11, 30))
    assert perf.keys == ("ytd", SI) and perf.allowed.end == D(2025, 11, 28)


def test_bad_arguments():
    with pytest.raises(ValueError, match="jurisdiction must be CN or HK"):
        allowed("EU", D(2020, 1, 1), AS_OF)
    with pytest.raises(ValueError, match="before the inception date"):
        allowed("CN", AS_OF, D(2020, 1, 1))


# --- typed calendar-year returns --------------------------------------------------------------------


def test_typed_years_of_the_reference_money_market_fund():
    fund = {2019: Decimal("1.85"), 2020: Decimal("2.21"), 2021: Decimal("2.34"), 2022: Decimal("1.91"),
            2023: Decimal("2.02"), 2024: Decimal("1.67")}
    bench = {2019: Decimal("0.98"), 2020: Decimal("1.35"), 2021: Decimal("1.35"), 2022: Decimal("1.35"),
             2023: Decimal("1.35"), 2024: Decimal("1.10")}
    typed = typed_calendar_years("CN", D(2019, 3, 18), D(2025, 10, 31), fund, bench)
    assert typed.fund == fund and typed.benchmark == bench
    assert typed.partial_year == 2019 and typed.hidden == {} and typed.missing == ()


def test_typed_years_that_may_not_be_shown_say_why():
    fund = {y: Decimal("1.00") for y in (2017, 2018, 2019, 2020, 2021, 2023, 2024, 2025)}
    typed = typed_calendar_years("CN", D(2017, 8, 1), D(2025, 10, 31), fund)
    assert list(typed.fund) == [2018, 2019, 2020, 2021, 2023, 2024]
    assert typed.hidden == {
        2017: "2017 is the launch year, a partial year of six months or less (from 2017-08-01)",
        2025: "2025 is not a complete year at as_of 2025-10-31 (the current year is year to date)",
    }
    assert typed.missing == (2022,)  # every complete year of the last five is required
    hk = typed_calendar_years("HK", D(2018, 6, 1), D(2025, 10, 31), {y: Decimal(1) for y in range(2018, 2025)})
    assert list(hk.fund) == [2020, 2021, 2022, 2023, 2024]
    assert hk.hidden == {2018: "2018 is the launch year, a partial year, which Hong Kong factsheets do not show",
                         2019: "2019 is before the last 5 calendar years"}
    young = typed_calendar_years("CN", D(2025, 6, 20), D(2025, 10, 31), {2025: Decimal(1)})
    assert young.fund == {} and young.allowed.too_young
    assert young.hidden == {2025: "the fund is younger than six months at as_of: no performance may be shown"}
    under_a_year = typed_calendar_years("CN", D(2024, 3, 1), D(2025, 1, 31), {2024: Decimal(1)})
    assert under_a_year.hidden == {2024: "a fund younger than a year shows only its return since inception"}


# --- errors ----------------------------------------------------------------------------------------


def test_histories_that_cannot_give_the_figures():
    history = NavHistory.from_values(["2024-01-03", "2024-01-04"], [1, 1.01], source="nav/x.csv")
    with pytest.raises(PerformanceError, match="nav/x.csv: the history starts on 2024-01-03, not on the inception date 2024-01-02"):
        returns(history, inception=D(2024, 1, 2), as_of=D(2024, 1, 4))
    with pytest.raises(PerformanceError, match="the history ends on 2024-01-04, 11 dealing days before as_of 2024-01-19"):
        returns(history, inception=D(2024, 1, 3), as_of=D(2024, 1, 19))
    assert returns(history, inception=D(2024, 1, 3), as_of=D(2024, 1, 19), max_gap=None).end == D(2024, 1, 4)
    with pytest.raises(PerformanceError, match="as_of 2024-01-01 is before the inception date"):
        returns(history, inception=D(2024, 1, 3), as_of=D(2024, 1, 1))


def test_a_benchmark_starting_after_inception_has_no_figure_for_earlier_periods():
    days = np.arange(np.datetime64("2020-01-01"), np.datetime64("2025-11-01"))
    days = days[np.is_busday(days)]
    history = NavHistory.from_values(days, np.linspace(1, 2, len(days)))
    late = LevelSeries.from_values(days[days >= np.datetime64("2023-01-01")], np.linspace(100, 150, int((days >= np.datetime64("2023-01-01")).sum())))
    perf = class_performance(history, jurisdiction="CN", inception=D(2020, 1, 1), as_of=AS_OF, benchmark=late)
    assert perf.missing_benchmark == ("3y", "5y", SI, SIA, "2020", "2021", "2022", "2023")
    assert set(perf.benchmark) == {"ytd", "1y", "2024"}


# --- properties on generated histories ----------------------------------------------------------------


@st.composite
def histories(draw, dividends: bool = True):
    """A NAV history with 4-decimal NAVs and dividends, weekday dealing days with random gaps
    (some longer than ten days), starting on a drawn inception date (29 February among them) and
    running to a drawn as_of (29 February among them, and weekends)."""
    inception = draw(st.one_of(st.sampled_from([D(2016, 2, 29), D(2020, 2, 28), D(2019, 12, 31), D(2021, 1, 4)]),
                               st.dates(D(2014, 1, 1), D(2022, 12, 31))))
    as_of = draw(st.one_of(st.sampled_from([D(2024, 2, 29), D(2025, 2, 28), D(2025, 10, 31), D(2025, 11, 2)]),
                           st.dates(inception + dt.timedelta(days=200), D(2025, 12, 31))))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    days = np.arange(np.datetime64(inception), np.datetime64(as_of) + 1)
    days = days[np.is_busday(days) | (days == np.datetime64(inception))]
    keep = rng.random(len(days)) > draw(st.sampled_from([0.0, 0.05, 0.3]))
    if draw(st.booleans()):  # a long gap somewhere
        at = rng.integers(1, len(days))
        keep[at:at + rng.integers(5, 40)] = False
    keep[0] = True
    keep[-1] |= draw(st.booleans())
    days = days[keep]
    n = len(days)
    steps = np.exp(rng.normal(0.0003, 0.012, n))
    pre = np.round(draw(st.sampled_from([1.0, 10.0, 0.5])) * np.cumprod(steps), 4)
    dividend = np.zeros(n)
    if dividends:
        paid = rng.random(n) < 0.02
        paid[0] |= draw(st.booleans())
        paid[-1] |= draw(st.booleans())
        dividend[paid] = np.round(pre[paid] * rng.uniform(0.001, 0.05, int(paid.sum())), 4)
    unit = np.maximum(np.round(pre - dividend, 4), 0.0001)
    return days, unit, dividend, inception, as_of


def write_history(path: Path, days, unit, dividend) -> Path:
    acc = unit + np.cumsum(dividend)
    rows = [f"{d},{u:.4f},{a:.4f},{f'{x:.4f}' if x else ''}" for d, u, a, x in zip(days, unit, acc, dividend)]
    path.write_text("date,unit_nav,acc_nav,dividend_per_unit\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@PROPS
@given(histories())
@example((np.array(["2016-02-29", "2016-03-01", "2017-02-28", "2020-02-28", "2024-02-29"], dtype="datetime64[D]"),
          np.array([1.0, 1.01, 1.02, 1.03, 1.04]), np.array([0.01, 0.0, 0.02, 0.0, 0.05]), D(2016, 2, 29), D(2024, 2, 29)))
def test_generated_histories_agree_with_pandas(tmp_path_factory, drawn):
    """With gaps, leap days at the start and the end, and dividends on the first and last day."""
    days, unit, dividend, inception, as_of = drawn
    path = write_history(tmp_path_factory.mktemp("nav") / "g.csv", days, unit, dividend)
    history = read_nav(path, inception=inception, max_gap=None)
    mine = returns(history, inception=inception, as_of=as_of, max_gap=None)
    assert_agrees(mine, reference.nav_figures(path, inception, as_of), "generated")
    # The benchmark on other dates: every other dealing day and some weekend days.
    levels = path.with_name("b.csv")
    bench_days = np.unique(np.concatenate([days[::2], days[::7] + 1]))
    bench_days = bench_days[bench_days <= days[-1]]
    values = 1000 * np.exp(np.cumsum(np.sin(np.arange(len(bench_days))) / 100))
    levels.write_text("date,level\n" + "\n".join(f"{d},{v:.2f}" for d, v in zip(bench_days, values)) + "\n")
    bench = returns(read_levels(levels, max_gap=None), inception=inception, as_of=as_of, max_gap=None)
    assert_agrees(bench, reference.level_figures(levels, inception, as_of), "generated benchmark")


def from_drawn(drawn) -> tuple[NavHistory, dt.date, dt.date]:
    days, unit, dividend, inception, as_of = drawn
    return NavHistory.from_values(days, unit, dividend), inception, as_of


@PROPS
@given(histories(), st.data())
def test_returns_chain(drawn, data):
    """(1 + r_ab)(1 + r_bc) = 1 + r_ac for any days a <= b <= c."""
    history, inception, as_of = from_drawn(drawn)
    a, b, c = sorted(data.draw(st.lists(st.dates(inception, as_of), min_size=3, max_size=3)))
    r_ab, r_bc, r_ac = total_return(history, a, b), total_return(history, b, c), total_return(history, a, c)
    assert (1 + r_ab) * (1 + r_bc) == pytest.approx(1 + r_ac, rel=1e-12)


@PROPS
@given(histories(dividends=False), st.data())
def test_a_dividend_with_the_matching_nav_drop_changes_no_return(drawn, data):
    """Paying d on day k while the NAV drops by d (and stays proportionally lower) leaves every figure as it was."""
    history, inception, as_of = from_drawn(drawn)
    if len(history) < 2:
        return
    k = data.draw(st.integers(1, len(history) - 1))
    share = data.draw(st.floats(0.001, 0.5))
    unit = history.unit_nav.copy()
    paid = unit[k] * share
    unit[k:] *= (unit[k] - paid) / unit[k]
    dividend = np.zeros(len(unit))
    dividend[k] = paid
    paying = NavHistory.from_values(history.dates, unit, dividend)
    before = returns(history, inception=inception, as_of=as_of, max_gap=None)
    after = returns(paying, inception=inception, as_of=as_of, max_gap=None)
    assert list(after) == list(before)
    for key in before:
        assert after[key].exact == pytest.approx(before[key].exact, rel=1e-12, abs=1e-13), key
    assert np.allclose(growth(paying), growth(history), rtol=1e-12)


@PROPS
@given(histories())
def test_months_chain_to_the_calendar_year(drawn):
    """The twelve monthly returns of a calendar year, chained, give that year's figure."""
    history, inception, as_of = from_drawn(drawn)
    figures = returns(history, inception=inception, as_of=as_of, max_gap=None)
    for year in [int(k) for k in figures if k.isdigit() and not figures[k].partial]:
        month_ends = [D(year - 1, 12, 31)] + [add_months(D(year, 1, 31), m) for m in range(12)]
        chained = np.prod([1 + total_return(history, a, b) for a, b in zip(month_ends, month_ends[1:])])
        assert chained == pytest.approx(1 + figures[str(year)].exact, rel=1e-12)
