"""A client generated from each served spec (openapi-python-client) parses the sandbox's real answers.

A spec that a mainstream generator cannot digest (conflicting inline enums, duplicated inline
schemas) gives a client whose 2xx answers fall back to `None` or a raw dict; each case below calls
one operation through the generated client and asserts its answer is the generated model.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from patientmsg.fixtures import Clock, open_store, sandbox_config
from patientmsg.mockserver import create_app
from patientmsg.specs import APIS, load_spec, operations
from starlette.testclient import TestClient

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`:UserWarning")

NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
SEED = 1
GENERATOR = Path(sys.executable).with_name("openapi-python-client")

#: operationId -> (API module under `api/`, the generated model its 2xx answer parses to).
EXPECTED = {
    "athena": {
        "createAccessToken": ("authentication.create_access_token", "AccessToken"),
        "getMessageThread": ("secure_messages.get_message_thread", "MessageThread"),
        "canPatientReplyToMessage": ("secure_messages.can_patient_reply_to_message", "ReplyAccess"),
        "replyToMessageThread": ("secure_messages.reply_to_message_thread", "ReplyResult"),
        "listArchivedMessages": ("secure_messages.list_archived_messages", "MessageThreadList"),
        "listInboxMessages": ("secure_messages.list_inbox_messages", "MessageThreadList"),
        "listSentMessages": ("secure_messages.list_sent_messages", "MessageThreadList"),
        "getDepartmentsMapping": ("secure_messages.get_departments_mapping", "DepartmentsMapping"),
        "markLabResultRead": ("secure_messages.mark_lab_result_read", "SuccessResult"),
    },
    "oracle": {
        "listInboxItems": ("default.list_inbox_items", "PatientInboxMessagesCollection"),
    },
    "mdhq": {
        "listEnqueuedPortalRequests": ("default.list_enqueued_portal_requests", "EnqueuedRequestList"),
        "deleteEnqueuedPortalRequest": ("default.delete_enqueued_portal_request", "DeleteResult"),
        "invitePatientToPortal": ("default.invite_patient_to_portal", "InviteResult"),
    },
}


@pytest.fixture(scope="module")
def app() -> Iterator[Any]:
    store = open_store("default", seed=SEED, now=NOW)
    yield create_app(store, Clock(NOW), seed=SEED)
    store.close()


@pytest.fixture(scope="module")
def generated(app: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """Each API's client, generated from the spec the sandbox serves, imported as `generated_<api>`."""
    root = tmp_path_factory.mktemp("clients")
    config = root / "generator.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")  # no formatter run: offline and quick
    with TestClient(app) as client:
        for api in APIS:
            served = root / f"{api}.json"
            served.write_bytes(client.get(f"/{api}/openapi.json").content)
            result = subprocess.run(
                [
                    *(str(GENERATOR), "generate", "--path", str(served), "--meta", "none"),
                    *("--output-path", str(root / f"generated_{api}"), "--config", str(config)),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield {api: importlib.import_module(f"generated_{api}") for api in APIS}
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith("generated_")]:
            del sys.modules[name]


def _client(generated: ModuleType, app: Any, api: str, authorization: str) -> Any:
    http = TestClient(app, base_url=f"http://testserver/{api}/", headers={"Authorization": authorization})
    client = generated.Client(base_url=f"http://testserver/{api}/")
    client.set_httpx_client(http)
    return client


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _call(generated: ModuleType, operation: str, client: Any, **kwargs: Any) -> Any:
    module, model = EXPECTED[generated.__name__.removeprefix("generated_")][operation]
    response = importlib.import_module(f"{generated.__name__}.api.{module}").sync_detailed(
        client=client, **kwargs
    )
    expected = getattr(importlib.import_module(f"{generated.__name__}.models"), model)
    assert 200 <= response.status_code < 300, response.content
    assert isinstance(response.parsed, expected), (
        f"Received: {type(response.parsed).__name__} / Documented: {model} for {operation}"
    )
    return response.parsed


@pytest.mark.parametrize("api", list(APIS))
def test_every_2xx_operation_has_a_case(api: str) -> None:
    documented = {op["operationId"] for _, _, op in operations(load_spec(api))}
    assert documented == set(EXPECTED[api])


def test_athena_client_parses_every_answer(generated: dict[str, ModuleType], app: Any) -> None:
    gen, config = generated["athena"], sandbox_config("default", seed=SEED)["apis"]["athena"]
    oauth, ids = config["auth"]["oauth2"], config["ids"]
    models = importlib.import_module(f"{gen.__name__}.models")
    token_client = _client(gen, app, "athena", _basic(oauth["client_id"], oauth["client_secret"]))
    body = models.CreateAccessTokenBody(grant_type=models.CreateAccessTokenBodyGrantType.CLIENT_CREDENTIALS)
    token = _call(gen, "createAccessToken", token_client, body=body)
    client = _client(gen, app, "athena", f"Bearer {token.access_token}")
    patient = {"practiceid": ids["practiceid"], "patientid": ids["patientid"]}
    thread = {**patient, "messagethreadid": ids["messagethreadid"]}
    assert _call(gen, "getMessageThread", client, **thread).documentid == ids["messagethreadid"]
    _call(gen, "canPatientReplyToMessage", client, **thread)
    text = models.ReplyToMessageThreadBody(text="Thanks")
    reply = _call(gen, "replyToMessageThread", client, body=text, **thread)
    assert reply.error == "0" and reply.message.text == "Thanks"
    for operation in ("listInboxMessages", "listArchivedMessages", "listSentMessages"):
        page = _call(gen, operation, client, **patient)
        assert page.messages and page.totalcount >= len(page.messages)
    mapping = _call(gen, "getDepartmentsMapping", client, practiceid=ids["practiceid"])
    assert mapping.departmentsmapping
    lab = {**patient, "messagethreadid": ids["labresult_messagethreadid"]}
    assert _call(gen, "markLabResultRead", client, **lab).success == models.SuccessResultSuccess.TRUE


def test_oracle_client_parses_every_answer(generated: dict[str, ModuleType], app: Any) -> None:
    gen, config = generated["oracle"], sandbox_config("default", seed=SEED)["apis"]["oracle"]
    client = _client(gen, app, "oracle", f"Bearer {config['auth']['bearer_token']}")
    page = _call(gen, "listInboxItems", client, patient_id=config["ids"]["patientId"])
    assert page.items
    models = importlib.import_module(f"{gen.__name__}.models")
    assert all(isinstance(item, models.PatientInboxMessageSummary) for item in page.items)
    # "Set to PERSONNEL or GROUPINBOX for inbox item sender": a typed enum of exactly those two.
    senders = {item.message_sender.type_ for item in page.items}
    assert senders <= set(models.StaffParticipantType) and senders


def test_mdhq_client_parses_every_answer(generated: dict[str, ModuleType], app: Any) -> None:
    gen, config = generated["mdhq"], sandbox_config("default", seed=SEED)["apis"]["mdhq"]
    basic, ids = config["auth"]["basic"], config["ids"]
    client = _client(gen, app, "mdhq", _basic(basic["username"], basic["password"]))
    assert _call(gen, "listEnqueuedPortalRequests", client, pt_id=ids["pt_id"]).data
    request = {"pt_id": ids["pt_id"], "queue_request_id": ids["queue_request_id"]}
    deleted = _call(gen, "deleteEnqueuedPortalRequest", client, **request)
    assert deleted.id == ids["queue_request_id"]
    assert _call(gen, "invitePatientToPortal", client, pt_id=ids["pt_id"]).pt_id == ids["pt_id"]
