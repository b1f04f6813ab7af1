"""DS: rules on the mandatory statements and the wording of the fund's texts."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from typing import Iterable

from ..documents.disclosures import Facts, Library, approved_sha256, pins_file
from ..fund.model import LANGS
from .base import Finding, FundContext, Rule, register


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_pins(data: dict) -> dict[tuple[str, int], dict[str, str]]:
    """(statement id, version) -> language -> sha256 of the approved text."""
    return {(p["id"], int(p["version"])): dict(p["sha256"]) for p in data.get("pins") or []}


@cache
def pins(jurisdiction: str) -> dict[tuple[str, int], dict[str, str]]:
    """The pinned hash of every approved statement text (`disclosures/<library>.pins.yaml`)."""
    return parse_pins(pins_file(jurisdiction))


def source_mismatch(library: Library) -> str | None:
    """Why a library is not the approved file its pins name (edited, even if re-pinned), or None."""
    approved = approved_sha256(library.jurisdiction)
    if library.source_sha256 is None or library.source_sha256 == approved:
        return None
    return (f"the {library.jurisdiction} disclosure library is not the approved file: its SHA-256 is "
            f"{library.source_sha256[:12]}…, the approved file's {str(approved)[:12]}…; take the approved library, "
            f"do not edit it")


def _applicable(ctx: FundContext):
    assert ctx.fund is not None and ctx.library is not None
    # Every document type the fund has: a statement any of its documents carries needs its texts.
    found: dict[str, object] = {}
    for document in ("factsheet", "kfs"):
        for statement in ctx.library.applicable(ctx.fund, Facts(document, ctx.fund.holdings is not None, True, True,
                                                                ctx.fund_too_young)):
            found.setdefault(statement.id, statement)
    return list(found.values())


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
        "The library pins the SHA-256 of each statement text per version (`disclosures/<library>.pins.yaml`),\n"
        "and of the approved library file itself. A text whose hash differs from the pin of its version was\n"
        "edited without a new version: documents would record version N for words compliance never approved\n"
        "as version N. A library copy that is not byte for byte the approved file (edited and re-pinned) is a\n"
        "finding too. Fix: restore the approved text, or take the newly approved library and pin its texts."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        if ctx.fund is None or ctx.library is None or ctx.pins is None:
            return
        if problem := source_mismatch(ctx.library):
            yield self.finding(ctx, problem, location="disclosures")
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
        "The disclosure library lists wording marketing copy must not contain (\"risk-free\", \"guaranteed\n"
        "return\", 保本, 无风险, ...), in groups, each with its legal basis (cited in every finding) and a severity:\n"
        "`error` fails check and the build, `warning` is reported for a reviewer and does not fail (wording allowed\n"
        "with objective evidence, or industry practice). Every reader-visible text of the fund (names, risk notes,\n"
        "commentary, sources, holdings, allocations) is searched in every language, English words\n"
        "case-insensitively and as whole words. A match inside one of a group's `except` phrases (高收益债, an\n"
        "asset class) is no finding. Fix: reword the text."
    )

    def check(self, ctx: FundContext) -> Iterable[Finding]:
        if ctx.library is None:
            return
        if ctx.fund is not None:
            texts = [(path, {lang: text.get(lang) for lang in LANGS}) for path, text in ctx.fund.texts()]
        else:
            texts = _raw_texts(ctx.data or {})
        for path, by_lang, group, word in banned_matches(ctx.library.banned, texts):
            lang = by_lang
            yield self.finding(ctx, f"contains banned wording {word!r} ({group.basis})", location=f"{path}.{lang}", lang=lang,
                               severity=group.severity)


def banned_matches(groups, texts):
    """(path, language, group, word) of every banned word in `texts` [(path, {language: text})],
    outside its group's `except` phrases; each word reported once per text."""
    for group in groups:
        words = list(dict.fromkeys(w for items in group.words.values() for w in items))
        patterns = [(word, _banned_pattern(word)) for word in words]
        allowed = [_banned_pattern(phrase) for phrase in group.allowed]
        for path, by_lang in texts:
            for lang, value in by_lang.items():
                if not isinstance(value, str):
                    continue
                shields = [m.span() for pattern in allowed for m in pattern.finditer(value)]
                for word, pattern in patterns:
                    if any(not any(a <= m.start() and m.end() <= b for a, b in shields) for m in pattern.finditer(value)):
                        yield path, lang, group, word
