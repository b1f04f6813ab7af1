"""The review page through Starlette's test client: log-in, CSRF, sessions, what each role may
do, no file outside the output folder, escaping, previews and diffs (real PDFs)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient  # noqa: E402

from factsheets.review.app import create_app  # noqa: E402
from factsheets.review.auth import MAX_FAILURES  # noqa: E402

from . import review_support  # noqa: E402
from .review_support import EVIL_NAME, USERS, Clock  # noqa: E402

builds, project = review_support.builds, review_support.project  # fixtures

EN, ZH = "513770.en.pdf", "513770.zh-CN.pdf"


def client_of(project, base_url: str = "http://testserver", **options) -> TestClient:
    options.setdefault("allowed_hosts", ("testserver",))
    return TestClient(create_app(project.out, project.store(), **options), base_url=base_url)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, name: str, password: str | None = None):
    form = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(form.text), "name": name, "password": password or USERS[name][1], "next": "/"},
                       follow_redirects=False)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def act(client: TestClient, document: str, action: str, digest: str, **fields):
    page = client.get(f"/doc/{document}")
    return client.post(f"/doc/{document}/{action}", data={"csrf": csrf_of(page.text), "sha256": digest, **fields},
                       follow_redirects=False)


# -- nothing before log-in -------------------------------------------------------------------
def test_nothing_is_shown_before_login(project):
    client = client_of(project)
    digest = sha(project.out / EN)
    for path in ("/", f"/doc/{EN}", f"/file/{EN}", f"/preview/{digest}/1.png", f"/diff/{digest}/{digest}/1.png", "/no-such-page"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path
    assert "513770" not in client.get("/login").text


def test_login_sets_a_strict_http_only_session_cookie(project):
    client = client_of(project)
    response = login(client, "cleo")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("fs_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    secure = client_of(project, base_url="https://testserver", secure_cookies=True)  # Secure cookies come back over https only
    cookie = next(c for c in login(secure, "cleo").headers.get_list("set-cookie") if c.startswith("fs_session="))
    assert "Secure" in cookie
    page = client.get("/")
    assert page.status_code == 200 and EN in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"] and page.headers["x-frame-options"] == "DENY"


def test_a_wrong_password_is_refused_and_audited(project):
    client = client_of(project)
    response = login(client, "cleo", "not-the-password")
    assert response.status_code == 401 and "Wrong user name or password" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303
    rows = project.store().connection().execute("SELECT actor, action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchall()
    assert rows[0][:2] == ("cleo", "login-failed") and json.loads(rows[0][2])["via"] == "web"


def test_the_login_form_without_its_csrf_token_is_refused(project):
    client = client_of(project)
    client.get("/login")
    missing = client.post("/login", data={"name": "cleo", "password": USERS["cleo"][1]}, follow_redirects=False)
    forged = client.post("/login", data={"csrf": "0" * 64, "name": "cleo", "password": USERS["cleo"][1]}, follow_redirects=False)
    assert missing.status_code == forged.status_code == 403
    fresh = TestClient(client.app)  # the token without the cookie it is bound to
    token = csrf_of(client.get("/login").text)
    assert fresh.post("/login", data={"csrf": token, "name": "cleo", "password": USERS["cleo"][1]}, follow_redirects=False).status_code == 403


def test_forms_without_a_token_or_from_another_origin_are_refused(project):
    client = client_of(project)
    login(client, "max")
    digest = sha(project.out / EN)
    assert client.post(f"/doc/{EN}/submit", data={"sha256": digest}, follow_redirects=False).status_code == 403
    token = csrf_of(client.get(f"/doc/{EN}").text)
    foreign = client.post(f"/doc/{EN}/submit", data={"csrf": token, "sha256": digest}, headers={"origin": "http://evil.example"},
                          follow_redirects=False)
    assert foreign.status_code == 403
    assert client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert project.store().all_submissions() == []


def test_failed_logins_are_rate_limited(project):
    client = client_of(project)
    for _ in range(MAX_FAILURES):
        assert login(client, "chen", "guess-guess").status_code == 401
    locked = login(client, "chen")
    assert locked.status_code == 429 and "too many failed log-ins for chen" in locked.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_an_unknown_host_name_is_refused(project):
    client = client_of(project, allowed_hosts=("127.0.0.1",))
    assert client.get("/login", headers={"host": "rebound.example"}).status_code == 400


# -- sessions -------------------------------------------------------------------------------------
def test_a_session_expires_after_the_idle_time(project):
    clock = Clock()
    client = client_of(project, idle_seconds=60, clock=clock)
    login(client, "cleo")
    clock.now += 59
    assert client.get("/").status_code == 200
    clock.now += 59  # each request renews the idle time
    assert client.get("/").status_code == 200
    clock.now += 61
    expired = client.get("/", follow_redirects=False)
    assert expired.status_code == 303 and "expired=1" in expired.headers["location"]
    assert "Your session expired" in client.get(expired.headers["location"]).text


def test_logout_ends_the_session(project):
    client = client_of(project)
    login(client, "cleo")
    token = client.cookies.get("fs_session")
    page = client.get("/")
    assert client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    again = TestClient(client.app, cookies={"fs_session": token})  # the old cookie, replayed
    assert again.get("/", follow_redirects=False).status_code == 303
    actions = [r[0] for r in project.store().connection().execute("SELECT action FROM audit ORDER BY seq")]
    assert actions[-2:] == ["login", "logout"]


# -- roles and decisions ----------------------------------------------------------------------------
def test_maker_submits_checker_approves_in_the_page(project):
    maker, checker = client_of(project), client_of(project)
    login(maker, "max")
    login(checker, "cleo")
    digest = sha(project.out / EN)
    page = maker.get(f"/doc/{EN}")
    assert 'data-testid="submit"' in page.text and 'data-testid="approve"' not in page.text
    assert act(maker, EN, "submit", digest, comment="month end").status_code == 303
    assert "Submitted 513770.en.pdf" in maker.get(f"/doc/{EN}").text
    refused = act(maker, EN, "approve", digest)  # the button is not there; the server refuses the form too
    assert refused.status_code == 403 and "max is a maker: only a checker may approve" in refused.text
    assert 'data-testid="approve"' in checker.get(f"/doc/{EN}").text
    assert act(checker, EN, "approve", digest, comment="agrees with the export").status_code == 303
    detail = checker.get(f"/doc/{EN}").text
    assert "Approved 513770.en.pdf" in detail and 'badge-approved">approved' in detail
    listing = checker.get("/?status=approved").text
    assert EN in listing and ZH not in listing


def test_a_checker_rejects_with_a_comment(project):
    maker, checker = client_of(project), client_of(project)
    login(maker, "max")
    login(checker, "chen")
    digest = sha(project.out / ZH)
    act(maker, ZH, "submit", digest)
    assert act(checker, ZH, "reject", digest, comment="").status_code == 403
    assert act(checker, ZH, "reject", digest, comment="wrong as-of date").status_code == 303
    text = checker.get(f"/doc/{ZH}").text
    assert "wrong as-of date" in text and 'badge-rejected">rejected' in text


def test_a_checker_cannot_approve_their_own_submission_in_the_page(project):
    checker = client_of(project)
    login(checker, "cleo")
    digest = sha(project.out / EN)
    act(checker, EN, "submit", digest)
    page = checker.get(f"/doc/{EN}").text
    assert 'data-testid="approve"' not in page and "You submitted this version" in page
    refused = act(checker, EN, "approve", digest)
    assert refused.status_code == 403 and "another checker must approve it" in refused.text


# -- the list ------------------------------------------------------------------------------------------
def test_the_list_shows_status_and_filters_by_fund_language_kind_and_status(project):
    manifest = json.loads((project.out / "manifest.json").read_text(encoding="utf-8"))
    manifest[1]["document"] = "kid"  # a field a later version of the manifest adds
    manifest[0]["shiny_new_key"] = {"ignored": True}
    manifest.append({"source": "funds/broken.yaml", "variant": "en", "status": "failed", "error": "fund.risk: <b>missing</b>"})
    (project.out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    client = client_of(project)
    login(client, "cleo")

    def shown(query: str) -> list[str]:
        html = client.get(f"/{query}").text
        return re.findall(r'<tr data-document="([^"]*)"', html)

    assert shown("") == [EN, ZH, ""]
    assert shown("?lang=zh-CN") == [ZH]
    assert shown("?kind=kid") == [ZH] and shown("?kind=factsheet") == [EN, ""]
    assert shown("?fund=513770") == [EN, ZH]
    assert shown("?status=failed") == [""] and shown("?status=new") == [EN, ZH]
    html = client.get("/").text
    assert "fund.risk: &lt;b&gt;missing&lt;/b&gt;" in html and "<b>missing</b>" not in html
    partial = client.get("/?lang=en", headers={"hx-request": "true", "hx-target": "results"}).text
    assert partial.lstrip().startswith('<section id="results">') and "<html" not in partial


def test_status_follows_the_last_approved_version_after_a_rebuild(project):
    maker, checker = client_of(project), client_of(project)
    login(maker, "max")
    login(checker, "cleo")
    digest = sha(project.out / EN)
    act(maker, EN, "submit", digest)
    act(checker, EN, "approve", digest)
    assert re.findall(r'badge-(\w+)">', checker.get("/?status=unchanged").text.split("<tbody>")[1]) == ["unchanged", "approved"]
    project.rebuild()
    rows = checker.get("/?status=changed").text
    assert EN in rows and ZH not in rows


# -- files, escaping, previews and diffs -------------------------------------------------------------
def test_no_route_serves_a_file_outside_the_output_folder(project, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.7 not for you")
    (project.out / "link.pdf").symlink_to(secret)
    manifest = json.loads((project.out / "manifest.json").read_text(encoding="utf-8"))
    manifest.append({**manifest[0], "path": "link.pdf", "sha256": hashlib.sha256(secret.read_bytes()).hexdigest()})
    manifest.append({**manifest[0], "path": "../secret.pdf"})
    (project.out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    client = client_of(project)  # the row outside the folder is shown as that row's error (it no longer stops the page)
    login(client, "cleo")
    assert "[3].path: ../secret.pdf lies outside the output folder" in client.get("/").text
    assert client.get(f"/file/{EN}").content == (project.out / EN).read_bytes()
    for path in ("/file/link.pdf", "/file/../secret.pdf", "/file/%2e%2e/secret.pdf", "/file/..%2fsecret.pdf",
                 "/file/manifest.json", "/doc/link.pdf", "/static/../app.py", "/static/%2e%2e/app.py",
                 f"/preview/{hashlib.sha256(secret.read_bytes()).hexdigest()}/1.png", "/preview/..%2f..%2fsecret/1.png"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"not for you" not in response.content


def test_fund_text_is_escaped_in_the_page(project):
    project.rebuild()  # the second version's English name is a script tag
    client = client_of(project)
    login(client, "cleo")
    html = client.get(f"/doc/{EN}").text
    assert "HK &lt;script&gt;alert(1)&lt;/script&gt;" in html  # EVIL_NAME, escaped
    assert EVIL_NAME not in html and "<script>alert" not in html


def test_previews_are_made_once_per_document_hash(project, monkeypatch):
    import pypdfium2

    renders = []
    original = pypdfium2.PdfPage.render
    monkeypatch.setattr(pypdfium2.PdfPage, "render", lambda self, **kw: renders.append(1) or original(self, **kw))
    client = client_of(project)
    login(client, "cleo")
    digest = sha(project.out / EN)
    html = client.get(f"/doc/{EN}").text
    assert f"/preview/{digest}/1.png" in html
    first = client.get(f"/preview/{digest}/1.png")
    assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
    assert client.get(f"/preview/{digest}/1.png").content == first.content
    restarted = client_of(project)  # a new server finds the cache on disk
    login(restarted, "chen")
    assert restarted.get(f"/preview/{digest}/1.png").content == first.content
    assert len(renders) == 1
    assert (project.store().cache / digest / "p1.png").read_bytes() == first.content
    assert client.get(f"/preview/{digest}/9.png").status_code == 404


def test_visual_and_data_diff_against_the_last_approved_version(project):
    from io import BytesIO

    from PIL import Image

    maker, checker = client_of(project), client_of(project)
    login(maker, "max")
    login(checker, "cleo")
    first = sha(project.out / EN)
    act(maker, EN, "submit", first)
    act(checker, EN, "approve", first)
    assert "This is the last approved version" in checker.get(f"/doc/{EN}").text
    project.rebuild()  # the approved bytes are now only in the review store
    second = sha(project.out / EN)
    html = checker.get(f"/doc/{EN}").text
    assert f"/diff/{first}/{second}/1.png" in html
    changes = dict(re.findall(r"<tr class=\"change-\w+\"><td><code>([^<]+)</code></td><td>\w+</td><td class=\"old\">([^<]*)</td>", html))
    assert changes["fund.aum"] == "11800000000"
    assert "commentary.en" in changes and "fund.name.en" in changes
    assert "12400000000" in html
    image = Image.open(BytesIO(checker.get(f"/diff/{first}/{second}/1.png").content)).convert("RGB")
    red = sum(1 for r, g, b in image.get_flattened_data() if r > 200 and g < 60 and b < 60)
    assert image.width > 2 * 700 and red > 500  # two pages side by side, changed regions outlined
    same = Image.open(BytesIO(checker.get(f"/diff/{first}/{first}/1.png").content)).convert("RGB")
    assert sum(1 for r, g, b in same.get_flattened_data() if r > 200 and g < 60 and b < 60) == 0


def test_statements_with_ids_and_versions(project):
    client = client_of(project)
    login(client, "cleo")
    html = client.get(f"/doc/{EN}").text
    section = html.split('data-testid="statements"')[1].split("</table>")[0]
    found = re.findall(r"<tr><td><code>([^<]+)</code></td><td>([^<]+)</td></tr>", section)
    manifest = json.loads((project.out / "manifest.json").read_text(encoding="utf-8"))
    expected = sorted(tuple(s.split("@")) for s in next(r for r in manifest if r["path"].endswith(EN))["statements"])
    assert sorted(found) == expected and ("risk-general", "1") in found


def test_the_review_command_serves_the_page_on_loopback(project):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    empty = project.out.parent / "empty.db"
    refused = subprocess.run([sys.executable, "-m", "factsheets", "review", str(project.out), "--db", str(empty)],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and f"{empty}: no such review database" in refused.stderr and not empty.exists()
    server = subprocess.Popen([sys.executable, "-m", "factsheets", "review", str(project.out), "--db", str(project.db), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, page = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        assert page is not None, server.stderr.read() if server.poll() is not None else "the server did not answer"
        assert page.url.endswith("/login?next=%2F") and "Log in to review" in page.read().decode()
        assert server.poll() is None
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert f"on http://127.0.0.1:{port}/" in err


def test_separate_sign_off_in_the_page(project):
    sign_off = ("data", "commentary")
    maker, first, second = (client_of(project, required=sign_off) for _ in range(3))
    login(maker, "max")
    login(first, "cleo")
    login(second, "chen")
    digest = sha(project.out / EN)
    act(maker, EN, "submit", digest)
    page = first.get(f"/doc/{EN}").text
    assert re.findall(r'name="part" value="(\w+)"', page) == ["data", "commentary"]
    assert act(first, EN, "approve", digest, part="data").status_code == 303
    page = second.get(f"/doc/{EN}").text
    assert re.findall(r'name="part" value="(\w+)"', page) == ["commentary"]
    assert 'badge-submitted">submitted' in page
    assert act(second, EN, "approve", digest, part="commentary").status_code == 303
    assert 'badge-approved">approved' in second.get(f"/doc/{EN}").text
    parts = project.store().connection().execute("SELECT part, checker FROM decisions ORDER BY id").fetchall()
    assert parts == [("data", "cleo"), ("commentary", "chen")]
