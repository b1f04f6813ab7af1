"""What the CSRC's 基金产品资料概要 of a mainland fund shows in its rows (`templates/kfs-cn.html.j2`), labelled as
the regulator's template (`regulatory_templates/cn-kfs.yaml`) labels them: the header's 编制日期 and 送出日期, 一、
产品概况, the texts of 二（一）, the sales charges of 三（一） class by class in their tiers by amount (M) and holding
period (N), and the operating fees of 三（二）, a fee not charged shown as such (never left out)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..fund.model import FundFile, RedemptionTier, ShareClass, SubscriptionTier
from .kfs_hk import FactRow, per_class
from .localise import N_, Localiser
from .regulatory import Template

NOT_CHARGED = N_("Not charged")
TEXT_ROWS = (("objective", "objective"), ("scope", "scope"), ("strategy", "strategy"), ("benchmark", "benchmark"),
             ("risk-return", "risk_return"))  # 二（一）: template row -> fund text


@dataclass(frozen=True)
class TierTable:
    """One class's sales charges: its name, and per fee (申购费, 赎回费) its label and tiers (band, charge)."""

    name: str
    fees: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # (row id, label, ((band, charge), ...))


def header(fund: FundFile, loc: Localiser, template: Template, sent_on: dt.date) -> list[FactRow]:
    """编制日期 (the offering documents' preparation date) and 送出日期 (the day the document is sent: the build's)."""
    part = template.header
    return [FactRow("prepared-on", part.find("prepared-on").label(loc.lang), (loc.date(fund.fund.prepared_on),)),
            FactRow("sent-on", part.find("sent-on").label(loc.lang), (loc.date(sent_on),))]


def class_short_name(fund: FundFile, loc: Localiser, share_class: ShareClass) -> str:
    """下属基金简称: the fund's short name and the class (示例价值精选混合A)."""
    return f"{loc.text(fund.fund.short_name)}{share_class.class_}"


def overview(fund: FundFile, loc: Localiser, template: Template) -> list[FactRow]:
    """一、产品概况, in the template's order."""
    from .labels import CATEGORY_LABELS, currency, exchange

    info = fund.fund
    part = template.part("overview")
    lang = loc.lang

    def row(row_id: str, lines: tuple[str, ...], index: int = 0) -> FactRow:
        return FactRow(row_id, part.find(row_id).label(lang, index), lines)

    rows = [row("short-name", (loc.text(info.short_name),)), row("code", (fund.code,))]
    if len(info.share_classes) > 1:
        rows.append(row("class-names-codes", tuple(class_short_name(fund, loc, c) for c in info.share_classes)))
        rows.append(row("class-names-codes", tuple(c.code for c in info.share_classes), 1))
    rows.append(row("manager", (loc.text(info.management_company),)))
    rows.append(row("custodian", (loc.text(info.custodian.name),)))
    rows.append(row("effective-date", (loc.date(info.inception_date),)))
    if info.exchange:
        rows.append(row("listing", (exchange(loc, info.exchange),)))
    rows.append(row("type", (loc._(CATEGORY_LABELS[info.category.value]),)))
    rows.append(row("currency", (currency(loc, info.currency),)))
    rows.append(row("operation", (loc.text(info.operation),)))
    rows.append(row("opening", (loc.text(info.opening),)))
    rows.append(row("managers", tuple(
        loc._("{name} (managing the fund since {since}; in the securities industry since {career})", name=loc.text(m.name),
              since=loc.date(m.since), career=loc.date(m.career_start)) for m in info.managers)))
    return rows


def texts(fund: FundFile, loc: Localiser, template: Template) -> list[tuple[str, str, str]]:
    """二（一）: (row id, label, text) of each text the template lists."""
    part = template.part("investment.1")
    return [(row_id, part.find(row_id).label(loc.lang), loc.text(getattr(fund.fund, field))) for row_id, field in TEXT_ROWS]


def _amount(loc: Localiser, value: Decimal, currency: str) -> str:
    """An amount of a tier: 100万元 in yuan where it is a round number of 万, else in full (¥1,500)."""
    if currency == "CNY" and value % 10_000 == 0 and value >= 10_000:
        return loc._("{amount} ten thousand yuan", amount=loc.number(value / 10_000, 0))
    return loc.amount(value, currency)


def _days(loc: Localiser, days: int) -> str:
    """A holding period: 7天, or 1年 for a whole number of years (365 days each)."""
    if days % 365 == 0:
        return loc._("{n} years", n=days // 365)
    return loc._("{n} days", n=days)


def _bands(bounds: list[tuple[str | None, str | None]], symbol: str) -> list[str]:
    """Bands as the template writes them: M<100万元, 100万元≤M<500万元, M≥500万元."""
    found, previous = [], None
    for high, low in bounds:
        if high is not None:
            found.append(f"{previous}≤{symbol}<{high}" if previous else f"{symbol}<{high}")
            previous = high
        else:
            found.append(f"{symbol}≥{low}")
    return found


def subscription(loc: Localiser, tiers: list[SubscriptionTier], currency: str) -> tuple[tuple[str, str], ...]:
    if not tiers:
        return (("", loc._(NOT_CHARGED)),)
    bands = _bands([(None if t.below is None else _amount(loc, t.below, currency), None if t.from_ is None else
                     _amount(loc, t.from_, currency)) for t in tiers], "M")
    charges = [loc.percent(t.rate, 2) if t.rate is not None else loc._("{amount} per subscription", amount=_amount(loc, t.fixed, currency))
               for t in tiers]
    return tuple(zip(bands, charges))


def redemption(loc: Localiser, tiers: list[RedemptionTier]) -> tuple[tuple[str, str], ...]:
    if not tiers:
        return (("", loc._(NOT_CHARGED)),)
    bands = _bands([(None if t.below_days is None else _days(loc, t.below_days), None if t.from_days is None else
                     _days(loc, t.from_days)) for t in tiers], "N")
    return tuple(zip(bands, (loc.percent(t.rate, 2) if t.rate else "0" for t in tiers)))


def sales_charges(fund: FundFile, loc: Localiser, template: Template) -> list[TierTable]:
    """三（一）: each class's subscription fee by amount and redemption fee by holding period."""
    from .labels import class_name

    part = template.part("fees.1")
    several = len(fund.fund.share_classes) > 1
    tables = []
    for c in fund.fund.share_classes:
        currency = fund.fund.class_currency(c)
        name = class_short_name(fund, loc, c) if several else class_name(loc, c)
        tables.append(TierTable(name, (
            ("subscription-fee", part.find("subscription-fee").label(loc.lang), subscription(loc, c.subscription_tiers, currency)),
            ("redemption-fee", part.find("redemption-fee").label(loc.lang), redemption(loc, c.redemption_tiers)),
        )))
    return tables


def operating_fees(fund: FundFile, loc: Localiser, template: Template) -> list[FactRow]:
    """三（二）: management, custody and sales service fees (a line per class where they differ), audit, disclosure and
    other fees."""
    info = fund.fund
    part = template.part("fees.2")
    classes = info.share_classes

    def rate(value: Decimal | None) -> str:
        return loc.percent(value, 2) if value else loc._(NOT_CHARGED)

    def yearly(value: Decimal) -> str:
        return loc._("{amount} a year", amount=loc.amount(value, info.currency))

    fees = info.operating_fees
    values = {
        "management-fee": per_class(fund, loc, [rate(c.fees.management) for c in classes]),
        "custody-fee": per_class(fund, loc, [rate(c.fees.custody) for c in classes]),
        "sales-service-fee": per_class(fund, loc, [rate(c.fees.sales_service) for c in classes]),
        "audit-fee": (yearly(fees.audit),),
        "disclosure-fee": (yearly(fees.disclosure),),
        "other-fees": (loc.text(fees.other),),
    }
    return [FactRow(r.id, r.label(loc.lang), values[r.id]) for r in part.rows]
