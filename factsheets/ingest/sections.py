"""A fund's rows of the workbook -> the sections of its fund file (fund/v2): its row of the funds sheet
gives the fund's own fields; its rows of the other sheets its share classes (with their NAV histories),
managers, allocations, holdings, commentary and PRIIPs data. Every value is recorded at the cell it came
from (`FundImport.cells`), and every problem of a cell is reported there; the model judges the whole
afterwards (`funds.py`). docs/mapping.md lists which column goes where."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from ..fund.model import LANGS
from .fund_import import Export, FundImport, is_code, put
from .histories import benchmark_history, nav_history, proxy_history
from .values import as_date, as_number, as_text, as_whole, shown
from .workbook import Row

DISTRIBUTIONS = ("accumulating", "monthly", "quarterly", "semi_annual", "annual")
DIMENSIONS = ("asset", "sector", "region", "rating")
FEES = (("management", "management_fee_pct"), ("custody", "custody_fee_pct"), ("sales_service", "sales_service_fee_pct"),
        ("max_subscription", "max_subscription_fee_pct"), ("max_redemption", "max_redemption_fee_pct"),
        ("ongoing_charges", "ongoing_charges_pct"))
COSTS = (("entry", "entry_cost_pct"), ("exit", "exit_cost_pct"), ("ongoing", "ongoing_costs_pct"),
         ("transaction", "transaction_costs_pct"), ("performance_fee", "performance_fee_pct"))
_LANGUAGES = {lang.lower().replace("_", "-"): lang for lang in LANGS}  # en, zh-cn, zh-hk -> the model's names


def _percent(value: Any) -> tuple[Decimal | None, str | None]:
    return as_number(value, "percent")


def _amount(value: Any) -> tuple[Decimal | None, str | None]:
    return as_number(value, "amount")


def build_fund(export: Export, fund: FundImport, rows: dict[str, list[Row]]) -> None:
    """Fills `fund.data` from the fund's row of the funds sheet and its `rows` of the other sheets (by sheet),
    in the order of the fund file, and reads the histories they name."""
    row, data = fund.row, fund.data
    fund.cells[""] = fund.cells["fund"] = fund.cells["fund.code"] = row.ref("fund_code")
    languages = _languages(fund, row)
    fund.languages = tuple(lang for lang in LANGS if lang in languages) if languages else LANGS
    as_of = fund.value("as_of", row, "as_of", as_date)
    data["schema"] = "fund/v2"
    put(data, "as_of", as_of)
    put(data, "jurisdiction", fund.value("jurisdiction", row, "jurisdiction", as_text))
    fund.cells["languages"] = row.ref("languages")
    put(data, "languages", languages)
    section: dict[str, Any] = {"code": fund.code}
    put(section, "name", fund.text("fund.name", row, "name"))
    put(section, "category", fund.value("fund.category", row, "category", as_text))
    put(section, "domicile", fund.value("fund.domicile", row, "domicile", as_text))
    put(section, "currency", fund.value("fund.currency", row, "currency", as_text))
    put(section, "inception_date", fund.value("fund.inception_date", row, "inception_date", as_date))
    risk: dict[str, Any] = {}
    put(risk, "rating", fund.value("fund.risk.rating", row, "risk_rating", as_text))
    put(risk, "min_investor", fund.value("fund.risk.min_investor", row, "min_investor", as_text))
    fund.cells["fund.risk"] = row.ref("risk_rating")
    put(section, "risk", risk)
    put(section, "aum", fund.value("fund.aum", row, "aum", _amount))
    fund.cells["fund.share_classes"] = row.ref("fund_code")
    classes = [_share_class(export, fund, i, r, section, as_of) for i, r in enumerate(rows.get("share_classes", []))]
    if not classes:
        fund.error(row.ref("fund_code"), f"the fund has no share class on the {export.tables['share_classes'].name} sheet")
    section["share_classes"] = classes
    put(section, "managers", [_manager(fund, i, r) for i, r in enumerate(rows.get("managers", []))])
    put(section, "benchmark", fund.text("fund.benchmark", row, "benchmark"))
    data["fund"] = section
    performance: dict[str, Any] = {}
    put(performance, "source", fund.text("performance.source", row, "performance_source"))
    put(data, "performance", performance)
    benchmark_history(export, fund, as_of)
    put(data, "allocations", _allocations(export, fund, rows.get("allocations", [])))
    put(data, "holdings", _holdings(export, fund, rows.get("holdings", [])))
    put(data, "commentary", _commentary(export, fund, rows.get("commentary", [])))
    priips = rows.get("priips", [])
    for extra in priips[1:]:
        fund.error(extra.ref("fund_code"), f"a second {extra.table.name} row for fund {fund.code} (the first is row {priips[0].number})")
    if priips:
        put(data, "priips", _priips(export, fund, priips[0], as_of))


def _languages(fund: FundImport, row: Row) -> list[str] | None:
    """The languages the fund publishes in (a comma-separated cell), in the model's spelling; None when the
    cell is empty or names a language that is not one."""
    text, problem = as_text(row.get("languages"))
    ref = row.ref("languages")
    if problem or not text:
        fund.error(ref, problem or "is empty: list the languages the fund publishes in, comma-separated, e.g. en,zh-CN")
        return None
    found, ok = [], True
    for part in (p.strip() for p in text.replace("，", ",").split(",")):
        lang = _LANGUAGES.get(part.lower().replace("_", "-"))
        if lang is None:
            fund.error(ref, f"{shown(part)} is not a language: the languages are en, zh-CN and zh-HK, comma-separated")
            ok = False
        elif lang in found:
            fund.error(ref, f"{lang} is listed twice")
        else:
            found.append(lang)
    for i in range(len(found)):
        fund.cells[f"languages.{i}"] = ref
    return found if ok and found else None


def _share_class(export: Export, fund: FundImport, i: int, row: Row, section: dict[str, Any],
                 as_of: dt.date | None) -> dict[str, Any]:
    """A share class from its row of the share_classes sheet, with its dividends and NAV history (whose
    inception and currency default to the fund's)."""
    path = f"fund.share_classes.{i}"
    fund.cells[path] = row.ref("class_code")
    out: dict[str, Any] = {}
    put(out, "class", fund.value(f"{path}.class", row, "class", as_text))
    code = fund.value(f"{path}.code", row, "class_code", as_text)
    put(out, "code", code)
    currency = fund.value(f"{path}.currency", row, "currency", as_text)
    put(out, "currency", currency)
    inception = fund.value(f"{path}.inception_date", row, "inception_date", as_date)
    put(out, "inception_date", inception)
    fees: dict[str, Any] = {}
    fund.cells[f"{path}.fees"] = row.ref("management_fee_pct")
    for key, column in FEES:
        put(fees, key, fund.value(f"{path}.fees.{key}", row, column, _percent))
    put(out, "fees", fees)
    put(out, "min_investment", fund.value(f"{path}.min_investment", row, "min_investment", _amount))
    distribution = fund.value(f"{path}.distribution", row, "distribution", as_text)
    if distribution is not None and distribution.lower().replace("-", "_") not in DISTRIBUTIONS:
        fund.error(row.ref("distribution"), f"{shown(distribution)} is not a distribution: blank or accumulating for an "
                                            f"accumulating class, else {', '.join(DISTRIBUTIONS[1:])}")
        distribution = None
    if distribution is not None and distribution.lower().replace("-", "_") != "accumulating":
        out["distribution"] = distribution.lower().replace("-", "_")
    fund.cells[f"{path}.dividends"] = row.ref("distribution")
    initial = fund.value(f"{path}.initial_nav", row, "initial_nav", lambda v: as_number(v, "nav")) if row.has("initial_nav") else None
    if code is None or not is_code(code):
        return out  # the model says what is wrong with the code; no file is looked for by it
    out.update(nav_history(export, fund, row, path, code, inception=inception or section.get("inception_date"),
                           currency=currency or section.get("currency"), initial_nav=initial, as_of=as_of))
    return out


def _manager(fund: FundImport, i: int, row: Row) -> dict[str, Any]:
    path = f"fund.managers.{i}"
    fund.cells[path] = row.ref("fund_code")
    out: dict[str, Any] = {}
    put(out, "name", fund.text(f"{path}.name", row, "name"))
    put(out, "since", fund.value(f"{path}.since", row, "since", as_date))
    return out


def _holdings(export: Export, fund: FundImport, rows: list[Row]) -> dict[str, Any] | None:
    """The top holdings in the order of their ranks (the rows without a usable rank after them); the ranks
    must follow the weights, largest first."""
    if not rows:
        return None
    ranked: list[tuple[int, Row]] = []
    unranked: list[Row] = []
    seen: dict[int, Row] = {}
    for row in rows:
        rank, problem = as_whole(row.get("rank"))
        if problem or rank is None or rank < 1:
            fund.error(row.ref("rank"), problem or ("is empty: " if rank is None else f"{rank} is not a rank: ")
                       + "rank the holdings 1, 2, 3, … from the largest")
            unranked.append(row)
        elif rank in seen:
            fund.error(row.ref("rank"), f"rank {rank} is also row {seen[rank].number}")
            unranked.append(row)
        else:
            seen[rank] = row
            ranked.append((rank, row))
    ordered = [row for _, row in sorted(ranked, key=lambda x: x[0])] + unranked
    top = []
    fund.cells["holdings"] = fund.cells["holdings.top"] = export.tables["holdings"].ref([r.number for r in ordered], "weight_pct")
    previous: tuple[int, Decimal, Row] | None = None
    for i, row in enumerate(ordered):
        path = f"holdings.top.{i}"
        fund.cells[path] = row.ref("rank")
        holding: dict[str, Any] = {}
        put(holding, "name", fund.text(f"{path}.name", row, "name"))
        weight = fund.value(f"{path}.weight", row, "weight_pct", _percent)
        put(holding, "weight", weight)
        if row.has("code"):
            put(holding, "code", fund.value(f"{path}.code", row, "code", as_text))
        rank = next((r for r, x in ranked if x is row), None)
        if weight is not None and rank is not None and previous is not None and weight > previous[1]:
            fund.error(row.ref("weight_pct"), f"rank {rank} weighs {weight}, more than rank {previous[0]} ({previous[1]}, row "
                                              f"{previous[2].number}): rank the holdings by weight, largest first")
        if weight is not None and rank is not None:
            previous = (rank, weight, row)
        top.append(holding)
    return {"top": top}


def _allocations(export: Export, fund: FundImport, rows: list[Row]) -> dict[str, Any] | None:
    """The buckets of each dimension (asset, sector, region, rating) in the order of their rows."""
    by_dimension: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        dimension, problem = as_text(row.get("dimension"))
        key = dimension.lower() if dimension else None
        if problem or key not in DIMENSIONS:
            fund.error(row.ref("dimension"), problem or f"{shown(dimension) if dimension else 'an empty cell'} is not a "
                                                        f"dimension: the dimensions are {', '.join(DIMENSIONS)}")
            continue
        by_dimension[key].append(row)
    out: dict[str, Any] = {}
    for dimension in DIMENSIONS:
        if not by_dimension[dimension]:
            continue
        fund.cells[f"allocations.{dimension}"] = export.tables["allocations"].ref([r.number for r in by_dimension[dimension]],
                                                                                  "weight_pct")
        buckets = []
        for i, row in enumerate(by_dimension[dimension]):
            path = f"allocations.{dimension}.{i}"
            fund.cells[path] = row.ref("dimension")
            bucket: dict[str, Any] = {}
            put(bucket, "name", fund.text(f"{path}.name", row, "bucket"))
            put(bucket, "weight", fund.value(f"{path}.weight", row, "weight_pct", _percent))
            buckets.append(bucket)
        out[dimension] = buckets
    if rows:
        fund.cells["allocations"] = export.tables["allocations"].ref([r.number for r in rows], "dimension")
    return out or None


def _commentary(export: Export, fund: FundImport, rows: list[Row]) -> dict[str, str] | None:
    """The commentary per language: one row per language, in the languages the fund publishes in."""
    if not rows:
        return None
    fund.cells["commentary"] = export.tables["commentary"].ref([r.number for r in rows], "language")
    out: dict[str, str] = {}
    first: dict[str, Row] = {}
    for row in rows:
        given, problem = as_text(row.get("language"))
        lang = _LANGUAGES.get(given.lower().replace("_", "-")) if given else None
        if problem or lang is None:
            fund.error(row.ref("language"), problem or f"{shown(given) if given else 'an empty cell'} is not a language: "
                                                       "the languages are en, zh-CN and zh-HK")
            continue
        if lang in first:
            fund.error(row.ref("language"), f"a second {lang} commentary (the first is row {first[lang].number})")
            continue
        first[lang] = row
        if lang in fund.languages and (text := fund.value(f"commentary.{lang}", row, "text", as_text)):
            out[lang] = text
        elif lang in fund.languages:
            fund.error(row.ref("text"), "is empty: the commentary's text")
    return out or None


def _priips(export: Export, fund: FundImport, row: Row, as_of: dt.date | None) -> dict[str, Any]:
    """The PRIIPs data from the fund's row of the priips sheet, with its proxy's history."""
    fund.cells["priips"] = row.ref("fund_code")
    out: dict[str, Any] = {}
    put(out, "class_code", fund.value("priips.class_code", row, "class_code", as_text))
    put(out, "recommended_holding_period_years",
        fund.value("priips.recommended_holding_period_years", row, "recommended_holding_period_years", as_whole))
    put(out, "credit_risk_class", fund.value("priips.credit_risk_class", row, "credit_risk_class", as_whole))
    costs: dict[str, Any] = {}
    fund.cells["priips.costs"] = row.ref("entry_cost_pct")
    for key, column in COSTS:
        put(costs, key, fund.value(f"priips.costs.{key}", row, column, _percent))
    out["costs"] = costs
    put(out, "manufacturer", fund.value("priips.manufacturer", row, "manufacturer", as_text))
    put(out, "website", fund.value("priips.website", row, "manufacturer_website", as_text))
    put(out, "phone", fund.value("priips.phone", row, "manufacturer_phone", as_text))
    put(out, "competent_authority", fund.value("priips.competent_authority", row, "competent_authority", as_text))
    put(out, "objective", fund.text("priips.objective", row, "objective"))
    put(out, "intended_investor", fund.text("priips.intended_investor", row, "intended_investor"))
    proxy = fund.value("priips.proxy", row, "proxy_file", as_text)
    if proxy is not None:
        put(out, "proxy", proxy_history(export, fund, row, proxy, as_of))
    return out

