"""The EPT a manufacturer sends to platforms (FinDatEx's European PRIIPs Template V2.1): one row per share class the
house makes a KID for (a fund's `priips` class), every field of the KID profile filled from the KID's own figures
(`documents.kid.figures`), so that the EPT and the KID cannot disagree.

    rows, notes = ept_rows(funds)             # one row (field -> value) per fund with a KID
    write_ept(rows, Path("ept.xlsx"))           # .xlsx in the template's column order; .json and .csv alike

This module is its own stage (beside `pdf/`, above `documents/`): it reads what the documents compute and writes
files, and nothing below it knows of it.

Where the fund file is silent and the KID says something, the row says what the KID says: no liquidity issue
(01140 L: the KID shows no liquidity warning), no credit risk of a guarantee (01080 N: no `fund.guarantee`), no
contractual maturity (the KID: "The fund has no maturity date"), no comprehension alert for a UCITS (04020 N), costs
that do not depend on the amount (04150 N: they are percentages), one exit cost whatever the holding (03050 N),
no entry cost kept by the fund (03015 0). 00015 is the manufacturer's group (`priips.manufacturer_group`), else
its own name, as the template asks of a manufacturer without a group (said in `notes`). A field the project
cannot fill is left empty and named in `notes`, never invented; a mandatory one keeps the file from being written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..documents import kid
from ..errors import FactsheetError
from ..files import write_atomic
from ..fund.model import FundFile
from ..ingest.ept_fields import SCENARIO_FIELDS, WINDOW_FIELDS, is_isin, names, schema

VERSION = "V21"
FORMATS = (".xlsx", ".json", ".csv")
CIC = {"equity": "XL41", "bond": "XL42", "money_market": "XL43", "hybrid": "XL44"}
FREQUENCY = {"daily": 252, "weekly": 52, "monthly": 12}
LEGAL_FORM = {"investment_company": "an investment company (SICAV)", "unit_trust": "a unit trust",
              "contractual_fund": "a contractual fund"}
AUTOCALL_FIELDS = ("02032_Autocall_Applied_Unfavourable_Scenario", "02062_Autocall_Applied_Moderate_Scenario",
                   "02092_Autocall_Applied_Favourable_Scenario", "02122_Autocall_Applied_Stress_Scenario")


class EptExportError(FactsheetError):
    """Rows that cannot be written: every problem, each naming the fund and the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def fraction(pct: Decimal | float) -> float:
    """A percentage (1.15 = 1.15 %) as the EPT writes it (100 % = 1), without a float artefact."""
    return float(Decimal(str(pct)) / 100)


def generated_at(funds: list[FundFile]) -> str:
    """00005, the file's date and time: SOURCE_DATE_EPOCH when set, else midnight UTC of the latest as_of, so
    that the same funds give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    else:
        moment = dt.datetime.combine(max(f.as_of for f in funds), dt.time(), dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ept_row(fund: FundFile, generated: str) -> tuple[dict[str, Any], list[str]]:
    """The EPT row of the fund's KID class, and notes: what is assumed or left empty, each naming the field."""
    found = kid.checked_figures(fund)  # the KID's own figures (KidError, BuildError when it has none)
    view = kid.kid_view(fund)
    p, info = fund.priips, fund.fund
    _, share_class = kid.representative_class(fund)
    currency = kid.class_currency(fund)
    risk = found.market_risk
    rhp = found.inputs.rhp_years
    notes: list[str] = []
    row: dict[str, Any] = {
        "00001_EPT_Version": VERSION, "00005_File_Generation_Date_And_Time": generated,
        "00006_EPT_Data_Reporting_Narratives": "Y", "00007_EPT_Data_Reporting_Costs": "Y",
        "00008_EPT_Data_Reporting_Additional_Requirements_German_MOPs": "N",
        "00009_EPT_Additional_Information_Structured_Products": "N",
        "00010_Portfolio_Manufacturer_Name": p.manufacturer,
        "00015_Portfolio_Manufacturer_Group_Name": p.manufacturer_group or p.manufacturer,
        "00030_Portfolio_Identifying_Data": share_class.code,
        "00040_Type_Of_Identification_Code_For_The_Fund_Share_Or_Portfolio": 1 if is_isin(share_class.code) else 99,
        "00050_Portfolio_Name": f"{view.name}, {view.class_name}",
        "00060_Portfolio_Or_Share_Class_Currency": currency,
        "00070_PRIIPs_KID_Publication_Date": fund.as_of.isoformat(),
        "00080_Portfolio_PRIIPs_Category": 2, "00110_Is_An_Autocallable_Product": "N", "00120_Reference_Language": "eng",
    }
    if p.manufacturer_group is None:
        notes.append("00015_Portfolio_Manufacturer_Group_Name: no priips.manufacturer_group: the manufacturer's own name, "
                     "as the template asks of a manufacturer without a group")
    if info.category.value in CIC:
        row["00090_Fund_CIC_Code"] = CIC[info.category.value]
    if info.dealing is not None:
        row["01010_Valuation_Frequency"] = FREQUENCY[info.dealing.value]
    row |= {
        "01020_Portfolio_VEV_Reference": risk.vev, "01080_Existing_Credit_Risk": "N" if info.guarantee is None else "Y",
        "01090_SRI": found.sri, "01095_IS_SRI_Adjusted": "N", "01100_MRM": risk.mrm, "01110_CRM": found.inputs.credit_risk_class,
        "01120_Recommended_Holding_Period": rhp, "01125_Has_A_Contractual_Maturity_Date": "N", "01140_Liquidity_Risk": "L",
    }
    row |= _scenarios(found, rhp)
    row |= _risk_measure(found)
    row |= {"02185_Portfolio_Past_Performance_Disclosure_Required": "Y",
            "02210_Past_Performance_Number_Of_Years": kid.past_performance_years(fund),
            "02220_Reference_Invested_Amount": int(found.scenarios.investment)}
    for key, field in (("past_performance_url", "02190_Past_Performance_Link"),
                       ("scenarios_url", "02200_Previous_Performance_Scenarios_Calculation_Link")):
        if getattr(info, key):
            row[field] = getattr(info, key)
        else:
            notes.append(f"{field}: the fund file gives no fund.{key}")
    row |= _costs(found, rhp)
    row |= _narratives(fund, found, view, notes)
    return {name: row[name] for name in names() if name in row}, notes


def _scenarios(found, rhp: int) -> dict[str, Any]:
    """Each scenario's average return each year, as the EPT's section 02 takes it: after the exit cost, without the
    entry cost (the KID's amount before the entry cost is taken off)."""
    entry = float(found.inputs.entry_cost_pct) / 100
    out: dict[str, Any] = {}
    for name, (one_year, at_rhp) in SCENARIO_FIELDS.items():
        for years, field in ((1, one_year), (rhp, at_rhp)):  # with an RHP of 1 year, both are the 1-year outcome
            outcome = found.scenarios.get(name, years)
            out[field] = (outcome.amount / (found.scenarios.investment * (1 - entry))) ** (1 / years) - 1
    for field in AUTOCALL_FIELDS:
        out[field] = "N"
    return out


def _risk_measure(found) -> dict[str, Any]:
    """The moments the MRM came from (RTS Annex II point 11) and the stressed volatility of the stress scenario at the
    RHP (Annex IV point 10); none for stated figures."""
    risk = found.market_risk
    if not hasattr(risk, "m0"):
        return {}
    stressed = found.scenarios.stressed_volatility
    return {"02130_Portfolio_Number_Of_Observed_Return_M0": risk.m0, "02140_Portfolio_Mean_Observed_Returns_M1": risk.m1,
            "02150_Portfolio_Observed_Sigma": risk.sigma, "02160_Portfolio_Observed_Skewness": risk.skew,
            "02170_Portfolio_Observed_Excess_Kurtosis": risk.excess_kurtosis,
            **({"02180_Portfolio_Observed_Stressed_Volatility": stressed[-1]} if stressed else {})}


def _costs(found, rhp: int) -> dict[str, Any]:
    given = found.inputs
    out: dict[str, Any] = {
        "03010_One_Off_Cost_Portfolio_Entry_Cost": fraction(given.entry_cost_pct),
        "03015_One_Off_Cost_Portfolio_Entry_Cost_Acquired": 0.0,
        "03020_One_Off_Costs_Portfolio_Exit_Cost_At_RHP": fraction(given.exit_cost_pct),
        "03050_One_Off_Costs_Portfolio_Sliding_Exit_Cost_Indicator": "N",
        "03060_Ongoing_Costs_Management_Fees_And_Other_Administrative_Or_Operating_Costs": fraction(given.ongoing_costs_pct),
        "03080_Ongoing_Costs_Portfolio_Transaction_Costs": fraction(given.transaction_costs_pct),
        "03090_Existing_Incidental_Costs_Portfolio": "Y" if given.performance_fee_pct > 0 else "N",
    }
    if rhp > 1:
        out["03030_One_Off_Costs_Portfolio_Exit_Cost_At_1_Year"] = fraction(given.exit_cost_pct)
    if given.performance_fee_pct > 0:
        out["03095_Incidental_Costs"] = fraction(given.performance_fee_pct)
    return out


def _narratives(fund: FundFile, found, view, notes: list[str]) -> dict[str, Any]:
    """The narratives (section 04) as the KID words them."""
    p, info = fund.priips, fund.fund
    costs = {c.label: c for c in (*view.one_off, *view.ongoing, *view.incidental)}
    values = kid.statement_values(fund)
    out: dict[str, Any] = {
        "04020_Comprehension_Alert_Portfolio": "N",
        "04030_Intended_Target_Market_Retail_Investor_Portfolio": p.intended_investor["en"],
        "04040_Investment_Objective_Portfolio": p.objective["en"],
        "04050_Risk_Narrative_Portfolio": (f"This rates the potential losses from future performance at a "
                                           f"{values['mrm_level']} level, and poor market conditions {values['crm_clause']} "
                                           f"impact {values['payer']} to pay you."),
        "04070_Type_Of_Underlying_Investment_Option": _legal_form(fund),
        "04080_Capital_Guarantee": "N" if info.guarantee is None else "Y",
        "04089_Was_Benchmark_Used_Performance_Calculation": "Y" if any("proxy" in w["investment"] for w in values["scenario-window"]) else "N",
        "04120_One_Off_Cost_Portfolio_Entry_Cost_Description": costs["Entry costs"].description,
        "04130_One_Off_Cost_Portfolio_Exit_Cost_Description": costs["Exit costs"].description,
        "04140_Ongoing_Costs_Portfolio_Management_Costs_Description":
            costs["Management fees and other administrative or operating costs"].description,
        "04150_Do_Costs_Depend_On_Invested_Amount": "N",
    }
    if info.ucits is not True:
        del out["04020_Comprehension_Alert_Portfolio"]
        notes.append("04020_Comprehension_Alert_Portfolio: the fund file does not say the fund is a UCITS (fund.ucits): "
                     "whether its KID needs a comprehension alert is not known")
    for window in values["scenario-window"]:
        out[WINDOW_FIELDS[window["scenario"].lower()]] = (f"{window['scenario']} scenario: This type of scenario occurred for an "
                                                  f"investment {window['investment']} between {window['start']} and {window['end']}.")
    if found.inputs.performance_fee_pct > 0:
        out["04090_Portfolio_Performance_Fees_Carried_Interest_Narrative"] = costs["Performance fees"].description
    return out


def _legal_form(fund: FundFile) -> str:
    info = fund.fund
    form = LEGAL_FORM.get(info.legal_form.value) if info.legal_form else None
    kind = "A UCITS fund" if info.ucits else "An investment fund"
    return f"{kind}, {form}" if form else kind


def ept_rows(funds: list[FundFile]) -> tuple[list[dict[str, Any]], list[str]]:
    """The row of each fund with a KID, and the notes (each `fund code: field: ...`). Raises EptExportError naming
    every fund whose KID figures cannot be had."""
    generated = generated_at(funds) if funds else ""
    rows, notes, problems = [], [], []
    for fund in funds:
        if fund.priips is None:
            notes.append(f"{fund.code}: no priips section: no KID, so no EPT row")
            continue
        try:
            row, said = ept_row(fund, generated)
        except FactsheetError as error:
            problems += [f"{fund.code}: {line}" for line in str(error).splitlines()]
            continue
        rows.append(row)
        notes += [f"{fund.code}: {line}" for line in said]
    if problems:
        raise EptExportError(problems)
    return rows, notes


def schema_problems(rows: list[dict[str, Any]]) -> list[str]:
    """What ept.schema.json finds wrong with the rows (the file is written only without any), each naming the row."""
    import jsonschema

    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    problems = []
    for i, row in enumerate(rows, start=1):
        for error in validator.iter_errors(row):
            where = ".".join(str(p) for p in error.absolute_path)
            problems.append(f"row {i} ({row.get('00030_Portfolio_Identifying_Data')}): {where or 'row'}: {error.message}")
    return problems


def write_ept(rows: list[dict[str, Any]], out: Path) -> None:
    """Writes the rows as `out`'s suffix says (.xlsx in the template's column order and codification, .json a row
    set as ept.schema.json has it, .csv with the template's field names as its header), atomically, and only when
    ept.schema.json finds nothing wrong with them (EptExportError otherwise)."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise EptExportError([f"{out}: the EPT is written as .xlsx, .json or .csv, not {suffix or 'a file without a suffix'}"])
    if problems := schema_problems(rows):
        raise EptExportError([f"{out}: {p}: ept.schema.json refuses it; nothing written" for p in problems])
    columns = names()
    if suffix == ".json":
        data = (json.dumps(rows, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in columns])
        data = buffer.getvalue().encode("utf-8")
    else:
        data = _xlsx(rows, columns)
    write_atomic(out, data)


def _cell(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def _xlsx(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> bytes:
    """The workbook's bytes: one sheet, the field names as the header row, numbers as numbers, dates as the
    template's ISO text; the same rows give the same bytes (the workbook's own dates fixed)."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "EPT"
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(name) for name in columns])
    stamp = dt.datetime(1980, 1, 1)
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl writes the zip entries, and the workbook's modification time, with the clock's time: rewritten with a
    # fixed one, the same rows are the same bytes.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    fixed = io.BytesIO()
    with zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving as the modification
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>1980-01-01T00:00:00Z\g<2>", data)
            target.writestr(info, data)
    return fixed.getvalue()
