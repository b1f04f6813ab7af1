"""A finished PDF's layout, read back: a last page that holds only a line or two, and the words that run past
a document's page limit."""

from __future__ import annotations

from .document import PdfFile, opened
from .text import pdf_pages_text

FOOTER_PT = 45  # the page's bottom margin, where the running footer (fund name, page numbers) stands
LONELY_LINES = 6  # a last page with this many lines or fewer is a layout failure, not a page


def layout_warnings(pdf: bytes | PdfFile) -> list[str]:
    """A last page that holds only a footnote or a source line: a reader turns the page for nothing, and a
    designer should tighten the layout (the build reports it; `--strict-layout` makes it an error)."""
    with opened(pdf) as file:
        document = file.pdfium
        pages = len(document)
        if pages < 2:
            return []
        page = document[pages - 1]
        textpage = page.get_textpage()
        rects = [textpage.get_rect(i) for i in range(textpage.count_rects(0, -1))]
        lines = {round(top) for _, bottom, _, top in rects if bottom > FOOTER_PT}
        words = " ".join(textpage.get_text_bounded(0, FOOTER_PT, page.get_width(), page.get_height()).split())
        textpage.close()
        page.close()
    if len(lines) <= LONELY_LINES:
        return [f"the last page (page {pages}) holds only {len(lines)} line{'s' * (len(lines) != 1)} "
                f"({words[:60]!r}): tighten the layout so that it fits the page before"]
    return []


def overflow(pdf: bytes | PdfFile, limit: int) -> str:
    """What runs past the page limit: the first words of the first page too many."""
    pages = pdf_pages_text(pdf)
    words = " ".join(" ".join(pages[limit:]).split())[:80]
    return f"page {limit + 1} starts with {words!r}"
