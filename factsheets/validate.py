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


def validate_data(data: dict[str, Any], source: str | Path = "<fund>") -> FundFile:
    as_of = data.get("as_of")
    context = {"as_of": as_of} if isinstance(as_of, dt.date) else {}
    try:
        return FundFile.model_validate(data, context=context)
    except ValidationError as error:
        raise FundFileError(source, problems_of(error)) from None


def load_fund(path: str | Path) -> FundFile:
    """Read and validate a fund file (YAML or JSON); raise FundFileError listing every problem."""
    return validate_data(read_data(path), path)
