"""One finished PDF, opened once for every check of it.

The checks of a PDF read it with three independent readers, on purpose (no single engine is the judge):
PDFium (Chrome's engine: the text of each page, each character's glyph and box, the page rasters the
legibility judge looks at), pdfplumber over pdfminer (the characters `verify` places statements in) and
pikepdf over qpdf (the XMP record, the attached fund data, fonts and content streams, which the glyph check
follows). A `PdfFile` opens each of them once, on first use, and keeps what is read from it (`cache`), so
that the build's verification, `check --render` and `verify` read a document once per reader however many
rules look at it. Close it (or use it as a context manager) when the checks are done.

Every function of `pdf/` that reads a PDF takes its bytes or a `PdfFile` (`opened`).
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from functools import cached_property
from typing import Iterator


class PdfFile:
    def __init__(self, data: bytes):
        self.data = data
        self.cache: dict[str, object] = {}  # what the checks read from it once (their own keys)
        self._closers: list = []

    @cached_property
    def pdfium(self):
        """PDFium's document (pypdfium2). Pages loaded from it are the caller's to close."""
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(self.data)
        self._closers.append(document.close)
        return document

    @cached_property
    def pikepdf(self):
        """pikepdf's (qpdf's) document."""
        import pikepdf

        document = pikepdf.open(io.BytesIO(self.data))
        self._closers.append(document.close)
        return document

    @cached_property
    def plumber(self):
        """pdfplumber's (pdfminer's) document."""
        import pdfplumber

        document = pdfplumber.open(io.BytesIO(self.data))
        self._closers.append(document.close)
        return document

    @cached_property
    def pages_text(self) -> list[str]:
        """The text of each page, as PDFium reads it (bounded: as the page shows it)."""
        pages = []
        for page in self.pdfium:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return pages

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self._closers.clear()

    def __enter__(self) -> PdfFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def opened(pdf: bytes | PdfFile) -> Iterator[PdfFile]:
    """The PDF as a `PdfFile`: the one given (left open: its owner closes it), or one opened for the bytes
    and closed afterwards."""
    if isinstance(pdf, PdfFile):
        yield pdf
        return
    with PdfFile(pdf) as file:
        yield file
