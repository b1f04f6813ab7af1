"""Stage 1, load: read a YAML or JSON fund file into plain data, safely.

Numbers with a fraction become `Decimal` straight from their text (never via float),
duplicate keys are errors, and the file size is bounded before anything is parsed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import FundFileError, Problem

MAX_BYTES = 5 * 1024 * 1024
FUND_SUFFIXES = (".yaml", ".yml", ".json")


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int | None):
        self.key, self.line = key, line


class FundLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with exact decimals, no duplicate keys and no aliases."""

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Decimal:
        text = str(self.construct_scalar(node)).replace("_", "").lower()
        if text.endswith(".nan"):
            return Decimal("NaN")  # rejected by the model, with the field's path
        if text.endswith(".inf"):
            return Decimal("-Infinity" if text.startswith("-") else "Infinity")
        return Decimal(text)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Aliases make alias bombs possible and a fund file never needs them.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "aliases (*name) are not allowed in fund files", event.start_mark)
        return super().compose_node(parent, index)


FundLoader.add_constructor("tag:yaml.org,2002:float", FundLoader.construct_yaml_float)
FundLoader.add_constructor("tag:yaml.org,2002:map", FundLoader.construct_yaml_map)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key, None)
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def parse(text: str, source: str | Path) -> Any:
    """Parse fund-file text (JSON if the file ends in .json, else YAML)."""
    try:
        if str(source).endswith(".json"):
            return json.loads(text, parse_float=Decimal, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
        return yaml.load(text, Loader=FundLoader)  # noqa: S506 - FundLoader is a SafeLoader
    except _DuplicateKey as dup:
        raise FundFileError(source, [Problem("", f"duplicate key {dup.key!r}", dup.line)]) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        raise FundFileError(source, [Problem("", f"not valid YAML: {err.problem or err.context}", line)]) from None
    except (yaml.YAMLError, ValueError, ArithmeticError, RecursionError) as err:
        raise FundFileError(source, [Problem("", f"not valid {'JSON' if str(source).endswith('.json') else 'YAML'}: {err}")]) from None


def read_data(path: str | Path) -> dict[str, Any]:
    """Read a fund file into a mapping, or raise FundFileError naming the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise FundFileError(path, [Problem("", f"file is {size:,} bytes, above the limit of {MAX_BYTES:,}")])
        raw = path.read_bytes()
    except FundFileError:
        raise
    except OSError as err:
        raise FundFileError(path, [Problem("", f"cannot read file: {err.strerror or err}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FundFileError(path, [Problem("", f"not UTF-8 text (byte {err.start})")]) from None
    data = parse(text, path)
    if data is None:
        raise FundFileError(path, [Problem("", "file is empty")])
    if not isinstance(data, dict):
        raise FundFileError(path, [Problem("", f"expected a mapping at the top level, found a {type(data).__name__}")])
    return data


def fund_files(paths: list[str | Path]) -> list[Path]:
    """Expand directories into the fund files they hold (sorted, not recursive into hidden folders)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.suffix in FUND_SUFFIXES and p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found
