"""`serve --workers N` over one store: every worker serves the same state (live, bounded in count)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from live_server import serving
from patientmsg.fixtures import sandbox_config
from sandbox_helpers import NOW_TEXT, SEED, athena_token

# New connections until both workers have answered one: each try is one accept, which either worker
# may win; 200 tries leave no realistic chance of meeting only one of two.
_TRIES = 200


def _client_of_another_worker(base: str, known: set[int]) -> tuple[httpx.Client, int]:
    """A keep-alive client whose connection a worker not in `known` accepted, and that worker's pid."""
    for _ in range(_TRIES):
        client = httpx.Client(base_url=base, timeout=30)
        pid = int(client.get("/health").json()["pid"])
        if pid not in known:
            return client, pid
        client.close()
    raise AssertionError(
        f"Received: only pids {sorted(known)} in {_TRIES} connections / Documented: 2 workers"
    )


def _two_workers(base: str, clients: contextlib.ExitStack) -> tuple[httpx.Client, httpx.Client, int]:
    """Keep-alive clients of two different workers (closed with `clients`), and the second's pid."""
    first, first_pid = _client_of_another_worker(base, set())
    clients.callback(first.close)
    second, second_pid = _client_of_another_worker(base, {first_pid})
    clients.callback(second.close)
    return first, second, second_pid


def test_a_write_through_one_worker_is_read_at_once_through_the_other(tmp_path: Path) -> None:
    athena: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]["athena"]
    oauth, ids = athena["auth"]["oauth2"], athena["ids"]
    store = tmp_path / "world.sqlite"
    with serving(tmp_path, "--store", str(store), "--workers", "2", "--now", NOW_TEXT) as (base, out, _):
        assert "workers: 2 processes share the store" in out.read_text()
        with contextlib.ExitStack() as clients:
            writer, reader, reader_pid = _two_workers(base, clients)
            # A token issued by one worker is honoured by the other: tokens live in the store.
            auth = {"Authorization": f"Bearer {athena_token(writer, oauth)}"}
            patient = f"/athena/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage"
            thread = f"{patient}/{ids['messagethreadid']}"
            # The reader keeps the thread and the sent list rendered before the write.
            before = reader.get(thread, headers=auth).json()
            sent_before = reader.get(f"{patient}/sentmessages?limit=5", headers=auth).json()
            reply = writer.post(f"{thread}/reply", data={"text": "seen by both workers"}, headers=auth)
            assert reply.status_code == 200, reply.text
            after = reader.get(thread, headers=auth).json()
            sent_after = reader.get(f"{patient}/sentmessages?limit=5", headers=auth).json()
            assert int(reader.get("/health").json()["pid"]) == reader_pid
    texts = [message.get("text") for message in after["messagelist"]]
    assert len(after["messagelist"]) == len(before["messagelist"]) + 1, texts
    assert "seen by both workers" in texts
    assert sent_after["messages"][0]["messagethreadid"] == ids["messagethreadid"], sent_after
    assert sent_after["totalcount"] >= sent_before["totalcount"]


def test_a_reset_through_one_worker_drops_a_token_the_other_was_honouring(tmp_path: Path) -> None:
    athena: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]["athena"]
    oauth, ids = athena["auth"]["oauth2"], athena["ids"]
    store = tmp_path / "world.sqlite"
    served = serving(tmp_path, "--store", str(store), "--workers", "2", "--now", NOW_TEXT)
    with served as (base, _, _), contextlib.ExitStack() as clients:
        resetter, reader, reader_pid = _two_workers(base, clients)
        auth = {"Authorization": f"Bearer {athena_token(reader, oauth)}"}
        inbox = f"/athena/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage/inboxmessages"
        for _ in range(2):  # honoured, and kept by the reader (the first read also meets the store)
            assert reader.get(inbox, headers=auth).status_code == 200
        assert int(reader.get("/health").json()["pid"]) == reader_pid
        assert resetter.post("/_sandbox/reset").status_code == 200
        refused = reader.get(inbox, headers=auth)
    assert refused.status_code == 401, (
        f"Received: {refused.status_code} / Documented: reset drops issued tokens"
    )


def test_workers_without_a_store_are_refused_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "patientmsg", "serve", "--port", "0", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1 and "--workers 2 needs --store FILE" in lines[0], lines
