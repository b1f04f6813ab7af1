"""`factsheets verify`: finished PDFs (ours or anyone's) -> findings on their mandatory statements."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import FactsheetError
from .check import (
    CONFIG_OPTION,
    FORMAT_OPTION,
    TODAY_OPTION,
    config_of,
    emit,
    existing,
    fail,
    today_of,
)


@click.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--fund", "fund_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The fund file the PDFs were made from: every statement that applies to it, filled, and the fund's identity.")
@click.option("--attached-fund", is_flag=True,
              help="Without --fund: check each PDF against the fund data attached to it (factsheets made by this tool).")
@click.option("--lang", "langs", default=None,
              help="Languages the PDFs are in, comma-separated (en,zh-CN,zh-HK); default: from /Lang and the scripts of the text.")
@FORMAT_OPTION
@TODAY_OPTION
@CONFIG_OPTION
def verify(pdfs, fund_path, attached_fund, langs, fmt, today, config_path) -> None:
    """Check finished PDFs for every mandatory statement, in each language, legible and extractable.

    Exit code 0: nothing found; 1: findings; 2: a usage, file or internal error."""
    from ..pdfcheck import PdfError, parse_langs
    from ..rules.check import check_pdf_bytes
    from ..validate import load_fund

    existing(pdfs, "file")
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
    findings = []
    codes = {fund.code} if fund else set()
    for pdf in pdfs:
        if pdf.is_dir():
            fail(f"{pdf}: is a folder; give PDF files")
        try:
            data = pdf.read_bytes()
            own = fund
            if attached_fund:
                own = _attached(pdf, data)
                codes.add(own.code)
            findings += check_pdf_bytes(data, str(pdf), fund=own, langs=wanted)
        except OSError as error:
            fail(f"{pdf}: cannot read: {error.strerror or error}")
        except PdfError as error:
            fail(f"{pdf}: {error}")
    emit(findings, [str(p) for p in pdfs], fmt, config, today_of(today), codes)


def _attached(pdf: Path, data: bytes):
    from ..archive import ArchiveError
    from ..verify import attached_fund

    try:
        found = attached_fund(data)
    except (ArchiveError, FactsheetError) as error:
        fail(f"{pdf}: --attached-fund: {error}")
    if found is None:
        fail(f"{pdf}: --attached-fund: the PDF carries no fund data; give --fund")
    return found
