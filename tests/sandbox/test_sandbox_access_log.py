"""The default access log: uvicorn's line for every request, written in batches (live, bounded)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from live_server import serving


def test_every_request_gets_its_access_line(tmp_path: Path) -> None:
    with serving(tmp_path) as (base, out, _):
        for query in ("a=1", "b=2"):
            assert httpx.get(f"{base}/health?{query}", timeout=30).status_code == 200
        missing = httpx.get(f"{base}/athena/v1/1/nothing", timeout=30)
        # Written within a fraction of a second; bounded wait, not a speed claim.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "/nothing" not in out.read_text():
            time.sleep(0.05)
        text = out.read_text()
    for line in ('"GET /health?a=1 HTTP/1.1" 200 OK', '"GET /health?b=2 HTTP/1.1" 200 OK'):
        assert line in text, f"Received: {text[-600:]!r} / Documented: uvicorn's access line {line!r}"
    assert f'"GET /athena/v1/1/nothing HTTP/1.1" {missing.status_code} ' in text


def _lines_once(out: Path, needle: str) -> str:
    # Written within a fraction of a second; bounded wait, not a speed claim.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and needle not in out.read_text():
        time.sleep(0.05)
    return out.read_text()


def test_each_line_shows_the_path_as_the_client_sent_it(tmp_path: Path) -> None:
    """Vendor paths at the root are served under their mount, and journaled, but logged as sent; the
    control API and a path needing quotes are logged as uvicorn would."""
    with serving(tmp_path) as (base, out, _):
        root = httpx.get(f"{base}/v1/195900/patients/1/securemessage/inboxmessages", timeout=30)
        control = httpx.get(f"{base}/_sandbox/world", timeout=30)
        spaced = httpx.get(f"{base}/athena/v1/1/no thing", timeout=30)
        text = _lines_once(out, "/no%20thing")
    expected = (
        f'"GET /v1/195900/patients/1/securemessage/inboxmessages HTTP/1.1" {root.status_code} ',
        f'"GET /_sandbox/world HTTP/1.1" {control.status_code} ',
        f'"GET /athena/v1/1/no%20thing HTTP/1.1" {spaced.status_code} ',
    )
    for line in expected:
        assert line in text, f"Received: {text[-900:]!r} / Documented: uvicorn's access line {line!r}"
    assert "GET /athena/v1/195900/patients" not in text  # the mount the edge rewrote to is not shown


def test_no_access_log_writes_no_access_line(tmp_path: Path) -> None:
    with serving(tmp_path, "--no-access-log") as (base, out, _):
        assert httpx.get(f"{base}/health?quiet=1", timeout=30).status_code == 200
        time.sleep(0.3)  # past the batch interval: a line would be there by now
    assert "/health?quiet=1" not in out.read_text()
