"""The FinDatEx European PRIIPs Template (EPT V2.1): its 144 fields in the official template's order, which
are mandatory, conditional or optional, and how each is codified.

The definitions are FinDatEx's own, copied beside this module (`findatex/`, with their licence):
`EPT_V2.1_fields.json` (field, definition, codification, comment, M/C/O) and `ept.schema.json` (the
findatex-schemas project's JSON Schema of one row set, MIT), whose types, enumerations and lengths the
codification checks use. What the template says only in words is written out below:

- **Sections.** A section flagged "N" in the data-set header (`00006` narratives: the 04xxx fields; `00007`
  costs: 03xxx; `00008` German MOPs: 06xxx; `00009` structured products: 07xxx) is not completed: its
  mandatory and conditional fields are not required, and they "must be empty". The UK part (08xxx) is
  required only when `08010` is given (UKPRIIP, UCITS or Both), as its comment sets out.
- **Conditions** of the "C" fields (and of 01020, "mandatory if category 2 or 3"), from their comments:
  `CONDITIONS`.
- **Codification** beyond the schema: an ISIN's check digit when `00040` is 1, an LEI's (ISO 17442), ISO 639-2
  languages and ISO 4217 currencies (pycountry: the schema's own enumerations of them are incomplete, and
  `swe` is a language), ISO 8601 dates and times.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Callable

VERSION_FIELD = "00001_EPT_Version"
DEFINITIONS = "EPT_V2.1_fields.json"
SCHEMA = "ept.schema.json"

# The data-set header's flags and the sections they govern (by the fields' first two digits).
SECTION_FLAGS = {"04": "00006_EPT_Data_Reporting_Narratives", "03": "00007_EPT_Data_Reporting_Costs",
                 "06": "00008_EPT_Data_Reporting_Additional_Requirements_German_MOPs",
                 "07": "00009_EPT_Additional_Information_Structured_Products"}
UK_DELIVERY = "08010_UK_PRIIP_Or_UCITS_Or_Both_data_delivery"
# The performance scenarios' fields, read by the import and written by the export: scenario -> (after 1 year, at the RHP),
# and the narrative of the past window each one occurred in (no window for the stress scenario).
SCENARIO_FIELDS = {
    "stress": ("02100_Portfolio_Return_Stress_Scenario_1_Year", "02120_Portfolio_Return_Stress_Scenario_RHP_Or_First_Call_Date"),
    "unfavourable": ("02010_Portfolio_Return_Unfavourable_Scenario_1_Year",
                     "02030_Portfolio_Return_Unfavourable_Scenario_RHP_Or_First_Call_Date"),
    "moderate": ("02040_Portfolio_Return_Moderate_Scenario_1_Year", "02060_Portfolio_Return_Moderate_Scenario_RHP_Or_First_Call_Date"),
    "favourable": ("02070_Portfolio_Return_Favourable_Scenario_1_Year",
                   "02090_Portfolio_Return_Favourable_Scenario_RHP_Or_First_Call_Date"),
}
WINDOW_FIELDS = {"unfavourable": "04086_Description_Past_Interval_Unfavourable_Scenario",
                 "moderate": "04087_Description_Past_Interval_Moderate_Scenario",
                 "favourable": "04088_Description_Past_Interval_Favourable_Scenario"}


@dataclass(frozen=True)
class EptField:
    name: str  # 01090_SRI
    mandatory: str  # M, C or O
    codification: str
    definition: str
    schema: dict  # its property in ept.schema.json ({} when the schema leaves it out)

    @property
    def number(self) -> str:
        return self.name[:5]


def _package_file(name: str) -> bytes:
    return resources.files("factsheets.ingest").joinpath("findatex", name).read_bytes()


@cache
def schema() -> dict:
    """ept.schema.json: a row set (one row, or a list of rows)."""
    return json.loads(_package_file(SCHEMA))


@cache
def fields() -> tuple[EptField, ...]:
    """The 144 fields in the template's order (the official workbook's rows; the definitions have a 145th entry without a field)."""
    definitions = json.loads(_package_file(DEFINITIONS))
    rows = next(iter(definitions.values()))
    properties = schema()["components"]["schemas"]["ept"]["properties"]
    return tuple(EptField(row["field"], row.get("mandatory", "O"), row.get("codification", ""), row.get("definition", ""),
                          properties.get(row["field"], {}))
                 for row in rows if "field" in row)


@cache
def by_name() -> dict[str, EptField]:
    return {f.name: f for f in fields()}


def names() -> tuple[str, ...]:
    return tuple(f.name for f in fields())


# --- values ----------------------------------------------------------------------------------------

PLACEHOLDERS = ('""', "''")  # an empty text whose quotes a producer's writer kept (Captor's file, in every narrative)


def blank(value: object) -> bool:
    """Not given: nothing, spaces, or an empty text written with its quotes (`""`)."""
    return value is None or (isinstance(value, str) and (not value.strip() or value.strip() in PLACEHOLDERS))


def text(value: object) -> str:
    """A value as text, as the row gave it (a number written without a float artefact)."""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def number(value: object) -> Decimal | None:
    """A number given as a number or as text (a decimal point or comma); None for anything else."""
    if isinstance(value, bool) or blank(value):
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            found = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            return None
        return found if found.is_finite() else None
    return None


def flag(row: dict, name: str) -> str | None:
    """A Y/N field's value (upper case), or None when blank."""
    value = row.get(name)
    return None if blank(value) else text(value).upper()


def rhp(row: dict) -> Decimal | None:
    return number(row.get("01120_Recommended_Holding_Period"))


def _rhp_above(years: int) -> Callable[[dict], bool]:
    return lambda row: (found := rhp(row)) is not None and found > years


def _rhp_from(years: int) -> Callable[[dict], bool]:
    return lambda row: (found := rhp(row)) is not None and found >= years


def _is(name: str, *values: str) -> Callable[[dict], bool]:
    return lambda row: (flag(row, name) or "") in values


def _category(*values: int) -> Callable[[dict], bool]:
    return lambda row: number(row.get("00080_Portfolio_PRIIPs_Category")) in {Decimal(v) for v in values}


# When each conditional field is required, from its comment in the template ("Mandatory if RHP > 1 year", ...).
CONDITIONS: dict[str, tuple[str, Callable[[dict], bool]]] = {
    "00120_Reference_Language": ("the narratives are reported (00006 = Y)", _is("00006_EPT_Data_Reporting_Narratives", "Y")),
    "01020_Portfolio_VEV_Reference": ("the PRIIPs category (00080) is 2 or 3", _category(2, 3)),
    "01040_Flex_VEV_Historical": ("01030_IS_Flexible is Y", _is("01030_IS_Flexible", "Y")),
    "01050_Flex_VEV_Ref_Asset_Allocation": ("01030_IS_Flexible is Y", _is("01030_IS_Flexible", "Y")),
    "01060_IS_Risk_Limit_Relevant": ("01030_IS_Flexible is Y", _is("01030_IS_Flexible", "Y")),
    "01070_Flex_VEV_Risk_Limit": ("01060_IS_Risk_Limit_Relevant is Y", _is("01060_IS_Risk_Limit_Relevant", "Y")),
    "01130_Maturity_Date": ("01125_Has_A_Contractual_Maturity_Date is Y", _is("01125_Has_A_Contractual_Maturity_Date", "Y")),
    "02035_Autocall_Date_Unfavourable_Scenario": ("02032 is Y", _is("02032_Autocall_Applied_Unfavourable_Scenario", "Y")),
    "02065_Autocall_Date_Moderate_Scenario": ("02062 is Y", _is("02062_Autocall_Applied_Moderate_Scenario", "Y")),
    "02095_Autocall_Date_Favourable_Scenario": ("02092 is Y", _is("02092_Autocall_Applied_Favourable_Scenario", "Y")),
    "02125_Autocall_Date_Stress_Scenario": ("02122 is Y", _is("02122_Autocall_Applied_Stress_Scenario", "Y")),
    "02190_Past_Performance_Link": ("02185 is Y", _is("02185_Portfolio_Past_Performance_Disclosure_Required", "Y")),
    "02200_Previous_Performance_Scenarios_Calculation_Link": ("02185 is Y",
                                                              _is("02185_Portfolio_Past_Performance_Disclosure_Required", "Y")),
    "02210_Past_Performance_Number_Of_Years": ("02185 is Y", _is("02185_Portfolio_Past_Performance_Disclosure_Required", "Y")),
    "03095_Incidental_Costs": ("03090_Existing_Incidental_Costs_Portfolio is Y", _is("03090_Existing_Incidental_Costs_Portfolio", "Y")),
    "04081_Capital_Guarantee_Level": ("04080_Capital_Guarantee is Y", _is("04080_Capital_Guarantee", "Y")),
    "04082_Capital_Guarantee_Limitations": ("04080_Capital_Guarantee is Y", _is("04080_Capital_Guarantee", "Y")),
    "04083_Capital_Guarantee_Early_Exit_Conditions": ("04080_Capital_Guarantee is Y", _is("04080_Capital_Guarantee", "Y")),
    "04084_Capital_Guarantee_Portfolio": ("04080_Capital_Guarantee is Y", _is("04080_Capital_Guarantee", "Y")),
    "04086_Description_Past_Interval_Unfavourable_Scenario": ("the PRIIPs category (00080) is 2", _category(2)),
    "04087_Description_Past_Interval_Moderate_Scenario": ("the PRIIPs category (00080) is 2", _category(2)),
    "04088_Description_Past_Interval_Favourable_Scenario": ("the PRIIPs category (00080) is 2", _category(2)),
    "04089_Was_Benchmark_Used_Performance_Calculation": ("the PRIIPs category (00080) is 2", _category(2)),
    "04090_Portfolio_Performance_Fees_Carried_Interest_Narrative": ("03090_Existing_Incidental_Costs_Portfolio is Y",
                                                                    _is("03090_Existing_Incidental_Costs_Portfolio", "Y")),
    "04160_Cost_Dependence_Explanation": ("04150_Do_Costs_Depend_On_Invested_Amount is Y",
                                          _is("04150_Do_Costs_Depend_On_Invested_Amount", "Y")),
    "06050_Capital_Preservation_Level": ("06040_Existing_Capital_Preservation is Y", _is("06040_Existing_Capital_Preservation", "Y")),
    "06060_Time_Interval_Maximum_Loss": ("06040_Existing_Capital_Preservation is Y", _is("06040_Existing_Capital_Preservation", "Y")),
    "06080_Multiplier_PI": ("06070_Uses_PI is Y", _is("06070_Uses_PI", "Y")),
    "07005_First_Possible_Call_Date": ("00110_Is_An_Autocallable_Product is Y", _is("00110_Is_An_Autocallable_Product", "Y")),
    "08045_UK_PRIIPs_Data_Reference_Date": ("08010 is Both", _is(UK_DELIVERY, "BOTH")),
    "08050_UK_PRIIPs_KID_Publication_Date": ("08010 is UKPRIIP or Both", _is(UK_DELIVERY, "UKPRIIP", "BOTH")),
    "08070_Investment_Objective_Portfolio": ("08010 is given and 00006 is Y",
                                             lambda row: _is("00006_EPT_Data_Reporting_Narratives", "Y")(row)),
    "08080_UK_Other_Materially_Relevant_Risk_Narrative_Portfolio": ("08010 is given and 00006 is Y",
                                                                     lambda row: _is("00006_EPT_Data_Reporting_Narratives", "Y")(row)),
    "08140_UK_Assumed_Portfolio_Return": ("00009 is Y", _is("00009_EPT_Additional_Information_Structured_Products", "Y")),
    "08200_UCITS_Performance_Fees": ("08190_UCITS_Existing_Performance_Fees is Y", _is("08190_UCITS_Existing_Performance_Fees", "Y")),
}
for _years, _fields in ((1, ("02010", "02040", "02070", "02100", "03030")), (10, ("02020", "02050", "02080", "02110", "03040"))):
    for _field in names():
        if _field[:5] in _fields:
            CONDITIONS[_field] = ((f"the RHP (01120) is above {_years} year", _rhp_above(1)) if _years == 1 else
                                  (f"the RHP (01120) is {_years} years or more", _rhp_from(10)))

# The UK part's two subsections (08010's comment): UK PRIIPs data, and UCITS data for UK insurers.
UK_PRIIP_FIELDS = ("08045", "08050", "08060", "08070", "08080", "08090", "08100", "08110", "08120", "08130", "08140")
UCITS_FIELDS = ("08150", "08160", "08170", "08180", "08190", "08200")


def section_state(row: dict, field: EptField) -> tuple[bool, str | None]:
    """(whether the field's section is completed in this row, the flag that says it is not)."""
    flag_name = SECTION_FLAGS.get(field.number[:2])
    if flag_name is not None:
        return flag(row, flag_name) == "Y", flag_name
    if field.number[:2] == "08" and field.name != UK_DELIVERY:
        delivery = flag(row, UK_DELIVERY)
        if delivery is None:
            return False, UK_DELIVERY
        if field.number in UK_PRIIP_FIELDS:
            return delivery in ("UKPRIIP", "BOTH"), UK_DELIVERY
        if field.number in UCITS_FIELDS:
            return delivery in ("UCITS", "BOTH"), UK_DELIVERY
    return True, None


def schema_requires(field: EptField) -> bool:
    """Whether ept.schema.json requires the field in every row (whatever its section's flag says)."""
    return field.name in schema()["components"]["schemas"]["ept"].get("required", ())


# Mandatory fields the template's comment says to leave blank when there is nothing to say ("If no other relevant
# risks, leave blank").
BLANK_WHEN_NONE = frozenset({"04060_Other_Materially_Relevant_Risk_Narrative_Portfolio",
                             "08080_UK_Other_Materially_Relevant_Risk_Narrative_Portfolio"})


def required(row: dict, field: EptField) -> str | None:
    """Why the field is required in this row ("mandatory", "the RHP is above 1 year"), or None."""
    completed, _ = section_state(row, field)
    if not completed or field.name in BLANK_WHEN_NONE:
        return None
    if field.name in CONDITIONS:
        why, condition = CONDITIONS[field.name]
        return why if condition(row) else None
    return "mandatory" if field.mandatory == "M" else None


# --- codification ----------------------------------------------------------------------------------

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\s*\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def is_isin(code: str) -> bool:
    """An ISIN (ISO 6166): two letters, nine letters or digits, and its Luhn check digit."""
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", code):
        return False
    digits = "".join(str(int(c, 36)) for c in code[:-1])
    total = sum(d // 10 + d % 10 for d in (int(c) * (2 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits))))
    return (10 - total % 10) % 10 == int(code[-1])


def is_lei(code: str) -> bool:
    """An LEI (ISO 17442): 18 letters or digits and two check digits, the whole mod 97 being 1 (ISO 7064)."""
    return bool(re.fullmatch(r"[A-Z0-9]{18}[0-9]{2}", code)) and int("".join(str(int(c, 36)) for c in code)) % 97 == 1


@cache
def _languages() -> frozenset[str]:
    import pycountry

    found = set()
    for language in pycountry.languages:
        found.update(code for code in (getattr(language, "alpha_3", None), getattr(language, "bibliographic", None)) if code)
    return frozenset(found)


@cache
def _currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def codification_problem(field: EptField, value: object) -> str | None:
    """What is wrong with a given value by the field's codification (None when it is right)."""
    spec = field.schema
    shown = text(value)
    if "$ref" in spec:  # currency or language
        kind = spec["$ref"].rsplit("/", 1)[-1]
        if kind == "currency":
            return None if shown in _currencies() else f"{shown!r} is not an ISO 4217 currency code"
        return None if shown.lower() in _languages() and shown == shown.lower() else f"{shown!r} is not an ISO 639-2 language code"
    if "oneOf" in spec:  # 06060: a frequency or a date
        if number(value) is not None and number(value) in {Decimal(v) for v in spec["oneOf"][0]["enum"]}:
            return None
        return None if _date_ok(shown) else f"{shown!r} is neither a frequency (0, 1, 2, 4, 12, 24, 52, 104, 252) nor a date"
    kind = spec.get("type")
    if kind in ("number", "integer"):
        found = number(value)
        if found is None:
            return f"{shown!r} is not a number ({field.codification.splitlines()[0] if field.codification else 'a number'})"
        if (kind == "integer" and field.name != "01120_Recommended_Holding_Period") and found != found.to_integral_value():
            return f"{shown} is not a whole number"
        if "enum" in spec and found not in {Decimal(v) for v in spec["enum"]}:
            return f"{shown} is not one of {', '.join(str(v) for v in spec['enum'])}"
        if "minimum" in spec and found < Decimal(str(spec["minimum"])) or "maximum" in spec and found > Decimal(str(spec["maximum"])):
            return f"{shown} is not from {spec.get('minimum')} to {spec.get('maximum')}"
        if field.name in ("01090_SRI", "01100_MRM", "01110_CRM") and found != found.to_integral_value():
            return f"{shown} is not a whole class"
        return None
    if not isinstance(value, str) and not isinstance(value, (dt.date, dt.datetime)):
        return f"{shown!r} is not text"
    if "enum" in spec and shown not in spec["enum"]:
        return f"{shown!r} is not one of {', '.join(spec['enum'])}"
    if spec.get("format") == "date" and not _date_ok(shown):
        return f"{shown!r} is not a date written YYYY-MM-DD (ISO 8601)"
    if spec.get("format") == "date-time" and not DATE_TIME.fullmatch(shown):
        return f"{shown!r} is not a date and time written YYYY-MM-DD hh:mm:ss (ISO 8601, UTC)"
    if "maxLength" in spec and len(shown) > spec["maxLength"]:
        return f"is {len(shown)} characters long, more than the {spec['maxLength']} the template allows"
    if field.name == "00016_Portfolio_Manufacturer_LEI" and not is_lei(shown):
        return f"{shown!r} is not an LEI (ISO 17442: 20 characters with valid check digits)"
    return None


def _date_ok(shown: str) -> bool:
    if not DATE.fullmatch(shown[:10]) or len(shown) not in (10, 19) or (len(shown) == 19 and shown[10:] != "T00:00:00"):
        return False
    try:
        dt.date.fromisoformat(shown[:10])
    except ValueError:
        return False
    return True
