"""The disclosure libraries: the mandatory statements compliance approved, per jurisdiction.

The package keeps its own copy of each approved file (`disclosures/cn.yaml`, `hk.yaml`, `eu.yaml`,
byte for byte the spec's, whose hash `<name>.pins.yaml` records). Which statements a document
must carry, for which document types, and their placement on the page is decided here and
nowhere else; their exact text with placeholders filled is `localise.fill_statements`.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Callable

import yaml

from ..fund.model import LANGS, FundFile
from .types import NAMES as DOCUMENT_TYPES

LIBRARY_FILES = {"CN": "cn", "HK": "hk", "EU": "eu"}


@dataclass(frozen=True)
class Facts:
    """What a document shows, which some statements depend on (`when`)."""

    document: str = "factsheet"  # factsheet | kfs | kid
    shows_holdings: bool = False
    shows_performance: bool = False  # any performance figure of the fund
    shows_calendar_years: bool = False  # calendar-year figures of the fund
    too_young: bool = False  # younger than six months at as_of: no performance at all
    currency: str | None = None  # the document's (representative) class currency
    shows_launch_year: bool = False  # the year the fund's contract took effect (a part year) among its figures
    shows_backtested_index: bool = False  # index figures of years that ended before the index's launch date


# A statement's `when`, as written in the libraries, and what it means.
CONDITIONS: dict[str, Callable[[FundFile, Facts], bool]] = {
    "fund has an index": lambda fund, facts: fund.index is not None,
    "the document shows holdings": lambda fund, facts: facts.shows_holdings,
    "fund category is money_market": lambda fund, facts: fund.fund.category.value == "money_market",
    "fund category is qdii": lambda fund, facts: fund.fund.category.value == "qdii",
    "the fund's contract has been effective for less than six months at as_of": lambda fund, facts: facts.too_young,
    "the fund's track record is shorter than six months at as_of": lambda fund, facts: facts.too_young,
    "the document shows performance": lambda fund, facts: facts.shows_performance,
    "the document shows calendar-year performance": lambda fund, facts: facts.shows_calendar_years,
    "a share class distributes": lambda fund, facts: fund.fund.distributes,
    "the class's currency is not the euro": lambda fund, facts: (facts.currency or fund.fund.currency) != "EUR",
    # A fund without a guarantee text (`fund.guarantee`) has none: neither of its capital nor of a minimum return.
    "the fund has no guarantee": lambda fund, facts: fund.fund.guarantee is None,
    "the product guarantees no minimum return": lambda fund, facts: fund.fund.guarantee is None,
    "the product is a UCITS": lambda fund, facts: fund.fund.ucits is True,
    "the document shows the year the fund's contract took effect": lambda fund, facts: facts.shows_launch_year,
    "the document shows index figures from before the index's launch date": lambda fund, facts: facts.shows_backtested_index,
}

# Where a statement stands in a factsheet: the risk block, next to the performance figures, or
# (every other) the disclaimer block. Key facts documents and KIDs place each statement in their
# own template, by id.
RISK_BLOCK = frozenset({"risk-general", "past-performance", "no-guarantee", "suitability", "money-market-not-deposit",
                        "qdii-overseas", "hk-investment-risk", "hk-dividends"})
PERFORMANCE_BLOCK = frozenset({"performance-too-young", "hk-performance-too-young", "hk-performance-basis",
                               "hk-insufficient-data", "index-backtested"})


@dataclass(frozen=True)
class Statement:
    id: str
    version: int
    texts: dict[str, str]  # language -> approved text with {placeholders}
    when: str | None = None
    labels: dict[str, dict[str, dict[str, str]]] | None = None  # placeholder -> key -> language -> text
    documents: tuple[str, ...] = ("factsheet",)
    repeat: str | None = None  # printed once for each of several things (`repeat` says which): the KID's scenarios

    def applies_to(self, fund: FundFile, facts: Facts) -> bool:
        return facts.document in self.documents and (self.when is None or CONDITIONS[self.when](fund, facts))

    @property
    def block(self) -> str:
        return "risk" if self.id in RISK_BLOCK else "performance" if self.id in PERFORMANCE_BLOCK else "disclaimer"

    def placeholders(self, lang: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.texts[lang]) if name}


@dataclass(frozen=True)
class Retired:
    id: str
    version: int
    retired_on: str
    replaced_by: str | None
    texts: dict[str, str] = field(default_factory=dict)  # its last approved wording, from the pins file


@dataclass(frozen=True)
class BannedGroup:
    """Wording marketing copy must not contain, on one legal basis."""

    basis: str
    severity: str  # "error" fails check and the build; "warning" is reported only
    words: dict[str, tuple[str, ...]]  # language -> words
    allowed: tuple[str, ...] = ()  # phrases inside which a match is no finding (高收益债 is an asset class)


@dataclass(frozen=True)
class Library:
    jurisdiction: str
    statements: tuple[Statement, ...]
    banned: tuple[BannedGroup, ...] = ()
    retired: tuple[Retired, ...] = ()
    source_sha256: str | None = None  # of the file it was read from, when known: compared with the approved file's

    def applicable(self, fund: FundFile, facts: Facts | None = None) -> list[Statement]:
        facts = facts or Facts(shows_holdings=fund.holdings is not None)
        return [s for s in self.statements if s.applies_to(fund, facts)]

    def statement(self, statement_id: str) -> Statement | None:
        return next((s for s in self.statements if s.id == statement_id), None)

    @property
    def banned_wording(self) -> dict[str, tuple[str, ...]]:
        """Every banned word per language, whatever its group."""
        words: dict[str, dict[str, None]] = {}
        for group in self.banned:
            for lang, items in group.words.items():
                words.setdefault(lang, {}).update(dict.fromkeys(items))
        return {lang: tuple(items) for lang, items in words.items()}


class LibraryError(Exception):
    pass


def parse_library(data: dict | bytes, retired_texts: dict[tuple[str, int], dict[str, str]] | None = None) -> Library:
    """A library from its file's bytes (whose hash it then records) or from its parsed data."""
    source_sha256 = None
    if isinstance(data, bytes):
        source_sha256 = hashlib.sha256(data).hexdigest()
        data = yaml.safe_load(data.decode("utf-8"))
    statements = []
    for raw in data["statements"]:
        when = raw.get("when")
        if when is not None and when not in CONDITIONS:
            # A condition we do not understand must never silently drop a statement.
            raise LibraryError(f"statement {raw['id']}: unknown condition {when!r}")
        documents = tuple(raw.get("documents") or ("factsheet",))
        if unknown := [d for d in documents if d not in DOCUMENT_TYPES]:  # the registry's (`types.NAMES`)
            raise LibraryError(f"statement {raw['id']}: unknown document type {', '.join(unknown)}")
        texts = {lang: raw[lang] for lang in LANGS if lang in raw}
        repeat = raw.get("repeat")
        if repeat is not None and not isinstance(repeat, str):
            raise LibraryError(f"statement {raw['id']}: `repeat` says in words what the statement is repeated for")
        statements.append(Statement(raw["id"], int(raw["version"]), texts, when, raw.get("labels"), documents, repeat))
    banned = data.get("banned_wording") or []
    if isinstance(banned, dict):  # the first library's form: one list per language, all errors
        banned = [{"basis": "the disclosure library", "severity": "error", **banned}]
    groups = tuple(
        BannedGroup(group.get("basis", ""), group.get("severity", "error"),
                    {lang: tuple(group[lang]) for lang in LANGS if lang in group}, tuple(group.get("except") or ()))
        for group in banned
    )
    retired = tuple(
        Retired(r["id"], int(r["version"]), str(r.get("retired_on", "")), r.get("replaced_by"),
                (retired_texts or {}).get((r["id"], int(r["version"])), {}))
        for r in data.get("retired") or []
    )
    return Library(data["jurisdiction"], tuple(statements), groups, retired, source_sha256)


def _package_text(name: str) -> str:
    return resources.files("factsheets").joinpath("disclosures", name).read_text(encoding="utf-8")


@cache
def pins_file(jurisdiction: str) -> dict:
    """The pins file of a library: the hash of its approved source, of every statement text per
    version, and the last wording of its retired statements."""
    return yaml.safe_load(_package_text(f"{LIBRARY_FILES[jurisdiction]}.pins.yaml")) or {}


@cache
def library(jurisdiction: str) -> Library:
    """The approved statements for a jurisdiction: CN, HK, or EU (the PRIIPs KID)."""
    if jurisdiction not in LIBRARY_FILES:
        raise LibraryError(f"no disclosure library for {jurisdiction!r}: there are {', '.join(LIBRARY_FILES)}")
    retired = {(r["id"], int(r["version"])): {lang: r[lang] for lang in LANGS if lang in r}
               for r in pins_file(jurisdiction).get("retired") or []}
    return parse_library(library_source(jurisdiction), retired)


def library_source(jurisdiction: str) -> bytes:
    """The package's copy of an approved library file, as bytes (for its pinned hash)."""
    return resources.files("factsheets").joinpath("disclosures", f"{LIBRARY_FILES[jurisdiction]}.yaml").read_bytes()


def approved_sha256(jurisdiction: str) -> str | None:
    """The SHA-256 of the approved library file, as its pins record it."""
    return (pins_file(jurisdiction).get("source") or {}).get("sha256")
