"""Stage 5, verify: read the finished PDF back and prove it carries every mandatory
statement, word for word, in each of its languages. Nothing is trusted to the template."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pypdfium2 as pdfium

_SPACE = re.compile(r"[\s\u00ad\u200b]+")


def normalise(text: str) -> str:
    """Line breaks fall mid-sentence in Chinese and between words in English: compare without white space."""
    return _SPACE.sub("", text)


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, read by PDFium (Chrome's PDF engine): an independent reader,
    and some 15 times faster than pypdf here (6.5 ms against 114 ms for a two-page factsheet)."""
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


@dataclass(frozen=True)
class MissingStatement:
    id: str
    version: int
    lang: str

    def __str__(self) -> str:
        return f"statement {self.id} (version {self.version}) is missing in {self.lang}"


def missing_statements(pdf_text: str, statements) -> list[MissingStatement]:
    """Each (statement, language) whose exact text is not in the PDF's text."""
    haystack = normalise(pdf_text)
    return [
        MissingStatement(s.id, s.version, lang)
        for s in statements
        for lang, text in s.texts.items()
        if normalise(text) not in haystack
    ]


def attached_fund(pdf: bytes):
    """The fund a factsheet PDF was made from, from its attached fund data (PDF/A-3 associated
    file), validated again; None when the PDF carries none. `verify --attached-fund` uses it
    in place of `--fund`."""
    from .archive import NoAttachment, fund_from_pdf

    try:
        return fund_from_pdf(pdf)
    except NoAttachment:
        return None
