"""Structure tagging beyond what WeasyPrint writes, for assistive technology: each structure element made from
an HTML element in another language than its parent's carries that /Lang, every table header cell its /Scope with
the data cells' /Headers to match, the structure tree the /IDTree its /IDs need, and each chart figure its full
text alternative (title and every figure). Called by `archive.write_pdf`."""

from __future__ import annotations

import html as html_lib
import re
import threading
from contextvars import ContextVar

_SVG = re.compile(r"<svg\b[^>]*>\s*<title>(.*?)</title>\s*<desc>(.*?)</desc>", re.S)



def chart_alternatives(html: str) -> dict[str, str]:
    """Chart title -> full text alternative (title and every figure), from the inline SVGs."""
    found = {}
    for title, desc in _SVG.findall(html):
        title, desc = html_lib.unescape(title).strip(), html_lib.unescape(desc).strip()
        found[title] = f"{title}. {desc}" if desc else title
    return found



_WRAP_LOCK = threading.Lock()



def _record_structure() -> bool:
    """Wrap WeasyPrint's structure builder so that it reports what it builds; False when this
    WeasyPrint has no such builder (then only the /IDTree is added)."""
    from weasyprint.pdf import tags

    with _WRAP_LOCK:
        build = getattr(tags, "_build_box_tree", None)
        if build is None:
            return False
        if getattr(build, "_factsheets", False):
            return True

        def build_box_tree(box, parent, pdf, *args, **kwargs):
            record = _STRUCTURE.get()
            for element in build(box, parent, pdf, *args, **kwargs):
                if record is not None:
                    record.append((element, box))
                yield element

        build_box_tree._factsheets = True  # type: ignore[attr-defined]
        tags._build_box_tree = build_box_tree
        return True



def finish_structure(pdf, structure: list) -> None:
    """/Lang, /Scope and /Headers from the boxes each structure element was made from, then the /IDTree."""
    if "StructTreeRoot" not in pdf.catalog:
        return
    boxes: dict[int, tuple[object, object]] = {}
    for element, box in structure:  # innermost first: <html> and <body> pass their children's elements on
        boxes.setdefault(id(element), (element, getattr(box, "_box", box)))
    _languages(pdf, list(boxes.values()))
    for element, box in boxes.values():
        if element.get("S") == "/Table":
            _table_headers(element, box)
    _id_tree(pdf)



def _object(pdf, reference):
    return pdf.objects[int(bytes(reference).split()[0])]



def _languages(pdf, pairs: list) -> None:
    """/Lang on each structure element whose HTML element's language (its computed `lang`, from the
    nearest `lang` attribute) differs from the one it would inherit in the structure tree."""
    import pydyf

    document_lang = _pdf_string(pdf.catalog.get("Lang", "")).lower()

    def parent(element):
        reference = element.get("P")
        found = _object(pdf, reference) if reference else None
        return found if isinstance(found, dict) and found.get("Type") == "/StructElem" else None

    def depth(element) -> int:
        count = 0
        while (element := parent(element)) is not None:
            count += 1
        return count

    def inherited(element) -> str:
        while (element := parent(element)) is not None:
            if "Lang" in element:
                return _pdf_string(element["Lang"]).lower()
        return document_lang

    for element, box in sorted(pairs, key=lambda pair: depth(pair[0])):  # parents first
        lang = _lang_of(box)
        if lang and lang.lower() != inherited(element):
            element["Lang"] = pydyf.String(lang)



def _lang_of(box) -> str | None:
    """A box's computed `lang` (WeasyPrint's style computes it lazily: indexing, not .get)."""
    try:
        return box.style["lang"] or None
    except (AttributeError, KeyError, TypeError):
        return None



def _table_rows(box) -> list:
    table = box.get_wrapped_table() if getattr(box, "is_table_wrapper", False) else box
    rows: list = []

    def walk(parent) -> None:
        for child in getattr(parent, "children", []):
            if child.element_tag == "tr":
                rows.append(child)
            elif child.element_tag in ("thead", "tbody", "tfoot") or getattr(child, "is_table_wrapper", False):
                walk(child)

    if table is not None:
        walk(table)
    return rows



def _table_headers(element, box) -> None:
    """/Scope on each header cell and /Headers on each data cell of one table (one page's part of it).

    A header cell's scope is its `scope` attribute (row, rowgroup / col, colgroup); without one, as
    HTML's table model decides: a column header when the rows it spans hold no data cell (a header
    row), else a row header (it labels the row it stands in, like a total in the footer). Each data
    cell then lists the row headers of its rows and the column headers of its columns. WeasyPrint
    took every header cell without `scope="row"` for a column header, so a footer's row header was
    listed as a header of every data cell in its column."""
    import pydyf

    rows = _table_rows(box)
    grid = [[cell for cell in row.children if getattr(cell, "mark", None) is not None] for row in rows]
    row_headers: dict[int, list] = {}
    column_headers: dict[int, list] = {}
    for y, cells in enumerate(grid):
        for cell in cells:
            if cell.element_tag != "th":
                continue
            span_rows = range(y, min(y + cell.rowspan, len(grid)))
            x = getattr(cell, "grid_x", 0)
            span_cols = range(x, x + cell.colspan)
            scope = (cell.element.get("scope") or "").strip().lower() if cell.element is not None else ""
            if scope in ("row", "rowgroup"):
                is_row = True
            elif scope in ("col", "colgroup"):
                is_row = False
            else:
                is_row = any(c.element_tag == "td" for r in span_rows for c in grid[r])
            mark = cell.mark
            identifier = pydyf.String(f"th{element.number}-{y}-{x}")
            mark["ID"] = identifier
            attributes = mark.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Scope"] = "/Row" if is_row else "/Column"
            if is_row:
                for r in span_rows:
                    row_headers.setdefault(r, []).append(identifier)
            else:
                for c in span_cols:
                    column_headers.setdefault(c, []).append(identifier)
    for y, cells in enumerate(grid):
        for cell in cells:
            if cell.element_tag != "td":
                continue
            x = getattr(cell, "grid_x", 0)
            headers = [h for r in range(y, y + cell.rowspan) for h in row_headers.get(r, [])]
            headers += [h for c in range(x, x + cell.colspan) for h in column_headers.get(c, [])]
            attributes = cell.mark.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes["Headers"] = pydyf.Array(headers)



def _id_tree(pdf) -> None:
    """The /IDTree (a name tree, its keys in byte order) of every structure element with an /ID, in the
    structure tree root, as ISO 32000 14.7.2 requires of a document whose elements have IDs."""
    import pydyf

    named: dict[bytes, object] = {}
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and "ID" in obj:
            key = _pdf_string(obj["ID"]).encode("utf-8")
            if key in named:  # an ID names one element: a second is dropped, never left dangling
                del obj["ID"]
                continue
            named[key] = obj
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    if not named:
        root.pop("IDTree", None)
        return
    names = pydyf.Array()
    for key in sorted(named):
        names.extend([pydyf.String(key.decode("utf-8")), named[key].reference])
    tree = pydyf.Dictionary({"Names": names})
    pdf.add_object(tree)
    root["IDTree"] = tree.reference



def _figure_alternatives(pdf, alternatives: dict[str, str]) -> None:
    """WeasyPrint gives an SVG figure its <title> as /Alt; give it the figures too (<desc>)."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("S") == "/Figure" and "Alt" in obj:
            title = _pdf_string(obj["Alt"])
            if title in alternatives:
                obj["Alt"] = pydyf.String(alternatives[title])



def _pdf_string(value) -> str:
    if isinstance(value, str):
        return value
    return getattr(value, "string", str(value))


# -- structure: languages, table headers, IDs -------------------------------------
# WeasyPrint 70 tags the document (weasyprint/pdf/tags.py) but writes /Lang only on the catalogue,
# never on a structure element, whatever the HTML's `lang` attributes say; marks every table header
# cell as a column header unless it says `scope="row"`, without /Scope; and gives header cells /IDs
# with no /IDTree in the structure tree root. Which HTML element a structure element comes from is
# known only while WeasyPrint builds the tree, so its builder is wrapped (once, process-wide) to
# report each (element, box) pair to the document being written, if any, through a context
# variable: other documents, other threads and WeasyPrint used directly are untouched.
_STRUCTURE: ContextVar[list | None] = ContextVar("factsheets_structure", default=None)
