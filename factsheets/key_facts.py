"""Key facts documents (the SFC's Product Key Facts Statement, the mainland 基金产品资料概要): what
their templates show."""

from __future__ import annotations


def statement_values(fund) -> dict[str, object]:
    return {}


def context(fund, localisers, langs, family, colours) -> dict[str, object]:
    return {}
