"""Fund data -> YAML text that `load.py` reads back to the same data: exact decimals (never a float
artefact), dates as ISO dates, codes quoted, keys in the order given, no aliases, no line folding
surprises. Used by `factsheets import` and `factsheets migrate`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml


class FundDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # the fund loader refuses aliases
        return True


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    if not value.is_finite():
        raise ValueError(f"{value} is not a number a fund file can hold")
    if value == value.to_integral_value() and value.as_tuple().exponent >= 0:
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


FundDumper.add_representer(Decimal, _represent_decimal)


def dump_fund(data: dict[str, Any]) -> str:
    """The YAML text of fund data (plain dicts, lists, str, int, Decimal, date, bool)."""
    return yaml.dump(data, Dumper=FundDumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
