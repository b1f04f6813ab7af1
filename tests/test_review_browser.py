"""The review page in a real browser: Debian's chromium, headless, driven by Playwright, against
uvicorn on a free loopback port. Log-in, list, filters (htmx, in place), previews, approve,
reject, a maker who cannot approve, the visual and data diff after a rebuild, escaping, log-out
and session expiry. Screenshots of each page go to /tmp/factsheets-review-shots/.

Nothing is downloaded: Playwright drives /usr/bin/chromium (`bash scripts/dev setup` installs it)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                              "(bash scripts/dev setup installs it)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path("/tmp/factsheets-review-shots")
EN, ZH = "513770.en.pdf", "513770.zh-CN.pdf"

from . import review_support  # noqa: E402
from .review_support import EVIL_NAME, USERS, Project, Server  # noqa: E402

builds = review_support.builds  # a fixture


@pytest.fixture(scope="module")
def site(builds, tmp_path_factory):
    from factsheets.review.app import create_app

    base = tmp_path_factory.mktemp("review-browser")
    shutil.copytree(builds.v1, base / "out")
    (base / "review").mkdir()
    shutil.copy(builds.users_db, base / "review" / "review.db")
    project = Project(base / "out", base / "review" / "review.db", builds)
    SHOTS.mkdir(exist_ok=True)
    with Server(create_app(project.out, project.store())) as url:
        yield project, url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser):
    """A fresh browser context (its own cookies) per user; every page refuses dialogs, so a script
    that ran would fail the test."""
    contexts = []

    def make(url: str, name: str | None = None):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url + "/")
        if name:
            log_in(page, name)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page, name: str, password: str | None = None) -> None:
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password or USERS[name][1])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("load")


def shown(page) -> list[str]:
    return page.eval_on_selector_all("tr[data-document]", "rows => rows.map(r => r.dataset.document)")


def rows(page, count: int) -> None:
    """Wait until the list shows `count` documents (wait_for_function would need eval, which the page's CSP forbids)."""
    from playwright.sync_api import expect

    expect(page.locator("tr[data-document]")).to_have_count(count, timeout=15000)


def choose(page, name: str, value: str) -> None:
    """Pick a filter and wait until htmx has swapped the list (it pushes the new address after the swap)."""
    from urllib.parse import parse_qs, urlsplit

    page.select_option(f"[data-testid=filter-{name}]", value)
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query, keep_blank_values=True).get(name) == [value], timeout=15000)


def image_loaded(page, selector: str) -> int:
    """The natural width of an image once it has loaded (0 if it never does)."""
    page.locator(selector).first.scroll_into_view_if_needed()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        width = page.eval_on_selector(selector, "i => i.complete ? i.naturalWidth : -1")
        if width >= 0:
            return width
        time.sleep(0.1)
    return 0


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_login_and_list(site, open_page):
    project, url = site
    page = open_page(url)
    assert page.url.startswith(url + "/login") and page.locator("table").count() == 0  # nothing before log-in
    shot(page, "01-login")
    log_in(page, "cleo", "a-wrong-password")
    assert "Wrong user name or password" in page.inner_text("[data-testid=login-error]")
    log_in(page, "cleo")
    assert page.url == url + "/"
    assert shown(page) == [EN, ZH]
    assert page.inner_text("[data-testid=user]") == "cleo"
    assert page.locator("tr[data-document] .badge-new").count() == 2
    shot(page, "02-list")


def test_filters_update_the_list_in_place(site, open_page):
    project, url = site
    page = open_page(url, "cleo")
    page.evaluate("window.marker = 'same page'")  # survives only if the list is updated in place
    choose(page, "lang", "zh-CN")
    rows(page, 1)
    assert shown(page) == [ZH]
    choose(page, "status", "approved")
    page.wait_for_selector("text=No document matches.")
    choose(page, "lang", "")
    choose(page, "status", "new")
    rows(page, 2)
    assert page.evaluate("window.marker") == "same page"
    shot(page, "03-filtered")


def test_maker_submits_sees_the_preview_and_cannot_approve(site, open_page):
    project, url = site
    page = open_page(url, "max")
    page.click(f"a[href='/doc/{EN}']")
    assert image_loaded(page, "[data-testid=previews] img") > 500  # a page rendered by PDFium, 90 dpi
    assert page.locator("[data-testid=approve]").count() == 0
    page.fill("form[action$='/submit'] input[name=comment]", "month-end batch")
    page.click("[data-testid=submit]")
    assert "Submitted 513770.en.pdf" in page.inner_text("[data-testid=flash-ok]")
    assert page.locator("[data-testid=approve]").count() == 0
    # The button is not there; a forged form with the maker's own token is refused by the server too.
    page.evaluate("""() => {
        const f = document.createElement('form'); f.method = 'post'; f.action = location.pathname + '/approve';
        for (const [k, v] of [['csrf', document.querySelector("input[name=csrf]").value],
                              ['sha256', document.querySelector('[data-testid=sha]').textContent]]) {
            const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit(); }""")
    page.wait_for_selector("[data-testid=flash-error]")
    assert "max is a maker: only a checker may approve" in page.inner_text("[data-testid=flash-error]")
    shot(page, "04-maker-refused")


def test_checker_approves_and_rejects(site, open_page):
    project, url = site
    maker = open_page(url, "max")
    maker.goto(f"{url}/doc/{ZH}")
    maker.click("[data-testid=submit]")
    page = open_page(url, "cleo")
    page.goto(f"{url}/doc/{EN}")
    assert "Submitted by max" in page.inner_text("[data-testid=actions]")
    page.fill("[data-testid=approve-comment]", "figures agree with the administrator's export")
    page.click("[data-testid=approve]")
    assert "Approved 513770.en.pdf" in page.inner_text("[data-testid=flash-ok]")
    assert page.inner_text("[data-testid=status]").split() == ["unchanged", "approved"]
    assert page.locator("[data-testid=approve]").count() == 0
    shot(page, "05-approved")
    page.goto(f"{url}/doc/{ZH}")
    page.fill("[data-testid=reject-comment]", "the as-of date in the title is wrong")
    page.click("[data-testid=reject]")
    assert page.inner_text("[data-testid=status]").split() == ["new", "rejected"]
    assert "the as-of date in the title is wrong" in page.inner_text("[data-testid=history]")
    page.goto(url + "/?status=approved")
    assert shown(page) == [EN]


def test_visual_and_data_diff_after_a_rebuild(site, open_page):
    project, url = site
    project.rebuild()  # other figures, commentary and a script tag as the English name
    maker = open_page(url, "max")
    maker.goto(f"{url}/doc/{EN}")
    maker.fill("form[action$='/submit'] input[name=comment]", "November figures from the administrator")
    maker.click("[data-testid=submit]")
    assert maker.dialogs == []
    page = open_page(url, "chen")
    choose(page, "status", "changed")
    rows(page, 1)
    assert shown(page) == [EN]  # the Chinese one was rejected, never approved: it is new, not changed
    page.click(f"a[href='/doc/{EN}']")
    assert EVIL_NAME in page.inner_text("[data-testid=fund-names]")  # shown as text, not run
    width = image_loaded(page, "[data-testid=visual-diff] img")
    assert width > 1400  # the approved page and this one, side by side
    red = page.evaluate("""() => { const i = document.querySelector('[data-testid=visual-diff] img');
        const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
        const x = c.getContext('2d'); x.drawImage(i, 0, 0); const d = x.getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let k = 0; k < d.length; k += 4) if (d[k] > 200 && d[k+1] < 60 && d[k+2] < 60) n++; return n; }""")
    assert red > 500  # changed regions outlined
    diff = page.inner_text("[data-testid=data-diff]")
    assert "fund.aum" in diff and "11800000000" in diff and "12400000000" in diff and "commentary.en" in diff
    assert page.dialogs == []
    assert page.inner_text("[data-testid=status]").split() == ["changed", "submitted"]
    assert page.locator("[data-testid=approve]").count() == 1  # submitted by max: chen may decide
    shot(page, "06-diff")
    page.set_viewport_size({"width": 1400, "height": 1250})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "06-diff-top.png"))  # the README's picture (docs/review-page.png)


def test_logout(site, open_page):
    project, url = site
    page = open_page(url, "cleo")
    page.click("[data-testid=logout]")
    page.wait_for_url(url + "/login")
    page.goto(url + f"/doc/{EN}")
    assert page.url.startswith(url + "/login") and page.locator("[data-testid=title]").count() == 0


def test_session_expiry(builds, tmp_path, open_page):
    from factsheets.review.app import create_app

    shutil.copytree(builds.v1, tmp_path / "out")
    shutil.copy(builds.users_db, tmp_path / "review.db")
    project = Project(tmp_path / "out", tmp_path / "review.db", builds)
    with Server(create_app(project.out, project.store(), idle_seconds=1.5)) as url:
        page = open_page(url, "cleo")
        assert shown(page) == [EN, ZH]
        time.sleep(2)
        page.click(f"a[href='/doc/{EN}']")
        page.wait_for_selector("[data-testid=expired]")
        assert "Your session expired" in page.inner_text("[data-testid=expired]")
        shot(page, "07-expired")
        log_in(page, "cleo")  # back where the user was going
        assert page.url == f"{url}/doc/{EN}"
