"""A finished key facts document or KID read against its regulator's template (`documents.regulatory`): what a
compliance officer checks page by page, found in the PDF's text as PDFium lays it out, with no help from the
HTML or the fund file's own idea of what was printed.

- **Sections** (and subsections): each heading, in the document's language (the template's own or one it
  accepts; `[manufacturer]` stands for any words), standing as a line of its own, in the template's order. The
  header is the part before the first section: the template's title must stand there.
- **Rows**: within its part, a run of text that is one of the row's accepted labels (an ending `:`, `：` or
  footnote mark aside, or followed by `:` and its value in the same run), with a value: the text to its right
  on the label's line and the lines below it down to the next row, or, for a label standing alone (a heading
  over its text), the line under it. A value of dashes only is empty. A per-class row (`per: class`) of a fund
  with several classes stands once per class, or in a table with a column per class (a header line naming the
  classes) with a value under each, or with one value for all or one that names every class. Runs in the label
  column of the same table, in the labels' font and size, that are no accepted label of the part's rows, are
  rows the template does not accept.
- **Statements**: each statement the template places in a part must stand within that part (from its heading
  to the next part's); one not found at all is PDF001's, not counted twice.
- **Pages**: at most the template's `max_pages`.

The PDF is read once (`PdfFile`): the runs of text and their fonts are kept in its cache for every check.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from ..documents.regulatory import Part, Row, Template
from .document import PdfFile
from .text import Span, normalise

# Points: the band at the page's foot where the running footer (fund name, page numbers) stands, in a PDF whose pages
# declare no margin box (/ArtBox, which factsheets writes: there the footer is what stands wholly under it).
FOOTER_PT = 45

Locator = Callable[[str], dict[tuple[str, str], list[Span]]]  # statement (id, lang) -> spans in normalised text

_ENDINGS = (":", "：", "(*)", "（*）", "*")
_DASHES = re.compile(r"^[\s:：\-–—−]*$")
COLUMN = 2.5  # points: runs whose left edges are this close stand in one column
BLOCK = 42.0  # points from one row's top to the next within one table (a value of up to three lines)
JOIN = 0.3  # of a line's height: pieces of one line closer than this are one run (a word space is about 0.25 em)


@dataclass(frozen=True)
class Run:
    """A run of text as PDFium finds it (a table cell's line is one), its box in points (y upwards), and the
    font it is set in (name without the subset prefix, size): what tells a label from a column heading."""

    page: int  # from 1
    left: float
    bottom: float
    right: float
    top: float
    text: str
    style: tuple[str, float] = ("", 0.0)

    @property
    def key(self) -> str:
        return key(self.text)

    @property
    def position(self) -> tuple[int, float, float]:
        return (self.page, -self.top, self.left)

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1.0)

    def beside(self, other: Run) -> bool:
        """Whether `other` stands on this run's line (their boxes overlap vertically)."""
        return other.page == self.page and other.bottom < self.top - 1 and other.top > self.bottom + 1


def key(text: str) -> str:
    """Text as it is compared: without white space, English without case."""
    return normalise(text).casefold()


@dataclass(frozen=True)
class Nonconformity:
    """What the document lacks or has wrong against its template. `kind`: section-missing, section-order,
    row-missing, row-empty, row-label, statement-misplaced, pages."""

    kind: str
    template: str
    part: str  # the part's id: quick-facts, fees.1
    where: str  # the part as a reader finds it: "What are the fees and charges? › Charges which may be payable by you"
    message: str
    row: str | None = None
    page: int | None = None

    @property
    def location(self) -> str:
        """Where a finding stands: `section fees.1 row switching-fee`, `statement hk-kfs-important`, `page 5`."""
        if self.kind == "pages":
            return f"page {self.page}"
        if self.kind == "statement-misplaced":
            return f"statement {self.row}"
        return f"section {self.part}" + (f" row {self.row}" if self.row else "")


def runs(pdf: PdfFile) -> list[Run]:
    """Every run of text above the running footer, page by page in PDFium's reading order (kept in the PDF's cache)."""
    if "conformance.runs" not in pdf.cache:
        pdf.cache["conformance.runs"] = _read_runs(pdf)
    return pdf.cache["conformance.runs"]  # type: ignore[return-value]


def _read_runs(pdf: PdfFile) -> list[Run]:
    import pypdfium2.raw as pdfium_c

    found = []
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for number, page in enumerate(pdf.pdfium, 1):
        art = page.get_artbox(fallback_ok=False)
        footer = art[1] + 0.5 if art is not None else FOOTER_PT  # runs whose top is under it are the footer's
        textpage = page.get_textpage()
        for left, bottom, right, top in _lines(textpage.get_rect(i) for i in range(textpage.count_rects())):
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if not text or top <= footer:
                continue
            index = textpage.get_index(left + 0.5, (bottom + top) / 2, 1.0, 1.0)
            if index is None or index < 0:  # no character at its left edge: its middle
                index = textpage.get_index((left + right) / 2, (bottom + top) / 2, (right - left) / 2, 1.0)
            style = ("", 0.0)
            if index is not None and index >= 0:
                pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, name, len(name), ctypes.byref(flags))
                font = name.value.decode("latin-1").split("+")[-1]
                style = (font, round(pdfium_c.FPDFText_GetFontSize(textpage.raw, index), 1))
            found.append(Run(number, left, bottom, right, top, text, style))
        textpage.close()
        page.close()
    return found


def _lines(rects: Iterable[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """PDFium's rectangles of text, those that continue one another on a line joined: a line drawn in pieces (a
    paragraph's last words kept together in a span of their own, `render.typeset`) is one run, as a reader reads it.
    Two pieces continue one another when the second starts where the first ends, less than `JOIN` of the line's
    height on (a word space), on the same line; the text of two cells or blocks stands further apart (LY003)."""
    joined: list[tuple[float, float, float, float]] = []
    for rect in rects:
        if joined:
            left, bottom, right, top = joined[-1]
            height = min(top - bottom, rect[3] - rect[1])
            shared = min(top, rect[3]) - max(bottom, rect[1])
            if height > 0 and shared > 0.6 * height and -1.0 <= rect[0] - right <= JOIN * height:
                joined[-1] = (left, min(bottom, rect[1]), max(right, rect[2]), max(top, rect[3]))
                continue
        joined.append(tuple(rect))
    return joined


def pattern(heading: str) -> re.Pattern[str]:
    """A heading as the template words it, compared as `key` does; `[manufacturer]` stands for any words."""
    parts = re.split(r"\[[^\]]+\]", key(heading))
    return re.compile(".+?".join(re.escape(p) for p in parts) + r"[:：]?")


def missing_columns(runs: list[Run], i: int, value: list[Run], classes: list[tuple[str, ...]]) -> list[str] | None:
    """The classes whose column has no value in the row, when the row stands in a table with a column per class
    (the nearest line above the label naming two classes or more); None without such a table."""
    label = runs[i]
    above = [r for r in runs[max(0, i - 60):i] if r.page == label.page and r.bottom > label.top]
    lines: dict[float, list[Run]] = {}
    for r in above:
        lines.setdefault(round(r.top), []).append(r)
    for top in sorted(lines):  # the nearest first
        heads = [(r, c) for r in lines[top] for c in classes if key(r.text) in {key(n) for n in c}]
        if len(heads) >= 2:
            heads.sort(key=lambda item: item[0].left)
            edges = [h.left for h, _ in heads] + [float("inf")]
            return [c[0] for n, (_, c) in enumerate(heads)
                    if not any(edges[n] - COLUMN <= r.left < edges[n + 1] - COLUMN for r in value)]
        if top > label.top + 3 * BLOCK:
            break
    return None


class RowsReader:
    """Finding a part's rows, their values and the rows the template does not accept (the part of `Reader` that reads
    tables)."""

    template: Template
    lang: str
    fund: object
    classes: list[tuple[str, ...]]
    runs: list[Run]
    starts: dict[str, int]
    ends: dict[str, int]

    def _problem(self, kind: str, part: Part, message: str, row: str | None = None, page: int | None = None) -> None:
        raise NotImplementedError

    def _where(self, part: Part) -> str:
        raise NotImplementedError

    def _label_at(self, i: int, end: int, labels: Iterable[str]) -> tuple[int, str | None] | None:
        """Whether run `i` (with the runs under it in the same column, for a label on two lines) is one of
        `labels`: (the index of its last run, the value in the same run after a colon, or None)."""
        wanted = [key(label) for label in labels]
        first = self.runs[i]
        joined, j = "", i
        while j < end:
            run = self.runs[j]
            if j > i and (run.page != first.page or abs(run.left - first.left) > COLUMN
                          or run.top < self.runs[j - 1].bottom - 0.8 * run.height):
                break
            joined += run.key
            for label in wanted:
                if joined == label or any(joined == label + key(e) for e in _ENDINGS):
                    return j, None
                if j == i and any(joined.startswith(label + c) for c in (":", "：")):
                    return j, joined[len(label) + 1:]
            if len(joined) > max(map(len, wanted), default=0):
                break
            j += 1
        return None

    def _value(self, i: int, last: int, end: int) -> list[Run]:
        """The runs of a row's value: right of the label, from its line down to the next row; or, for a label
        standing alone, the line under it (unless that line is a row of its own)."""
        label = self.runs[i]
        own = set(range(i, last + 1))
        below = [r for k, r in enumerate(self.runs[last + 1:end], last + 1)
                 if r.page == label.page and r.top < label.bottom and abs(r.left - label.left) <= COLUMN and k not in own]
        floor = below[0].top + 0.5 if below else float("-inf")
        right = max(self.runs[k].right for k in own)
        value = [r for k, r in enumerate(self.runs[i:end], i) if k not in own and r.page == label.page
                 and r.left >= right - 1 and r.top <= label.top + 2 and r.bottom > floor - 1 and (r.top > floor or label.beside(r))]
        if value:
            return value
        nxt = last + 1
        if nxt < end:
            under = self.runs[nxt]
            alone = not any(under.beside(r) for r in self.runs[max(i, nxt - 8):min(end, nxt + 8)] if r is not under)
            close = under.page != label.page or under.top >= self.runs[last].bottom - 2.5 * under.height
            if alone and close and under.left >= label.left - COLUMN:
                return [under]
        return []

    def _rows(self, part: Part) -> None:
        start, end = self.starts[part.id], self.ends[part.id]
        matched: dict[int, int] = {}  # run index of a label -> the index of its last run
        for row in part.rows:
            labels = row.labels.get(self.lang, ())
            hits = []
            i = start + (0 if part.id == "header" else 1)
            while i < end:
                match = self._label_at(i, end, labels)
                if match is None:
                    i += 1
                    continue
                last, inline = match
                matched[i] = last
                hits.append((i, last, inline))
                i = last + 1
            if not hits:
                if row.required(self.fund):
                    self._problem("row-missing", part, f"no row labelled {' or '.join(map(repr, labels))}", row.id)
                continue
            self._row_values(part, row, hits, end)
        self._foreign_labels(part, matched, start, end)

    def _row_values(self, part: Part, row: Row, hits: list[tuple[int, int, str | None]], end: int) -> None:
        values = [([] if inline is None else [inline], self._value(i, last, end) if inline is None or not key(inline) else [])
                  for i, last, inline in hits]
        texts = [" ".join([*inline, *(r.text for r in runs_)]) for inline, runs_ in values]
        page = self.runs[hits[0][0]].page
        label = self.runs[hits[0][0]].text
        empty = [n for n, text in enumerate(texts) if _DASHES.match(normalise(text))]
        if len(empty) == len(texts) or (len(texts) > 1 and empty):
            self._problem("row-empty", part, f"the row {label!r} shows no value (what the fund does not have, such as a "
                                             "fee not charged, is 0 or N/A, never left blank)", row.id,
                          self.runs[hits[empty[0]][0]].page)
            return
        if not row.per_class or len(self.classes) < 2 or len(hits) >= len(self.classes):
            return
        i, last, _ = hits[0]
        missing = missing_columns(self.runs, i, values[0][1], self.classes)
        if missing is None:  # no column per class: one value for all, or one naming every class
            named = [c for c in self.classes if any(key(name) in key(texts[0]) for name in c)]
            missing = [c[0] for c in self.classes if c not in named] if named else []
        if missing:
            self._problem("row-empty", part, f"the row {label!r} gives no value for {', '.join(missing)}", row.id, page)

    def _foreign_labels(self, part: Part, matched: dict[int, int], start: int, end: int) -> None:
        """Rows in the tables of the part's rows, in the labels' column and font, that the template does not accept."""
        if not matched:
            return
        accepted = {key(label) for p in self.template.parts() for r in p.rows for label in r.labels.get(self.lang, ())}
        styles = {self.runs[i].style for i in matched}
        lefts = [self.runs[i].left for i in matched]
        inner = {k for i, last in matched.items() for k in range(i, last + 1)}
        rows = [k for k in range(start + 1, end) if any(abs(self.runs[k].left - x) <= COLUMN for x in lefts)
                and self.runs[k].style in styles and len(self.runs[k].key) <= 40
                and any(self.runs[k].beside(r) and r.left > self.runs[k].right for r in self.runs[max(start, k - 8):min(end, k + 8)])]
        rows.sort(key=lambda k: self.runs[k].position)
        blocks: list[list[int]] = []
        for k in rows:
            previous = blocks[-1][-1] if blocks else None
            if previous is not None and self.runs[k].page == self.runs[previous].page and \
                    self.runs[previous].top - self.runs[k].top <= BLOCK:
                blocks[-1].append(k)
            else:
                blocks.append([k])
        for block in blocks:
            if not any(k in matched for k in block):
                continue
            for k in block:
                text = self.runs[k].key.rstrip(":：")
                if k not in inner and text not in accepted:
                    self._problem("row-label", part, f"the row {self.runs[k].text!r} is not a row the template accepts here "
                                                     f"({', '.join(r.label(self.lang) for r in part.rows)})",
                                  self.runs[k].text, self.runs[k].page)


class Reader(RowsReader):
    """One document read against one template, in one language."""

    def __init__(self, pdf: PdfFile, template: Template, lang: str, pages: int, fund=None,
                 classes: list[tuple[str, ...]] | None = None, locator: Locator | None = None):
        self.template, self.lang, self.pages, self.fund = template, lang, pages, fund
        self.classes = classes or []  # each share class as the document may name it (its name, its code)
        self.locator = locator
        self.runs = runs(pdf)
        self.found: list[Nonconformity] = []
        self.starts: dict[str, int] = {}  # part id -> index of the run its heading starts at
        self.ends: dict[str, int] = {}  # part id -> index of the first run after it

    # -- where ----------------------------------------------------------------------------------------

    def _problem(self, kind: str, part: Part, message: str, row: str | None = None, page: int | None = None) -> None:
        self.found.append(Nonconformity(kind, self.template.name, part.id, self._where(part), message, row, page))

    def _where(self, part: Part) -> str:
        if part.id == "header":
            return "the header"
        section = self.template.part(part.id.split(".")[0])
        name = f"'{section.heading.get(self.lang, section.id)}'"
        return name if section is part else f"{name} › '{part.heading.get(self.lang, part.id)}'"

    def _headings(self, part: Part, start: int, end: int) -> list[int]:
        """Every run index in [start, end) where one of the part's headings stands as a line (or two) of its own."""
        patterns = [pattern(h) for h in part.headings(self.lang)]
        found = []
        for i in range(start, end):
            joined = ""
            for j in range(i, min(i + 3, end)):
                if j > i and (self.runs[j].page != self.runs[i].page or self.runs[j].top < self.runs[j - 1].bottom - 2 * self.runs[j].height):
                    break
                joined += self.runs[j].key
                if any(p.fullmatch(joined) for p in patterns):
                    found.append(i)
                    break
        return found

    def _place(self, parts: tuple[Part, ...], start: int, end: int) -> None:
        """Find each part's heading in [start, end), in order; say which are missing or out of order, and where
        each found one ends (at the next found one, or `end`)."""
        chosen: list[tuple[Part, int]] = []
        last = start - 1
        for part in parts:
            hits = self._headings(part, start, end)
            if not hits:
                self._problem("section-missing", part, f"no heading {' or '.join(map(repr, part.headings(self.lang)))}")
                continue
            after = [h for h in hits if h > last]
            if not after:
                before = chosen[-1][0] if chosen else None
                self._problem("section-order", part, f"stands before {self._where(before) if before else 'the sections before it'}, "
                                                     "out of the template's order", page=self.runs[hits[0]].page)
                continue
            chosen.append((part, after[0]))
            last = after[0]
        for n, (part, at) in enumerate(chosen):
            self.starts[part.id] = at
            self.ends[part.id] = chosen[n + 1][1] if n + 1 < len(chosen) else end

    # -- statements -----------------------------------------------------------------------------------

    def _statements(self) -> None:
        if self.locator is None:
            return
        text, offsets = "", []
        for run in self.runs:
            offsets.append(len(text))
            text += normalise(run.text)
        placed = self.locator(text)
        for part in self.template.parts():
            if part.id not in self.starts:
                continue  # the part is missing: said once, as a missing section
            start, end = self.starts[part.id], self.ends[part.id]  # a section's range holds its subsections
            for sid in part.statements:
                spans = placed.get((sid, self.lang)) or []
                if not spans:
                    continue  # not carried, or not found: PDF001's
                inside = [s for s in spans if start <= _run_at(offsets, s[0]) < end]
                if not inside:
                    at = self.runs[_run_at(offsets, spans[0][0])]
                    self._problem("statement-misplaced", part, f"statement {sid} stands outside {self._where(part)} "
                                                               f"(page {at.page})", sid, at.page)

    # -- the whole ------------------------------------------------------------------------------------

    def read(self) -> list[Nonconformity]:
        end = len(self.runs)
        self._place(self.template.sections, 0, end)
        first = min(self.starts.values(), default=end)
        header = self.template.header
        titles = self._headings(header, 0, first)
        if not titles:
            self._problem("section-missing", header, f"no title {header.heading.get(self.lang)!r} before the first section")
        self.starts["header"], self.ends["header"] = 0, first
        for section in self.template.sections:
            if section.id in self.starts and section.subsections:
                self._place(section.subsections, self.starts[section.id] + 1, self.ends[section.id])
        for part in self.template.parts():
            if part.id in self.starts and part.rows:
                self._rows(part)
        self._statements()
        if self.pages > self.template.max_pages:
            self._problem("pages", header, f"{self.pages} pages, more than the template's {self.template.max_pages}",
                          page=self.template.max_pages + 1)
        return self.found


def _run_at(offsets: list[int], position: int) -> int:
    """The index of the run a character of the joined text belongs to."""
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= position:
            lo = mid
        else:
            hi = mid - 1
    return lo


def share_class_names(fund, lang: str) -> list[tuple[str, ...]]:
    """How a document in `lang` may name each of the fund's share classes: its name as the documents print it,
    its class and its code."""
    from ..documents.labels import class_name
    from ..documents.localise import Localiser

    loc = Localiser(lang)
    return [tuple(dict.fromkeys((class_name(loc, c), c.class_, c.code))) for c in fund.fund.share_classes]


def conformance(pdf: PdfFile, template: Template, lang: str, *, fund=None, classes: list[tuple[str, ...]] | None = None,
                locator: Locator | None = None) -> list[Nonconformity]:
    """Every way the document departs from its template, in one language (key facts and KIDs are single-language).
    With the fund, its conditional rows are required when it meets their condition and its classes are looked for
    in per-class rows; `locator` finds the statements (as the judge and `verify` place them)."""
    pages = len(pdf.pdfium)
    return Reader(pdf, template, lang, pages, fund, classes, locator).read()


def departures(pdf: PdfFile, template: Template | None, langs: tuple[str, ...], fund, locator: Locator) -> list[Nonconformity]:
    """`conformance` of a document in `langs`, the fund's classes named as a document in its language names them:
    nothing where no template applies (a factsheet) or the document is in several languages or one the template
    does not give (the build's check and the RT rules alike)."""
    if template is None or len(langs) != 1 or langs[0] not in template.languages():
        return []
    classes = share_class_names(fund, langs[0]) if fund is not None else None
    return conformance(pdf, template, langs[0], fund=fund, classes=classes, locator=locator)
