"""The interchange benchmark (not a test): the EPT export of many funds, the import of a large EPT file with a KID
for every row, and the import of a large FundsXML file; each timed in one run.

    .venv/bin/python bench/interchange.py [--funds 500] [--rows 500] [--xml-funds 100] [--positions 500] [--jobs 2]

1. `factsheets export` of `--funds` fund files, each a copy of the house's UCITS (tests/data/funds/LU0000990301.yaml,
   its NAV history and proxy under its own code): every KID figure computed, one EPT row each, the file checked
   against ept.schema.json and written (.xlsx).
2. `factsheets import` of an EPT file of `--rows` rows (the manager's real rows repeated under new codes, with the
   additions a KID needs), then `factsheets build --doc kid` of every row's KID.
3. `factsheets import` of a FundsXML file of `--xml-funds` funds with `--positions` positions each (the sample fund
   repeated, each position an asset of its own): schema validation (the schema read once, about 5 s) and mapping.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
UCITS = ROOT / "tests" / "data" / "funds" / "LU0000990301.yaml"
REAL = ROOT / "tests" / "data" / "ept" / "findatex-ept-captor-2023-12-29.yaml"
SAMPLE = ROOT / "tests" / "data" / "fundsxml" / "europa_growth_fund.xml"
FACTSHEETS = [sys.executable, "-m", "factsheets"]


def timed(label: str, command: list[str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        sys.exit(f"{label}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    print(f"{label}: {seconds:.1f} s")
    return seconds


def funds(folder: Path, count: int) -> Path:
    """`count` copies of the house's UCITS, each under its own code with its own copies of the histories (its second
    class, which has no KID, keeps its code and its one NAV file)."""
    text = UCITS.read_text(encoding="utf-8")
    history = UCITS.parent / "history"
    (folder / "history" / "nav").mkdir(parents=True)
    (folder / "history" / "proxy").mkdir(parents=True)
    shutil.copyfile(history / "nav" / "LU0000990319.csv", folder / "history" / "nav" / "LU0000990319.csv")
    for i in range(count):
        code = f"LU9{i:09d}"
        (folder / f"{code}.yaml").write_text(text.replace("LU0000990301", code), encoding="utf-8")
        for kind in ("nav", "proxy"):
            shutil.copyfile(history / kind / "LU0000990301.csv", folder / "history" / kind / f"{code}.csv")
    return folder


def ept_file(folder: Path, count: int) -> tuple[Path, Path]:
    """An EPT file of `count` rows (the real rows repeated under new codes) and the additions each row's KID needs."""
    rows = yaml.safe_load(REAL.read_text(encoding="utf-8"))
    out, texts = [], folder / "texts"
    texts.mkdir(parents=True)
    for i in range(count):
        row = dict(rows[i % len(rows)])
        code = f"SE9{i:09d}"
        row["00030_Portfolio_Identifying_Data"] = code
        out.append(row)
        (texts / f"{code}.yaml").write_text(yaml.safe_dump({
            "schema": "prospectus/v1", "fund": code, "texts": {},
            "priips": {"website": "https://example.com", "phone": "+46 8 000 000 00", "competent_authority": "Benchmark",
                       "objective": {"en": "Benchmark objective."}, "intended_investor": {"en": "Benchmark investor."},
                       "scenario_windows": [{"scenario": s, "start": "January 2014", "end": "January 2016"}
                                            for s in ("unfavourable", "moderate", "favourable")]}}), encoding="utf-8")
    path = folder / "ept.yaml"
    path.write_text(yaml.safe_dump(out, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path, texts


def fundsxml_file(folder: Path, count: int, positions: int) -> Path:
    """A FundsXML file of `count` funds (the sample's Fund repeated under new LEIs), each with `positions` positions,
    every position an asset of its own in AssetMasterData."""
    text = SAMPLE.read_text(encoding="utf-8")
    start, end = text.index("<Fund>"), text.index("</Fund>") + len("</Fund>")
    fund = text[start:end]
    p_start, p_end = fund.index("<Positions>") + len("<Positions>"), fund.index("</Positions>")
    funds_xml, assets = [], []
    for f in range(count):
        body = []
        for p in range(positions):
            unique = f"EQ-{f:03d}-{p:04d}"
            body.append(f"<Position><UniqueID>{unique}</UniqueID><Currency>EUR</Currency><TotalValue><Amount ccy=\"EUR\">"
                        f"{1000 + p}.00</Amount></TotalValue><TotalPercentage>{100 / positions:.4f}</TotalPercentage>"
                        f"<Equity><Units>10</Units><Price><Amount ccy=\"EUR\">{100 + p / 10:.2f}</Amount></Price></Equity></Position>")
            assets.append(f"<Asset><UniqueID>{unique}</UniqueID><Currency>EUR</Currency><Country>DE</Country>"
                          f"<Name>Company {f}-{p}</Name><AssetType>EQ</AssetType></Asset>")
        one = fund[:p_start] + "".join(body) + fund[p_end:]
        funds_xml.append(one.replace("549300ABCDEFGHIJ1234", f"549300BENCH{f:09d}")
                         .replace("LU123456789", f"LU{f:06d}123"))
    a_start, a_end = text.index("<AssetMasterData>") + len("<AssetMasterData>"), text.index("</AssetMasterData>")
    out = text[:start] + "\n".join(funds_xml) + text[end:a_start] + "\n".join(assets) + text[a_end:]
    folder.mkdir(parents=True)
    path = folder / "funds.xml"
    path.write_text(out, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--funds", type=int, default=500)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--xml-funds", type=int, default=100)
    parser.add_argument("--positions", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = funds(base / "funds", args.funds)
        timed(f"export of {args.funds} funds' EPT rows (.xlsx, schema-checked)",
              [*FACTSHEETS, "export", str(folder), "--format", "ept", "--out", str(base / "ept.xlsx")])
        path, texts = ept_file(base / "ept", args.rows)
        timed(f"import of a {args.rows}-row EPT file", [*FACTSHEETS, "import", str(path), "--out", str(base / "rows"),
                                                      "--texts", str(texts), "--today", "2024-03-01"])
        timed(f"its {args.rows} KIDs (build --doc kid --jobs {args.jobs})",
              [*FACTSHEETS, "build", str(base / "rows"), "--doc", "kid", "--out", str(base / "kids"), "--jobs", str(args.jobs),
               "--quiet"])
        xml = fundsxml_file(base / "xml", args.xml_funds, args.positions)
        megabytes = xml.stat().st_size / 1e6
        timed(f"import of a FundsXML file of {args.xml_funds} funds x {args.positions} positions ({megabytes:.1f} MB)",
              [*FACTSHEETS, "import", str(xml), "--out", str(base / "xmlfunds")], ok=(0, 1))


if __name__ == "__main__":
    main()
