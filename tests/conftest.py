from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import pytest

from factsheets import load_fund, render_document
from factsheets.pdf.text import normalise, pdf_pages_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ETF = EXAMPLES / "513770.yaml"
MONEY_MARKET = EXAMPLES / "990001-demo-money-market.yaml"
SHARED = ROOT.parent / "shared"


@cache
def rendered(path: Path, variant: str, document: str = "factsheet"):
    """Render each (fund, variant, document type) once per test session; tests read the result."""
    return render_document(load_fund(path), variant, document=document)


@cache
def text_of(path: Path, variant: str) -> str:
    return normalise("".join(pdf_pages_text(rendered(path, variant).pdf)))


@pytest.fixture
def no_weasyprint_warnings(caplog):
    """Fail a test when WeasyPrint logs a warning, as WeasyPrint's own tests do."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    records = [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert not records, [r.getMessage() for r in records]


def text_pdf(text: str = "") -> bytes:
    """A one-page A4 PDF with text in 12 pt Helvetica, one line of the page for each line of `text`
    (none when empty), and no /Lang: as a small PDF from anywhere."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    lines = [line.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
             for line in text.splitlines()]
    shown = b" T* ".join(b"(" + line + b") Tj" for line in lines)
    content = pdf.make_stream(b"BT /F1 12 Tf 14 TL 72 720 Td " + shown + b" ET" if text else b"")
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=content,
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
    pdf.pages.append(pikepdf.Page(page))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


LIBRARY = ROOT / "factsheets" / "disclosures" / "cn.yaml"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
# What each `when` of the library means, written again here from the library's own words.
def _six_months_old_on(data: dict):
    """The day a fund turns six months old: the same day six calendar months after its inception, the
    last day of a shorter month (written here from the rule, not with the package's add_months)."""
    import calendar
    import datetime as dt

    start = data["fund"].get("inception_date")
    if start is None:
        return None
    start = dt.date.fromisoformat(start) if isinstance(start, str) else start
    month = start.month + 6
    year, month = start.year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _young(data: dict) -> bool:
    import datetime as dt

    turns = _six_months_old_on(data)
    as_of = dt.date.fromisoformat(data["as_of"]) if isinstance(data["as_of"], str) else data["as_of"]
    return turns is not None and as_of < turns


def _backtested(data: dict) -> bool:
    """A factsheet shows its index's calendar years when it has no figures of its own (no typed returns, no
    NAV history); a year that ended before the index's launch date is a back-tested figure."""
    import datetime as dt

    index = data.get("index") or {}
    own = ((data.get("performance") or {}).get("annual_returns")
           or any(c.get("nav") for c in data["fund"].get("share_classes", [])))
    if own or not index.get("annual_returns"):
        return False
    as_of = dt.date.fromisoformat(data["as_of"]) if isinstance(data["as_of"], str) else data["as_of"]
    launch = index["launch_date"]
    launch = dt.date.fromisoformat(launch) if isinstance(launch, str) else launch
    last = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    return any(int(year) <= last and dt.date(int(year), 12, 31) < launch for year in index["annual_returns"])


_WHEN = {
    "fund has an index": lambda data: bool(data.get("index")),
    "the document shows holdings": lambda data: bool((data.get("holdings") or {}).get("top")),
    "fund category is money_market": lambda data: data["fund"]["category"] == "money_market",
    "fund category is qdii": lambda data: data["fund"]["category"] == "qdii",
    "the fund's contract has been effective for less than six months at as_of": _young,
    "the document shows index figures from before the index's launch date": _backtested,
}


def approved_statements(data: dict, langs: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(id, language, text) of every statement the approved library (its YAML, read here) requires of
    a factsheet of `data` (a fund file's mapping), filled in independently of the package: long dates
    written out by hand, risk labels from the library's own table."""
    import yaml

    library = yaml.safe_load(LIBRARY.read_text(encoding="utf-8"))
    risk = data["fund"]["risk"]
    index = data.get("index") or {}

    def long_date(value, lang: str) -> str:
        if lang == "en":
            return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"
        return f"{value.year}年{value.month}月{value.day}日"

    found = []
    for statement in library["statements"]:
        if "factsheet" not in statement.get("documents", ["factsheet"]):
            continue
        when = statement.get("when")
        assert when is None or when in _WHEN, f"the tests do not know what {when!r} means"
        if when is not None and not _WHEN[when](data):
            continue
        for lang in langs:
            values = {"risk_rating": risk["rating"], "min_investor": risk["min_investor"]}
            if "labels" in statement:
                values["risk_label"] = statement["labels"]["risk_label"][risk["rating"]][lang]
            if index:
                values.update(index_name=index["name"][lang], index_base_date=long_date(index["base_date"], lang),
                              index_launch_date=long_date(index["launch_date"], lang))
            found.append((statement["id"], lang, statement[lang].format(**values)))
    return found


def drop_statement(folder: Path, statement: str, block: str = "risk") -> Path:
    """A template folder (for `Renderer(template_dirs=[...])`) whose `block` section, risk or
    disclaimer, leaves one statement out: a template that drops it."""
    loop = f"{{% for s in statements.{block} %}}"
    original = (ROOT / "templates" / "sections" / f"{block}.html.j2").read_text(encoding="utf-8")
    assert loop in original, f"the {block} template no longer loops over its statements as {loop}"
    (folder / "sections").mkdir(parents=True, exist_ok=True)
    tampered = original.replace(loop, f"{{% for s in statements.{block} if s.id != '{statement}' %}}")
    (folder / "sections" / f"{block}.html.j2").write_text(tampered, encoding="utf-8")
    return folder


def mutate(path: Path, tmp_path: Path, old: str, new: str, name: str = "fund.yaml") -> Path:
    """A copy of a fund file with one textual change (which must apply)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def pytest_addoption(parser):
    parser.addoption(
        "--refresh-visual", action="store_true", default=False,
        help="Rewrite the stored page images under tests/visual/ from the current renders (after an intended change).",
    )
