"""Stage 2, validate: plain data -> `FundFile`, with every problem listed at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import FundFileError, Problem
from .load import read_data
from .model import FundFile

_MESSAGES = {
    "extra_forbidden": "unknown key (misspelt, or not part of fund/v1)",
    "missing": "is required",
}


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def problems_of(error: ValidationError) -> list[Problem]:
    """Pydantic's errors as dotted-path problems, expanding multi-problem rule errors."""
    problems = []
    for item in error.errors(include_url=False):
        path = _dotted(item["loc"])
        ctx = item.get("ctx") or {}
        if item["type"] == "fund_rule":
            problems += [Problem(f"{path}.{sub}" if path else sub, message) for sub, message in ctx["problems"]]
            continue
        message = _MESSAGES.get(item["type"], item["msg"])
        if item["type"] == "string_type" and isinstance(item.get("input"), int):
            message += " (quote codes so that leading zeros survive: \"017125\")"
        problems.append(Problem(path, message))
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


def validation_context(data: dict[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"today": today or dt.date.today()}
    if (as_of := _as_of(data)) is not None:
        context["as_of"] = as_of
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
    """Read and validate a fund file (YAML or JSON); raise FundFileError listing every problem."""
    return validate_data(read_data(path), path)
