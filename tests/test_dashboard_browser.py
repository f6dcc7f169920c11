"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against a live sandbox.

`playwright install` is never run (its browser download cannot be reached): Playwright launches the
system Chromium. Without it the test skips with one line, unless PATIENTMSG_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from patientmsg.testing import PatientmsgSandbox

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; CI sets PATIENTMSG_REQUIRE_BROWSER=1)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make test installs it with .[dev])"
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    missing = _missing_browser()
    if missing is not None:
        if os.environ.get("PATIENTMSG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PATIENTMSG_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Browser, patientmsg_sandbox: PatientmsgSandbox) -> Iterator[Page]:
    context = chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    browser_page = context.new_page()
    browser_page.goto(f"{patientmsg_sandbox.root_url}/?world={patientmsg_sandbox.world}")
    try:
        yield browser_page
    finally:
        context.close()


def _call(
    sandbox: PatientmsgSandbox, method: str, path: str, token: str, body: bytes | None = None
) -> tuple[int, dict[str, str], Any]:
    """A vendor request at the root, as a client outside the browser sends it."""
    headers = {**sandbox.headers, "Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(sandbox.root_url + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, json.loads(error.read())


def _athena(sandbox: PatientmsgSandbox) -> str:
    ids = sandbox.ids("athena")
    return f"/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage"


def test_the_page_shows_the_apis_their_swagger_uis_and_the_credentials(
    page: Page, patientmsg_sandbox: PatientmsgSandbox
) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#summary")).to_contain_text(f"world {patientmsg_sandbox.world}")
    for api in ("athena", "oracle", "mdhq"):
        expect(page.locator(f"#apis tr[data-api={api}] a.swagger")).to_have_attribute("href", f"/{api}/ui/")
    oauth = patientmsg_sandbox.credentials("athena")["auth"]["oauth2"]
    expect(page.locator("#credentials [data-api=athena]")).to_contain_text(oauth["client_secret"])
    expect(page.locator("#credentials [data-api=oracle]")).to_contain_text(patientmsg_sandbox.token("oracle"))


def test_a_request_appears_in_the_journal_and_a_fault_added_in_the_page_fires(
    page: Page, patientmsg_sandbox: PatientmsgSandbox
) -> None:
    from playwright.sync_api import expect

    token = patientmsg_sandbox.token("athena")
    inbox = f"{_athena(patientmsg_sandbox)}/inboxmessages?limit=1"
    assert _call(patientmsg_sandbox, "GET", inbox, token)[0] == 200
    listed = page.locator("#journal tr.entry", has_text="listInboxMessages")
    expect(listed.locator("td.status")).to_have_text("200")

    page.select_option("#fault-api", "athena")
    page.fill("#fault-operation", "listInboxMessages")
    page.select_option("#fault-type", "rate_limit")
    page.fill("#fault-retry", "4")
    page.fill("#fault-times", "1")
    page.click("#fault-add")
    expect(page.locator("#faults li[data-fault-id]")).to_have_count(1)
    (rule,) = patientmsg_sandbox.faults()
    assert (rule["match"], rule["effect"]) == (
        {"api": "athena", "operationId": "listInboxMessages"},
        {"type": "rate_limit", "retry_after": 4},
    )

    status, headers, _ = _call(patientmsg_sandbox, "GET", inbox, token)
    assert (status, headers.get("retry-after")) == (429, "4")
    fired = page.locator("#journal tr.entry[data-status='429']")
    expect(fired.locator(".fault")).to_have_text(rule["id"])
    # times=1: spent, the rule is gone, and the page says so.
    expect(page.locator("#faults li[data-fault-id]")).to_have_count(0)


def test_the_journal_is_paused_and_resumed_from_the_page(
    page: Page, patientmsg_sandbox: PatientmsgSandbox
) -> None:
    from playwright.sync_api import expect

    token = patientmsg_sandbox.token("athena")
    inbox = f"{_athena(patientmsg_sandbox)}/inboxmessages?limit=1"
    page.uncheck("#journal-recording")
    # The world is named for the test, which says "paused" too: the count ends with it when paused.
    expect(page.locator("#journal-count")).to_have_text(re.compile(r"· paused$"))
    assert _call(patientmsg_sandbox, "GET", inbox, token)[0] == 200
    assert patientmsg_sandbox.journal(operation_id="listInboxMessages") == []
    page.check("#journal-recording")
    expect(page.locator("#journal-count")).not_to_have_text(re.compile(r"· paused$"))
    assert _call(patientmsg_sandbox, "GET", inbox, token)[0] == 200
    expect(page.locator("#journal tr.entry", has_text="listInboxMessages")).to_have_count(1)


def test_faults_are_removed_and_the_clock_moved_from_the_page(
    page: Page, patientmsg_sandbox: PatientmsgSandbox
) -> None:
    from playwright.sync_api import expect

    patientmsg_sandbox.fault("latency", api="oracle", ms=5)
    patientmsg_sandbox.fault("status", api="mdhq", status=503)
    page.reload()
    expect(page.locator("#faults li[data-fault-id]")).to_have_count(2)
    page.locator("#faults li[data-fault-id]").first.get_by_text("remove").click()
    expect(page.locator("#faults li[data-fault-id]")).to_have_count(1)
    page.click("#faults-clear")
    expect(page.locator("#faults li[data-fault-id]")).to_have_count(0)
    assert patientmsg_sandbox.faults() == []

    # The session's clock follows the wall clock from where it is set: the hour is what is certain.
    page.fill("#clock-set", "2026-11-21T09:00:00Z")
    page.click("#clock-form button[type=submit]")
    expect(page.locator("#clock-now")).to_have_text(re.compile(r"^2026-11-21T09:"))
    page.click("[data-advance='86400']")
    expect(page.locator("#clock-now")).to_have_text(re.compile(r"^2026-11-22T09:"))
    moved = patientmsg_sandbox.clock()
    assert dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC) <= moved < dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC)


def test_the_reset_button_takes_a_write_back(page: Page, patientmsg_sandbox: PatientmsgSandbox) -> None:
    from playwright.sync_api import expect

    token = patientmsg_sandbox.token("athena")
    thread = f"{_athena(patientmsg_sandbox)}/{patientmsg_sandbox.ids('athena')['messagethreadid']}"
    before = len(_call(patientmsg_sandbox, "GET", thread, token)[2]["messagelist"])
    assert _call(patientmsg_sandbox, "POST", f"{thread}/reply", token, b"text=undo+me")[0] == 200
    page.click("#reset")
    expect(page.locator("#notice")).to_contain_text("reset")
    token = patientmsg_sandbox.token("athena")  # reset drops issued tokens
    assert len(_call(patientmsg_sandbox, "GET", thread, token)[2]["messagelist"]) == before
