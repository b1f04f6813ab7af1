"""The disclosure library: the mandatory statements compliance approved, per jurisdiction.

The package keeps its own copy of each approved file (`disclosures/<jurisdiction>.yaml`,
unchanged from the spec). Which statements a document must carry, and their exact
text with placeholders filled, is decided here and nowhere else.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Callable

import yaml

from .model import LANGS, FundFile

# A statement's `when`, as written in the library, and what it means.
CONDITIONS: dict[str, Callable[[FundFile, bool], bool]] = {
    "fund has an index": lambda fund, shows_holdings: fund.index is not None,
    "the document shows holdings": lambda fund, shows_holdings: shows_holdings,
    "fund category is money_market": lambda fund, shows_holdings: fund.fund.category.value == "money_market",
}


# Where a statement stands in the document: the risk block, or else the disclaimer block.
RISK_BLOCK = frozenset({"risk-general", "past-performance", "no-guarantee", "other-funds", "suitability", "money-market-not-deposit"})


@dataclass(frozen=True)
class Statement:
    id: str
    version: int
    texts: dict[str, str]  # language -> approved text with {placeholders}
    when: str | None = None
    labels: dict[str, dict[str, dict[str, str]]] | None = None  # placeholder -> key -> language -> text

    def applies_to(self, fund: FundFile, shows_holdings: bool = True) -> bool:
        return self.when is None or CONDITIONS[self.when](fund, shows_holdings)

    @property
    def block(self) -> str:
        return "risk" if self.id in RISK_BLOCK else "disclaimer"

    def placeholders(self, lang: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.texts[lang]) if name}


@dataclass(frozen=True)
class Library:
    jurisdiction: str
    statements: tuple[Statement, ...]
    banned_wording: dict[str, tuple[str, ...]]

    def applicable(self, fund: FundFile, shows_holdings: bool = True) -> list[Statement]:
        return [s for s in self.statements if s.applies_to(fund, shows_holdings)]


class LibraryError(Exception):
    pass


def parse_library(data: dict) -> Library:
    statements = []
    for raw in data["statements"]:
        when = raw.get("when")
        if when is not None and when not in CONDITIONS:
            # A condition we do not understand must never silently drop a statement.
            raise LibraryError(f"statement {raw['id']}: unknown condition {when!r}")
        texts = {lang: raw[lang] for lang in LANGS if lang in raw}
        statements.append(Statement(raw["id"], int(raw["version"]), texts, when, raw.get("labels")))
    banned = {lang: tuple(words) for lang, words in (data.get("banned_wording") or {}).items()}
    return Library(data["jurisdiction"], tuple(statements), banned)


@cache
def library(jurisdiction: str) -> Library:
    """The approved statements for a jurisdiction (only CN ships today)."""
    name = f"{jurisdiction.lower()}.yaml"
    text = resources.files("factsheets").joinpath("disclosures", name).read_text(encoding="utf-8")
    return parse_library(yaml.safe_load(text))
