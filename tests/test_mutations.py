"""The mutation runner (scripts/mutations.py) kept in step with the code, in CI: every mutation's
file exists, its snippet occurs exactly once there, and every test it names is collected, so that a
mutation gone stale is found when the code moves, not when the runner is next run before a release.
And how the runner judges a run: by the tests' outcome, never by pytest's exit code."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HERE = "tests/test_mutations.py"


def _load_runner():
    spec = importlib.util.spec_from_file_location("factsheets_mutations", ROOT / "scripts" / "mutations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # before it runs: its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


runner = _load_runner()
Case, Outcome = runner.Case, runner.Outcome


def test_every_mutation_matches_the_code_and_names_tests_that_exist():
    assert len({m.name for m in runner.MUTATIONS}) == len(runner.MUTATIONS), "two mutations share a name"
    assert runner.stale(runner.MUTATIONS) == {}


def test_a_stale_mutation_is_reported():
    good = runner.Mutation("good", "scripts/mutations.py", "def stale(", "def stale_(",
                           (f"{HERE}::test_verdict[a-failure-kills]", f"{HERE}::test_verdict", HERE))
    stale = {
        "file-moved": (replace(good, file="scripts/mutation.py"), "scripts/mutation.py does not exist"),
        "snippet-gone": (replace(good, original="def stale_mutations("), "its snippet occurs 0 times"),
        "snippet-twice": (replace(good, original="def "), "times in scripts/mutations.py, not once"),
        "nothing-changed": (replace(good, mutated=good.original), "its mutated snippet is the original"),
        "test-file-gone": (replace(good, tests=("tests/test_mutation.py::test_verdict",)), "test file tests/test_mutation.py does not exist"),
        "test-gone": (replace(good, tests=(f"{HERE}::test_no_such_test",)), f"pytest collects no test {HERE}::test_no_such_test"),
        "case-gone": (replace(good, tests=(f"{HERE}::test_verdict[no-such-case]",)), "collects no test"),
        "an-option": (replace(good, tests=("-k", "verdict")), "it names a pytest option (-k), not a test"),
        "no-test": (replace(good, tests=()), "it names no test"),
    }
    problems = runner.stale([good, *(replace(m, name=name) for name, (m, _) in stale.items())], ROOT)
    assert set(problems) == set(stale)  # not "good"
    for name, (_, expected) in stale.items():
        assert any(expected in problem for problem in problems[name]), (name, problems[name])


PASSED, FAILED = Case("tests/test_x.py::test_a", "passed"), Case("tests/test_x.py::test_b[case]", "failed", "assert 1 == 2")


@pytest.mark.parametrize("outcome, expected", [
    (Outcome([PASSED, FAILED], 1), "killed"),
    (Outcome([PASSED, FAILED], 2), "killed"),  # stopped by -x under xdist: exit 2, still a failing test
    (Outcome([Case("tests/test_x.py::test_a", "error", 'failed on setup with "BuildError"')], 1), "killed"),
    (Outcome([PASSED], 0), "SURVIVED"),
    (Outcome([Case("tests/test_x.py", "uncollectable", "SyntaxError")], 2), "ERROR"),
    (Outcome([PASSED, Case("tests/test_y.py", "uncollectable", "ImportError")], 2), "ERROR"),
    (Outcome([Case("tests/test_x.py::test_a", "skipped")], 0), "ERROR"),
    (Outcome([], 4), "ERROR"),  # a test id that does not exist: pytest runs nothing
    (Outcome([PASSED], None), "ERROR"),  # past the timeout
], ids=["a-failure-kills", "a-failure-under-xdist-kills", "an-error-in-setup-kills", "all-passing-survives",
        "code-that-does-not-collect-is-an-error", "a-file-that-does-not-collect-is-an-error",
        "all-skipped-is-an-error", "nothing-run-is-an-error", "a-timeout-is-an-error"])
def test_verdict(outcome, expected):
    assert runner.verdict(outcome)[0] == expected


def test_the_junit_report_gives_each_test_its_node_id(tmp_path):
    report = tmp_path / "report.xml"
    report.write_text("""<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="2" failures="1" skipped="1" tests="6">
<testcase classname="tests.test_a" name="test_p[image a style uses]" file="tests/test_a.py" line="4" time="0.0" />
<testcase classname="tests.test_a" name="test_p[two]" file="tests/test_a.py" line="4" time="0.0">
<failure message="assert 2 == 1&#10;more">x = 2</failure></testcase>
<testcase classname="tests.test_a" name="test_e" file="tests/test_a.py" line="7" time="0.0">
<error message="failed on setup with &quot;RuntimeError: boom&quot;">boom</error></testcase>
<testcase classname="tests.test_a" name="test_s" file="tests/test_a.py" line="9" time="0.0">
<skipped type="pytest.skip" message="nope">nope</skipped></testcase>
<testcase classname="tests.test_a.TestK" name="test_m" file="tests/test_a.py" line="12" time="0.0" />
<testcase classname="" name="tests.test_b" file="tests/test_b.py" time="0.0">
<error message="collection failure">ModuleNotFoundError: No module named 'nonexistent'</error></testcase>
</testsuite></testsuites>""", encoding="utf-8")
    assert [(c.id, c.status) for c in runner.read_junit(report)] == [
        ("tests/test_a.py::test_p[image a style uses]", "passed"),
        ("tests/test_a.py::test_p[two]", "failed"),
        ("tests/test_a.py::test_e", "error"),
        ("tests/test_a.py::test_s", "skipped"),
        ("tests/test_a.py::TestK::test_m", "passed"),
        ("tests/test_b.py", "uncollectable"),
    ]
    outcome = Outcome(runner.read_junit(report), 1)
    assert [c.status for c in outcome.of(["tests/test_a.py::test_p"])] == ["passed", "failed"]
    assert [c.status for c in outcome.of(["tests/test_b.py::test_x"])] == ["uncollectable"]


def test_a_run_is_judged_by_its_tests(tmp_path):
    """pytest itself, in one process, on a small project: a failing test kills, code that does not
    import is an error."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_one.py").write_text("def test_passes():\n    pass\n\n\ndef test_fails():\n    assert False\n",
                                                    encoding="utf-8")
    (tmp_path / "tests" / "test_two.py").write_text("import no_such_module\n\n\ndef test_x():\n    pass\n", encoding="utf-8")
    killed = runner.run_tests(tmp_path, ["tests/test_one.py"])
    assert runner.verdict(killed) == ("killed", "tests/test_one.py::test_fails: assert False")
    assert runner.verdict(runner.run_tests(tmp_path, ["tests/test_two.py"]))[0] == "ERROR"
