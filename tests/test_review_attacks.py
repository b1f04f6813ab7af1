"""The review page attacked on loopback (issue 22): parallel guesses, floods of log-ins, the
per-address limit, the Host check on 0.0.0.0 and ::1, a bad manifest row, unknown actions,
sessions that outlive their user, log-in forms that never expire, memory that never shrinks, and
diffs of any pair. Every request goes to 127.0.0.1 or ::1; every loop is bounded."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient  # noqa: E402

from factsheets.review.app import create_app  # noqa: E402
from factsheets.review.auth import MAX_FAILURES  # noqa: E402
from factsheets.review.security import CLIENT_FAILURES, LOGIN_FORM_SECONDS  # noqa: E402
from factsheets.review.store import Store  # noqa: E402

from . import review_support  # noqa: E402
from .review_support import USERS, Clock, Server, http, login_form, post_login  # noqa: E402

builds, project = review_support.builds, review_support.project  # fixtures

EN, ZH = "513770.en.pdf", "513770.zh-CN.pdf"


def client_of(project, address: str = "testclient", **options) -> TestClient:
    options.setdefault("allowed_hosts", ("testserver",))
    return TestClient(create_app(project.out, project.store(), **options), client=(address, 50000))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, name: str, password: str | None = None, token: str | None = None):
    token = token or csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "name": name, "password": password or USERS[name][1], "next": "/"},
                       follow_redirects=False)


def trail_rows(project) -> list[tuple]:
    return project.store().connection().execute("SELECT actor, action, detail FROM audit ORDER BY seq").fetchall()


def settled_size(db) -> int:
    """The database file's size once the WAL is folded in: what it keeps."""
    store = Store(db)
    store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return db.stat().st_size


# -- guesses and floods ---------------------------------------------------------------------------
def test_twenty_parallel_wrong_passwords_lock_the_name_after_five(project):
    with Server(create_app(project.out, project.store())) as url:
        forms = [login_form(url) for _ in range(20)]
        barrier = threading.Barrier(20)
        statuses: list[int] = []

        def guess(i: int) -> None:
            barrier.wait()
            statuses.append(post_login(url, forms[i], "chen", f"guess-number-{i}"))

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert sorted(statuses) == [401] * MAX_FAILURES + [429] * (20 - MAX_FAILURES)
        assert post_login(url, login_form(url), "chen", USERS["chen"][1]) == 429  # locked: even the right password
    failures = [(actor, json.loads(detail)["reason"]) for actor, action, detail in trail_rows(project) if action == "login-failed"]
    assert sorted(failures) == [("chen", "locked"), ("chen", "password")]


def test_two_hundred_long_name_logins_leave_the_database_as_it_was(project):
    client = client_of(project)
    token = csrf_of(client.get("/login").text)
    rows, size = len(trail_rows(project)), settled_size(project.db)
    for _ in range(200):
        assert login(client, "x" * 65_000, "guess-guess", token).status_code == 401
    for name in ("cleo\n", "=HYPERLINK(\"http://evil.example\")", "chen\x1b]0;x\x07"):
        assert login(client, name, "guess-guess", token).status_code == 401
    assert len(trail_rows(project)) == rows and settled_size(project.db) == size


def test_two_hundred_wrong_logins_for_one_name_add_at_most_three_trail_rows(project):
    client = client_of(project, "127.0.0.1")
    token = csrf_of(client.get("/login").text)
    rows, size = len(trail_rows(project)), settled_size(project.db)
    statuses = [login(client, "cleo", f"guess-{i}", token).status_code for i in range(200)]
    assert statuses == [401] * MAX_FAILURES + [429] * (200 - MAX_FAILURES)
    for i in range(12):  # a new name each time: names that are nobody's are one name for the trail
        assert login(client, f"nobody{i}", "guess-guess", token).status_code == 401
    added = trail_rows(project)[rows:]
    assert [(a, json.loads(d)["reason"]) for a, _, d in added] == [("cleo", "password"), ("cleo", "locked"), ("nobody0", "unknown-name")]
    assert settled_size(project.db) - size <= 16 * 4096  # a few pages: the counts and three rows


def test_failures_from_loopback_lock_names_not_everyone(project):
    """On a loopback server every user comes from 127.0.0.1: the per-address limit would lock them
    all out, and an attacker would move to 127.0.0.2. There the per-name lock-out is the limit."""
    client = client_of(project, "127.0.0.1")
    token = csrf_of(client.get("/login").text)
    for i in range(CLIENT_FAILURES + 1):
        assert login(client, f"nobody{i}", "guess-guess", token).status_code == 401
    assert login(client, "cleo").status_code == 303
    outside = client_of(project, "192.0.2.7", client_failures=3)  # any other address is still limited
    token = csrf_of(outside.get("/login").text)
    assert [login(outside, f"nobody{i}", "guess-guess", token).status_code for i in range(3)] == [401] * 3
    assert login(outside, "chen", token=token).status_code == 429


def rss_and_peak(pid: int) -> tuple[int, int]:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        status = fh.read()
    return tuple(int(re.search(rf"{k}:\s+(\d+) kB", status).group(1)) * 1024 for k in ("VmRSS", "VmHWM"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the server's memory from /proc")
def test_a_burst_of_logins_queues_instead_of_taking_a_gigabyte(project):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "factsheets", "review", str(project.out), "--db", str(project.db),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                forms = [login_form(url) for _ in range(20)]
                break
            except OSError:
                time.sleep(0.2)
        assert server.poll() is None, server.stderr.read()
        before, _ = rss_and_peak(server.pid)
        barrier = threading.Barrier(20)
        statuses: list[int] = []

        def log_in(i: int) -> None:
            barrier.wait()
            statuses.append(post_login(url, forms[i], f"nobody{i}", "guess-guess"))  # every one checks a password

        threads = [threading.Thread(target=log_in, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        _, peak = rss_and_peak(server.pid)
        assert statuses == [401] * 20
        assert http(url + "/login")[0] == 200
    finally:
        server.terminate()
        server.communicate(timeout=30)
    print(f"server memory: {before / 2**20:.0f} MiB before the burst, peak {peak / 2**20:.0f} MiB")
    assert peak - before < 320 * 2**20  # two argon2 computations at a time (64 MiB each), not twenty


# -- the Host check -----------------------------------------------------------------------------
def served_app(project, monkeypatch, *args: str):
    """What `factsheets review` would serve (uvicorn not started): the app, and the command's result."""
    served: dict = {}
    monkeypatch.setattr("factsheets.review.app.serve", lambda app, host, port: served.update(app=app, host=host))
    return served, project.run("review", str(project.out), *args)


def test_a_non_loopback_bind_needs_allowed_hosts_and_never_answers_another_host(project, monkeypatch):
    served, bare = served_app(project, monkeypatch, "--host", "0.0.0.0")
    assert bare.returncode == 2 and "--allowed-host NAME" in bare.stderr and not served
    served, named = served_app(project, monkeypatch, "--host", "0.0.0.0", "--allowed-host", "review.example")
    assert named.returncode == 0 and served["host"] == "0.0.0.0"
    client = TestClient(served["app"], base_url="http://review.example")
    assert client.get("/login").status_code == 200
    assert client.get("/login", headers={"host": "127.0.0.1:8765"}).status_code == 200
    rebound = client.get("/login", headers={"host": "rebound.example:8765"})
    assert rebound.status_code == 400 and "default-src 'none'" in rebound.headers["content-security-policy"]
    wildcard = project.run("review", str(project.out), "--host", "0.0.0.0", "--allowed-host", "*")
    assert wildcard.returncode == 2 and "no wildcard" in wildcard.stderr


def test_the_page_answers_on_ipv6_loopback(project, monkeypatch):
    served, result = served_app(project, monkeypatch, "--host", "::1")
    assert result.returncode == 0 and served["host"] == "::1"
    client = TestClient(served["app"], base_url="http://[::1]:8765")
    assert client.get("/login").status_code == 200
    assert client.get("/login", headers={"host": "[::2]:8765"}).status_code == 400
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with Server(served["app"], host="::1") as url:
        status, _, body = http(url + "/login")
        assert status == 200 and "Log in to review" in body


# -- the manifest, actions and files ----------------------------------------------------------------
def test_a_bad_manifest_row_is_shown_and_takes_nothing_down(project):
    manifest = json.loads((project.out / "manifest.json").read_text(encoding="utf-8"))
    manifest.append({**manifest[0], "path": "../../etc/passwd"})
    manifest.append({**manifest[0], "path": "other.pdf", "pages": "many"})
    manifest.append("not a row")
    (project.out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    client = client_of(project)
    login(client, "cleo")
    listing = client.get("/")
    assert listing.status_code == 200 and f'data-document="{EN}"' in listing.text
    assert "[2].path: ../../etc/passwd lies outside the output folder" in listing.text
    assert "[3].pages: many is not a number of pages" in listing.text and "[4]: not an object" in listing.text
    assert client.get(f"/doc/{EN}").status_code == 200 and client.get(f"/file/{EN}").status_code == 200
    (project.out / "manifest.json").write_text("[{", encoding="utf-8")  # broken while the page runs
    broken = client.get("/")
    assert broken.status_code == 200 and "not valid JSON" in broken.text


def test_unknown_actions_are_404_and_a_document_page_takes_no_form(project):
    (project.out / "sub").mkdir()
    shutil.move(project.out / ZH, project.out / "sub" / ZH)
    manifest = json.loads((project.out / "manifest.json").read_text(encoding="utf-8"))
    manifest[1]["path"] = f"sub/{ZH}"
    (project.out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    client = client_of(project)
    login(client, "max")
    token = csrf_of(client.get(f"/doc/{EN}").text)
    form = {"csrf": token, "sha256": hashlib.sha256((project.out / EN).read_bytes()).hexdigest()}
    assert client.post(f"/doc/{EN}/frobnicate", data=form).status_code == 404
    assert client.post(f"/doc/sub/{ZH}", data=form).status_code == 405  # a document in a folder, posted without an action
    assert client.post(f"/doc/{EN}", data=form).status_code == 405
    assert project.store().all_submissions() == []


def test_diff_images_only_for_pairs_the_page_shows(project):
    client = client_of(project)
    login(client, "cleo")
    en, zh = (hashlib.sha256((project.out / d).read_bytes()).hexdigest() for d in (EN, ZH))
    assert client.get(f"/diff/{en}/{zh}/1.png").status_code == 404  # neither approved: no page shows this pair
    assert not (project.store().cache / "diff").exists()


# -- sessions, forms, memory -----------------------------------------------------------------------
def test_a_session_ends_when_its_user_is_disabled_or_changes_role(project):
    cleo, chen = client_of(project), client_of(project)
    login(cleo, "cleo")
    login(chen, "chen")
    assert cleo.get("/").status_code == chen.get("/").status_code == 200
    assert project.run("users", "disable", "cleo", user="ada").returncode == 0
    ended = cleo.get("/", follow_redirects=False)
    assert ended.status_code == 303 and "expired=1" in ended.headers["location"]
    assert login(cleo, "cleo").status_code == 401
    assert project.run("users", "role", "chen", "maker", user="ada").returncode == 0
    assert chen.get("/", follow_redirects=False).status_code == 303


def test_a_login_form_expires_after_an_hour(project):
    clock = Clock()
    client = client_of(project, clock=clock)
    token = csrf_of(client.get("/login").text)
    clock.now += LOGIN_FORM_SECONDS + 1
    assert login(client, "cleo", token=token).status_code == 403
    assert login(client, "cleo").status_code == 303  # a new form


def test_expired_sessions_and_quiet_addresses_are_forgotten(project):
    clock = Clock()
    client = client_of(project, clock=clock, idle_seconds=60)
    review = client.app.state.review
    for _ in range(50):
        review.sessions.new("cleo", "checker")
    clock.now += 61
    assert login(client, "cleo").status_code == 303
    assert len(review.sessions) == 1  # the fifty idle ones swept at the log-in
    outside = client_of(project, "192.0.2.7", clock=clock)
    assert login(outside, "cleo").status_code == 303
    assert len(outside.app.state.review.limiter) == 0  # a log-in that succeeded leaves nothing counted
