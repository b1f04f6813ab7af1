#!/usr/bin/env python3
"""Switch off each check, one at a time, and make sure a test notices (run before a release, not in CI).

Each mutation below is one check of the build or of `verify` switched off (or one past defect put
back): a snippet of the code replaced by another. The runner copies the repository's tracked files
into a temporary folder, applies one mutation there, runs the tests named for it, and reports
whether a test failed (killed) or all passed (survived: the check could be switched off unnoticed).

The verdict is read from the tests' outcome (pytest's JUnit XML), never from pytest's exit code: a
named test that fails, or errs in its setup or teardown, kills the mutation. The named tests run in
one process (`-n 0`, without xdist's workers) and stop at the first failure. What is not a test
noticing the mutation is the runner's ERROR, never a kill: mutated code that does not collect (an
import or syntax error), no named test run (all skipped), pytest stopping before any test, a named
test failing on the untouched code (the baseline run, first), or a run past `TIMEOUT`.

Before anything runs, every mutation is checked against the code (`stale`, which
tests/test_mutations.py runs in CI): its file exists, its snippet occurs exactly once there, and
every test it names is collected. A stale mutation is reported and not run: update it with the code.

    python scripts/mutations.py              # every mutation; exit 1 if any survives, is stale or errs
    python scripts/mutations.py --list       # names only
    python scripts/mutations.py judge-ink    # some, by name (or by a part of it)
    python scripts/mutations.py --jobs 2     # two mutations at a time, each in its own copy

The working tree is never modified.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 1800  # seconds for the named tests of one mutation; a run past it is an error, not a kill


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    mutated: str
    tests: tuple[str, ...]  # pytest node ids (tests/test_x.py::test_y, ::test_y[case]) or test files
    why: str = ""


THEME = "tests/test_theme.py"
BUILD = f"{THEME}::test_css_that_hides_a_statement_fails_the_build_with_its_id"
VERIFY = f"{THEME}::test_verify_rejects_the_same_pdf_made_elsewhere"
INCREMENTAL = "tests/test_incremental.py::test_an_edit_renders_again_exactly_the_documents_it_affects"
RULES = "tests/test_check_rules.py"
REFUSES = "tests/test_key_facts.py::test_the_build_refuses_key_facts_whose_house_template_drops_a_row_naming_section_and_row"

MUTATIONS = [
    # -- the judge (factsheets/pdf/legibility.py): one definition for build, check --render and verify
    Mutation("judge-size-off", "factsheets/pdf/legibility.py",
             "    if smallest.glyph.size < MIN_SIZE_PT - 0.05:", "    if False:",
             (f"{BUILD}[four-point-font]", f"{BUILD}[squashed]"), "the size check"),
    Mutation("judge-size-from-the-determinant", "factsheets/pdf/legibility.py",
             "    return font_size * min(abs(a * d - b * c) / along, along)",
             "    return font_size * abs(a * d - b * c) ** 0.5",
             (f"{BUILD}[squashed]",), "the size verify and the build once disagreed on (scaleY(0.4))"),
    Mutation("judge-on-the-page-off", "factsheets/pdf/legibility.py",
             "    if outside := [s for s in seen if not s.on_page]:", "    if outside := []:",
             (f"{BUILD}[half-off-the-page]",), "the on-the-page check"),
    Mutation("judge-ink-off", "factsheets/pdf/legibility.py",
             "    if hidden := [s for s in seen if s.shown and not s.inked]:", "    if hidden := []:",
             (f"{BUILD}[one-word-covered]", f"{BUILD}[covered-by-a-box]"), "the ink check"),
    Mutation("judge-ink-share-threshold", "factsheets/pdf/legibility.py",
             "    if hidden := [s for s in seen if s.shown and not s.inked]:",
             "    if (hidden := [s for s in seen if s.shown and not s.inked]) and len(hidden) > 0.1 * len(seen):",
             (f"{BUILD}[one-word-covered]",), "a statement 90 % visible passing (one word hidden)"),
    Mutation("judge-contrast-off", "factsheets/pdf/legibility.py",
             "    if faint := [s for s in seen if s.faint is not None]:", "    if faint := []:",
             (f"{BUILD}[opacity]", f"{BUILD}[faint-text]"), "the contrast check"),
    Mutation("judge-contrast-against-white", "factsheets/pdf/legibility.py",
             "        ratio[where] = (np.maximum(lit, dark) + 0.05) / (np.minimum(lit, dark) + 0.05)",
             "        ratio[where] = 1.05 / (np.minimum(lit, 1.0) + 0.05)",
             (f"{BUILD}[dark-on-a-dark-background]", f"{BUILD}[over-a-dark-image]"),
             "contrast judged against white, not against what lies behind the text"),
    Mutation("judge-text-not-hidden", "factsheets/pdf/legibility.py",
             "            _hide_text(page)\n", "            pass\n",
             (f"{THEME}::test_a_harmless_theme_renders",), "the second drawing, without text, that finds the ink"),
    Mutation("judge-overlap-off", "factsheets/pdf/legibility.py",
             "                if not found and reading.overlaps_other_text(start, end):", "                if False:",
             (f"{BUILD}[pushed-over-its-neighbour]",), "the overlap check"),
    Mutation("judge-missing-off", "factsheets/pdf/legibility.py",
             '                problems.append(StatementProblem(sid, lang, "missing", f"statement {sid}{version} is missing in {lang}"))',
             "                pass",
             ("tests/test_render.py::test_a_template_that_drops_a_statement_fails_the_build",), "a statement not in the text"),
    Mutation("judge-glyphs-off", "factsheets/pdf/legibility.py",
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
    Mutation("place-prose-inside-a-statement-claims-it", "factsheets/pdf/text.py",
             "            if statement_words(start, end):\n                continue\n",
             "            if statement_words(start, end):\n                pass\n",
             ("tests/test_regressions.py::test_a_risk_note_that_quotes_part_of_a_statement_builds_and_checks_clean",
              "tests/test_regressions.py::test_a_short_fund_text_found_across_two_statements_does_not_take_them_out"),
             "a risk note quoting part of a statement took the statement out of play"),
    Mutation("place-prose-not-claimed", "factsheets/pdf/text.py",
             "    claimed = prose_spans(haystack, decoys, [needle for _, _, needle in needles])", "    claimed = []",
             ("tests/test_regressions.py::test_a_statement_quoted_in_the_commentary_does_not_stand_for_itself",
              "tests/test_verify_cli.py::test_a_statement_quoted_in_the_commentary_does_not_count"),
             "a statement quoted in the fund's prose standing in for the statement"),
    Mutation("place-shortest-first", "factsheets/pdf/text.py",
             "                     key=lambda item: len(item[2]), reverse=True)", "                     key=lambda item: len(item[2]))",
             ("tests/test_regressions.py::test_a_statement_inside_another_does_not_stand_for_itself",),
             "a statement inside another standing for itself"),
    # -- incremental builds: every input in the inputs hash
    Mutation("inputs-templates-not-hashed", "factsheets/render/inputs.py",
             '        _update(digest, b"template", name.encode(), source.encode())', "        pass",
             (f"{INCREMENTAL}[template]",), "incremental detection of template changes"),
    Mutation("inputs-styles-not-hashed", "factsheets/render/inputs.py",
             '        _update(digest, b"style", source.encode())', "        pass",
             (f"{INCREMENTAL}[style]",), "incremental detection of style changes"),
    Mutation("inputs-files-not-hashed", "factsheets/render/inputs.py",
             "        _update(digest, path.encode(), sha.encode())\n    return digest.hexdigest()",
             "        pass\n    return digest.hexdigest()",
             (f"{INCREMENTAL}[image a style uses for some funds]", f"{INCREMENTAL}[logo the template shows]"),
             "images styles and templates refer to"),
    Mutation("inputs-files-not-recorded", "factsheets/render/fetcher.py",
             "            self.served[str(found)] = hashlib.sha256(data).hexdigest()", "            pass",
             (f"{INCREMENTAL}[image a style uses for some funds]",), "the files a document fetched"),
    Mutation("inputs-package-not-hashed", "factsheets/render/inputs.py",
             "package_digest().encode(),", 'b"",', (f"{INCREMENTAL}[package code]",), "the package's own code"),
    Mutation("inputs-check-version-not-hashed", "factsheets/render/inputs.py",
             'f"check {CHECK_VERSION}".encode(),', 'b"check",', (f"{INCREMENTAL}[check version]",),
             "documents judged again when the checks change"),
    # -- past defects the tests now catch
    Mutation("localise-english-risk-label", "factsheets/documents/localise.py",
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
    Mutation("chart-desc-deleted", "factsheets/documents/chart.py",
             "        f'data-plot=\"{top:.2f} {bottom:.2f}\">',\n        f\"<title>{escape(title)}</title><desc>{escape(description)}</desc>\",",
             "        f'data-plot=\"{top:.2f} {bottom:.2f}\">',\n        f\"<title>{escape(title)}</title>\",",
             ("tests/test_chart.py::test_text_alternative_lists_the_same_figures",
              "tests/test_chart.py::test_factsheet_chart_text_alternative_matches_its_labels"),
             "the returns chart's text alternative"),
    Mutation("chart-label-width-underestimated", "factsheets/documents/chart.py",
             "bar_w * 0.92, text, text_ems(text)))", "bar_w * 0.92, text, text_ems(text) * 0.75))",
             ("tests/test_chart.py::test_labels_of_neighbouring_bars_do_not_overlap_with_ten_years_of_two_series",
              "tests/test_chart.py::test_labels_stay_clear_of_each_other_the_bars_legend_and_years[taking-turns]"),
             "chart labels overlapping (their shaped widths taken a quarter narrower)"),
    Mutation("styles-commentary-5pt", "styles/factsheet.css",
             "/* The statements: never small, never faint.", ".commentary p { font-size: 5pt; }\n/* The statements: never small, never faint.",
             ("tests/test_stress.py::test_text_outside_the_chart_is_at_least_7_pt",), "text below 7 pt outside the chart"),
    # -- the regulators' templates (factsheets/pdf/conformance.py): the RT rules and the build's refusal
    Mutation("template-rows-off", "factsheets/pdf/conformance.py",
             "            if part.id in self.starts and part.rows:\n                self._rows(part)",
             "            if False:\n                self._rows(part)",
             (f"{RULES}::test_rule_case[RT003-a-fee-table-override-dropping-the-switching-fee-fails]",
              f"{RULES}::test_rule_case[RT003-a-ucits-kid-without-its-depositary-row-fails]", REFUSES), "a row of the template missing"),
    Mutation("template-dash-is-a-value", "factsheets/pdf/conformance.py",
             '_DASHES = re.compile(r"^[\\s:：\\-–—−]*$")', '_DASHES = re.compile(r"^\\s*$")',
             (f"{RULES}::test_rule_case[RT004-a-fee-not-charged-shown-as-a-dash-fails]",), "a dash taken for a fee"),
    Mutation("template-per-class-off", "factsheets/pdf/conformance.py",
             "        if not row.per_class or len(self.classes) < 2 or len(hits) >= len(self.classes):",
             "        if True:", (f"{RULES}::test_rule_case[RT004-a-per-class-row-showing-one-class-of-two-fails]",), "a per-class row showing one class"),
    Mutation("template-order-off", "factsheets/pdf/conformance.py",
             "            after = [h for h in hits if h > last]", "            after = hits",
             (f"{RULES}::test_rule_case[RT002-fees-before-the-guarantee-fail]",), "sections out of the template's order"),
    Mutation("template-foreign-labels-off", "factsheets/pdf/conformance.py",
             "        self._foreign_labels(part, matched, start, end)", "        pass",
             (f"{RULES}::test_rule_case[RT005-a-row-labelled-otherwise-than-the-template-fails]",), "a row labelled otherwise than the template"),
    Mutation("template-statement-place-off", "factsheets/pdf/conformance.py",
             "                if not inside:", "                if False:",
             (f"{RULES}::test_rule_case[RT006-the-important-statement-moved-under-additional-information-fails]",
              f"{RULES}::test_rule_case[RT006-a-kid-with-the-figures-include-costs-sentence-under-costs-fails]"), "a statement outside its section"),
    Mutation("build-ignores-the-template", "factsheets/build/pipeline.py",
             "    departures = template_departures(fund, rendered, pdf, dtype, decoys)", "    departures = []",
             (REFUSES,), "the build writing a document that departs from its template"),
    # -- the EPT checks (factsheets/rules/ept.py) and the export's schema check
    Mutation("ept-sri-grid-off", "factsheets/rules/ept.py",
             "            if stated != grid and not (adjusted and stated > grid):", "            if False:",
             ("tests/test_check_rules.py::test_rule_case[EP002-an-sri-off-the-mrm-crm-grid-fails]",), "EP002, the SRI grid"),
    Mutation("ept-vev-moments-off", "factsheets/rules/ept.py",
             "            if abs(stated - expected) > float(VEV_TOLERANCE) * abs(expected):", "            if False:",
             ("tests/test_check_rules.py::test_rule_case[EP004-a-vev-the-moments-do-not-give-fails]",), "EP004, the VEV against the moments"),
    Mutation("ept-scenario-order-off", "factsheets/rules/ept.py",
             "                    if low is not None and high is not None and low > high:",
             "                    if low is not None and high is not None and low > high and False:",
             ("tests/test_check_rules.py::test_rule_case[EP005-a-moderate-above-the-favourable-fails]",), "EP005, the scenarios' order"),
    Mutation("ept-mandatory-off", "factsheets/ingest/ept_fields.py",
             '    return "mandatory" if field.mandatory == "M" else None', "    return None",
             ("tests/test_check_rules.py::test_rule_case[EP001-a-missing-sri-fails]",), "EP001, a mandatory field missing"),
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
    Mutation("layout-rules-off-for-key-facts", "factsheets/documents/types.py",
             'forms={"HK": "hk-kfs", "CN": "cn-kfs"}, layout_rules=True)', 'forms={"HK": "hk-kfs", "CN": "cn-kfs"})',
             ("tests/test_layout.py::test_a_style_that_breaks_the_layout_fails_the_build_naming_the_rule[key-facts-table-past-the-margin]",
              "tests/test_layout.py::test_the_document_types_say_which_the_build_refuses_on_its_layout"), "the build refusing a key facts document on its layout"),
    Mutation("layout-rules-off-for-kids", "factsheets/documents/types.py",
             'forms={"EU": "eu-kid"}, layout_rules=True)', 'forms={"EU": "eu-kid"})',
             ("tests/test_layout.py::test_a_style_that_breaks_the_layout_fails_the_build_naming_the_rule[kid-footer-at-the-edge]",
              "tests/test_layout.py::test_the_document_types_say_which_the_build_refuses_on_its_layout"), "the build refusing a KID on its layout"),
    Mutation("paragraph-tails-off", "factsheets/render/typeset.py",
             "    if start == 0:  # one line's worth: nothing to keep apart from", "    if True:",
             ("tests/test_layout.py::test_no_paragraph_ends_on_a_lone_word_or_character",
              "tests/test_layout.py::test_a_paragraph_s_tail_is_kept_together_and_its_text_unchanged"), "a paragraph's last line kept whole"),
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



def pytest_command(*args: str) -> list[str]:
    """pytest in one process (`-n 0` overrides the project's `-n auto`), without its cache folder."""
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", *args]


def pytest_env(root: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}


def file_of(selection: str) -> str:
    """The test file of a node id (or of a file)."""
    return selection.split("::", 1)[0]


def covers(selection: str, node_id: str) -> bool:
    """Whether a named test (a node id, one without its parameters, or a file) selects a collected one."""
    return node_id == selection or node_id.startswith((selection + "[", selection + "::"))


def collected(root: Path, files: Iterable[str]) -> tuple[set[str], set[str], str]:
    """The node ids pytest collects from `files` in one `--collect-only` run, the files that fail
    to collect (all of them when pytest fails before naming one), and pytest's output then."""
    files = list(files)
    result = subprocess.run(pytest_command("--collect-only", "-q", "--continue-on-collection-errors", *files),
                            cwd=root, env=pytest_env(root), capture_output=True, text=True)
    ids = {line for line in result.stdout.splitlines() if "::" in line and not line.startswith(" ")}
    broken = set(re.findall(r"^ERROR (\S+)", result.stdout, re.M))
    if result.returncode != 0 and not broken:
        broken = set(files)
    return ids, broken, (result.stdout + result.stderr)[-2000:] if broken else ""


def stale(mutations: Iterable[Mutation], root: Path = ROOT) -> dict[str, list[str]]:
    """What no longer matches the code, by mutation name (only those with a problem): its file
    missing, its snippet not occurring exactly once in it, or a test it names that pytest does not
    collect (a file, a function, or one of its parameters gone; all collected in one pytest run)."""
    mutations = list(mutations)
    problems: dict[str, list[str]] = {m.name: [] for m in mutations}
    named: dict[str, list[str]] = {m.name: [] for m in mutations}
    for m in mutations:
        path = root / m.file
        if not path.is_file():
            problems[m.name].append(f"{m.file} does not exist")
        elif (count := path.read_text(encoding="utf-8").count(m.original)) != 1:
            problems[m.name].append(f"its snippet occurs {count} times in {m.file}, not once")
        if m.mutated == m.original:
            problems[m.name].append("its mutated snippet is the original")
        if not m.tests:
            problems[m.name].append("it names no test")
        for selection in m.tests:
            if selection.startswith("-"):
                problems[m.name].append(f"it names a pytest option ({selection}), not a test")
            elif not (root / file_of(selection)).is_file():
                problems[m.name].append(f"test file {file_of(selection)} does not exist")
            else:
                named[m.name].append(selection)
    files = sorted({file_of(s) for selections in named.values() for s in selections})
    ids, broken, output = collected(root, files) if files else (set(), set(), "")
    for name, selections in named.items():
        for selection in selections:
            if file_of(selection) in broken:
                problems[name].append(f"{file_of(selection)} does not collect:\n{output}")
            elif not any(covers(selection, node_id) for node_id in ids):
                problems[name].append(f"pytest collects no test {selection}")
    return {name: found for name, found in problems.items() if found}


@dataclass(frozen=True)
class Case:
    """One test's outcome in pytest's JUnit XML."""

    id: str  # its node id; for a file that does not collect, the file
    status: str  # passed, failed, error (in setup or teardown), skipped, or uncollectable
    message: str = ""


@dataclass
class Outcome:
    """A pytest run: each test's outcome, and the run's exit code and output (for the errors)."""

    cases: list[Case] = field(default_factory=list)
    code: int | None = None  # None: stopped after `timeout`
    output: str = ""

    def of(self, selections: Iterable[str]) -> list[Case]:
        selections = list(selections)
        return [c for c in self.cases if any(covers(s, c.id) or (c.status == "uncollectable" and c.id == file_of(s))
                                             for s in selections)]


def read_junit(path: Path) -> list[Case]:
    """Each test case of a JUnit XML report (junit_family xunit1, which names each case's file)."""
    cases = []
    for case in ET.parse(path).iter("testcase"):
        file, classname, name = case.get("file", ""), case.get("classname", ""), case.get("name", "")
        problem = case.find("failure")
        problem = problem if problem is not None else case.find("error")
        if not classname and problem is not None and problem.get("message") == "collection failure":
            cases.append(Case(file or name.replace(".", "/") + ".py", "uncollectable", (problem.text or "")[-1500:]))
            continue
        module = file[:-3].replace("/", ".") if file.endswith(".py") else ""
        inner = classname[len(module) + 1:].split(".") if module and classname.startswith(module + ".") else []
        node_id = "::".join([file, *inner, name])
        if problem is not None:
            status = "failed" if problem.tag == "failure" else "error"
            cases.append(Case(node_id, status, ((problem.get("message") or "").splitlines() or [""])[0]))
        elif case.find("skipped") is not None:
            cases.append(Case(node_id, "skipped"))
        else:
            cases.append(Case(node_id, "passed"))
    return cases


def run_tests(root: Path, tests: Iterable[str], *, first_failure: bool = True, workers: int = 0,
              timeout: float | None = TIMEOUT) -> Outcome:
    """Run the named tests in `root` and read their outcome from a JUnit XML report."""
    with tempfile.TemporaryDirectory(prefix="factsheets-mutations-report-") as folder:
        report = Path(folder) / "report.xml"
        command = pytest_command("-q", "-rfE", "-o", "junit_family=xunit1", f"--junitxml={report}",
                                 *(["-x"] if first_failure else []), *tests)
        if workers:  # the baseline only: xdist's workers, each test's outcome still read from the report
            command[command.index("-n") + 1] = str(workers)
        try:
            result = subprocess.run(command, cwd=root, env=pytest_env(root), capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as stopped:
            output = stopped.stdout.decode(errors="replace") if isinstance(stopped.stdout, bytes) else stopped.stdout or ""
            return Outcome([], None, output[-1500:])
        cases = read_junit(report) if report.is_file() else []
        return Outcome(cases, result.returncode, (result.stdout + result.stderr)[-3000:])


def verdict(outcome: Outcome) -> tuple[str, str]:
    """Killed, SURVIVED or ERROR, and why, from a mutated run's outcome (never from its exit code alone)."""
    if outcome.code is None:
        return "ERROR", f"the named tests ran past {TIMEOUT} s\n{outcome.output}"
    if broken := [c for c in outcome.cases if c.status == "uncollectable"]:
        return "ERROR", f"the mutated code does not collect ({', '.join(c.id for c in broken)}):\n{broken[0].message}"
    if failed := [c for c in outcome.cases if c.status in ("failed", "error")]:
        first = failed[0]
        where = " (in its setup or teardown)" if first.status == "error" else ""
        return "killed", f"{first.id}{where}" + (f": {first.message[:120]}" if first.message else "")
    if not any(c.status == "passed" for c in outcome.cases) or outcome.code not in (0, 1):
        return "ERROR", f"no named test ran to its end (pytest exit {outcome.code}, {len(outcome.cases)} reported)\n{outcome.output}"
    return "SURVIVED", ""


def baseline_errors(outcome: Outcome, mutations: Iterable[Mutation]) -> dict[str, str]:
    """The mutations whose tests do not pass on the untouched code (failing, not collecting, all
    skipped or not run), each with why: they cannot tell a mutation from the code as it is."""
    errors = {}
    for m in mutations:
        cases = outcome.of(m.tests)
        if bad := [c for c in cases if c.status in ("failed", "error", "uncollectable")]:
            errors[m.name] = "fails on the untouched code: " + "; ".join(f"{c.id} ({c.status})" for c in bad[:3])
        elif not any(c.status == "passed" for c in cases):
            errors[m.name] = f"no named test passes on the untouched code ({len(cases)} ran, all skipped)" if cases else \
                f"no named test ran on the untouched code (pytest exit {outcome.code})"
    return errors


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


def apply_and_run(copy: Path, m: Mutation) -> tuple[str, str]:
    """Apply one mutation in `copy`, run its tests, put the code back; the verdict and why."""
    path = copy / m.file
    original = path.read_text(encoding="utf-8")
    if (count := original.count(m.original)) != 1:
        return "STALE", f"its snippet occurs {count} times in {m.file}, not once"
    path.write_text(original.replace(m.original, m.mutated), encoding="utf-8")
    try:
        return verdict(run_tests(copy, m.tests))
    finally:
        path.write_text(original, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (a name or part of one); default: all")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of the named tests on the untouched copy")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="mutations run at a time, each in its own copy and one process (default 1)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or any(n in m.name for n in args.names)]
    if args.list:
        for m in chosen:
            print(f"{m.name:42} {m.file:34} {m.why}")
        return 0
    jobs = max(1, min(args.jobs, len(chosen)))
    started = time.monotonic()
    copies = [tracked_copy() for _ in range(jobs)]
    results: dict[str, tuple[str, str]] = {}
    try:
        for name, problems in stale(chosen, copies[0]).items():
            results[name] = ("STALE", "; ".join(problems))
            print(f"{name:42} STALE     {results[name][1]}", flush=True)
        runnable = [m for m in chosen if m.name not in results]
        if runnable and not args.no_baseline:
            tests = tuple(dict.fromkeys(t for m in runnable for t in m.tests))
            outcome = run_tests(copies[0], tests, first_failure=False, workers=jobs if jobs > 1 else 0, timeout=None)
            if not outcome.cases:
                print(f"baseline: pytest reported no test (exit {outcome.code}):\n{outcome.output}")
                return 2
            for name, why in baseline_errors(outcome, runnable).items():
                results[name] = ("ERROR", f"baseline: {why}")
                print(f"{name:42} ERROR     baseline: {why}", flush=True)
            runnable = [m for m in runnable if m.name not in results]
            print(f"baseline: the tests of {len(runnable)} mutations pass on the untouched code "
                  f"({len(outcome.cases)} tests, {time.monotonic() - started:.0f} s)", flush=True)
        free: queue.Queue[Path] = queue.Queue()
        for copy in copies:
            free.put(copy)
        printing = threading.Lock()

        def run(m: Mutation) -> None:
            copy = free.get()
            began = time.monotonic()
            try:
                results[m.name] = apply_and_run(copy, m)
            finally:
                free.put(copy)
            verdict_, why = results[m.name]
            with printing:
                shown = why if verdict_ == "killed" else f"\n{why}" if why else ""
                print(f"{m.name:42} {verdict_:9} {time.monotonic() - began:5.0f} s  {shown}", flush=True)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(run, runnable))
    finally:
        for copy in copies:
            shutil.rmtree(copy, ignore_errors=True)
    by_verdict: dict[str, list[str]] = {}
    for m in chosen:
        by_verdict.setdefault(results[m.name][0], []).append(m.name)
    killed = len(by_verdict.get("killed", []))
    others = "".join(f"; {verdict_.lower()}: {', '.join(names)}" for verdict_, names in by_verdict.items() if verdict_ != "killed")
    print(f"\n{killed} of {len(chosen)} mutations killed{others} ({(time.monotonic() - started) / 60:.1f} min, {jobs} at a time)")
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
