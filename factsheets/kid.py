"""The PRIIPs Key Information Document: what its template shows, from `priips.py`'s figures."""

from __future__ import annotations


def statement_values(fund) -> dict[str, object]:
    return {}


def context(fund, localisers, langs, family, colours) -> dict[str, object]:
    return {}
