"""athena's tokens: deterministic, yet not computable without the client's secret."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from typing import Any

from patientmsg.fixtures import Clock
from patientmsg.mockserver import create_app
from patientmsg.mockserver.athena.oauth import PURGE_AFTER, TOKEN_LIFETIME
from sandbox_helpers import NOW, SEED, athena_token, copy_store
from starlette.testclient import TestClient


def _tokens(
    template: sqlite3.Connection, oauth: dict[str, str], count: int, *, seed: int = SEED
) -> list[str]:
    """The first `count` tokens a fresh server (a restart) issues to one client."""
    conn = copy_store(template)
    try:
        with TestClient(create_app(conn, Clock(NOW), seed=seed)) as client:
            return [athena_token(client, oauth) for _ in range(count)]
    finally:
        conn.close()


def _documented(secret: str, client_id: str, counter: int, seed: int = SEED) -> str:
    """README: HMAC-SHA256, keyed with the client secret, of seed, client id and counter (48 hex digits)."""
    message = "\x1f".join(("athena-token", str(seed), client_id, str(counter))).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:48]


def test_a_token_is_the_documented_hmac_keyed_with_the_client_secret(
    template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    oauth = config["athena"]["auth"]["oauth2"]
    issued = _tokens(template, oauth, 3)
    expected = [_documented(oauth["client_secret"], oauth["client_id"], n) for n in range(3)]
    assert issued == expected, f"Received: {issued} / Documented: {expected}"


def test_public_data_alone_does_not_give_the_token(
    template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    # What /health and the banner publish: the seed and the client id. Without the secret, any other
    # key (e.g. the other client's secret, or none) gives another value.
    oauth = config["athena"]["auth"]["oauth2"]
    other = config["athena"]["second"]["auth"]["oauth2"]
    token = _tokens(template, oauth, 1)[0]
    for key in ("", other["client_secret"], oauth["client_id"], str(SEED)):
        assert _documented(key, oauth["client_id"], 0) != token
    assert (
        hashlib.blake2b(
            f"athena-token\x1f{SEED}\x1f{oauth['client_id']}\x1f0".encode(), digest_size=24
        ).hexdigest()
        != token
    )


def test_a_forged_token_is_refused(client: TestClient, config: dict[str, Any]) -> None:
    oauth = config["athena"]["auth"]["oauth2"]
    ids = config["athena"]["ids"]
    forged = _documented("not-the-secret", oauth["client_id"], 0)
    path = f"/athena/v1/{ids['practiceid']}/patients/{ids['patientid']}/securemessage/inboxmessages"
    assert client.get(path, headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_tokens_are_the_same_after_a_restart_and_differ_by_client_and_seed(
    template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    oauth = config["athena"]["auth"]["oauth2"]
    other = config["athena"]["second"]["auth"]["oauth2"]
    first = _tokens(template, oauth, 2)
    # The README says so: an in-memory server replays its tokens after a restart (deterministic).
    assert _tokens(template, oauth, 2) == first
    assert set(_tokens(template, other, 2)).isdisjoint(first)
    assert set(_tokens(template, oauth, 2, seed=SEED + 1)).isdisjoint(first)
    assert len(set(first)) == 2


def test_expired_tokens_are_purged_by_the_sandbox_clock_and_never_issued_again(
    store: sqlite3.Connection, clock: Clock, client: TestClient, config: dict[str, Any]
) -> None:
    oauth = config["athena"]["auth"]["oauth2"]
    issued = []
    for _ in range(20):
        issued.append(athena_token(client, oauth))
        clock.advance(TOKEN_LIFETIME + PURGE_AFTER + 1)
    kept = [row[0] for row in store.execute("SELECT access_token FROM athena_token")]
    # Each token request purged the ones expired a lifetime ago: the store holds the last one only.
    assert kept == issued[-1:], f"Received: {len(kept)} tokens kept / Documented: expired ones purged"
    expected = [_documented(oauth["client_secret"], oauth["client_id"], n) for n in range(20)]
    assert issued == expected, "the count goes on past purged tokens: no value is issued twice"
    old = client.get(
        f"/athena/v1/{config['athena']['ids']['practiceid']}/patientsecuremessage/providers/departmentsmapping",
        headers={"Authorization": f"Bearer {issued[0]}"},
    )
    assert old.status_code == 401


def test_a_token_in_use_expires_then_is_forgotten_once_purged(
    clock: Clock, client: TestClient, config: dict[str, Any]
) -> None:
    # A token the sandbox has already honoured (and kept, to skip the store) follows the clock and
    # the purge exactly as one it looks up for the first time.
    oauth = config["athena"]["auth"]["oauth2"]
    practice = config["athena"]["ids"]["practiceid"]
    path = f"/athena/v1/{practice}/patientsecuremessage/providers/departmentsmapping"
    token = athena_token(client, oauth)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(path, headers=auth).status_code == 200
    clock.advance(TOKEN_LIFETIME + 1)
    expired = client.get(path, headers=auth)
    assert expired.status_code == 401 and "expired" in expired.text, expired.text
    clock.advance(PURGE_AFTER)
    athena_token(client, oauth)  # issuing purges the tokens expired a lifetime ago
    forgotten = client.get(path, headers=auth)
    assert forgotten.status_code == 401 and "not one this server issued" in forgotten.text, forgotten.text
