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
    "portal": {
        "createToken": ("auth.create_token", "Token"),
        "listPatientConversations": ("patient.list_patient_conversations", "ConversationList"),
        "sendPatientMessage": ("patient.send_patient_message", "Conversation"),
        "getPatientConversation": ("patient.get_patient_conversation", "Conversation"),
        "archiveConversation": ("patient.archive_conversation", "Conversation"),
        "reopenConversation": ("patient.reopen_conversation", "Conversation"),
        "getPatientMessage": ("patient.get_patient_message", "Message"),
        "cancelMessage": ("patient.cancel_message", ""),  # 204: no body
        "sendFollowUp": ("patient.send_follow_up", "Message"),
        "replyToMessage": ("patient.reply_to_message", "Message"),
        "listMessageProviders": ("patient.list_message_providers", "ProviderList"),
        "getMessageProvider": ("patient.get_message_provider", "Provider"),
        "listStaffMembers": ("patient.list_staff_members", "StaffMemberList"),
        "listResponseMethods": ("patient.list_response_methods", "ResponseMethodList"),
        "listStaffConversations": ("staff.list_staff_conversations", "StaffConversationList"),
        "getStaffConversation": ("staff.get_staff_conversation", "StaffConversation"),
        "markConversationRead": ("staff.mark_conversation_read", "ReadState"),
        "markConversationUnread": ("staff.mark_conversation_unread", "ReadState"),
        "copyConversation": ("staff.copy_conversation", ""),  # text/plain: a str
        "reassignConversation": ("staff.reassign_conversation", "StaffConversation"),
        "sendStaffMessage": ("staff.send_staff_message", "StaffMessage"),
        "listInternalNotes": ("staff.list_internal_notes", "InternalNoteList"),
        "addInternalNote": ("staff.add_internal_note", "InternalNote"),
        "createTask": ("staff.create_task", "Task"),
        "getTask": ("staff.get_task", "Task"),
        "listPatientConversationsForStaff": (
            "staff.list_patient_conversations_for_staff",
            "StaffConversationList",
        ),
        "startPatientConversation": ("staff.start_patient_conversation", "StaffConversation"),
        "getPortalAccess": ("staff.get_portal_access", "PortalAccess"),
        "listStaffUsers": ("admin.list_staff_users", "StaffUserList"),
        "updateStaffUserRights": ("admin.update_staff_user_rights", "StaffUser"),
        "invitePatientToPortal": ("admin.invite_patient_to_portal", "Invitation"),
        "removePortalAccess": ("admin.remove_portal_access", "PortalAccess"),
        "getPracticeMessageSettings": ("admin.get_practice_message_settings", "PracticeMessageSettings"),
        "updatePracticeMessageSettings": (
            "admin.update_practice_message_settings",
            "PracticeMessageSettings",
        ),
        "getProviderMessageSettings": ("admin.get_provider_message_settings", "ProviderMessageSettings"),
        "updateProviderMessageSettings": (
            "admin.update_provider_message_settings",
            "ProviderMessageSettings",
        ),
        "listOutbox": ("admin.list_outbox", "OutboxList"),
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
    assert 200 <= response.status_code < 300, response.content
    if not model:  # no JSON model: 204 or text/plain
        return response
    expected = getattr(importlib.import_module(f"{generated.__name__}.models"), model)
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


def test_portal_client_parses_every_answer(generated: dict[str, ModuleType], app: Any) -> None:
    gen, config = generated["portal"], sandbox_config("default", seed=SEED)["apis"]["portal"]
    logins, ids = config["auth"]["logins"], config["ids"]
    models = importlib.import_module(f"{gen.__name__}.models")

    def login(role: str) -> Any:
        body = models.TokenRequest(grant_type=models.TokenRequestGrantType.PASSWORD, **logins[role])
        token = _call(gen, "createToken", _client(gen, app, "portal", ""), body=body)
        return _client(gen, app, "portal", f"Bearer {token.access_token}")

    patient, staff, admin = login("patient"), login("view_others_staff"), login("admin")
    assert _call(gen, "listPatientConversations", patient).items
    new = models.NewConversation(provider_id=ids["provider_openId"], subject="Hello", text="A question")
    sent = _call(gen, "sendPatientMessage", patient, body=new)
    first = sent.messages[0].id
    assert _call(gen, "getPatientConversation", patient, conversation_id=sent.id).id == sent.id
    assert _call(gen, "getPatientMessage", patient, message_id=first).text == "A question"
    follow = _call(gen, "sendFollowUp", patient, message_id=first, body=models.NewMessage(text="More"))
    _call(gen, "cancelMessage", patient, message_id=follow.id)
    reply = models.NewMessage(text="Thanks")
    assert _call(gen, "replyToMessage", patient, message_id=ids["provider_reply_messageId"], body=reply).text
    assert _call(gen, "archiveConversation", patient, conversation_id=sent.id).archived
    assert not _call(gen, "reopenConversation", patient, conversation_id=sent.id).archived
    assert _call(gen, "listMessageProviders", patient).items
    assert _call(gen, "getMessageProvider", patient, provider_id=ids["provider_awayId"]).out_of_office.active
    assert _call(gen, "listStaffMembers", patient).items and _call(gen, "listResponseMethods", patient).items
    cid = ids["awaiting_conversationId"]
    assert _call(gen, "listStaffConversations", staff).view == models.StaffConversationListView.MINE
    assert _call(gen, "getStaffConversation", staff, conversation_id=cid).id == cid
    assert _call(gen, "markConversationRead", staff, conversation_id=cid).unread is False
    assert _call(gen, "markConversationUnread", staff, conversation_id=cid).unread is True
    assert "Subject:" in _call(gen, "copyConversation", staff, conversation_id=cid).parsed
    body = models.NewStaffMessage(text="We will call you")
    assert _call(gen, "sendStaffMessage", staff, conversation_id=cid, body=body).direction.value == "outgoing"
    _call(gen, "addInternalNote", staff, conversation_id=cid, body=models.NewInternalNote(text="Internal"))
    assert _call(gen, "listInternalNotes", staff, conversation_id=cid).items
    task = _call(gen, "createTask", staff, conversation_id=cid, body=models.NewTask(title="Call back"))
    assert _call(gen, "getTask", staff, task_id=task.id).id == task.id
    assert _call(gen, "listPatientConversationsForStaff", staff, patient_id=ids["patientId"]).items
    start = models.NewStaffConversation(subject="Results", text="All normal")
    assert _call(gen, "startPatientConversation", staff, patient_id=ids["patientId"], body=start).messages
    assert _call(gen, "getPortalAccess", staff, patient_id=ids["unregistered_patientId"]).label
    move = models.Reassignment(staff_user_id=ids["staffId"])
    assert (
        _call(gen, "reassignConversation", staff, conversation_id=cid, body=move).assignee.id
        == ids["staffId"]
    )
    assert _call(gen, "listStaffUsers", admin).items
    rights = models.AccessRights(portal_messaging=True, view_others_messages=False)
    _call(gen, "updateStaffUserRights", admin, staff_user_id=ids["staffId"], body=rights)
    unregistered = {"patient_id": ids["unregistered_patientId"]}
    invited = _call(gen, "invitePatientToPortal", admin, body=models.NewInvitationType0(), **unregistered)
    assert invited.portal_url
    _call(gen, "removePortalAccess", admin, patient_id=ids["second_patientId"])
    practice = _call(gen, "getPracticeMessageSettings", admin)
    _call(gen, "updatePracticeMessageSettings", admin, body=practice)
    own = _call(gen, "getProviderMessageSettings", admin, provider_id=ids["provider_tightId"])
    _call(gen, "updateProviderMessageSettings", admin, provider_id=ids["provider_tightId"], body=own.settings)
    assert _call(gen, "listOutbox", admin).items
