"""Batch runs: parallel, incremental, on Dask, and robust to dead workers and unwritable outputs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factsheets import parse_variant
from factsheets.build.batch import Batch

from .conftest import EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402


def sha_by_name(out: Path) -> dict[str, str]:
    rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {Path(r["path"]).name: r["sha256"] for r in rows if r["status"] == "written"}


def test_dask_local_cluster_gives_the_same_files_as_the_local_run(tmp_path):
    pytest.importorskip("distributed")
    variants = [parse_variant("en"), parse_variant("zh-CN")]
    sources = sorted(EXAMPLES.glob("*.yaml"))
    local = Batch(sources, variants, tmp_path / "local", jobs=1).run()
    dask = Batch(sources, variants, tmp_path / "dask", jobs=2, executor="dask").run()
    assert {e.status for e in local} == {e.status for e in dask} == {"written"}
    assert sha_by_name(tmp_path / "dask") == sha_by_name(tmp_path / "local")
    assert len(sha_by_name(tmp_path / "dask")) == 4


def test_generated_batch_reports_the_broken_funds_and_builds_the_rest(tmp_path):
    funds = generate.main(8, tmp_path / "funds", broken=2)
    entries = Batch(funds, [parse_variant("en")], tmp_path / "out", jobs=2).run()
    failed = sorted(e.source for e in entries if e.status == "failed")
    assert failed == sorted(str(p) for p in funds[:2])
    assert all("fund.risk.min_investor: C2 is below C4" in e.error for e in entries if e.status == "failed")
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 6


def test_a_document_that_cannot_be_written_fails_alone(tmp_path):
    out = tmp_path / "out"
    (out / "513770.en.pdf").mkdir(parents=True)  # a folder where the PDF should go: the rename fails
    entries = Batch(sorted(EXAMPLES.glob("*.yaml")), [parse_variant("en")], out, jobs=1).run()
    status = {Path(e.source).name: e for e in entries}
    assert status["513770.yaml"].status == "failed" and "cannot write en" in status["513770.yaml"].error
    assert status["990001-demo-money-market.yaml"].status == "written"
    assert not list(out.glob(".*.part"))


def test_an_output_folder_that_cannot_be_created_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = subprocess.run([sys.executable, "-m", "factsheets", "build", str(EXAMPLES), "--out", str(blocker / "out")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "cannot create the output folder" in result.stderr and "Traceback" not in result.stderr


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_worker_killed_mid_batch_is_retried_and_the_run_completes(tmp_path):
    funds = generate.main(16, tmp_path / "funds")
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "factsheets", "build", str(tmp_path / "funds"), "--out", str(out),
                            "--lang", "en", "--jobs", "2", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and time.monotonic() < deadline and run.poll() is None:
        # the CLI's children are the forkserver (and resource tracker); the workers are the forkserver's children
        workers = [w for child in _children(run.pid) for w in _children(child)]
        if workers and list(out.glob("*.pdf")):
            os.kill(workers[0], signal.SIGKILL)
            killed = workers[0]
        time.sleep(0.05)
    stdout, stderr = run.communicate(timeout=120)
    assert killed is not None, "no worker was seen"
    assert run.returncode == 0, stderr
    assert "16 written" in stdout
    assert len(list(out.glob("*.pdf"))) == len(funds)
    assert not list(out.glob(".*.part"))


def test_a_build_of_each_funds_own_after_one_language_builds_the_rest(tmp_path):
    """`--lang en` and then a build without --lang: the fund's other own variants are made, not
    reported unchanged; a third run renders nothing."""
    etf = [EXAMPLES / "513770.yaml"]
    out = tmp_path / "out"
    assert [e.status for e in Batch(etf, [parse_variant("en")], out, jobs=1).run()] == ["written"]
    second = {e.variant: e.status for e in Batch(etf, None, out, jobs=1).run()}
    assert second == {"en": "unchanged", "zh-CN": "written", "bilingual": "written"}
    assert {e.status for e in Batch(etf, None, out, jobs=1).run()} == {"unchanged"}


def test_a_fund_that_fails_lists_each_document_once(tmp_path):
    """A skipped document kept as unchanged is not listed again as failed when the fund then fails."""
    import shutil

    funds = tmp_path / "funds"
    shutil.copytree(ROOT / "tests" / "data" / "funds", funds)
    source = [funds / "LU0000990301.yaml"]
    out = tmp_path / "out"
    first = {e.variant: e.status for e in Batch(source, [parse_variant("en"), parse_variant("zh-CN")], out, jobs=1).run()}
    assert first == {"en": "written", "zh-CN": "skipped"}
    (funds / "history" / "nav" / "LU0000990319.csv").unlink()
    entries = Batch(source, [parse_variant("en"), parse_variant("zh-CN")], out, jobs=1).run()
    assert sorted((e.variant, e.status) for e in entries) == [("en", "failed"), ("zh-CN", "skipped")]
    rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(r["variant"] for r in rows) == ["en", "zh-CN"]
