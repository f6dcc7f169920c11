"""The hostile corpus (hostile_corpus.py) against the app: never a 5xx, the vendor's body, the case's status.

Each answer must also be free of anything internal: no traceback, no file path, no module name.
"""

from __future__ import annotations

import base64
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hostile_corpus import CREDENTIALS, Case, corpus
from patientmsg.fixtures import Clock, sandbox_config
from patientmsg.mockserver import create_app
from patientmsg.specs import APIS
from portal_helpers import portal_token
from sandbox_helpers import NOW, REQUEST_ID, SEED, athena_token, copy_store, message_of, vendor_error
from starlette.testclient import TestClient

_CONFIG: dict[str, Any] = sandbox_config("default", seed=SEED)["apis"]
_PORTAL = _CONFIG["portal"]
# The portal's ids are named by the world's roles; the corpus reads them by parameter (and form field) name.
_IDS: dict[str, dict[str, Any]] = {
    **{api: _CONFIG[api]["ids"] for api in APIS if api != "portal"},
    "portal": {
        "conversationId": _PORTAL["ids"]["awaiting_conversationId"],
        "messageId": _PORTAL["ids"]["provider_reply_messageId"],
        "providerId": _PORTAL["ids"]["provider_openId"],
        "patientId": _PORTAL["ids"]["patientId"],
        "staffUserId": _PORTAL["ids"]["staffId"],
        "taskId": _PORTAL["ids"]["taskId"],
        **_PORTAL["auth"]["logins"]["patient"],
    },
}
CASES = [case for api in APIS if api in CREDENTIALS for case in corpus(api, _IDS[api])]
# Internals a body must never show: a traceback, a source file, an absolute path.
_INTERNAL = re.compile(r'Traceback|File "|\.py\b|site-packages|/home/|/usr/|/tmp/|/work/')


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")


@pytest.fixture(scope="module")
def hostile_client(template: sqlite3.Connection) -> Iterator[TestClient]:
    conn = copy_store(template)
    with TestClient(create_app(conn, Clock(NOW), seed=SEED), raise_server_exceptions=False) as client:
        yield client
    conn.close()


@pytest.fixture(scope="module")
def authorization(hostile_client: TestClient) -> dict[str, str]:
    """CREDENTIALS value -> the Authorization header it stands for."""
    athena = _CONFIG["athena"]["auth"]["oauth2"]
    mdhq = _CONFIG["mdhq"]["auth"]["basic"]
    return {
        "athena-token": f"Bearer {athena_token(hostile_client, athena)}",
        "athena-client": _basic(athena["client_id"], athena["client_secret"]),
        "oracle-token": f"Bearer {_CONFIG['oracle']['auth']['bearer_token']}",
        "mdhq-user": _basic(mdhq["username"], mdhq["password"]),
        **{
            f"portal-{role}": f"Bearer {portal_token(hostile_client, _PORTAL['auth']['logins'][role])}"
            for role in ("patient", "staff", "admin")
        },
    }


def send(client: TestClient, case: Case, authorization: dict[str, str]) -> httpx.Response:
    headers = list(case.headers)
    if case.credentials is not None:
        headers.append(("Authorization", authorization[case.credentials]))
    content: Any = case.body
    if case.chunked and case.body is not None:
        body = case.body
        content = iter([body[i : i + 65536] for i in range(0, len(body), 65536)])
    response: httpx.Response = client.request(
        case.method, f"/{case.api}{case.path}", headers=headers, content=content
    )
    return response


def test_the_corpus_covers_every_api_and_is_large() -> None:
    assert set(APIS) <= set(CREDENTIALS), "add the API to hostile_corpus.CREDENTIALS"
    assert len({case.id for case in CASES}) == len(CASES) >= 300


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hostile_request_gets_its_status_in_the_vendor_format(
    hostile_client: TestClient, authorization: dict[str, str], case: Case
) -> None:
    response = send(hostile_client, case, authorization)
    assert response.status_code < 500, f"Received: {response.status_code} {response.text[:300]}"
    assert not _INTERNAL.search(response.text), f"Received: {response.text[:300]}"
    if case.status >= 400:
        body = vendor_error(case.api, response, case.status)
        if case.names:
            assert case.names in message_of(case.api, body) or case.names in str(body), (
                f"Received: {body} / Documented: an error naming {case.names}"
            )
    else:
        assert response.status_code == case.status, f"Received: {response.status_code} {response.text[:300]}"
        assert response.headers["content-type"] == "application/json"
    if case.api == "oracle":
        assert REQUEST_ID.fullmatch(response.headers["opc-request-id"])
        sent = [value for name, value in case.headers if name == "opc-request-id"]
        if case.status < 400 and sent and sent[0]:
            assert response.headers["opc-request-id"] == sent[0]  # a valid id is echoed
