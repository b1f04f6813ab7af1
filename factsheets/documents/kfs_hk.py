"""What the SFC's Product Key Facts Statement of a Hong Kong fund shows in its rows (`templates/kfs-hk.html.j2`),
labelled as the regulator's template (`regulatory_templates/hk-kfs.yaml`) labels them: the Quick facts, the
launch dates under the performance, and the fee tables, each fee of each class shown, a fee not charged as N/A
(never left out).

A key facts statement is in one language: every value here is a string of that language (`Localiser`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from ..fund.model import Distribution, FundFile, LegalForm, ShareClass
from .localise import N_, Localiser
from .regulatory import Part, Template

# Which of a row's accepted labels a fund's facts choose (the template's first otherwise).
ROLE_LABEL = {"trustee": 0, "custodian": 1, "depositary": 2}  # Trustee, Custodian, Depositary (and their fees)
NOT_CHARGED = N_("N/A")
# The launch dates' labels the template accepts, by language: in Traditional Chinese a fund or class is launched on its
# 成立日期 (基金成立日期, 類別成立日期, as the factsheet says), not its 發行日, which a Hong Kong reader takes for an issue
# date.
LAUNCH_LABEL = {"zh-HK": 1}


@dataclass(frozen=True)
class FactRow:
    """A labelled row: the template row it is, its label as printed, its value a line each."""

    id: str
    label: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class FeeTable:
    """A fee table: its column headings (one for all classes, or one per class) and rows, each with a value per column."""

    heading: str  # over the labels' column
    columns: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]  # (row id, label, a value per column)


def per_class(fund: FundFile, loc: Localiser, values: list[str]) -> tuple[str, ...]:
    """One line when every class has the same value, else a line per class: "A USD MDis: 1.15%"."""
    from .labels import class_name

    if all(v == values[0] for v in values):
        return (values[0],)
    return tuple(loc._("{label}: {value}", label=class_name(loc, c), value=v) for c, v in zip(fund.fund.share_classes, values))


def fee_text(loc: Localiser, rate: Decimal | None, maximum: bool = False) -> str:
    """A fee as the table shows it: N/A when none is charged, "Up to 3.00%" for a maximum."""
    if rate is None or rate == 0:
        return loc._(NOT_CHARGED)
    shown = loc.percent(rate, 2)
    return loc._("Up to {rate}", rate=shown) if maximum else shown


def dividend_policy(loc: Localiser, share_class: ShareClass) -> str:
    """A distributing class's policy as the offering document words it; an accumulating class declares none."""
    if share_class.distribution is Distribution.accumulating:
        return loc._("No dividends will be declared (accumulating)")
    return loc.text(share_class.dividend_policy) if share_class.dividend_policy else ""


def quick_facts(fund: FundFile, loc: Localiser, part: Part) -> list[FactRow]:
    from .labels import DEALING, currency

    info = fund.fund
    classes = info.share_classes
    lang = loc.lang

    def row(row_id: str, lines: tuple[str, ...], index: int = 0) -> FactRow:
        return FactRow(row_id, part.find(row_id).label(lang, index), lines)

    company = 1 if info.legal_form is LegalForm.investment_company else 0  # a SICAV's Management Company
    rows = [row("manager", (loc.text(info.management_company),), company)]
    if info.investment_manager is not None:
        rows.append(row("investment-manager", (loc.text(info.investment_manager),)))
    rows.append(row("trustee", (loc.text(info.custodian.name),), ROLE_LABEL[info.custodian.role.value]))
    marker = "*" if info.ongoing_charges_note is not None else ""
    rows.append(row("ongoing-charges", per_class(fund, loc, [loc.percent(c.fees.ongoing_charges, 2) + marker for c in classes])))
    rows.append(row("dealing-frequency", (loc._(DEALING[info.dealing.value]),)))
    rows.append(row("base-currency", (currency(loc, info.currency),)))
    rows.append(row("dividend-policy", per_class(fund, loc, [dividend_policy(loc, c) for c in classes])))
    rows.append(row("financial-year-end", (month_day(loc, info.financial_year_end),)))
    rows.append(row("minimum-investment", per_class(fund, loc, [
        loc.amount(c.min_investment, info.class_currency(c)) for c in classes])))
    return rows


def month_day(loc: Localiser, value: str) -> str:
    """12-31 as "December 31", 12月31日."""
    import datetime as dt

    from babel.dates import format_skeleton

    month, day = (int(part) for part in value.split("-"))
    return format_skeleton("MMMMd", dt.date(2000, month, day), locale=loc.locale)


def launch_rows(fund: FundFile, loc: Localiser, part: Part, lead: ShareClass) -> list[FactRow]:
    """The fund's and the representative class's launch dates, under the performance."""
    info = fund.fund
    rows = []
    index = LAUNCH_LABEL.get(loc.lang, 0)
    if info.inception_date:
        rows.append(FactRow("fund-launch-date", part.find("fund-launch-date").label(loc.lang, index), (loc.date(info.inception_date),)))
    launch = lead.inception_date or info.inception_date
    if launch:
        rows.append(FactRow("class-launch-date", part.find("class-launch-date").label(loc.lang, index), (loc.date(launch),)))
    return rows


def fee_table(fund: FundFile, loc: Localiser, part: Part, values: dict[str, Callable[[ShareClass], str]], column: str,
              labels: dict[str, int] | None = None) -> FeeTable:
    """A fee table of the part's rows, `values` giving each row's value for a class: one column (headed `column`)
    for every class when the values agree row by row, else a column per class."""
    from .labels import class_name

    classes = fund.fund.share_classes
    found = [(r.id, r.label(loc.lang, (labels or {}).get(r.id, 0)), [values[r.id](c) for c in classes]) for r in part.rows]
    if all(len(set(v)) == 1 for _, _, v in found):
        return FeeTable(loc._("Fee"), (loc._(column),), tuple((i, label, (v[0],)) for i, label, v in found))
    return FeeTable(loc._("Fee"), tuple(class_name(loc, c) for c in classes), tuple((i, label, tuple(v)) for i, label, v in found))


def fees(fund: FundFile, loc: Localiser, template: Template) -> tuple[FeeTable, FeeTable]:
    """"Charges which may be payable by you" and "Ongoing fees payable by the fund": every fee of the template,
    for every class (a fee the fund does not charge as N/A)."""
    info = fund.fund
    dealing = fee_table(fund, loc, template.part("fees.1"), {
        "subscription-fee": lambda c: fee_text(loc, c.fees.max_subscription, True),
        "switching-fee": lambda c: fee_text(loc, c.fees.switching, True),
        "redemption-fee": lambda c: fee_text(loc, c.fees.max_redemption, True),
    }, N_("What you pay"))
    fund_fees = info.fund_fees
    ongoing = fee_table(fund, loc, template.part("fees.2"), {
        "management-fee": lambda c: fee_text(loc, c.fees.management),
        "trustee-fee": lambda c: fee_text(loc, fund_fees.trustee),
        "performance-fee": lambda c: fee_text(loc, c.fees.performance),
        "administration-fee": lambda c: fee_text(loc, fund_fees.administration),
    }, N_("Annual rate (as a % of the fund's value)"), {"trustee-fee": ROLE_LABEL[info.custodian.role.value]})
    return dealing, ongoing
