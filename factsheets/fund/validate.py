"""Stage 2, validate: plain data -> `FundFile`, with every problem listed at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import FundFileError, Problem
from .fields import JURISDICTIONS, LANGS, V1_LANGS
from .load import read_data, read_history
from .model import FundFile

_MESSAGES = {
    "extra_forbidden": "unknown key (misspelt, or not part of fund/v2: `factsheets schema` lists every key)",
    "missing": "is required",
    "decimal_parsing": "is not a number: write it as a plain number, e.g. 38.62, without %, 亿, units or quotes",
    "decimal_type": "is not a number: write it as a plain number, e.g. 38.62, without %, 亿, units or quotes",
    "date_from_datetime_parsing": "is not a date: write it as YYYY-MM-DD, e.g. 2025-10-31",
    "date_parsing": "is not a date: write it as YYYY-MM-DD, e.g. 2025-10-31",
    "date_type": "is not a date: write it as YYYY-MM-DD, e.g. 2025-10-31",
}


_BOUNDS = {"less_than_equal": ("at most", "le"), "less_than": ("less than", "lt"),
           "greater_than_equal": ("at least", "ge"), "greater_than": ("more than", "gt")}


def _plain(bound: object) -> str:
    """A bound as a reader writes it: 1,000,000,000,000,000, not Decimal('1000000000000000')."""
    text = str(bound)
    if text.startswith("Decimal("):
        text = text[len("Decimal("):-1].strip("'\"")
    try:
        value = Decimal(text)
    except ArithmeticError:
        return text
    if abs(value) < 10_000:  # a year, a percentage: no separator
        return f"{value:f}"
    return f"{value:,}" if value == value.to_integral_value() else f"{value:,f}"


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def problems_of(error: ValidationError) -> list[Problem]:
    """Pydantic's errors as dotted-path problems, expanding multi-problem rule errors."""
    problems = []
    for item in error.errors(include_url=False):
        path = _dotted(item["loc"])
        ctx = item.get("ctx") or {}
        if item["type"] == "fund_rule":
            for sub, message, *kind in ctx["problems"]:
                where = ".".join(part for part in (path, sub) if part)
                problems.append(Problem(where, message, kind=kind[0] if kind else "fund_rule"))
            continue
        message = _MESSAGES.get(item["type"], item["msg"])
        if item["type"] == "string_type" and isinstance(item.get("input"), int):
            message += " (quote codes so that leading zeros survive: \"017125\")"
        elif item["type"] == "literal_error" and path == "schema":
            message = "must be fund/v2 (or fund/v1 for files written before it)"
        elif item["type"] in _BOUNDS and ctx:
            words, key = _BOUNDS[item["type"]]
            message = f"{item.get('input')} is too {'large' if 'less' in item['type'] else 'small'}: it must be {words} {_plain(ctx[key])}"
        elif item["type"] == "enum" and ctx.get("expected"):
            message = f"{item.get('input')!r} is not one of {ctx['expected']}"
        problems.append(Problem(path, message, kind=item["type"]))
    return problems


def _as_of(data: dict[str, Any]) -> dt.date | None:
    """The file's as_of, for the rules that compare other dates with it (a string in JSON files)."""
    as_of = data.get("as_of")
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            return None  # reported by the model
    return as_of if isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime) else None


def _languages(data: dict[str, Any]) -> tuple[str, ...]:
    """The languages every text must be given in: fund/v2's `languages` (when it is a valid list),
    else fund/v1's en and zh-CN."""
    languages = data.get("languages")
    if data.get("schema") == "fund/v2" and isinstance(languages, list) and languages and all(lang in LANGS for lang in languages):
        return tuple(lang for lang in LANGS if lang in languages)
    return V1_LANGS


def validation_context(data: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """What the model's rules need from elsewhere in the file, read before validation so that every
    rule runs in the same pass: as_of, the languages texts are required in, the jurisdiction."""
    context: dict[str, Any] = {"today": today or dt.date.today(), "languages": _languages(data)}
    if (as_of := _as_of(data)) is not None:
        context["as_of"] = as_of
    if data.get("jurisdiction") in JURISDICTIONS:
        context["jurisdiction"] = data["jurisdiction"]
    return context


def validate_model(data: dict[str, Any], today: dt.date | None = None) -> FundFile:
    """The model of plain data, or Pydantic's ValidationError; dates are checked against the file's
    as_of and `today` (default: the clock). `validate_data` (build) and `check` both validate here."""
    return FundFile.model_validate(data, context=validation_context(data, today))


def validate_data(data: dict[str, Any], source: str | Path = "<fund>", today: dt.date | None = None) -> FundFile:
    """Validate plain data; dates are checked against the file's as_of and `today` (default: the clock)."""
    try:
        return validate_model(data, today)
    except ValidationError as error:
        raise FundFileError(source, problems_of(error)) from None


def load_fund(path: str | Path) -> FundFile:
    """Read and validate a fund file (YAML or JSON), and read the history files it refers to (kept on
    the fund, `FundFile.files`); raise FundFileError listing every problem."""
    fund = validate_data(read_data(path), path)
    return with_history(fund, Path(path).parent, path)


def with_history(fund: FundFile, base: Path, source: str | Path = "<fund>", files: dict[str, bytes] | None = None) -> FundFile:
    """The fund with the bytes of the history files it refers to: `files` when given (as a remote
    worker receives them), else read from `base`, the fund file's folder."""
    references = fund.history_paths()
    if not references:
        return fund
    if files is None:
        files, problems = read_history(references, base)
        if problems:
            raise FundFileError(source, problems)
    missing = [Problem(where, f"{name}: not given") for where, name in references if name not in files]
    if missing:
        raise FundFileError(source, missing)
    fund.attach_history({name: files[name] for _, name in references})
    return fund
