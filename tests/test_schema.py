"""The JSON Schema (`factsheets schema`) is as strict as the model: a set of bad funds gets the same
verdict from a JSON Schema validator (with format checks) as from Pydantic."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal

import jsonschema
import pytest

from factsheets.cli.schema import fund_schema
from factsheets.fund.load import read_data
from factsheets.fund.validate import validate_model

from .conftest import ETF, MONEY_MARKET

TODAY = dt.date(2025, 11, 20)


def as_json(data):
    """The data as a JSON fund file holds it: numbers as numbers, dates as strings."""
    return json.loads(json.dumps(data, default=lambda v: float(v) if isinstance(v, Decimal) else v.isoformat()))


def reference():
    return as_json(read_data(ETF))


def mutated(change):
    data = reference()
    change(data)
    return data


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


BAD = {
    "annual returns empty": lambda d: d.setdefault("performance", {"basis": {"en": "NAV", "zh-CN": "净值"},
                                                                  "annual_returns": {"fund": {}}}),
    "a year key that is not a year": _set("index.annual_returns", {"20x1": 1.5}),
    "a return given as text": _set("index.annual_returns", {"2021": "12.3"}),
    "an amount with a unit": _set("fund.aum", "118亿"),
    "an unknown key": _set("fund.categroy", "etf"),
    "an unknown category": _set("fund.category", "hedge"),
    "a code with a space": _set("fund.code", "513 770"),
    "a lower-case currency": _set("fund.currency", "cny"),
    "a weight above 100": _set("holdings.top.0.weight", 120),
    "no holdings": _set("holdings.top", []),
    "an empty text": _set("commentary", {}),
    "an unknown language": _set("languages", ["fr"]),
    "an unknown schema": _set("schema", "fund/v3"),
    "an unknown jurisdiction": _set("jurisdiction", "SG"),  # EU is one now: a KID from an EPT row
    "a rating that does not exist": _set("fund.risk.rating", "R6"),
    "a date that is not a date": _set("as_of", "2025-02-30"),
    "a negative fund size": _set("fund.aum", -1),
    "a share class name with a slash": _set("fund.share_classes.0.class", "A/B"),
}


@pytest.fixture(scope="module")
def validator():
    schema = fund_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def pydantic_accepts(data) -> bool:
    try:
        validate_model(copy.deepcopy(data), TODAY)
        return True
    except Exception:
        return False


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_fund_is_refused_by_both(validator, name):
    data = mutated(BAD[name])
    assert not pydantic_accepts(data), f"the model accepts {name}"
    errors = list(validator.iter_errors(data))
    assert errors, f"the JSON Schema accepts {name}"


@pytest.mark.parametrize("path", [ETF, MONEY_MARKET])
def test_the_reference_funds_pass_both(validator, path):
    data = as_json(read_data(path))
    assert pydantic_accepts(data)
    assert list(validator.iter_errors(data)) == []


def test_fields_carry_descriptions_and_units():
    schema = fund_schema()
    defs = schema["$defs"]
    assert "percent" in json.dumps(defs["Holding"]).lower()
    assert "currency" in defs["Fund"]["properties"]["aum"]["anyOf"][0]["description"].lower()
    assert schema["description"].startswith("A fund file")
