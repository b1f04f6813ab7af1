"""DS: rules on the mandatory statements and the wording of the fund's texts."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from typing import Iterable

import yaml

from ..model import LANGS
from .base import Finding, FundContext, Rule, register


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_pins(data: dict) -> dict[tuple[str, int], dict[str, str]]:
    """(statement id, version) -> language -> sha256 of the approved text."""
    return {(p["id"], int(p["version"])): dict(p["sha256"]) for p in data.get("pins") or []}


@cache
def pins(jurisdiction: str) -> dict[tuple[str, int], dict[str, str]]:
    """The pinned hash of every approved statement text (`disclosures/<jurisdiction>.pins.yaml`)."""
    name = f"{jurisdiction.lower()}.pins.yaml"
    text = resources.files("factsheets").joinpath("disclosures", name).read_text(encoding="utf-8")
    return parse_pins(yaml.safe_load(text))


def _applicable(ctx: FundContext):
    assert ctx.fund is not None and ctx.library is not None
    return ctx.library.applicable(ctx.fund, ctx.fund.holdings is not None)


@register
class StatementMissingInLibrary(Rule):
    code = "DS001"
    name = "statement-missing-in-library"
    message = "a statement that applies to the fund has no approved text in one of the fund's languages"
    explanation = (
        "Each statement of the disclosure library that applies to the fund (all statements without `when`,\n"
        "and those whose condition the fund meets) must have approved text in every language the fund is\n"
        "rendered in (en, zh-CN, and zh-HK when the fund has zh-HK texts). Without it no document can be built.\n"
        "Fix: add the approved translation to the library (a change compliance approves), with a new version."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        if ctx.fund is None or ctx.library is None:
            return
        for statement in _applicable(ctx):
            for lang in ctx.langs():
                if not statement.texts.get(lang):
                    yield self.finding(ctx, f"statement {statement.id} (version {statement.version}) has no approved "
                                            f"{lang} text in the {ctx.library.jurisdiction} disclosure library",
                                       location=f"disclosures.{statement.id}.{lang}", lang=lang)


@register
class StatementChangedWithoutVersion(Rule):
    code = "DS002"
    name = "statement-changed-without-version"
    message = "an approved statement's text differs from its pinned hash without a new version"
    explanation = (
        "The library pins the SHA-256 of each statement text per version (`disclosures/<jurisdiction>.pins.yaml`).\n"
        "A text whose hash differs from the pin of its version was edited without a new version: documents\n"
        "would record version N for words compliance never approved as version N. Fix: restore the approved\n"
        "text, or give the statement a new version and pin its texts once approved."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        if ctx.fund is None or ctx.library is None or ctx.pins is None:
            return
        for statement in _applicable(ctx):
            pinned = ctx.pins.get((statement.id, statement.version))
            for lang, text in statement.texts.items():
                where = f"disclosures.{statement.id}.{lang}"
                if pinned is None or lang not in pinned:
                    yield self.finding(ctx, f"statement {statement.id} version {statement.version} has no pinned {lang} "
                                            f"text: a new or changed statement must be pinned", location=where, lang=lang)
                elif pinned[lang] != text_hash(text):
                    yield self.finding(ctx, f"the {lang} text of statement {statement.id} changed without a new version "
                                            f"(still version {statement.version})", location=where, lang=lang)


def _raw_texts(data: object, path: str = "") -> list[tuple[str, dict]]:
    """Localised texts in raw data (mappings keyed by languages), for a file that does not validate."""
    found: list[tuple[str, dict]] = []
    if isinstance(data, dict):
        keys = set(data)
        if keys and keys <= set(LANGS) and any(isinstance(v, str) for v in data.values()):
            return [(path, data)]
        for key, value in data.items():
            found += _raw_texts(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            found += _raw_texts(item, f"{path}.{i}")
    return found


def _banned_pattern(word: str) -> re.Pattern[str]:
    if word.isascii():
        # Whole words only: "no risk" must not match "no risky"; case does not matter.
        body = r"[\s-]+".join(re.escape(part) for part in word.split())
        return re.compile(r"(?<![A-Za-z0-9])" + body + r"(?![A-Za-z0-9])", re.I)
    return re.compile(re.escape(word))


@register
class BannedWording(Rule):
    code = "DS003"
    name = "banned-wording"
    message = "a reader-visible fund text uses wording the disclosure library bans"
    explanation = (
        "The disclosure library lists wording marketing copy must never contain (\"risk-free\", \"guaranteed\n"
        "return\", 保本, 无风险, ...). Every reader-visible text of the fund (names, risk notes, commentary,\n"
        "sources) is searched in every language, English words case-insensitively and as whole words.\n"
        "Fix: reword the text."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        if ctx.library is None:
            return
        words = list(dict.fromkeys(w for lang_words in ctx.library.banned_wording.values() for w in lang_words))
        patterns = [(word, _banned_pattern(word)) for word in words]
        if ctx.fund is not None:
            texts = [(path, {lang: text.get(lang) for lang in LANGS}) for path, text in ctx.fund.texts()]
        else:
            texts = _raw_texts(ctx.data or {})
        for path, by_lang in texts:
            for lang, value in by_lang.items():
                if not isinstance(value, str):
                    continue
                for word, pattern in patterns:
                    if pattern.search(value):
                        yield self.finding(ctx, f"contains banned wording {word!r}", location=f"{path}.{lang}", lang=lang)
