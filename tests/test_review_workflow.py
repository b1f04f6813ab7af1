"""Four eyes from the command line: users, submit, approve, reject, publish, and the audit trail
that proves what was published (real PDFs built from the reference ETF)."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest

from factsheets.review import Refused
from factsheets.review.auth import MAX_FAILURES
from factsheets.review.store import Store
from factsheets.review.workflow import decide

from . import review_support
from .review_support import USERS, cli, raw, run_cli

builds, project = review_support.builds, review_support.project  # fixtures

EN, ZH = "513770.en.pdf", "513770.zh-CN.pdf"


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def submit_and_approve(project, *documents: str, checker: str = "cleo") -> None:
    paths = [str(project.out / d) for d in documents]
    assert project.run("submit", *paths, user="max").returncode == 0
    result = project.run("approve", *paths, "--comment", "checked against the administrator's export", user=checker)
    assert result.returncode == 0, result.stderr


# -- users --------------------------------------------------------------------------------
def test_the_first_user_is_an_admin_who_then_adds_the_others(tmp_path):
    db = tmp_path / "review.db"
    first = cli("users", "add", "max", "--role", "maker", "--db", str(db), "--password-stdin", password="maker-pass-1", cwd=tmp_path)
    assert first.returncode == 2 and "the first user must be one (--role admin)" in first.stderr
    assert cli("users", "add", "ada", "--role", "admin", "--db", str(db), "--password-stdin", password="admin-pass-1",
               cwd=tmp_path).returncode == 0
    alone = cli("users", "add", "max", "--role", "maker", "--db", str(db), "--password-stdin", password="maker-pass-1", cwd=tmp_path)
    assert alone.returncode == 2 and "give --as ADMIN" in alone.stderr
    added = cli("users", "add", "max", "--role", "maker", "--as", "ada", "--db", str(db), "--password-stdin",
                password="admin-pass-1\nmaker-pass-1", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    by_maker = cli("users", "add", "eve", "--role", "checker", "--as", "max", "--db", str(db), "--password-stdin",
                   password="maker-pass-1\nchecker-pass", cwd=tmp_path)
    assert by_maker.returncode == 1 and "only an admin adds users" in by_maker.stderr
    short = cli("users", "add", "eve", "--role", "checker", "--as", "ada", "--db", str(db), "--password-stdin",
                password="admin-pass-1\nshort", cwd=tmp_path)
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    assert (db.stat().st_mode & 0o077) == 0  # password hashes: the database is its owner's alone
    listed = cli("users", "list", "--db", str(db), cwd=tmp_path)
    assert [line.split("\t")[:2] for line in listed.stdout.splitlines()] == [["ada", "admin"], ["max", "maker"]]
    assert [line.split("\t")[3] for line in listed.stdout.splitlines()] == ["enabled", "enabled"]


def test_passwords_are_kept_only_as_argon2_hashes(project):
    store = project.store()
    hashes = [row[0] for row in store.connection().execute("SELECT password FROM users")]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert project.run("approve", str(project.out / EN), user="cleo", password="a-wrong-guess").returncode == 1
    store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    everything = project.db.read_bytes() + project.run("audit", "export", "--format", "json").stdout.encode()
    for _, password in USERS.values():
        assert password.encode() not in everything
    assert b"a-wrong-guess" not in everything


# -- submit, approve, reject ------------------------------------------------------------------
def test_maker_submits_and_another_checker_approves(project):
    pdf = str(project.out / EN)
    submitted = project.run("submit", pdf, "--comment", "month end", user="max")
    assert submitted.returncode == 0 and f"submitted {EN} ({sha(project.out / EN)[:12]})" in submitted.stdout
    maker = project.run("approve", pdf, user="max")
    assert maker.returncode == 1 and "max is a maker: only a checker may approve" in maker.stderr
    wrong = project.run("approve", pdf, user="cleo", password="not-her-password")
    assert wrong.returncode == 1 and "wrong user name or password" in wrong.stderr
    approved = project.run("approve", pdf, "--comment", "figures agree", user="cleo")
    assert approved.returncode == 0 and f"approved {EN}" in approved.stdout
    again = project.run("approve", pdf, user="chen")
    assert again.returncode == 1 and "already decided: approved by cleo" in again.stderr
    actions = [(r["actor"], r["action"], r["document"], r["sha256"]) for r in
               json.loads(project.run("audit", "export", "--format", "json").stdout)][len(USERS):]
    digest = sha(project.out / EN)
    # Every log-in from the command line is a row too (the refused ones before a command's action, the failed one before).
    assert actions == [("max", "login", "", ""), ("max", "submit", EN, digest), ("max", "login", "", ""),
                       ("cleo", "login-failed", "", ""), ("cleo", "login", "", ""), ("cleo", "approve", EN, digest),
                       ("chen", "login", "", "")]


def test_nobody_approves_what_they_submitted(project):
    pdf = str(project.out / EN)
    assert project.run("submit", pdf, user="cleo").returncode == 0  # a checker may submit, for another checker
    own = project.run("approve", pdf, user="cleo")
    assert own.returncode == 1 and "cleo submitted 513770.en.pdf" in own.stderr and "another checker" in own.stderr
    assert project.run("approve", pdf, user="chen").returncode == 0


def test_approval_needs_a_submission_and_a_rejection_needs_a_reason(project):
    pdf = str(project.out / ZH)
    early = project.run("approve", pdf, user="cleo")
    assert early.returncode == 1 and "was not submitted for review" in early.stderr
    assert project.run("submit", pdf, user="max").returncode == 0
    silent = project.run("reject", pdf, user="cleo")
    assert silent.returncode == 1 and "a rejection needs a comment" in silent.stderr
    rejected = project.run("reject", pdf, "--comment", "the as-of date is wrong", user="cleo")
    assert rejected.returncode == 0 and f"rejected {ZH}" in rejected.stdout
    late = project.run("approve", pdf, user="chen")
    assert late.returncode == 1 and "already decided: rejected by cleo" in late.stderr


def test_a_rebuilt_document_with_other_bytes_needs_approving_again(project):
    submit_and_approve(project, EN)
    project.rebuild()
    stale = project.run("approve", str(project.out / EN), user="chen")
    assert stale.returncode == 1 and "not submitted for review" in stale.stderr and "rebuilt since" in stale.stderr
    published = project.run("publish", str(project.out), "--to", str(project.out.parent / "pub"), user="cleo")
    assert published.returncode == 1
    assert f"left out {EN}: changed since it was approved" in published.stdout
    submit_and_approve(project, EN, checker="chen")
    again = project.run("publish", str(project.out), "--to", str(project.out.parent / "pub"), user="cleo")
    assert f"published {EN} ({sha(project.out / EN)[:12]}), approved by chen" in again.stdout


def test_a_missing_pdf_is_a_usage_error(project):
    result = project.run("submit", str(project.out / "nope.pdf"), user="max")
    assert result.returncode == 2 and "no such file" in result.stderr


# -- publish --------------------------------------------------------------------------------------
def test_publish_copies_only_approved_bytes_and_says_what_it_left_out(project):
    submit_and_approve(project, EN)
    assert project.run("submit", str(project.out / ZH), user="max").returncode == 0
    to = project.out.parent / "published"
    result = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert result.returncode == 1  # something was left out
    assert sorted(p.name for p in to.iterdir()) == [EN, "publication.json"]
    assert (to / EN).read_bytes() == (project.out / EN).read_bytes()
    assert f"left out {ZH}: submitted by max" in result.stdout and "awaiting a checker's approval" in result.stdout
    manifest = json.loads((to / "publication.json").read_text(encoding="utf-8"))
    [row] = manifest["documents"]
    assert (row["document"], row["sha256"], row["approver"]) == (EN, sha(project.out / EN), "cleo")
    assert row["approved"].endswith("Z") and row["submitted_by"] == "max"
    assert [r["document"] for r in manifest["left_out"]] == [ZH]
    trail = json.loads(project.run("audit", "export", "--format", "json").stdout)
    assert (trail[-1]["action"], trail[-1]["document"], trail[-1]["sha256"]) == ("publish", EN, row["sha256"])
    assert (manifest["audit_head"]["row"], manifest["audit_head"]["hash"]) == (trail[-1]["seq"], trail[-1]["hash"])


def test_publish_everything_approved_exits_0(project):
    submit_and_approve(project, EN, ZH)
    to = project.out.parent / "published"
    result = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 published, 0 left out" in result.stdout


def test_publish_says_what_the_folder_still_holds_of_a_document_left_out(project):
    submit_and_approve(project, EN)
    to = project.out.parent / "published"
    assert f"published {EN}" in project.run("publish", str(project.out), "--to", str(to), user="cleo").stdout
    approved = sha(to / EN)
    project.rebuild()
    again = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert f"the version published earlier ({approved[:12]}, approved) stays in {to.resolve()}" in again.stdout
    assert sha(to / EN) == approved  # never replaced by bytes nobody approved
    (to / EN).write_bytes(b"%PDF-1.7 swapped in by hand")
    third = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert "holds a file of it that is not approved" in third.stdout and "remove it" in third.stdout


def test_a_file_edited_after_approval_is_not_published(project):
    submit_and_approve(project, EN)
    with open(project.out / EN, "ab") as fh:
        fh.write(b"%% appended after approval\n")
    to = project.out.parent / "published"
    result = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert not (to / EN).exists() and "changed since it was approved" in result.stdout


def test_nothing_is_published_while_the_trail_is_broken(project):
    submit_and_approve(project, EN)
    raw(project.db).execute("UPDATE audit SET comment = 'all fine' WHERE action = 'approve'")
    to = project.out.parent / "published"
    result = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert result.returncode == 2 and "the audit trail does not verify" in result.stderr and not (to / EN).exists()


# -- the audit trail ------------------------------------------------------------------------------
def test_audit_verify_passes_an_intact_trail(project):
    submit_and_approve(project, EN)
    result = project.run("audit", "verify")
    assert result.returncode == 0 and f"{len(USERS) + 4} rows" in result.stdout  # the users, two log-ins, submit, approve
    assert "state agrees with the trail: 4 users, 1 submissions, 1 decisions" in result.stdout


def test_audit_verify_names_an_edited_row(project):
    submit_and_approve(project, EN)
    seq = raw(project.db).execute("SELECT seq FROM audit WHERE action = 'approve'").fetchone()[0]
    raw(project.db).execute("UPDATE audit SET actor = 'chen' WHERE seq = ?", (seq,))
    result = project.run("audit", "verify")
    assert result.returncode == 1 and f"broken at row {seq}: edited" in result.stderr


def test_audit_verify_names_the_row_after_an_edit_whose_hash_was_recomputed(project):
    from factsheets.review.audit import COLUMNS, row_hash

    submit_and_approve(project, EN)
    conn = raw(project.db)
    seq = conn.execute("SELECT seq FROM audit WHERE action = 'submit'").fetchone()[0]
    row = dict(zip(COLUMNS, conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit WHERE seq = ?", (seq,)).fetchone()))
    row["actor"] = "cleo"
    conn.execute("UPDATE audit SET actor = ?, hash = ? WHERE seq = ?", (row["actor"], row_hash(row, row["prev"]), seq))
    result = project.run("audit", "verify")
    assert result.returncode == 1 and f"broken at row {seq + 1}: does not follow row {seq}" in result.stderr


def test_audit_verify_names_a_deleted_row(project):
    submit_and_approve(project, EN)
    seq = raw(project.db).execute("SELECT seq FROM audit WHERE action = 'submit'").fetchone()[0]
    raw(project.db).execute("DELETE FROM audit WHERE seq = ?", (seq,))
    result = project.run("audit", "verify")
    assert result.returncode == 1 and f"broken at row {seq}: missing: row {seq} deleted" in result.stderr


def test_audit_verify_names_rows_deleted_from_the_end(project):
    submit_and_approve(project, EN)
    last = raw(project.db).execute("SELECT max(seq) FROM audit").fetchone()[0]
    raw(project.db).execute("DELETE FROM audit WHERE seq = ?", (last,))
    result = project.run("audit", "verify")
    assert result.returncode == 1 and f"broken at row {last}: missing: row {last} deleted from the end" in result.stderr


def test_audit_verify_against_a_publication_catches_a_rewritten_trail(project):
    from factsheets.review.audit import COLUMNS, row_hash

    submit_and_approve(project, EN)
    to = project.out.parent / "published"
    project.run("publish", str(project.out), "--to", str(to), user="cleo")
    manifest = str(to / "publication.json")
    assert project.run("audit", "verify", "--against", manifest).returncode == 0
    # A tamperer who rewrites the whole chain from the approval on, and the decision's row to match:
    # the chain and the state verify, the publication does not.
    conn = raw(project.db)
    conn.execute("UPDATE decisions SET comment = 'rubber-stamped'")
    rows = [dict(zip(COLUMNS, r)) for r in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY seq")]
    prev = None
    for row in rows:
        if row["action"] == "approve":
            row["comment"] = "rubber-stamped"
        if prev is not None:
            row["prev"] = prev
        row["hash"] = row_hash(row, row["prev"])
        conn.execute("UPDATE audit SET comment = ?, prev = ?, hash = ? WHERE seq = ?", (row["comment"], row["prev"], row["hash"], row["seq"]))
        prev = row["hash"]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{rows[-1]['seq']} {prev}",))
    assert project.run("audit", "verify").returncode == 0
    result = project.run("audit", "verify", "--against", manifest)
    assert result.returncode == 1 and "differs from the row recorded at publication" in result.stderr


def test_the_trail_refuses_updates_through_sqlite(project):
    import sqlite3

    submit_and_approve(project, EN)
    conn = sqlite3.connect(project.db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit WHERE seq = 1")


def test_audit_export_csv_and_json_list_every_action(project):
    submit_and_approve(project, EN)
    csv_text = project.run("audit", "export", "--format", "csv").stdout
    header, *lines = csv_text.splitlines()
    assert header == "seq,at,actor,action,document,sha256,comment,detail,prev,hash"
    assert len(lines) == len(USERS) + 4
    rows = json.loads(project.run("audit", "export", "--format", "json").stdout)
    assert [r["action"] for r in rows] == ["user-added"] * len(USERS) + ["login", "submit", "login", "approve"]
    assert rows[-1]["comment"] == "checked against the administrator's export" and rows[-1]["detail"] == {"parts": ["document"], "via": "cli"}
    assert all(r["prev"] == p["hash"] for p, r in zip(rows, rows[1:]))


# -- the rules that keep four eyes honest ------------------------------------------------------------
def test_two_checkers_approving_at_once_leave_one_approval(project):
    """Each thread has its own connection, as two processes would; the UNIQUE constraint and the
    write transaction decide who was first."""
    assert project.run("submit", str(project.out / EN), user="max").returncode == 0
    digest = sha(project.out / EN)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def approve(name: str) -> None:
        store = Store(project.db)
        user = store.user(name)
        barrier.wait()
        try:
            outcomes[name] = decide(store, user, EN, digest, "approved", parts=(), required=("document",))
        except Refused as error:
            outcomes[name] = error

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("cleo", "chen")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    refused = [n for n, o in outcomes.items() if isinstance(o, Refused)]
    assert len(outcomes) == 2 and len(refused) == 1
    winner = next(n for n in outcomes if n not in refused)
    assert f"already decided: approved by {winner}" in str(outcomes[refused[0]])
    rows = Store(project.db).connection().execute("SELECT checker FROM decisions WHERE document = ?", (EN,)).fetchall()
    assert rows == [(winner,)]
    assert project.run("audit", "verify").returncode == 0


def test_too_many_failed_logins_lock_the_name(project):
    pdf = str(project.out / EN)
    for _ in range(MAX_FAILURES):
        assert project.run("submit", pdf, user="max", password="guess-guess").returncode == 1
    locked = project.run("submit", pdf, user="max")  # the right password, now refused
    assert locked.returncode == 1 and "too many failed log-ins for max" in locked.stderr
    trail = json.loads(project.run("audit", "export", "--format", "json").stdout)
    failures = [r["detail"]["reason"] for r in trail if r["action"] == "login-failed"]
    assert failures == ["password", "locked"]  # the first failure and the first refusal; the window's summary counts the rest
    assert project.run("submit", pdf, user="cleo").returncode == 0  # other names are not locked


def test_separate_sign_off_of_data_and_commentary(project):
    (project.out.parent / "factsheets.toml").write_text('[review]\nsign_off = ["data", "commentary"]\n', encoding="utf-8")
    pdf = str(project.out / EN)
    to = str(project.out.parent / "published")
    assert project.run("submit", pdf, user="max").returncode == 0
    data = project.run("approve", pdf, "--part", "data", user="cleo")
    assert data.returncode == 0 and "(data)" in data.stdout
    half = project.run("publish", str(project.out), "--to", to, user="cleo")
    assert f"left out {EN}: submitted by max" in half.stdout and "approval of the commentary" in half.stdout
    again = project.run("approve", pdf, "--part", "data", user="chen")
    assert again.returncode == 1 and "data approved by cleo" in again.stderr
    assert project.run("approve", pdf, user="chen").returncode == 0  # the part still open: the commentary
    full = project.run("publish", str(project.out), "--to", to, user="cleo")
    assert f"published {EN}" in full.stdout and "approved by chen, cleo" in full.stdout


def test_a_bad_sign_off_setting_is_a_configuration_error(project):
    (project.out.parent / "factsheets.toml").write_text('[review]\nsign_off = ["document", "data"]\n', encoding="utf-8")
    result = project.run("approve", str(project.out / EN), user="cleo")
    assert result.returncode == 2 and "review.sign_off" in result.stderr and 'one or both of "data" and "commentary"' in result.stderr


def test_the_default_database_lives_in_the_project(tmp_path):
    from factsheets.review.store import default_db_path

    home, bare = tmp_path / "project", tmp_path / "bare"
    (home / "funds").mkdir(parents=True)
    bare.mkdir()
    (home / "factsheets.toml").write_text("", encoding="utf-8")
    assert default_db_path(home / "funds") == home.resolve() / ".factsheets" / "review.db"
    assert default_db_path(bare) == bare.resolve() / ".factsheets" / "review.db"


def test_a_file_that_is_not_a_review_database_is_a_usage_error(project):
    result = run_cli("audit", "verify", "--db", str(project.out / EN), cwd=project.out.parent)
    assert result.returncode == 2 and "review database" in result.stderr and "Traceback" not in result.stderr
    missing = run_cli("audit", "verify", "--db", str(project.out.parent / "none.db"), cwd=project.out.parent)
    assert missing.returncode == 2 and "no such review database" in missing.stderr
