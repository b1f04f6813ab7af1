"""Read a finished PDF (ours or anyone's) for `verify`: its text (pdfplumber: a reader independent of
the build's PDFium), its declared /Lang and the scripts its text is in, and where a statement stands in
it. Whether a statement can be seen is `legibility.judge`'s, the build's own judge."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Iterable

from ..errors import FactsheetError
from .document import PdfFile, opened
from .text import Span, normalise, place, prose_spans

_CID = re.compile(r"^\(cid:\d+\)$")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Characters that exist only in one of the two Chinese scripts, common in fund documents.
_SIMPLIFIED = set("险资谨过业绩预现证构读说书仅买卖金环发围应产务报动盘额类费这门间时")
_TRADITIONAL = set("險資謹過業績預現證構讀說書僅買賣環發圍應產務報動盤額類費這門間時")
_TRADITIONAL -= _SIMPLIFIED  # 金 and the like are shared
_SIMPLIFIED -= set("金")


class PdfError(FactsheetError):
    pass


@dataclass
class Inspection:
    pages: int
    text: str  # every character of the document in order, white space removed (verify.normalise)
    declared_lang: str | None
    unmapped: dict[int, int] = field(default_factory=dict)  # page -> glyphs that map to no character
    textless_pages: list[int] = field(default_factory=list)
    char_pages: list[int] = field(default_factory=list)  # the page (from 1) of each character of `text`


@dataclass(frozen=True)
class Expected:
    """A statement a document must carry in one language: exact text, or a pattern with its placeholders open."""

    id: str
    version: int
    lang: str
    text: str
    exact: bool = True

    @property
    def literal_length(self) -> int:
        """The length of its text without placeholders, once normalised: longer statements are placed first."""
        if self.exact:
            return len(normalise(self.text))
        return sum(len(normalise(literal)) for literal, _, _, _ in string.Formatter().parse(self.text))


@dataclass(frozen=True)
class _Statement:
    """What `verify.place` takes: an id and its text per language."""

    id: str
    texts: dict[str, str]


def locate(haystack: str, expected: list[Expected], decoys: Iterable[str] = ()) -> dict[tuple[str, str], list[Span]]:
    """Where each expected (statement id, language) stands on its own in normalised text, with
    `verify.place`: the fund's own prose (`decoys`) is claimed first, then the statements longest
    first, each stretch of text counting for one statement only, so that a statement contained in
    another (zh-CN no-guarantee in money-market-not-deposit) must also stand somewhere by itself.
    Statements with open placeholders (without --fund) are matched as patterns afterwards, in the
    text no exact statement or decoy has claimed."""
    exact: dict[str, dict[str, str]] = {}
    for item in expected:
        if item.exact:
            exact.setdefault(item.id, {})[item.lang] = item.text
    placed = place(haystack, [_Statement(sid, texts) for sid, texts in exact.items()], decoys)
    claimed = [span for spans in placed.values() for span in spans]
    claimed += prose_spans(haystack, decoys, [normalise(t) for texts in exact.values() for t in texts.values()])

    def free(span: Span) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in claimed)

    for item in sorted((e for e in expected if not e.exact), key=lambda e: e.literal_length, reverse=True):
        spans = [m.span() for m in statement_pattern(item.text).finditer(haystack) if free(m.span())]
        placed[(item.id, item.lang)] = spans
        claimed += spans
    return placed


def statement_pattern(template: str) -> re.Pattern[str]:
    """A statement with {placeholders} as a pattern over normalised text: each placeholder is 1-80 characters."""
    parts = [re.escape(normalise(literal)) for literal, _, _, _ in string.Formatter().parse(template)]
    return re.compile(".{1,80}?".join(parts))


def inspect_pdf(data: bytes | PdfFile) -> Inspection:
    """Extract every character (the text `verify` places statements in); raise PdfError when the file is not a readable PDF."""
    from pdfminer.pdfparser import PDFSyntaxError

    raw = data.data if isinstance(data, PdfFile) else data
    if not raw.startswith(b"%PDF-") and b"%PDF-" not in raw[:1024]:
        raise PdfError("not a PDF file")
    try:
        with opened(data) as file:
            if "inspection" not in file.cache:
                file.cache["inspection"] = _inspect(file)
            return file.cache["inspection"]  # type: ignore[return-value]
    except PdfError:
        raise
    except (PDFSyntaxError, Exception) as error:  # pikepdf and pdfminer raise many types for broken files
        message = re.sub(r"^stream <[^>]*>: ", "", str(error))  # pikepdf names the in-memory stream
        raise PdfError(f"cannot read PDF: {type(error).__name__}: {message}") from None


def _inspect(file: PdfFile) -> Inspection:
    lang = file.pikepdf.Root.get("/Lang")
    declared = str(lang) if lang else None
    text: list[str] = []
    char_pages: list[int] = []
    unmapped: dict[int, int] = {}
    textless: list[int] = []
    pages = len(file.plumber.pages)
    for number, page in enumerate(file.plumber.pages, 1):
        chars = page.chars
        if not any(c["text"].strip() for c in chars):
            textless.append(number)
        for char in chars:
            value = char["text"]
            if _CID.match(value) or "\ufffd" in value:
                unmapped[number] = unmapped.get(number, 0) + 1
                continue
            shown = normalise(value)
            text.append(shown)
            char_pages += [number] * len(shown)
    return Inspection(pages, "".join(text), declared, unmapped, textless, char_pages)


def langs_of(inspection: Inspection) -> tuple[str, ...]:
    """The languages a document is in: its /Lang, and the scripts found in its text."""
    found: set[str] = set()
    declared = (inspection.declared_lang or "").lower()
    if declared.startswith("en"):
        found.add("en")
    elif declared.startswith(("zh-hk", "zh-tw", "zh-mo", "zh-hant")):
        found.add("zh-HK")
    elif declared.startswith("zh"):
        found.add("zh-CN")
    text = inspection.text
    latin = sum(1 for c in text if "a" <= c.lower() <= "z")
    han = len(_HAN.findall(text))
    if latin >= 200 and latin >= 0.15 * (latin + han):
        found.add("en")
    if han >= 20:
        simplified = sum(1 for c in text if c in _SIMPLIFIED)
        traditional = sum(1 for c in text if c in _TRADITIONAL)
        if simplified >= 3 or traditional < 3:
            found.add("zh-CN")
        if traditional >= 3:
            found.add("zh-HK")
    return tuple(lang for lang in ("en", "zh-CN", "zh-HK") if lang in found)


def parse_langs(text: str) -> tuple[str, ...]:
    """`--lang en,zh-CN` (or `bilingual`, `en+zh-HK`) -> languages."""
    langs: list[str] = []
    for part in re.split(r"[,+]", text):
        part = part.strip()
        if not part:
            continue
        names = ("en", "zh-CN") if part == "bilingual" else (part,)
        for name in names:
            if name not in ("en", "zh-CN", "zh-HK"):
                raise ValueError(f"unknown language {name!r}: use en, zh-CN, zh-HK (comma-separated)")
            if name not in langs:
                langs.append(name)
    if not langs:
        raise ValueError("no language given")
    return tuple(langs)
