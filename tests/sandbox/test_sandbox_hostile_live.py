"""Hostile bytes on a real socket, to a live `patientmsg serve` on 127.0.0.1 (bounded in count and time).

What the app never sees (bytes that are not HTTP, framing errors) is uvicorn's to answer; the sandbox
makes that answer JSON too. Also here: idle connections, a busy port, a store another serve holds.
"""

from __future__ import annotations

import base64
import json
import re
import resource
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import READY_WITHIN, serving, stop
from patientmsg.fixtures import sandbox_config
from sandbox_helpers import SEED

_CONFIG: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]
_MDHQ = _CONFIG["mdhq"]["auth"]["basic"]
_BASIC = base64.b64encode(f"{_MDHQ['username']}:{_MDHQ['password']}".encode()).decode("ascii")
_ORACLE = f"Bearer {_CONFIG['oracle']['auth']['bearer_token']}"
_PT = _CONFIG["mdhq"]["ids"]["pt_id"]
_ORACLE_LIST = (
    f"/oracle/20241001/patientMessages/inboxItems?patientId={_CONFIG['oracle']['ids']['patientId']}"
)
_INTERNAL = re.compile(rb'Traceback|File "|\.py\b|site-packages|/home/|/usr/|/tmp/|/work/')
IO_TIMEOUT = 60.0  # per socket read: a bound, not a speed claim


def _get(path: str, *headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


# (name, raw bytes, the status of each answer expected, in order)
RAW_CASES: list[tuple[str, bytes, list[int]]] = [
    ("not-http", b"GARBAGE\r\n\r\n", [400]),
    ("lowercase-method", b"get /health HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
    ("header-without-colon", b"GET /health HTTP/1.1\r\nHost x\r\n\r\n", [400]),
    (
        "content-length-not-a-number",
        b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        [400],
    ),
    (
        "content-length-and-chunked",
        b"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        [400],
    ),
    ("nul-in-path", b"GET /he\x00alth HTTP/1.1\r\nHost: x\r\n\r\n", [400]),
    ("unknown-method", b"BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", [400]),
    ("dot-dot-path", _get("/athena/../health"), [404]),
    ("unknown-root-path", _get("/nowhere"), [404]),
    ("http-1.0-no-host", b"GET /health HTTP/1.0\r\n\r\n", [200]),
    ("pipelined", _get("/health").replace(b"Connection: close\r\n", b"") + _get("/health"), [200, 200]),
    (
        "huge-path-id",
        _get(f"/mdhq/api/v1/patients/1{'0' * 4300}/portal/enqueued", f"Authorization: Basic {_BASIC}"),
        [400],
    ),
    ("huge-query-integer", _get(f"{_ORACLE_LIST}&limit=1{'0' * 4300}", f"Authorization: {_ORACLE}"), [400]),
    (
        "oracle-second-99",
        _get(
            f"{_ORACLE_LIST}&createDateTimeLessThanOrEqualTo=2026-11-20T12:40:99Z",
            f"Authorization: {_ORACLE}",
        ),
        [400],
    ),
    (
        "oracle-request-id-twice",
        _get(_ORACLE_LIST, f"Authorization: {_ORACLE}", "opc-request-id: a", "opc-request-id: b"),
        [400],
    ),
    (
        "oracle-request-id-100kb",
        _get(_ORACLE_LIST, f"Authorization: {_ORACLE}", "opc-request-id: " + "a" * 100_000),
        [400],
    ),
    (
        "form-declared-too-large",
        b"POST /athena/oauth2/v1/token HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Authorization: Basic " + base64.b64encode(b"patientmsg-sandbox:sandbox-secret-195900") + b"\r\n"
        b"Content-Length: 999999999\r\n\r\n",
        [413],
    ),
    (
        "bad-chunk-size",
        b"POST /athena/oauth2/v1/token HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        [400],
    ),
    (
        "invite-get-not-allowed",
        _get(f"/mdhq/api/v1/patients/{_PT}/portal/invite", f"Authorization: Basic {_BASIC}"),
        [405],
    ),
    ("non-ascii-path", b"GET /athena/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", [400]),
]


def _responses(raw: bytes, count: int) -> list[tuple[int, bytes, bytes]]:
    """(status, head, body) of the first `count` answers read from `raw`, with Content-Length bodies."""
    out: list[tuple[int, bytes, bytes]] = []
    while len(out) < count and raw:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        assert sep, f"Received: {raw[:300]!r}"
        status = int(head.split(b" ", 2)[1])
        found = re.search(rb"(?im)^content-length: *([0-9]+)", head)
        size = int(found.group(1)) if found else len(rest)
        out.append((status, head, rest[:size]))
        raw = rest[size:]
    return out


def _exchange(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as sock:
        # No half-close: uvicorn may drop a pipelined request once it sees EOF. Each case ends with
        # `Connection: close`, an error (which closes), or a body never sent (the idle timeout closes).
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    with serving(tmp_path_factory.mktemp("hostile"), "--no-access-log", "--idle-timeout", "2") as (
        base,
        _,
        _,
    ):
        yield base, int(base.rsplit(":", 1)[1])


@pytest.mark.parametrize(("name", "payload", "statuses"), RAW_CASES, ids=[case[0] for case in RAW_CASES])
def test_raw_bytes_get_a_json_answer_never_a_5xx(
    live: tuple[str, int], name: str, payload: bytes, statuses: list[int]
) -> None:
    answers = _responses(_exchange(live[1], payload), len(statuses))
    assert [status for status, _, _ in answers] == statuses, f"Received: {answers!r:.500}"
    for _, head, body in answers:
        assert re.search(rb"(?im)^content-type: application/json", head), f"Received: {head!r}"
        json.loads(body)
        assert not _INTERNAL.search(body), f"Received: {body[:300]!r}"


def test_idle_connections_are_closed_and_the_server_answers_throughout(tmp_path: Path) -> None:
    idle = 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = idle + 200  # the idle sockets, this process's own files, and the requests made meanwhile
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"the hard RLIMIT_NOFILE ({hard}) is below the {needed} descriptors this test needs")
    # Raised for this process only (the server raises its own); restored at the end.
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, needed), hard))
    sockets: list[socket.socket] = []
    try:
        with serving(tmp_path, "--idle-timeout", "1", "--no-access-log") as (base, _, _):
            port = int(base.rsplit(":", 1)[1])
            # A new connection per check: a kept-alive one would itself be closed as idle in between.
            for _ in range(idle):
                sockets.append(socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT))
                if len(sockets) % 100 == 0:  # answering while idle connections pile up
                    assert httpx.get(f"{base}/health", timeout=IO_TIMEOUT).status_code == 200
            # Every idle socket is closed by the server (recv returns b""), never by us.
            for sock in sockets:
                assert sock.recv(1) == b""
            assert httpx.get(f"{base}/health", timeout=IO_TIMEOUT).status_code == 200
    finally:
        for sock in sockets:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _serve(*args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "patientmsg", "serve", "--seed", str(SEED), *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_busy_port_is_one_line_before_any_banner() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        process = _serve("--port", str(port))
        out, err = process.communicate(timeout=READY_WITHIN)
    assert process.returncode == 1
    assert out == b""  # no banner: nothing claims to serve
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "already in use" in lines[0], lines


def test_a_second_serve_on_the_same_store_is_refused_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "world.sqlite"
    with serving(tmp_path, "--store", str(store)) as (_, _, first):
        second = _serve("--port", "0", "--store", str(store))
        try:
            out, err = second.communicate(timeout=READY_WITHIN)
        finally:
            stop(second)
        lines = err.decode().strip().splitlines()
        assert second.returncode == 1 and out == b""
        assert len(lines) == 1 and "already served" in lines[0] and f"pid {first.pid}" in lines[0], lines
    # Once the first has stopped, the file may be served again.
    with serving(tmp_path, "--store", str(store)) as (base, _, _):
        assert httpx.get(f"{base}/health", timeout=IO_TIMEOUT).status_code == 200


def test_the_store_lock_is_released_by_kill_9(tmp_path: Path) -> None:
    store = tmp_path / "world.sqlite"
    with serving(tmp_path, "--store", str(store)) as (_, _, first):
        first.kill()
        first.wait(timeout=IO_TIMEOUT)
    # The kernel drops the flock with the process: no stale lock to clean up by hand.
    with serving(tmp_path, "--store", str(store)) as (base, _, _):
        assert httpx.get(f"{base}/health", timeout=IO_TIMEOUT).status_code == 200
