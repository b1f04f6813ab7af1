"""`factsheets verify`: finished PDFs (ours or anyone's) -> findings on their mandatory statements."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import FactsheetError
from ._common import CONFIG_OPTION, FORMAT_OPTION, TODAY_OPTION, config_of, emit, existing, fail, today_of


class Unreadable(Exception):
    """One PDF that cannot be checked: reported, and the others still are."""


@click.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--fund", "fund_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The fund file the PDFs were made from: every statement that applies to it, filled, and the fund's identity.")
@click.option("--attached-fund", is_flag=True,
              help="Without --fund: check each PDF against the fund data attached to it (factsheets made by this tool).")
@click.option("--lang", "langs", default=None,
              help="Languages the PDFs are in, comma-separated (en,zh-CN,zh-HK); default: from /Lang and the scripts "
                   "of the text, else the fund's.")
@click.option("--doc", "document", type=click.Choice(["factsheet", "kfs", "kid"]), default=None,
              help="The document type of the PDFs, whose statements are required; default: from each PDF's XMP record, "
                   "else its text.")
@FORMAT_OPTION
@TODAY_OPTION
@CONFIG_OPTION
def verify(pdfs, fund_path, attached_fund, langs, document, fmt, today, config_path) -> None:
    """Check finished PDFs for every mandatory statement, in each language, legible and extractable;
    with --fund (or --attached-fund), also that the fund's documents print the same fees, ongoing charges,
    risk rating, calendar-year returns and dates as the fund file and as each other (XD rules).

    Exit code 0: nothing found; 1: findings; 2: a usage, file or internal error (a PDF that cannot be
    read is reported and the others are still checked)."""
    from ..fund.validate import load_fund
    from ..pdf.inspection import parse_langs

    if fund_path is not None:
        existing((fund_path,), "file")
    wanted = None
    if langs is not None:
        try:
            wanted = parse_langs(langs)
        except ValueError as error:
            fail(f"--lang: {error}")
    fund = None
    if fund_path is not None:
        try:
            fund = load_fund(fund_path)
        except FactsheetError as error:
            fail(f"--fund: the fund file does not validate (run `factsheets check {fund_path}`):\n{error}")
    config = config_of(config_path)
    if attached_fund and fund is not None:
        fail("--attached-fund and --fund exclude each other")
    findings, checked, unreadable = [], [], 0
    codes = {fund.code} if fund else set()
    documents: dict[str, tuple] = {}  # fund code -> (fund, [what each of its PDFs prints])
    for pdf in pdfs:
        try:
            found, own, data = _check(pdf, fund, attached_fund, wanted, document, config.layout.last_page_min_fill)
        except Unreadable as error:
            click.echo(f"factsheets: {pdf}: {error}", err=True)
            unreadable += 1
            continue
        findings += found
        checked.append(str(pdf))
        if own is not None:
            codes.add(own.code)
            findings += _printed(documents, own, data, str(pdf), document)
    findings += _across(documents)
    emit(findings, checked, fmt, config, today_of(today), codes, unchecked=unreadable)


def _printed(documents: dict, fund, data: bytes, name: str, document: str | None) -> list:
    """What the PDF prints, kept with the other PDFs of its fund; an unreadable text is no figure."""
    from ..fund.model import LANGS
    from ..rules.consistency import printed_figures

    try:
        printed = printed_figures(data, name, document or "", LANGS)
    except Exception:  # noqa: BLE001 - the PDF rules have reported why its text cannot be read
        return []
    documents.setdefault(fund.code, (fund, []))[1].append(printed)
    return []


def _across(documents: dict) -> list:
    """The cross-document rules (XD) on each fund's PDFs: each against the fund file, and each pair."""
    from ..rules.consistency import compare_documents

    return [finding for fund, printed in documents.values() for finding in compare_documents(printed, fund)]


def _check(pdf: Path, fund, attached_fund: bool, langs, document: str | None = None, last_page_min_fill: float | None = None):
    """The findings on one PDF, and the fund it was checked against; Unreadable when it cannot be checked."""
    from ..pdf.inspection import PdfError
    from ..rules.check import check_pdf_bytes

    if not pdf.exists():
        raise Unreadable("no such file")
    if pdf.is_dir():
        raise Unreadable("is a folder; give PDF files")
    try:
        data = pdf.read_bytes()
    except OSError as error:
        raise Unreadable(f"cannot read: {error.strerror or error}") from None
    own = _attached(data) if attached_fund else fund
    try:
        bar = {} if last_page_min_fill is None else {"last_page_min_fill": last_page_min_fill}
        return check_pdf_bytes(data, str(pdf), fund=own, langs=langs, document=document, **bar), own, data
    except PdfError as error:
        raise Unreadable(str(error)) from None


def _attached(data: bytes):
    from ..pdf.record import ArchiveError, attached_fund

    try:
        found = attached_fund(data)
    except (ArchiveError, FactsheetError) as error:
        raise Unreadable(f"--attached-fund: {error}") from None
    if found is None:
        raise Unreadable("--attached-fund: the PDF carries no fund data; give --fund")
    return found
