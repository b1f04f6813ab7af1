"""What the review tests share: real output folders built from the reference ETF (a first
version, and a second with other figures, commentary and a hostile English name), and a review
database with users, made once per session and copied for each test (argon2 is slow on purpose)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from factsheets import parse_variant
from factsheets.build.batch import Batch
from factsheets.review.auth import add_user
from factsheets.review.store import Store

from .conftest import ETF

USERS = {  # name: (role, password)
    "ada": ("admin", "admin-pass-1"),
    "max": ("maker", "maker-pass-1"),
    "cleo": ("checker", "checker-pass-1"),
    "chen": ("checker", "checker-pass-2"),
}
EVIL_NAME = "HK <script>alert(1)</script>"
V2_EDITS = [
    ("aum: 11800000000", "aum: 12400000000"),
    ("Hong Kong technology stocks weakened", "Hong Kong technology stocks recovered"),
    ("    en: HK Internet ETF\n", f'    en: "{EVIL_NAME}"\n'),
]


class Clock:
    """A clock for the review page's time limits (`create_app(clock=...)`), set by the test: 1000 s to begin with."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Builds:
    v1: Path  # an output folder: 513770.en.pdf, 513770.zh-CN.pdf, manifest.json
    v2: Path  # the same documents rebuilt from changed fund data
    users_db: Path


def build_versions(base: Path) -> Builds:
    funds = base / "funds"
    funds.mkdir(parents=True)
    source = funds / "513770.yaml"
    text = ETF.read_text(encoding="utf-8")
    variants = [parse_variant("en"), parse_variant("zh-CN")]
    source.write_text(text, encoding="utf-8")
    Batch([source], variants, base / "v1", jobs=1).run()
    for old, new in V2_EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
    source.write_text(text, encoding="utf-8")
    Batch([source], variants, base / "v2", jobs=1).run()
    users_db = base / "users.db"
    store = Store(users_db, create=True)
    for name, (role, password) in USERS.items():  # the first admin bootstraps the database, and adds the others
        add_user(store, name, role, password, by="bootstrap (test)" if name == "ada" else "ada")
    store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return Builds(base / "v1", base / "v2", users_db)


@pytest.fixture(scope="session")
def builds(tmp_path_factory) -> Builds:
    return build_versions(tmp_path_factory.mktemp("review-builds"))


@dataclass
class Project:
    out: Path
    db: Path
    builds: Builds

    def store(self) -> Store:
        return Store(self.db)

    def run(self, *args: str, user: str | None = None, password: str | None = None) -> Result:
        """`factsheets ARGS --db DB` in the project's folder, as `user` (with their password on standard
        input); in this process, through Click's runner (a new interpreter per call costs a second)."""
        extra = ["--as", user, "--password-stdin"] if user else []
        if user and password is None:
            password = USERS[user][1]
        return run_cli(*args, "--db", str(self.db), *extra, password=password, cwd=self.out.parent)

    def rebuild(self) -> None:
        """What a second build does: other bytes under the same names, and a new manifest."""
        for path in self.builds.v2.iterdir():
            if path.is_file():
                shutil.copyfile(path, self.out / path.name)


@pytest.fixture
def project(builds, tmp_path) -> Project:
    out = tmp_path / "out"
    shutil.copytree(builds.v1, out)
    db = tmp_path / "review" / "review.db"
    db.parent.mkdir()
    shutil.copy(builds.users_db, db)
    return Project(out, db, builds)


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, password: str | None = None, cwd: Path) -> Result:
    from click.testing import CliRunner

    from factsheets.cli import cli as command

    previous = os.getcwd()
    os.chdir(cwd)  # the project's configuration is found from the current folder
    try:
        result = CliRunner().invoke(command, list(args), input=password + "\n" if password is not None else "",
                                    prog_name="factsheets", catch_exceptions=False)
    finally:
        os.chdir(previous)
    return Result(result.exit_code, result.stdout, result.stderr)


def cli(*args: str, password: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`factsheets ARGS`, with a password on standard input."""
    return subprocess.run([sys.executable, "-m", "factsheets", *args], input=password + "\n" if password is not None else "",
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def raw(db: Path) -> sqlite3.Connection:
    """A connection as a tamperer has it: no triggers in the way."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_append_only_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_append_only_delete")
    return conn


class Server:
    """uvicorn serving an app in a thread, on a free loopback port (127.0.0.1, or ::1)."""

    def __init__(self, app, host: str = "127.0.0.1"):
        import uvicorn

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as probe:
            probe.bind((host, 0))
            self.port = probe.getsockname()[1]
        self.host = host
        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return f"http://[{self.host}]:{self.port}" if ":" in self.host else f"http://{self.host}:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http(url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, object, str]:
    """One request on loopback, redirects not followed: (status, headers (case-insensitive), body)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def login_form(url: str) -> tuple[str, str]:
    """A log-in form's CSRF token and the cookie it is bound to."""
    status, headers, body = http(url + "/login")
    assert status == 200, status
    cookie = headers["set-cookie"].split(";", 1)[0]
    return re.search(r'name="csrf" value="([^"]+)"', body).group(1), cookie


def post_login(url: str, form: tuple[str, str], name: str, password: str) -> int:
    token, cookie = form
    status, _, _ = http(url + "/login", {"csrf": token, "name": name, "password": password, "next": "/"}, {"cookie": cookie})
    return status
