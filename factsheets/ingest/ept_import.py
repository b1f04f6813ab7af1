"""An EPT file -> one fund file per row: the platform's side of FinDatEx's European PRIIPs Template. Each row's
KID is made from the row's stated figures (`priips.stated`: no NAV history), in the class's currency, with the
row's narratives when it reports them in English.

    result = import_ept("findatex-ept-2023-12-29.xlsx", "funds/", additions=Path("kid-texts/"))

A row is a fund of jurisdiction `EU` (its one document here is the KID), publishing in English, coded by its
identifying data (the ISIN). What a KID needs and an EPT does not carry (the manufacturer's website, phone and
competent authority; the fund's legal form and whether it is a UCITS, the other risks and how to complain, which
the offering documents give), or carries only in a section the row does not report (the objective, the intended
investor, when each scenario occurred), is named per row as the fields to add; `additions` (prospectus files with
`texts:` and a `priips:` section, by ISIN) gives them. Each file is written with what there is (`partial.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..fund.model import Category
from .ept_fields import SCENARIO_FIELDS, WINDOW_FIELDS, blank, flag, number, text
from .ept_read import EptFile, EptRow, read_ept
from .partial import PartialFund, PartialResult, judge, write
from .workbook import ImportProblem

# CIC codes of collective investment undertakings (Solvency II, XL4n) -> the fund's category.
CIC_CATEGORIES = {"1": Category.equity, "2": Category.bond, "3": Category.money_market, "4": Category.hybrid}
ENGLISH = ("eng",)
NOT_IN_EPT = "the EPT has no such field"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
          "december")
_DATE = re.compile(r"\b(?:(" + "|".join(MONTHS) + r")\s+(\d{4})|(\d{1,2})/(\d{4})|(\d{4})-(\d{2})(?:-\d{2})?|(\d{4}))\b",
                   re.IGNORECASE)


def import_ept(source: str | Path, out: str | Path | None = None, additions: str | Path | None = None,
               today: dt.date | None = None) -> PartialResult:
    """Import every row of an EPT file into `out` (None: judge only, write nothing). Raises
    `ept_read.EptFileError` when the file cannot be read as an EPT file."""
    ept = read_ept(source)
    result = PartialResult("ept", [])
    seen: dict[str, int] = {}
    for row in ept.rows:
        fund = row_fund(ept, row)
        if fund.code in seen:
            result.problems.append(ImportProblem(fund.where, f"{fund.code} is also the code of row {seen[fund.code]}: "
                                                             "only the first is imported", fund.code))
            continue
        seen[fund.code] = row.number
        judge(fund, Path(additions) if additions is not None else None, today)
        result.funds.append(fund)
    if out is not None:
        write(result, Path(out))
    return result


def _pct(value: object) -> Decimal | None:
    """An EPT fraction (100 % = 1) as the fund file's percent (1 = 1 %)."""
    found = number(value)
    return None if found is None else (found * 100).normalize() + 0


def row_fund(ept: EptFile, row: EptRow) -> PartialFund:
    """The fund file of one row, and what it lacks."""
    values = row.values
    code = row.code
    fund = PartialFund(code, f"{ept.path.name}: {row.label}", {}, f"{ept.path.name} {row.label}")
    lacking = fund.lacking

    def get(name: str) -> Any:
        value = values.get(name)
        return None if blank(value) else value

    name = text(get("00050_Portfolio_Name") or code)
    currency = text(get("00060_Portfolio_Or_Share_Class_Currency") or "")
    as_of = _date(get("00070_PRIIPs_KID_Publication_Date"))
    if as_of is None:
        lacking["as_of"] = "00070_PRIIPs_KID_Publication_Date is not given: the KID's date of production"
    cic = text(get("00090_Fund_CIC_Code") or "")
    category = CIC_CATEGORIES.get(cic[3:4]) if cic.upper().startswith("XL4") else None
    if category is None:
        lacking["fund.category"] = f"00090_Fund_CIC_Code {cic or 'is not given'}: no equity, bond, money market or mixed fund"
    share_class: dict[str, Any] = {"class": code if re.fullmatch(r"[A-Za-z0-9]{1,16}", code) else "EPT", "code": code,
                                   "name": {"en": name}}
    if currency:
        share_class["currency"] = currency
    info: dict[str, Any] = {"code": code, "name": {"en": name}}
    if category is not None:
        info["category"] = category.value
    if currency:
        info["currency"] = currency
    info["share_classes"] = [share_class]
    manufacturer = get("00010_Portfolio_Manufacturer_Name")
    if manufacturer is not None:
        info["management_company"] = {"en": text(manufacturer)}
    for key, field in (("past_performance_url", "02190_Past_Performance_Link"),
                       ("scenarios_url", "02200_Previous_Performance_Scenarios_Calculation_Link")):
        if get(field) is not None:
            info[key] = text(get(field))
    for key in ("legal_form", "ucits"):  # the KID's "Type" (and its depositary, for a UCITS): the offering documents'
        lacking[f"fund.{key}"] = NOT_IN_EPT
    data: dict[str, Any] = {"schema": "fund/v2"}
    if as_of is not None:
        data["as_of"] = as_of
    data |= {"jurisdiction": "EU", "languages": ["en"], "fund": info, "priips": _priips(row, code, fund)}
    fund.data = data
    return fund


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(text(value)[:10]) if value is not None else None
    except ValueError:
        return None


def _priips(row: EptRow, code: str, fund: PartialFund) -> dict[str, Any]:
    values, lacking = row.values, fund.lacking

    def get(name: str) -> Any:
        value = values.get(name)
        return None if blank(value) else value

    rhp = number(get("01120_Recommended_Holding_Period"))
    priips: dict[str, Any] = {"class_code": code}
    if rhp is not None and rhp == rhp.to_integral_value():
        priips["recommended_holding_period_years"] = int(rhp)
    else:
        lacking["priips.recommended_holding_period_years"] = f"01120_Recommended_Holding_Period is {text(get('01120_Recommended_Holding_Period') or 'not given')}"
    crm = number(get("01110_CRM"))
    if crm is not None and crm == crm.to_integral_value():
        priips["credit_risk_class"] = int(crm)
    priips["costs"] = _costs(row, fund)
    if get("00010_Portfolio_Manufacturer_Name") is not None:
        priips["manufacturer"] = text(get("00010_Portfolio_Manufacturer_Name"))
    for key in ("website", "phone", "competent_authority", "other_risks", "complaints"):
        lacking[f"priips.{key}"] = NOT_IN_EPT
    narratives = flag(values, "00006_EPT_Data_Reporting_Narratives") == "Y"
    language = text(get("00120_Reference_Language") or "").lower()
    english = narratives and language in ENGLISH
    why = ("00006_EPT_Data_Reporting_Narratives is not Y: the row does not report its narratives" if not narratives else
           f"the narratives are in {language or 'a language 00120 does not give'}; the KID is in English")
    for key, field in (("objective", "04040_Investment_Objective_Portfolio"),
                       ("intended_investor", "04030_Intended_Target_Market_Retail_Investor_Portfolio")):
        if english and get(field) is not None:
            priips[key] = {"en": text(get(field))}
        else:
            lacking[f"priips.{key}"] = why
    sri = number(get("01090_SRI"))
    if sri is not None and sri == sri.to_integral_value():
        priips["sri"] = int(sri)
    if get("00015_Portfolio_Manufacturer_Group_Name") is not None:
        priips["manufacturer_group"] = text(get("00015_Portfolio_Manufacturer_Group_Name"))
    priips["stated"] = _stated(row, fund, int(rhp) if rhp is not None and rhp == rhp.to_integral_value() else None)
    windows = []
    for scenario, field in WINDOW_FIELDS.items():
        window = _window(get(field)) if english else None
        if window is None:
            lacking["priips.scenario_windows"] = (why if not english else
                                                  f"{field} does not give the window's start and end")
        else:
            windows.append({"scenario": scenario, **window})
    if windows and "priips.scenario_windows" not in lacking:
        priips["scenario_windows"] = windows
    return priips


def _costs(row: EptRow, fund: PartialFund) -> dict[str, Any]:
    values = row.values
    costs: dict[str, Any] = {}
    entry = [number(values.get(f)) for f in ("03010_One_Off_Cost_Portfolio_Entry_Cost", "03015_One_Off_Cost_Portfolio_Entry_Cost_Acquired")]
    if all(v is not None for v in entry):
        costs["entry"] = _pct(sum(entry, Decimal(0)))
    else:
        fund.lacking["priips.costs.entry"] = "03010 and 03015 (entry costs) must both be given"
    exit_rhp = values.get("03020_One_Off_Costs_Portfolio_Exit_Cost_At_RHP")
    exit_year = number(values.get("03030_One_Off_Costs_Portfolio_Exit_Cost_At_1_Year"))
    if number(exit_rhp) is not None:
        if exit_year is not None and exit_year != number(exit_rhp):
            fund.problems.append(ImportProblem(fund.where, f"the exit cost slides ({text(values['03030_One_Off_Costs_Portfolio_Exit_Cost_At_1_Year'])} "
                                                           f"after 1 year, {text(exit_rhp)} at the RHP): this KID takes one exit cost",
                                               fund.code))
        costs["exit"] = _pct(exit_rhp)
    else:
        fund.lacking["priips.costs.exit"] = "03020_One_Off_Costs_Portfolio_Exit_Cost_At_RHP is not given"
    for key, field in (("ongoing", "03060_Ongoing_Costs_Management_Fees_And_Other_Administrative_Or_Operating_Costs"),
                       ("transaction", "03080_Ongoing_Costs_Portfolio_Transaction_Costs")):
        if number(values.get(field)) is not None:
            costs[key] = _pct(values[field])
        else:
            fund.lacking[f"priips.costs.{key}"] = f"{field} is not given"
    incidental = number(values.get("03095_Incidental_Costs"))
    costs["performance_fee"] = _pct(incidental) if flag(values, "03090_Existing_Incidental_Costs_Portfolio") == "Y" and incidental is not None else Decimal(0)
    return costs


def _stated(row: EptRow, fund: PartialFund, rhp: int | None) -> dict[str, Any]:
    values = row.values
    stated: dict[str, Any] = {"source": fund.source}
    mrm = number(values.get("01100_MRM"))
    if mrm is not None and mrm == mrm.to_integral_value():
        stated["mrm"] = int(mrm)
    if (vev := _pct(values.get("01020_Portfolio_VEV_Reference"))) is not None:
        stated["vev"] = vev
    stated["sri_adjusted"] = flag(values, "01095_IS_SRI_Adjusted") == "Y"
    amount = number(values.get("02220_Reference_Invested_Amount"))
    if amount is not None and amount == amount.to_integral_value():
        stated["investment"] = int(amount)
    scenarios: dict[str, Any] = {}
    for name, (one_year, at_rhp) in SCENARIO_FIELDS.items():
        first, last = _pct(values.get(one_year)), _pct(values.get(at_rhp))
        if first is None and rhp == 1:  # an RHP of 1 year: the RHP's figure is the 1-year one
            first = last
        if first is None or last is None:
            fund.lacking[f"priips.stated.scenarios.{name}"] = f"{one_year} and {at_rhp} must be given"
            continue
        scenarios[name] = {"one_year": first, "rhp": last}
    stated["scenarios"] = scenarios
    years = number(values.get("02210_Past_Performance_Number_Of_Years"))
    if years is not None and years == years.to_integral_value():
        stated["past_performance_years"] = int(years)
    return stated


def _window(description: object) -> dict[str, str] | None:
    """A scenario's window from its EPT description ("... occurred for an investment between March 2015 and March
    2020", "between 03/2015 and 03/2020", "2015-03 to 2020-03"): the first two dates, and where the investment was."""
    if description is None:
        return None
    words = text(description)
    found = []
    for match in _DATE.finditer(words):
        month_name, year_a, month_b, year_b, year_c, month_c, year_d = match.groups()
        if month_name:
            found.append(f"{month_name.capitalize()} {year_a}")
        elif year_b:
            found.append(f"{MONTHS[int(month_b) - 1].capitalize()} {year_b}" if 1 <= int(month_b) <= 12 else year_b)
        elif year_c:
            found.append(f"{MONTHS[int(month_c) - 1].capitalize()} {year_c}" if 1 <= int(month_c) <= 12 else year_c)
        else:
            found.append(year_d)
    if len(found) < 2:
        return None
    lower = words.lower()
    proxy = "proxy" in lower or "benchmark" in lower
    investment = ("in the product and then the proxy" if proxy and "product" in lower else
                  "in the benchmark" if "benchmark" in lower and "proxy" not in lower else
                  "in the proxy" if proxy else "in the product")
    return {"start": found[0], "end": found[1], "investment": investment}
