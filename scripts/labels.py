"""Add or update catalogue labels (a development helper, not part of the package).

    .venv/bin/python scripts/labels.py FILE.tsv     # lines: msgid<TAB>zh-CN<TAB>zh-HK

Each catalogue is read with Babel, updated and written back sorted, so that diffs stay small.
`tests/test_catalogues.py` says which labels the code and templates use and lack.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po  # noqa: I001

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"zh-CN": "zh_CN", "zh-HK": "zh_HK"}


def main(tsv: str) -> None:
    rows = [line.rstrip("\n").split("\t") for line in Path(tsv).read_text(encoding="utf-8").splitlines() if line.strip()]
    for column, folder in enumerate(FOLDERS.values(), 1):
        path = ROOT / "factsheets" / "locale" / folder / "LC_MESSAGES" / "factsheets.po"
        with path.open("rb") as fh:
            catalog = read_po(fh)
        for row in rows:
            if len(row) != 3:
                raise SystemExit(f"{tsv}: expected msgid, zh-CN and zh-HK separated by tabs: {row}")
            if row[column] == "-":
                if row[0] in catalog:
                    catalog.delete(row[0])
                continue
            catalog.add(row[0], row[column])
        with path.open("wb") as fh:
            write_po(fh, catalog, sort_output=True, width=0, omit_header=False)


if __name__ == "__main__":
    main(sys.argv[1])
