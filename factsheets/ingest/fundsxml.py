"""A FundsXML 4.2 file -> one fund file per fund: validated first against the FundsXML schema (XSD 1.1, with
`xmlschema`; every error with its line, and nothing imported from a file with one), then each fund and its share
classes mapped: names, identifiers, currency, inception, legal structure, custodian and management company, fees
and ongoing charges, total net assets, NAV prices as the NAV history the performance stage reads, dividends, and the
portfolio's positions as top holdings and asset and country allocations.

    result = import_fundsxml("europa_growth_fund.xml", "funds/")      # mapping=load_mapping("house.toml")

What FundsXML does not carry and a document needs (the jurisdiction whose rules the documents follow, the category
when no CIC classification gives it, a mainland fund's risk rating, the statements' data) is named per fund as the
fields to add, and the file is written with what there is (`partial.py`), so that `check` names the rest. Where
each element is looked for is `fundsxml_mapping.py`'s.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import FactsheetError
from .fundsxml_mapping import FundsXmlMapping
from .partial import PartialFund, PartialResult, judge, write
from .workbook import ImportProblem

ROOT = "FundsXML4"
CIC_CATEGORIES = {"1": "equity", "2": "bond", "3": "money_market", "4": "hybrid"}
ASSET_TYPES = {"EQ": "Equities", "BO": "Bonds", "AC": "Cash", "SC": "Investment funds", "FU": "Futures", "OP": "Options",
               "FX": "FX forwards", "SW": "Swaps", "CE": "Certificates", "RE": "Real estate", "LO": "Loans"}
SECURITIES = ("EQ", "BO", "SC", "CE")  # positions that are holdings a factsheet lists (not cash or derivatives)
TOP = 10
MAX_BYTES = 512 * 1024 * 1024


class FundsXmlError(FactsheetError):
    """A FundsXML file that cannot be imported: not XML, or not valid against the schema (every error, with its line)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@cache
def fundsxml_schema():
    """The FundsXML 4.2 schema (`fundsxml/schema/FundsXML4.xsd` and its includes, MIT), read once (about 5 s)."""
    import xmlschema

    return xmlschema.XMLSchema11(str(resources.files("factsheets.ingest").joinpath("fundsxml", "schema", "FundsXML4.xsd")))


def looks_like_fundsxml(path: Path) -> bool:
    """Whether a file's root element is FundsXML4 (read from its first few kilobytes)."""
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError:
        return False
    return b"<" + ROOT.encode() in head


def parse(path: Path):
    """The file parsed safely (no entities resolved, no DTD, no network) with each element's line; FundsXmlError
    when it is not well-formed XML."""
    from lxml import etree

    if path.stat().st_size > MAX_BYTES:
        raise FundsXmlError([f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB"])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True)
    try:
        return etree.parse(str(path), parser)
    except etree.XMLSyntaxError as error:
        raise FundsXmlError([f"{path}:{error.lineno}: not well-formed XML: {error.msg}"]) from None


def validate(path: Path, tree) -> None:
    """Every error the FundsXML schema finds, each at its line (FundsXmlError); nothing when the file is valid."""
    if tree.getroot().tag != ROOT:
        raise FundsXmlError([f"{path}:{tree.getroot().sourceline}: the root element is {tree.getroot().tag}, not {ROOT}"])
    errors = [f"{path}:{e.sourceline or '?'}: {e.path}: {e.reason}" for e in fundsxml_schema().iter_errors(tree)]
    if errors:
        raise FundsXmlError(errors + [f"{path}: {len(errors)} schema error{'s' * (len(errors) != 1)}: nothing imported"])


def import_fundsxml(source: str | Path, out: str | Path | None = None, mapping: FundsXmlMapping | None = None,
                    additions: str | Path | None = None, today: dt.date | None = None) -> PartialResult:
    """Import every fund of a FundsXML file into `out` (None: judge only). Raises FundsXmlError when the file is not
    well-formed or not valid against the schema."""
    path = Path(source)
    mapping = mapping or FundsXmlMapping()
    tree = parse(path)
    validate(path, tree)
    root = tree.getroot()
    as_of = _date(root.findtext("ControlData/ContentDate"))
    language = (root.findtext("ControlData/Language") or "en").strip()
    assets = {a.findtext("UniqueID"): a for a in root.iterfind("AssetMasterData/Asset")}
    result = PartialResult("fundsxml", [])
    for number, element in enumerate(root.iterfind("Funds/Fund"), start=1):
        fund = _fund(path, number, element, as_of, language, assets, mapping)
        judge(fund, Path(additions) if additions is not None else None, today)
        result.funds.append(fund)
    if not result.funds:
        result.problems.append(ImportProblem(str(path), "no Funds/Fund in the file: nothing imported"))
    if out is not None:
        write(result, Path(out))
    return result


def _first(element, paths: list[str]) -> Any:
    """The first of the paths that finds an element with text (its text, stripped), or None."""
    for path in paths:
        found = element.find(path)
        if found is not None and (found.text or "").strip():
            return found.text.strip()
    return None


def _all(element, paths: list[str]) -> list:
    for path in paths:
        found = element.findall(path)
        if found:
            return found
    return []


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None


def _decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal(text.strip()) if text else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() else None


def _fund(path: Path, number: int, element, as_of: dt.date | None, language: str, assets: dict, mapping: FundsXmlMapping) -> PartialFund:
    paths = mapping.fund
    code = _first(element, paths.code) or f"fund-{number}"
    fund = PartialFund(code, f"{path.name}:{element.sourceline}: Fund {number} ({code})", {}, f"{path.name} (Fund {number})")
    lacking = fund.lacking
    lang = "en" if language.lower().startswith("en") else None
    if lang is None:
        lacking["languages"] = f"the file's texts are in {language} (ControlData/Language): the documents are in en, zh-CN, zh-HK"
    info: dict[str, Any] = {"code": code}
    name = _first(element, paths.name)
    if name and lang:
        info["name"] = {lang: name}
    cic = (_first(element, paths.cic) or "").upper()
    if cic.startswith("XL4") and cic[3:4] in CIC_CATEGORIES:
        info["category"] = CIC_CATEGORIES[cic[3:4]]
    else:
        lacking["fund.category"] = "FundsXML gives no CIC classification (XL41 equity, XL42 bond, XL43 money market, XL44 mixed)"
    for key, found in (("domicile", _first(element, paths.domicile)), ("currency", _first(element, paths.currency))):
        if found:
            info[key] = found
    if inception := _date(_first(element, paths.inception_date)):
        info["inception_date"] = inception
    if aum := _total_net_assets(element, paths.total_net_assets, as_of):
        info["aum"] = aum
    info["share_classes"] = [_share_class(fund, i, c, info, as_of, lang, mapping, _decimal(_first(element, paths.ongoing_charges)))
                             for i, c in enumerate(_all(element, paths.share_classes))]
    if manager_company := _first(element, paths.management_company):
        info["management_company"] = {lang or "en": manager_company}
    if custodian := _first(element, paths.custodian):
        info["custodian"] = {"role": "depositary", "name": {lang or "en": custodian}}
    managers = [{"name": {lang or "en": m.findtext("Name").strip()}, "since": _date(m.findtext("StartDate"))}
                for m in _all(element, paths.managers) if m.findtext("Name") and _date(m.findtext("StartDate"))]
    if managers:
        info["managers"] = managers
    day, month = _first(element, paths.year_end_day), _first(element, paths.year_end_month)
    if day and month and day.isdigit() and month.isdigit():
        info["financial_year_end"] = f"{int(month):02d}-{int(day):02d}"
    _legal(info, _first(element, paths.legal_structure))
    data: dict[str, Any] = {"schema": "fund/v2"}
    if as_of is not None:
        data["as_of"] = as_of
    else:
        lacking["as_of"] = "ControlData/ContentDate is not a date"
    lacking["jurisdiction"] = "FundsXML does not say whose rules the documents follow: CN (CSRC) or HK (SFC)"
    lacking["fund.risk"] = "a mainland (CN) fund's risk rating (R1-R5) and minimum investor class: FundsXML has neither"
    data["languages"] = [lang] if lang else []
    data["fund"] = info
    portfolio = _portfolio(element, paths.portfolios, as_of)
    if portfolio is not None:
        _positions(fund, data, portfolio, assets, lang or "en")
    fund.data = data
    return fund


def _legal(info: dict[str, Any], structure: str | None) -> None:
    if not structure:
        return
    upper = structure.upper()
    if "UCITS" in upper:
        info["ucits"] = True
    if any(word in upper for word in ("SICAV", "SICAF", "OEIC", "INVESTMENT COMPANY", "ICVC")):
        info["legal_form"] = "investment_company"
    elif any(word in upper for word in ("FCP", "UNIT TRUST", "CONTRACTUAL")):
        info["legal_form"] = "unit_trust"


def _total_net_assets(element, paths: list[str], as_of: dt.date | None) -> Decimal | None:
    """The fund's total net assets on its latest NAV date up to as_of."""
    dated = [(_date(v.findtext("NavDate")), _decimal(v.findtext("TotalNetAssetValue/Amount"))) for v in _all(element, paths)]
    dated = [(d, a) for d, a in dated if d is not None and a is not None and (as_of is None or d <= as_of)]
    return max(dated)[1] if dated else None


def _share_class(fund: PartialFund, index: int, element, info: dict, as_of: dt.date | None, lang: str | None,
                 mapping: FundsXmlMapping, ongoing: Decimal | None) -> dict[str, Any]:
    paths = mapping.share_class
    where = f"fund.share_classes.{index}"
    code = _first(element, paths.code) or f"class-{index + 1}"
    label = (_first(element, paths.class_) or code).replace("-", " ").replace("_", " ")
    out: dict[str, Any] = {"class": " ".join(label.split())[:16].strip(), "code": code}
    if (name := _first(element, paths.name)) and lang:
        out["name"] = {lang: name}
    if currency := _first(element, paths.currency):
        out["currency"] = currency
    inception = _date(_first(element, paths.inception_date))
    if inception:
        out["inception_date"] = inception
    fees = _fees(element, paths.fees, mapping)
    if ongoing is not None:
        fees["ongoing_charges"] = ongoing
    if fees:
        out["fees"] = fees
    if (minimum := _decimal(_first(element, paths.min_investment))) is not None:
        out["min_investment"] = minimum
    earning = (_first(element, paths.earning_use) or "").upper()
    if earning in ("D", "P"):
        fund.lacking[f"{where}.distribution"] = "FundsXML says the class distributes (EarningUse D or P), not how often"
    _history(fund, where, code, element, paths, inception or None, as_of, out)
    return out


def _fees(element, paths: list[str], mapping: FundsXmlMapping) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    wanted = {key: {t.replace(" ", "").lower() for t in types} for key, types in mapping.fees.model_dump().items()}
    for fee in _all(element, paths):
        kind = (fee.findtext("Type") or "").replace(" ", "").lower()
        value = _decimal(fee.findtext("DataByPeriods/DataByPeriod/Values/FeeAsPercentageOfTNA")) or _decimal(fee.findtext("Maximum"))
        for key, types in wanted.items():
            if kind in types and value is not None:
                found.setdefault(key, value)
    return found


def _history(fund: PartialFund, where: str, code: str, element, paths, inception: dt.date | None, as_of: dt.date | None,
             out: dict[str, Any]) -> None:
    """The class's NAV prices as its NAV history (`history/nav/<code>.csv`): written when they start on the class's
    launch, since every figure is measured from there; otherwise named as a field to add."""
    prices = sorted((d, v) for d, v in ((_date(p.findtext("NavDate")), _decimal(p.findtext("NavPrice")))
                                        for p in _all(element, paths.prices)) if d is not None and v is not None)
    if not prices:
        return
    first, last = prices[0][0], prices[-1][0]
    if inception is None or first != inception:
        launch = f"the class's launch on {inception.isoformat()}" if inception else "the class's launch (FundsXML gives no InceptionDate)"
        fund.lacking[f"{where}.nav"] = (f"FundsXML gives {len(prices)} NAV price{'s' * (len(prices) != 1)} from {first} to {last}, "
                                        f"not the daily history from {launch}")
        return
    dividends: dict[dt.date, Decimal] = defaultdict(Decimal)
    for item in _all(element, paths.dividends):
        day, amount = _date(item.findtext("ExDate")), _decimal(item.findtext("GrossDividendAmount/PerShare/Amount"))
        if day is not None and amount is not None:
            dividends[day] += amount
    lines, paid = ["date,unit_nav,acc_nav,dividend_per_unit"], Decimal(0)
    for day, nav in prices:
        paid += dividends.get(day, Decimal(0))
        lines.append(f"{day.isoformat()},{nav},{nav + paid},{dividends[day] if day in dividends else ''}")
    relative = f"history/nav/{code}.csv"
    fund.copies[relative] = ("\n".join(lines) + "\n").encode("utf-8")
    out["nav"] = relative


def _portfolio(element, paths: list[str], as_of: dt.date | None):
    dated = [(_date(p.findtext("NavDate")), p) for p in _all(element, paths)]
    dated = [(d, p) for d, p in dated if d is not None and (as_of is None or d <= as_of)]
    return max(dated, key=lambda item: item[0])[1] if dated else None


def _positions(fund: PartialFund, data: dict[str, Any], portfolio, assets: dict, lang: str) -> None:
    """Top holdings (the ten largest securities) and the asset and country allocations, in % of net assets; positions
    with a negative value (a derivative's liability) are left out of the allocations, and said."""
    from babel import Locale

    rows = []
    for position in portfolio.iterfind("Positions/Position"):
        unique, weight = position.findtext("UniqueID"), _decimal(position.findtext("TotalPercentage"))
        asset = assets.get(unique)
        if weight is None or asset is None:
            continue
        rows.append((weight, asset))
    securities = sorted(((w, a) for w, a in rows if (a.findtext("AssetType") or "") in SECURITIES and w > 0),
                        key=lambda item: item[0], reverse=True)
    top = [{"name": {lang: a.findtext("Name").strip()}, "weight": w,
            **({"code": a.findtext("Identifiers/ISIN")} if a.findtext("Identifiers/ISIN") else {})}
           for w, a in securities[:TOP] if a.findtext("Name")]
    if top:
        data["holdings"] = {"top10_weight": sum((h["weight"] for h in top), Decimal(0)), "top": top}
    by_type: dict[str, Decimal] = defaultdict(Decimal)
    by_country: dict[str, Decimal] = defaultdict(Decimal)
    names = Locale.parse("en").territories
    for weight, asset in rows:
        kind = asset.findtext("AssetType") or ""
        by_type[ASSET_TYPES.get(kind, kind or "Other")] += weight
        if kind in SECURITIES and (country := asset.findtext("Country")):
            by_country[names.get(country, country)] += weight
    left_out = sorted(name for name, weight in by_type.items() if weight <= 0)
    if left_out:
        fund.problems.append(ImportProblem(fund.where, f"left out of the asset allocation, being negative: {', '.join(left_out)} "
                                                       f"({', '.join(str(by_type[n]) for n in left_out)} %)", fund.code, "warning"))
    allocations = {}
    for key, found in (("asset", by_type), ("region", by_country)):
        buckets = [{"name": {lang: name}, "weight": weight} for name, weight in
                   sorted(found.items(), key=lambda item: (-item[1], item[0])) if weight > 0]
        if buckets:
            allocations[key] = buckets
    if allocations:
        data["allocations"] = allocations
