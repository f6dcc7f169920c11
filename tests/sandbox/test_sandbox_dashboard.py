"""The dashboard at `/`: HTML for a browser only, the JSON index for everyone else, self-contained."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from patientmsg.mockserver.dashboard import page, prefers_html
from starlette.testclient import TestClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    "accept",
    [
        BROWSER,
        "text/html",
        "text/*",
        "application/json;q=0.5, text/html",
        "TEXT/HTML; charset=utf-8",
    ],
)
def test_a_client_preferring_html_gets_the_dashboard(accept: str) -> None:
    assert prefers_html(accept), f"Received: JSON / Documented: HTML for Accept {accept!r}"


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",
        "application/json",
        "application/*",
        "text/html;q=0.5, application/json",
        "text/html;q=0.8, */*;q=0.8",
        "text/html;q=0",
        "text/html;q=abc",
        "text/plain",
        "garbage, ,;;",
    ],
)
def test_any_other_accept_gets_the_json_index(accept: str | None) -> None:
    assert not prefers_html(accept), f"Received: HTML / Documented: JSON for Accept {accept!r}"


def test_root_answers_a_browser_with_html_and_varies_by_accept(client: TestClient) -> None:
    answer = client.get("/", headers={"Accept": BROWSER})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "Accept" in answer.headers["vary"]
    assert "<title>patientmsg sandbox</title>" in answer.text


@pytest.mark.parametrize("accept", ["*/*", "application/json"])
def test_root_keeps_the_json_index_for_curl_and_api_clients(client: TestClient, accept: str) -> None:
    answer = client.get("/", headers={"Accept": accept})
    assert answer.headers["content-type"].startswith("application/json")
    assert "Accept" in answer.headers["vary"]
    assert set(answer.json()["apis"]) == {"athena", "oracle", "mdhq", "portal"}


def test_the_page_loads_nothing_from_elsewhere() -> None:
    html = page().decode("utf-8")
    external = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, flags=re.IGNORECASE)
    assert external == [], f"Received: {external} / Documented: no CDN, the page's own files only"
    assert "<script src" not in html and "<link " not in html, "style and script are inlined"
    assert "/*STYLE*/" not in html and "/*SCRIPT*/" not in html


def test_the_script_cannot_end_its_element_early() -> None:
    script = (files("patientmsg.mockserver.dashboard") / "app.js").read_text(encoding="utf-8")
    assert "</script" not in script.lower()


def test_the_page_uses_only_the_control_api_and_sets_server_text_as_text() -> None:
    script = (files("patientmsg.mockserver.dashboard") / "app.js").read_text(encoding="utf-8")
    fetched = set(re.findall(r"""fetch\(\s*["'`]([^"'`]+)""", script))
    assert fetched == {"/_sandbox"}, f"Received: fetch of {fetched} / Documented: the control API only"
    assert "innerHTML" not in script, "journal paths and bodies are a client's: set as text"
