"""The PRIIPs KID as a reader and compliance see it: its figures read back from the PDF against an
independent computation, every EU statement word for word, the RTS's sections in order, at most three
pages, its date, and the failures that keep it from being written (never the fund's factsheet)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from decimal import Decimal
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
import yaml
from babel.dates import format_date

from factsheets.build.pipeline import build_file, render_document
from factsheets.documents import kid
from factsheets.errors import BuildError
from factsheets.figures.priips import PriipsInputs, compute
from factsheets.fund.validate import load_fund
from factsheets.pdf.text import normalise, pdf_pages_text

from .conftest import ROOT
from .test_priips import growth, ref_history, ref_market_risk, ref_windows

FUNDS = ROOT / "tests" / "data" / "funds"
FUND = FUNDS / "LU0000990301.yaml"
LIBRARY = ROOT / "factsheets" / "disclosures" / "eu.yaml"
MINUS = "\u2212"

# spec/priips.md, typed here: SRI by MRM class (rows 1-7) and credit risk class (columns 1-6), and the words.
SRI_TABLE = [[1, 1, 3, 5, 5, 6], [2, 2, 3, 5, 5, 6], [3, 3, 3, 5, 5, 6], [4, 4, 4, 5, 5, 6], [5, 5, 5, 5, 5, 6],
             [6, 6, 6, 6, 6, 6], [7, 7, 7, 7, 7, 7]]
SRI_WORDS = ["the lowest", "a low", "a medium-low", "a medium", "a medium-high", "the second-highest", "the highest"]

# The RTS's sections (Article 1 to 8 and Annexes), in order; the fourth names the manufacturer.
HEADINGS = ["Purpose", "Product", "What is this product?", "What are the risks and what could I get in return?",
            "What happens if Demo Asset Management (Luxembourg) S.A. is unable to pay out?", "What are the costs?",
            "How long should I hold it and can I take money out early?", "How can I complain?",
            "Other relevant information"]


@cache
def kid_pdf() -> bytes:
    return render_document(load_fund(FUND), "en", document="kid").pdf


@cache
def pages() -> list[str]:
    return pdf_pages_text(kid_pdf())


def lines() -> list[str]:
    return [line.strip() for page in pages() for line in page.splitlines()]


def text() -> str:
    """The KID's text on one line, white space collapsed (table cells wrap differently from the HTML)."""
    return " ".join(" ".join(pages()).split())


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def independent():
    """The figures from the fund's own files, read with csv, G(t) and the chain-linking of the reference
    implementation (tests/test_priips.py), and the inputs typed from the fund file."""
    spec = yaml.safe_load(FUND.read_text(encoding="utf-8"))
    as_of = spec["as_of"]
    rows = [r for r in read_csv(FUNDS / "history" / "nav" / "LU0000990301.csv") if dt.date.fromisoformat(r["date"]) <= as_of]
    dates, g = growth(rows)
    proxy = read_csv(FUNDS / "history" / "proxy" / "LU0000990301.csv")
    dates, prices = ref_history(dates, g, [dt.date.fromisoformat(r["date"]) for r in proxy], [float(r["level"]) for r in proxy])
    inputs = PriipsInputs("LU0000990301", rhp_years=3, credit_risk_class=2, entry_cost_pct=Decimal(3),
                          exit_cost_pct=Decimal(0), ongoing_costs_pct=Decimal("1.15"),
                          transaction_costs_pct=Decimal("0.21"), performance_fee_pct=Decimal(0))
    return dates, prices, compute(inputs, dates, prices).display()


def usd(amount: Decimal) -> str:
    return f"USD {int(amount):,}"


def pct(value: Decimal) -> str:
    return f"{MINUS if value < 0 else ''}{abs(value)}%"


# --- the figures ------------------------------------------------------------------------------------

def test_the_fund_figures_are_those_of_the_independent_computation():
    _, _, shown = independent()
    assert kid.figures(load_fund(FUND)).display() == shown


def test_scenarios_printed_are_the_computed_ones():
    _, _, shown = independent()
    found = lines()
    for name, label in [("stress", "Stress"), ("unfavourable", "Unfavourable"), ("moderate", "Moderate"),
                        ("favourable", "Favourable")]:
        rows = shown.scenarios[name]
        assert [r.years for r in rows] == [1, 3]
        amounts = f"{label} What you might get back after costs {' '.join(usd(r.amount) for r in rows)}"
        returns = f"Average return each year {' '.join(pct(r.average_return_pct) for r in rows)}"
        at = found.index(amounts)
        assert found[at + 1] == returns
    assert "Recommended holding period: 3 years" in found and "Example investment: USD 10,000" in found
    assert "If you exit after 1 year If you exit after 3 years" in text()


def test_costs_printed_are_the_computed_ones():
    _, _, shown = independent()
    assert [c.years for c in shown.costs_over_time] == [1, 3]
    found = lines()
    assert f"Total costs {' '.join(usd(c.total_costs) for c in shown.costs_over_time)}" in found
    assert f"Annual cost impact (*) {' '.join(pct(c.annual_cost_impact_pct) for c in shown.costs_over_time)}" in found
    rhp = shown.costs_over_time[-1]
    assert (f"your average return each year is projected to be {pct(rhp.return_before_pct)} before costs and "
            f"{pct(rhp.return_after_pct)} after costs") in text()
    items = {c.item: c for c in shown.composition}
    rows = text()[text().index("Composition of costs"):text().index("How long should I hold it")]

    def row(start: str, end: str) -> str:
        return rows[rows.index(start):rows.index(end)]

    entry = row("Entry costs", "Exit costs")
    assert entry.startswith(f"Entry costs {items['entry'].pct}% of the amount you pay in") and entry.endswith(f"{usd(items['entry'].amount)} ")
    assert items["exit"].amount is None and row("Exit costs", "Ongoing costs") == \
        "Exit costs We do not charge an exit fee for this product. N/A "
    ongoing = row("Management fees and other administrative or operating costs", "Transaction costs")
    assert f" {items['ongoing'].pct}% of the value of your investment per year." in ongoing
    assert ongoing.endswith(f"{usd(items['ongoing'].amount)} ")
    transaction = row("Transaction costs", "Incidental costs")
    assert transaction.startswith(f"Transaction costs {items['transaction'].pct}% of the value of your investment per year.")
    assert transaction.endswith(f"{usd(items['transaction'].amount)} ")
    assert rows.endswith(f"Performance fees There is no performance fee for this product. {usd(items['performance'].amount)} ")
    # they add up to the 1-year total
    assert sum(c.amount or 0 for c in shown.composition) == shown.costs_over_time[0].total_costs


def test_the_risk_scale_marks_the_class_from_the_sri_table():
    dates, prices, shown = independent()
    sri = SRI_TABLE[ref_market_risk(dates, prices, 3).mrm - 1][2 - 1]
    assert shown.sri == sri == 3
    assert f"We have classified this product as {sri} out of 7, which is {SRI_WORDS[sri - 1]} risk class." in text()
    with pdfplumber.open(io.BytesIO(kid_pdf())) as pdf:
        page = pdf.pages[0]
        below = next(w for w in page.extract_words() if w["text"] == "indicator")["bottom"]
        digits = [c for c in page.chars if c["text"] in "1234567" and below < c["top"] < below + 30]
        assert [c["text"] for c in digits] == list("1234567")
        # the class is the one digit drawn light on a dark box; the others are dark on light boxes
        light = [c["text"] for c in digits if sum(c["non_stroking_color"]) / len(c["non_stroking_color"]) > 0.9]
        assert light == [str(sri)]
        box = [r for r in page.rects if r["fill"] and r["x0"] <= digits[sri - 1]["x0"] <= r["x1"] and r["top"] <= digits[sri - 1]["top"] <= r["bottom"]]
        assert box and all(sum(r["non_stroking_color"]) / 3 < 0.4 for r in box)


# --- the statements and the sections ----------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
          "December")
# The library's header, in words: the market risk class and the credit risk class.
MRM_LEVELS = ["very low", "low", "medium-low", "medium", "medium-high", "high", "very high"]
CRM_CLAUSES = ["are very unlikely to", "are very unlikely to", "are unlikely to", "could", "are likely to", "very likely will"]


def test_every_eu_statement_stands_word_for_word_with_its_placeholders_filled():
    dates, prices, _ = independent()
    spec = yaml.safe_load(FUND.read_text(encoding="utf-8"))
    mrm = ref_market_risk(dates, prices, 3).mrm
    sri = SRI_TABLE[mrm - 1][2 - 1]
    class_start = dt.date.fromisoformat(read_csv(FUNDS / "history" / "nav" / "LU0000990301.csv")[0]["date"])
    # complete calendar years of the class from its launch (2018-06-01) to as_of (2025-10-31): 2019 to 2024
    complete = [y for y in range(class_start.year + 1, spec["as_of"].year)]
    values = {"sri": sri, "sri_words": SRI_WORDS[sri - 1], "rhp": 3, "currency": "USD", "mrm_level": MRM_LEVELS[mrm - 1],
              "crm_clause": CRM_CLAUSES[2 - 1], "payer": "the fund's capacity", "amount": "USD 10,000",
              "depositary": spec["fund"]["custodian"]["name"]["en"], "years": min(len(complete), 10),
              "past_performance_url": spec["fund"]["past_performance_url"], "scenarios_url": spec["fund"]["scenarios_url"]}
    statements = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))["statements"]
    assert len(statements) == 18
    found = normalise(" ".join(pages()))
    windows = ref_windows(dates, prices, 3)
    for statement in statements:  # currency-risk and default-risk-ucits too: a UCITS class in USD, not the euro
        if statement.get("repeat"):  # scenario-window: once for each scenario at the RHP, from its past window
            for name in ("unfavourable", "moderate", "favourable"):
                start, end = windows[name]
                where = ("in the product" if start >= class_start else "in the proxy" if end < class_start
                         else "in the product and then the proxy")
                filled = statement["en"].format(scenario=name.capitalize(), investment=where,
                                                start=f"{MONTHS[start.month - 1]} {start.year}",
                                                end=f"{MONTHS[end.month - 1]} {end.year}")
                assert normalise(filled) in found, (statement["id"], name)
            continue
        assert normalise(statement["en"].format(**values)) in found, statement["id"]


def test_sections_stand_in_the_rts_order():
    found = lines()
    at = [found.index(heading) for heading in HEADINGS]
    assert at == sorted(at)
    assert [h for h in found if h in ("Risk indicator", "Performance scenarios", "Costs over time", "Composition of costs")] == \
        ["Risk indicator", "Performance scenarios", "Costs over time", "Composition of costs"]


def test_the_kid_has_at_most_three_pages_and_names_the_product_and_its_manufacturer():
    assert len(pages()) <= 3
    found = text()
    for part in ("Demo Asia Income Bond Fund, A USD Acc", "LU0000990301", "Manufacturer Demo Asset Management (Luxembourg) S.A.",
                 "Website https://funds.example.com", "Call +352 0000 0000 for more information",
                 "Commission de Surveillance du Secteur Financier (CSSF) is responsible for supervising Demo Asset Management "
                 "(Luxembourg) S.A. in relation to this Key Information Document.",
                 "Retail investors with basic knowledge of bond funds"):
        assert part in found, part


def test_its_date_of_production_is_the_as_of_date():
    as_of = yaml.safe_load(FUND.read_text(encoding="utf-8"))["as_of"]
    produced = format_date(as_of, "long", locale="en_IE")  # an EU document's English writes the day first
    assert produced == "31 October 2025" and produced != format_date(dt.date.today(), "long", locale="en_IE")
    assert f"Date of production: {produced}" in lines() and f"Date of production {produced}" in lines()
    import pikepdf

    with pikepdf.open(io.BytesIO(kid_pdf())) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20251031")


def test_a_euro_class_carries_no_currency_risk_statement(tmp_path):
    source = copy_fund(tmp_path, [("    currency: USD\n    inception_date: 2018-06-01\n    fees:",
                                   "    currency: EUR\n    inception_date: 2018-06-01\n    fees:")])
    fund = load_fund(source)
    from factsheets.build.pipeline import default_renderer
    from factsheets.documents.variants import parse_variant

    html, statements = default_renderer().html(fund, parse_variant("en"), "kid")
    assert "currency-risk" not in [s.id for s in statements] and "currency risk" not in html
    assert "EUR 10,000" in html and "EUR 8,117" in html


# --- what keeps a KID from being written --------------------------------------------------------------

def copy_fund(tmp_path: Path, changes: list[tuple[str, str]]) -> Path:
    """The fund file in tmp_path with its history files, changed (each change must apply)."""
    shutil.copytree(FUNDS / "history", tmp_path / "history")
    text_ = FUND.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text_, old
        text_ = text_.replace(old, new, 1)
    target = tmp_path / FUND.name
    target.write_text(text_, encoding="utf-8")
    return target


def test_a_short_history_without_proxy_fails_the_kid_with_its_dates_and_the_factsheet_still_builds(tmp_path):
    source = copy_fund(tmp_path, [("  proxy: history/proxy/LU0000990301.csv\n", "")])
    out = tmp_path / "out"
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "factsheets", "build", str(source), "--doc", "factsheet,kid", "--lang", "en",
                             "--out", str(out), "-j", "1"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    days = len(read_csv(FUNDS / "history" / "nav" / "LU0000990301.csv"))
    assert (f"{source}: priips: the price history of LU0000990301 (history/nav/LU0000990301.csv, no priips.proxy): the "
            f"performance scenarios need 10 years of prices (spec/priips.md, Annex IV points 5-6); the history has {days} days "
            "(from 2018-06-01 to 2025-10-31), so it needs prices back to 2015-10-31: extend it with a proxy") in result.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == ["LU0000990301.en.pdf"]
    assert "1 written" in result.stdout and "1 failed" in result.stdout


def test_a_kid_of_four_pages_fails_naming_what_overflows(tmp_path):
    long = "The fund invests in bonds issued in Asia and manages its duration actively. " * 90  # past its tightest form
    kid_objective = "  objective:\n    en: The fund aims to provide income and capital growth over the medium term by\n"
    source = copy_fund(tmp_path, [(kid_objective, kid_objective.replace("en: ", f"en: {long}"))])
    with pytest.raises(BuildError) as caught:
        render_document(load_fund(source), "en", document="kid")
    message = str(caught.value)
    assert "kid.en: 4 pages, more than the 3 a PRIIPs KID may have; page 4 starts with '" in message
    assert message.endswith("; no PDF written")
    outcomes = build_file(source, None, tmp_path / "out", documents=("kid",))
    assert [o.status for o in outcomes] == ["failed"] and not list((tmp_path / "out").glob("*.pdf"))


def test_stated_figures_that_disagree_fail_the_kid_only(tmp_path):
    source = copy_fund(tmp_path, [("  proxy: history/proxy/LU0000990301.csv",
                                   "  proxy: history/proxy/LU0000990301.csv\n  sri: 5\n  costs_over_time:\n  - years: 3\n"
                                   "    total_costs: 863\n    annual_cost_impact: 2.5")])
    fund = load_fund(source)
    with pytest.raises(BuildError) as caught:
        kid.statement_values(fund)
    assert str(caught.value) == ("LU0000990301: kid.en: priips.sri: the fund file states SRI 5; the price history gives 3 "
                                 "(MRM class 3, VEV 5.92%, credit risk class 2); no PDF written")
    outcomes = build_file(source, None, tmp_path / "out", documents=("factsheet", "kid"))
    assert {o.variant: o.status for o in outcomes} == {"en": "written", "zh-HK": "written", "en+zh-HK": "written",
                                                      "kid.en": "failed"}


def test_the_figures_are_computed_once_per_fund():
    fund = load_fund(FUND)
    assert kid.figures(fund) is kid.figures(fund)
    assert kid.history_of(fund).start == dt.date(2013, 1, 2) and kid.history_of(fund).end == dt.date(2025, 10, 31)


@pytest.mark.parametrize(("changes", "shown", "absent"), [
    # a one-year holding period: one column, which is the recommended one
    ([("recommended_holding_period_years: 3", "recommended_holding_period_years: 1")],
     ["If you exit after 1 year (recommended holding period)", "Recommended holding period: 1 year"],
     ["If you exit after 3 years"]),
    # an exit cost and a performance fee: their percentages and amounts instead of "N/A" and "no fee"
    ([("    exit: 0\n", "    exit: 1\n"), ("    performance_fee: 0\n", "    performance_fee: 0.2\n")],
     ["1.00% of your investment before it is paid out to you.", "0.20% of the value of your investment per year.",
      "An exit cost of 1.00% applies when you take money out."],
     ["N/A", "We do not charge an exit fee", "There is no performance fee"]),
])
def test_the_kid_follows_the_fund_terms(tmp_path, changes, shown, absent):
    from factsheets.build.pipeline import default_renderer
    from factsheets.documents.variants import parse_variant

    fund = load_fund(copy_fund(tmp_path, changes))
    html, _ = default_renderer().html(fund, parse_variant("en"), "kid")
    words = re.sub(r"<[^>]+>", "", html)  # the text as read: a paragraph's last words stand in a span of their own
    for part in shown:
        assert part in words, part
    for part in absent:
        assert part not in words, part
    for item in kid.figures(fund).display().composition:  # each amount, or N/A for no exit cost
        assert f'<td class="num">{"N/A" if item.amount is None else usd(item.amount)}</td>' in html, item


def test_the_kid_says_what_the_product_is_in_law_how_to_complain_and_what_the_sri_leaves_out():
    """The offering documents' facts the RTS asks for (prospectus/v2): the legal form, umbrella and UCITS in "Type",
    the Depositary row of a UCITS, the other materially relevant risks, and a complaint's steps, website, postal and
    e-mail address (Art. 7); the identifier labelled ISIN, as the template does."""
    found = text()
    for part in ("ISIN LU0000990301",
                 "Type Bond fund, domiciled in Luxembourg: a sub-fund of Demo Global Funds SICAV, an open-ended investment "
                 "company, and a UCITS (an undertaking for collective investment in transferable securities).",
                 "Depositary Demo Depositary Bank (Luxembourg) S.A.",
                 "Other risks materially relevant to the fund that the summary risk indicator does not take into account: "
                 "contingent convertible bonds",
                 "Website: https://funds.example.com/complaints",
                 "Post: Demo Asset Management (Luxembourg) S.A., Complaints Officer, 1 rue de l'Exemple, L-1234 Luxembourg",
                 "E-mail: complaints@funds.example.com"):
        assert part in found, part
    at = [found.index(part) for part in ("How can I complain?", "Send your complaint in writing", "Other relevant information")]
    assert at == sorted(at)


def test_a_kid_without_its_offering_document_fields_fails_naming_each(tmp_path):
    path = copy_fund(tmp_path, [])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["priips"]["complaints"], data["fund"]["scenarios_url"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(BuildError) as error:
        render_document(load_fund(path), "en", document="kid")
    message = str(error.value)
    assert "kid.en: priips.complaints: required for the PRIIPs KID (kid): how to complain" in message
    assert "kid.en: fund.scenarios_url: required for the PRIIPs KID (kid)" in message


def test_the_kid_verifies_against_its_fund_file(tmp_path):
    """`verify --fund` reads the KID's figures back: its "Management fees and other administrative or operating
    costs" row (the ongoing costs, 1.15%) is no management fee (1.00% in the fund file)."""
    from click.testing import CliRunner

    from factsheets.cli import cli

    (tmp_path / "kid.pdf").write_bytes(kid_pdf())
    today = ["--today", "2025-11-15"]
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "kid.pdf"), "--fund", str(FUND), *today])
    assert result.exit_code == 0, result.output
    assert "All clear" in result.output
