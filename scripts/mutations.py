#!/usr/bin/env python3
"""Switch off each check, one at a time, and make sure a test notices (run before a release, not in CI).

Each mutation below is one check of the build or of `verify` switched off (or one past defect put
back): a snippet of the code replaced by another. The runner copies the repository's tracked files
into a temporary folder, applies one mutation there, runs the tests named for it, and reports
whether a test failed (killed) or all passed (survived: the check could be switched off unnoticed).
A mutation whose snippet no longer occurs exactly once is stale: update it with the code.

    python scripts/mutations.py              # every mutation; exit 1 if any survives or is stale
    python scripts/mutations.py --list       # names only
    python scripts/mutations.py judge-ink    # some, by name (or by a part of it)

The working tree is never modified. A baseline run first checks that the named tests pass untouched.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    mutated: str
    tests: tuple[str, ...]  # pytest arguments: node ids, files, or ["-k", expression] pairs
    why: str = ""


THEME = "tests/test_theme.py"
BUILD = f"{THEME}::test_css_that_hides_a_statement_fails_the_build_with_its_id"
VERIFY = f"{THEME}::test_verify_rejects_the_same_pdf_made_elsewhere"
INCREMENTAL = "tests/test_incremental.py::test_an_edit_renders_again_exactly_the_documents_it_affects"

MUTATIONS = [
    # -- the judge (factsheets/legibility.py): one definition for build, check --render and verify
    Mutation("judge-size-off", "factsheets/legibility.py",
             "    if smallest.glyph.size < MIN_SIZE_PT - 0.05:", "    if False:",
             (f"{BUILD}[four-point-font]", f"{BUILD}[squashed]"), "the size check"),
    Mutation("judge-size-from-the-determinant", "factsheets/legibility.py",
             "    return font_size * min(abs(a * d - b * c) / along, along)",
             "    return font_size * abs(a * d - b * c) ** 0.5",
             (f"{BUILD}[squashed]",), "the size verify and the build once disagreed on (scaleY(0.4))"),
    Mutation("judge-on-the-page-off", "factsheets/legibility.py",
             "    if outside := [s for s in seen if not s.on_page]:", "    if outside := []:",
             (f"{BUILD}[half-off-the-page]",), "the on-the-page check"),
    Mutation("judge-ink-off", "factsheets/legibility.py",
             "    if hidden := [s for s in seen if s.shown and not s.inked]:", "    if hidden := []:",
             (f"{BUILD}[one-word-covered]", f"{BUILD}[covered-by-a-box]"), "the ink check"),
    Mutation("judge-ink-share-threshold", "factsheets/legibility.py",
             "    if hidden := [s for s in seen if s.shown and not s.inked]:",
             "    if (hidden := [s for s in seen if s.shown and not s.inked]) and len(hidden) > 0.1 * len(seen):",
             (f"{BUILD}[one-word-covered]",), "a statement 90 % visible passing (one word hidden)"),
    Mutation("judge-contrast-off", "factsheets/legibility.py",
             "    if faint := [s for s in seen if s.faint is not None]:", "    if faint := []:",
             (f"{BUILD}[opacity]", f"{BUILD}[faint-text]"), "the contrast check"),
    Mutation("judge-contrast-against-white", "factsheets/legibility.py",
             "        ratio[where] = (np.maximum(lit, dark) + 0.05) / (np.minimum(lit, dark) + 0.05)",
             "        ratio[where] = 1.05 / (np.minimum(lit, 1.0) + 0.05)",
             (f"{BUILD}[dark-on-a-dark-background]", f"{BUILD}[over-a-dark-image]"),
             "contrast judged against white, not against what lies behind the text"),
    Mutation("judge-text-not-hidden", "factsheets/legibility.py",
             "            _hide_text(page)\n", "            pass\n",
             (f"{THEME}::test_a_harmless_theme_renders",), "the second drawing, without text, that finds the ink"),
    Mutation("judge-overlap-off", "factsheets/legibility.py",
             "                if not found and reading.overlaps_other_text(start, end):", "                if False:",
             (f"{BUILD}[pushed-over-its-neighbour]",), "the overlap check"),
    Mutation("judge-missing-off", "factsheets/legibility.py",
             '                problems.append(StatementProblem(sid, lang, "missing", f"statement {sid}{version} is missing in {lang}"))',
             "                pass",
             ("tests/test_render.py::test_a_template_that_drops_a_statement_fails_the_build",), "a statement not in the text"),
    Mutation("judge-glyphs-off", "factsheets/legibility.py",
             "for u in structure.undrawn(placed, usable)]", "for u in []]",
             ("tests/test_glyphs.py",), "the structural font check (every reader draws it)"),
    # -- where the judge is used
    Mutation("build-ignores-the-judge", "factsheets/build/pipeline.py",
             "        messages = [f\"{name}: {p.message}; no PDF written\" for p in problems]",
             "        messages, problems = [], []",
             (f"{BUILD}[opacity]",), "the build's own check"),
    Mutation("check-render-maps-to-pdf006", "factsheets/rules/check.py",
             '"undrawable": "PDF008"}.get(problem.kind, "PDF002")', '"undrawable": "PDF008"}.get(problem.kind, "PDF006")',
             ("tests/test_check_rules.py::test_rule_case[PDF002-check-render-reports-a-faded-statement]",),
             "check --render reporting an unseen statement as PDF002"),
    Mutation("verify-pdf002-contrast-off", "factsheets/rules/pdf.py",
             '            if problem.kind != "undrawable":', '            if problem.kind not in ("undrawable", "contrast"):',
             (f"{VERIFY}[opacity]",), "verify's PDF002 contrast"),
    Mutation("verify-pdf002-off", "factsheets/rules/pdf.py",
             "        for problem in ctx.judged:\n            if problem.kind != \"undrawable\":",
             "        for problem in []:\n            if problem.kind != \"undrawable\":",
             (f"{VERIFY}[one-word-covered]", "tests/test_check_rules.py::test_rule_case[PDF002-one-covered-word-fails]"),
             "verify's PDF002"),
    Mutation("verify-pdf008-off", "factsheets/rules/pdf.py",
             '            if problem.kind == "undrawable":', "            if False:",
             ("tests/test_check_rules.py::test_rule_case[PDF008-subset-with-original-cids-fails]",), "verify's PDF008"),
    # -- where statements stand
    Mutation("place-prose-inside-a-statement-claims-it", "factsheets/verify.py",
             "            if any(a <= start and end <= b and b - a > end - start for a, b in statements):\n                continue\n",
             "            if any(a <= start and end <= b and b - a > end - start for a, b in statements):\n                pass\n",
             ("tests/test_regressions.py::test_a_risk_note_that_quotes_part_of_a_statement_builds_and_checks_clean",),
             "a risk note quoting part of a statement took the statement out of play"),
    Mutation("place-prose-not-claimed", "factsheets/verify.py",
             "    claimed = prose_spans(haystack, decoys, [needle for _, _, needle in needles])", "    claimed = []",
             ("tests/test_regressions.py::test_a_statement_quoted_in_the_commentary_does_not_stand_for_itself",),
             "a statement quoted in the fund's prose standing in for the statement"),
    Mutation("place-shortest-first", "factsheets/verify.py",
             "                     key=lambda item: len(item[2]), reverse=True)", "                     key=lambda item: len(item[2]))",
             ("tests/test_regressions.py::test_a_statement_inside_another_does_not_stand_for_itself",),
             "a statement inside another standing for itself"),
    # -- incremental builds: every input in the inputs hash
    Mutation("inputs-templates-not-hashed", "factsheets/inputs.py",
             '        _update(digest, b"template", name.encode(), source.encode())', "        pass",
             (f"{INCREMENTAL}[template]",), "incremental detection of template changes"),
    Mutation("inputs-styles-not-hashed", "factsheets/inputs.py",
             '        _update(digest, b"style", source.encode())', "        pass",
             (f"{INCREMENTAL}[style]",), "incremental detection of style changes"),
    Mutation("inputs-files-not-hashed", "factsheets/inputs.py",
             "        _update(digest, path.encode(), sha.encode())\n    return digest.hexdigest()",
             "        pass\n    return digest.hexdigest()",
             (f"{INCREMENTAL}[image a style uses for some funds]", f"{INCREMENTAL}[logo the template shows]"),
             "images styles and templates refer to"),
    Mutation("inputs-files-not-recorded", "factsheets/fetcher.py",
             "            self.served[str(found)] = hashlib.sha256(data).hexdigest()", "            pass",
             (f"{INCREMENTAL}[image a style uses for some funds]",), "the files a document fetched"),
    Mutation("inputs-package-not-hashed", "factsheets/inputs.py",
             "package_digest().encode(),", 'b"",', (f"{INCREMENTAL}[package code]",), "the package's own code"),
    Mutation("inputs-check-version-not-hashed", "factsheets/inputs.py",
             'f"check {CHECK_VERSION}".encode(),', 'b"check",', (f"{INCREMENTAL}[check version]",),
             "documents judged again when the checks change"),
    # -- past defects the tests now catch
    Mutation("localise-english-risk-label", "factsheets/localise.py",
             "                filled[name] = by_key[key][self.lang]", '                filled[name] = by_key[key]["en"]',
             ("tests/test_render.py::test_every_applicable_statement_is_in_the_pdf_text",),
             "the English risk label inside the Chinese suitability statement"),
    Mutation("library-edited-and-re-pinned", "factsheets/disclosures/cn.yaml",
             "    zh-CN: 基金有风险，投资需谨慎。", "    zh-CN: 基金有风险。",
             ("tests/test_disclosures.py::test_the_package_library_is_the_approved_file",),
             "an approved statement edited (and its pin updated) without ../shared beside the clone"),
    Mutation("template-logo-not-drawn", "templates/sections/header.html.j2",
             "{% if brand.logo %}<img src=\"{{ brand.logo.as_uri() }}\" alt=\"{{ brand.text('name', variant.primary) or '' }}\">{% endif %}", "",
             ("tests/test_project.py::test_a_theme_overrides_templates_styles_colours_and_logo",), "the logo"),
    Mutation("chart-desc-deleted", "factsheets/chart.py",
             "<desc>{escape(description)}</desc>", "", ("tests/test_chart.py",), "the chart's text alternative"),
    Mutation("chart-label-width-underestimated", "factsheets/chart.py",
             "LABEL_EM = 0.6", "LABEL_EM = 0.45",
             ("tests/test_chart.py::test_labels_of_neighbouring_bars_do_not_overlap_with_ten_years_of_two_series",),
             "chart labels overlapping (measured, not estimated)"),
    Mutation("styles-commentary-5pt", "styles/factsheet.css",
             "/* The statements: never small, never faint.", ".commentary p { font-size: 5pt; }\n/* The statements: never small, never faint.",
             ("tests/test_stress.py::test_text_outside_the_chart_is_at_least_7_pt",), "text below 7 pt outside the chart"),
    # -- the layout rules (factsheets/pdf/layout.py measures, factsheets/rules/layout.py judges)
    Mutation("layout-margin-box-off", "factsheets/pdf/layout.py",
             "        if not runs and not drawings:\n            continue", "        if True:\n            continue",
             ("tests/test_check_rules.py::test_rule_case[LY001-a-table-wider-than-its-column-fails]",), "text past the margin box"),
    Mutation("layout-edge-off", "factsheets/pdf/layout.py",
             "        close = [(r, d) for r, d in close if d > 0.05]", "        close = []",
             ("tests/test_check_rules.py::test_rule_case[LY002-a-footer-in-the-trim-fails]",), "text near the paper's edge"),
    Mutation("layout-overlap-off", "factsheets/pdf/layout.py",
             "for x in chars.get(i, ()) for y in chars.get(j, ())):", "for x in chars.get(i, ()) for y in ()):",
             ("tests/test_check_rules.py::test_rule_case[LY003-lines-of-one-paragraph-drawn-over-each-other-fail]",),
             "text drawn over text"),
    Mutation("layout-gap-off", "factsheets/pdf/layout.py",
             "    return gap if gap < MIN_GAP_EM * min(a.size, b.size) else None", "    return None",
             ("tests/test_check_rules.py::test_rule_case[LY003-a-label-without-a-gutter-runs-into-its-value-fails]",),
             "a label running into its neighbour"),
    Mutation("layout-last-page-bar-off", "factsheets/rules/layout.py",
             "        if used >= ctx.last_page_min_fill:", "        if True:",
             ("tests/test_check_rules.py::test_rule_case[LY004-sources-alone-on-a-last-page-fail]",), "a last page barely used"),
    Mutation("layout-stranded-off", "factsheets/pdf/layout.py",
             "        if not kind or elements[parent].last != element.last or not _followed(layout, element):",
             "        if True:", ("tests/test_check_rules.py::test_rule_case[LY006-a-heading-left-at-the-foot-of-a-column-fails]",),
             "a heading at the foot of a page without its rows"),
    Mutation("layout-header-repeat-off", "factsheets/pdf/layout.py",
             "        if has_header or page < 2:", "        if True:",
             ("tests/test_check_rules.py::test_rule_case[LY007-a-split-table-without-its-header-fails]",), "a split table's header"),
    Mutation("layout-small-text-off", "factsheets/pdf/layout.py",
             "r.size < limit - SIZE_SLACK", "r.size < 0", ("tests/test_check_rules.py::test_rule_case[LY009-chart-labels-shrunk-to-five-points-fail]",
                                                           "tests/test_check_rules.py::test_rule_case[LY010-notes-at-six-and-a-half-points-fail]"),
             "text under 6 pt, body text under 7 pt"),
    Mutation("build-ignores-the-layout-rules", "factsheets/build/pipeline.py",
             '    refused = [f for f in findings if f.severity == "error" or strict]', "    refused = []",
             ("tests/test_layout.py::test_a_style_that_breaks_the_layout_fails_the_build_naming_the_rule",), "the build refusing a factsheet on its layout"),
    Mutation("layout-rules-off-for-factsheets", "factsheets/documents/types.py",
             "shows_holdings=True, layout_rules=True)", "shows_holdings=True)",
             ("tests/test_layout.py::test_the_document_types_say_which_the_build_refuses_on_its_layout",
              "tests/test_check_rules.py::test_rule_case[LY001-the-build-refuses-it]"), "which document types the build refuses"),
    Mutation("fit-off", "factsheets/render/renderer.py",
             "        if fitting and not tried[0].measure.fits(self.last_page_min_fill):",
             "        if False:", ("tests/test_layout.py::test_the_build_reports_the_layout_it_chose_in_its_output_and_manifest",),
             "the build fitting a factsheet to its pages"),
    # -- each market's words (factsheets/documents/localise.py)
    Mutation("markets-contexts-off", "factsheets/documents/localise.py",
             "            for context in self.market.contexts():", "            for context in ():",
             ("tests/test_markets.py",), "a market's words in the catalogues"),
    Mutation("markets-english-month-first", "factsheets/documents/localise.py",
             'MARKET_LOCALES = {("en", "HK"): "en_HK", ("en", "EU"): "en_IE"}', "MARKET_LOCALES: dict = {}",
             ("tests/test_markets.py",), "English dates day first and US$ outside the mainland"),
    Mutation("markets-dividends-per-unit", "factsheets/documents/localise.py",
             "            value *= DIVIDEND_UNITS", "            value *= 1",
             ("tests/test_markets.py",), "a mainland fund's dividends per 10 units"),
]


def tracked_copy() -> Path:
    """The repository's tracked files (and untracked ones git does not ignore), as they are now, in a temporary folder."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, check=True).stdout.decode().split("\0")
    target = Path(tempfile.mkdtemp(prefix="factsheets-mutations-"))
    for name in filter(None, listing):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target  # without ../shared beside it: the tests that need it skip, as on a clean CI clone


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    # One process (-n 0): with pytest-xdist's workers, -x ends a failing run as "interrupted" (exit 2), not 1.
    result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider", "-rf", *tests],
                            cwd=copy, env=env, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def first_failure(output: str) -> str:
    found = re.search(r"^FAILED (.+?)(?: - .*)?$", output, re.M)
    return found.group(1) if found else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (a name or part of one); default: all")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the named tests on the untouched copy")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or any(n in m.name for n in args.names)]
    if args.list:
        for m in chosen:
            print(f"{m.name:42} {m.file:34} {m.why}")
        return 0
    copy = tracked_copy()
    try:
        if not args.no_baseline:
            tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
            code, output = run_tests(copy, tests)
            if code != 0:
                print(f"baseline: the named tests fail on the untouched code (exit {code}):\n{output[-3000:]}")
                return 2
            print(f"baseline: {len(tests)} test selections pass on the untouched code")
        results = []
        for m in chosen:
            path = copy / m.file
            original = path.read_text(encoding="utf-8")
            count = original.count(m.original)
            if count != 1:
                results.append((m, "STALE", f"the snippet occurs {count} times in {m.file}"))
                print(f"{m.name:42} STALE ({count} occurrences)", flush=True)
                continue
            path.write_text(original.replace(m.original, m.mutated), encoding="utf-8")
            started = time.monotonic()
            try:
                code, output = run_tests(copy, m.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            verdict = "killed" if code == 1 else "SURVIVED" if code == 0 else f"ERROR (pytest exit {code})"
            detail = first_failure(output) if code == 1 else output[-1500:] if code not in (0, 1) else ""
            results.append((m, verdict, detail))
            print(f"{m.name:42} {verdict:9} {time.monotonic() - started:5.0f} s  {detail if code == 1 else ''}", flush=True)
            if code not in (0, 1):
                print(detail)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    bad = [r for r in results if r[1] != "killed"]
    print(f"\n{len(results) - len(bad)} of {len(results)} mutations killed" + (f"; not killed: {', '.join(r[0].name for r in bad)}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
