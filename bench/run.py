"""The benchmark (not a test): prints figures and ratios measured in one run on this machine.

    .venv/bin/python bench/run.py [--funds 200] [--docs 48]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402
import weasyprint  # noqa: E402

from factsheets import Renderer, load_fund, parse_variant, render_document  # noqa: E402
from factsheets.build.batch import Batch  # noqa: E402
from factsheets.fund.load import fund_files  # noqa: E402
from factsheets.pdf.legibility import judge  # noqa: E402
from factsheets.pdf.text import place  # noqa: E402

REFERENCE = generate.REFERENCE


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_render(html: str, css: list[weasyprint.CSS], family_css: weasyprint.CSS) -> bytes:
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[*css, family_css])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--funds", type=int, default=200)
    parser.add_argument("--docs", type=int, default=48, help="documents per throughput run")
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="factsheets-bench-"))
    print(f"factsheets benchmark, {os.cpu_count()} cores, WeasyPrint {weasyprint.__version__}")

    # 1. One single-language factsheet, against a bare WeasyPrint render of the same HTML
    #    with the system's Noto Sans CJK (same process, same stylesheets, no subsetting).
    fund = load_fund(REFERENCE)
    renderer = Renderer()
    family = weasyprint.CSS(string='html, @page { font-family: "Noto Sans CJK SC"; } '
                                   '@page { @bottom-right { font-family: "Noto Sans CJK SC"; } }')
    print("\nsingle-language factsheet (median of %d)" % args.repeat)
    print("  full: render, PDF/A-3u with tags, read back and verified (what `build` does)")
    print("  plain: the same render as a plain PDF, not read back (the same work as the bare render)")
    print(f"{'variant':<10}{'full s':>9}{'plain s':>9}{'bare s':>9}{'plain/bare':>12}{'full KB':>10}{'plain KB':>10}{'bare KB':>10}")
    plain_renderer = Renderer(pdf_variant=None)
    for name in ("en", "zh-CN"):
        variant = parse_variant(name)
        html, _ = renderer.html(fund, variant)

        def full(variant=variant):
            return render_document(fund, variant, renderer).pdf

        def plain(variant=variant):
            return plain_renderer.render(fund, variant).pdf

        def bare(html=html):
            return bare_render(html, renderer.stylesheets, family)

        sizes = [len(fn()) / 1024 for fn in (full, plain, bare)]  # also warms the caches
        full_s, plain_s, bare_s = (median_time(fn, args.repeat) for fn in (full, plain, bare))
        print(f"{name:<10}{full_s:>9.3f}{plain_s:>9.3f}{bare_s:>9.3f}{plain_s / bare_s:>12.2f}"
              f"{sizes[0]:>10.1f}{sizes[1]:>10.1f}{sizes[2]:>10.1f}")
    print("  targets: plain/bare <= 0.6; at most 60 KB a single-language factsheet")

    # 1b. The judge alone, as the build runs it on every finished document (part of `full` above).
    print("\nthe judge (legibility.judge: PDFium reading, two rasters, structural font check), median of %d" % args.repeat)
    for name in ("en", "zh-CN", "bilingual"):
        document = renderer.render(fund, parse_variant(name))
        wordings = {(s.id, lang): wording for s in document.statements for lang, wording in s.texts.items()}

        def judged(document=document, wordings=wordings):
            return judge(document.pdf, lambda text: place(text, document.statements, ()), wordings)

        assert not judged()
        print(f"  {name:<10}{median_time(judged, args.repeat) * 1000:>7.0f} ms, {document.pages} page(s)")

    # 2. Throughput with --jobs 1 and --jobs 2 (single-language documents, all rendered).
    funds = generate.main(args.funds, work / "funds", broken=3)
    sample = funds[3 : 3 + args.docs]
    rates = {}
    for jobs in (1, 2):
        out = work / f"out-j{jobs}"
        start = time.perf_counter()
        entries = Batch(sample, [parse_variant("en")], out, jobs=jobs, force=True).run()
        elapsed = time.perf_counter() - start
        rates[jobs] = len(entries) / elapsed
        sizes = [e.bytes for e in entries if e.status == "written"]
        print(f"\n--jobs {jobs}: {len(entries)} documents in {elapsed:.2f} s = {rates[jobs]:.1f} docs/s, "
              f"median {statistics.median(sizes) / 1024:.1f} KB")
    print(f"throughput ratio jobs 2 / jobs 1: {rates[2] / rates[1]:.2f}   (target >= 1.8; about 12 docs/s on 2 cores)")
    # A worker's peak memory: the same documents rendered in a fresh process, as a worker does.
    probe = (
        "import sys; from pathlib import Path; from factsheets.build.batch import Batch; "
        "from factsheets import parse_variant; "
        "Batch([Path(p) for p in sys.argv[2:]], [parse_variant('en'), parse_variant('zh-CN')], Path(sys.argv[1]), jobs=1, force=True).run(); "
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the forked parent.
        "print([int(l.split()[1]) // 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    peak = subprocess.run([sys.executable, "-c", probe, str(work / "out-mem"), *map(str, sample)],
                          capture_output=True, text=True, check=True).stdout.split()[-1]
    print(f"peak memory of a worker after {2 * len(sample)} documents: {peak} MB   (target <= 300 MB)")

    # 3. 200 funds with 3 broken: the others build, the 3 are reported; then a rebuild with nothing changed.
    out = work / "out-all"
    start = time.perf_counter()
    entries = Batch(fund_files([work / "funds"]), [parse_variant("en")], out, jobs=2).run()
    failed = [e for e in entries if e.status == "failed"]
    print(f"\n{len(funds)} funds (3 broken): {len(entries) - len(failed)} written, {len(failed)} failed "
          f"in {time.perf_counter() - start:.1f} s")
    for entry in failed:
        print("  " + entry.error.splitlines()[0])
    start = time.perf_counter()
    entries = Batch(fund_files([work / "funds"]), [parse_variant("en")], out, jobs=2).run()
    unchanged = sum(e.status == "unchanged" for e in entries)
    print(f"rebuild with nothing changed: {unchanged} unchanged in {time.perf_counter() - start:.2f} s   (target < 2 s)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
