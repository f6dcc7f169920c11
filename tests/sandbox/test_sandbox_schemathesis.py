"""Schemathesis against each API of the sandbox: every built-in check, positive and negative data,
all of its phases, zero failures. The repository's schemathesis.toml supplies the only declarations."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import schemathesis
from patientmsg.conformance.run.exemptions import documented_refusal
from patientmsg.fixtures import Clock
from patientmsg.mockserver import create_app
from portal_helpers import portal_token
from sandbox_helpers import APIS, NOW, SEED, athena_token, copy_store
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from starlette.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 25
# Schemathesis's built-in checks, all enabled. Checks registered elsewhere in the process (the
# registry is global, e.g. the conformance kit's) are switched off: they are not this run's.
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
    "missing_required_header",
    "ignored_auth",
    "object_level_authorization",
    "unsupported_method",
    "allow_header_conformance",
)
# Checks that apply to every operation; the others (e.g. use_after_free) only fire on some sequences.
ALWAYS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "unsupported_method",
    "ignored_auth",
}
# Parameter -> the documented id it gets as its `example`, so positive cases reach real records
# (random ids are all unknown: 404s only). Negative cases still mutate every parameter.
EXAMPLES = {
    "athena": {"practiceid": "practiceid", "patientid": "patientid", "messagethreadid": "messagethreadid"},
    "oracle": {"patientId": "small_patientId"},
    "mdhq": {"pt_id": "pt_id", "queue_request_id": "queue_request_id"},
    # The portal's staff token may view others' messages, so the main patient's ids reach records.
    # The administrator's writes (remove access, rights) go to a second patient and to the staff user
    # without the messaging right, so they never lock out the tokens the run itself uses.
    "portal": {
        "conversationId": "awaiting_conversationId",
        "messageId": "awaiting_messageId",
        "providerId": "provider_openId",
        "patientId": "second_patientId",
        "staffUserId": "no_messaging_staffId",
        "taskId": "taskId",
    },
}
SERVED = (*APIS, "portal")


def with_examples(document: dict[str, Any], api: str, ids: dict[str, Any]) -> dict[str, Any]:
    shared = list(document.get("components", {}).get("parameters", {}).values())
    inline = [
        param
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for param in operation.get("parameters", [])
        if "$ref" not in param
    ]
    for param in shared + inline:
        if param.get("name") in EXAMPLES[api]:
            # The spec's own examples (e.g. every portal patient) would reach records the run must not
            # touch, such as the patient whose token it holds: the documented id replaces them.
            param.pop("examples", None)
            for key in ("example", "examples"):
                (param.get("schema") or {}).pop(key, None)
            param["example"] = ids[EXAMPLES[api][param["name"]]]
        elif param.get("in") == "query" and "example" not in param and "examples" not in param:
            # Every documented value of a choice is sent on purpose, not by the luck of generation:
            # a sandbox that refused sortBy=priority must not pass because no case asked for it.
            values = (param.get("schema") or {}).get("enum") or []
            if values:
                param["examples"] = {str(value): {"value": value} for value in values}
    return document


def run_config(client: TestClient, config: dict[str, Any], api: str = "") -> SchemathesisConfig:
    """The checkout's schemathesis.toml plus this run's settings: seed, bounds, credentials."""
    data = tomllib.loads((REPO / "schemathesis.toml").read_text(encoding="utf-8"))
    oauth = config["athena"]["auth"]["oauth2"]
    basic = config["mdhq"]["auth"]["basic"]
    logins = config["portal"]["auth"]["logins"]
    data["seed"] = SEED
    data["checks"] = {"enabled": False, **{name: {"enabled": True} for name in BUILTIN_CHECKS}}
    data["generation"] = {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "database": "none",
        "deterministic": True,
    }
    data["auth"] = {
        "openapi": {
            "athenaClientBasic": {"username": oauth["client_id"], "password": oauth["client_secret"]},
            "athenaOAuth2": {"bearer": athena_token(client, oauth)},  # fetched first, as a client would
            "oracleBearer": {"bearer": config["oracle"]["auth"]["bearer_token"]},
            "mdhqBasic": {"username": basic["username"], "password": basic["password"]},
            "patientBearer": {"bearer": portal_token(client, logins["patient"])},
            "staffBearer": {"bearer": portal_token(client, logins["view_others_staff"])},
            "adminBearer": {"bearer": portal_token(client, logins["admin"])},
        }
    }
    if api == "portal":
        # Ids taken from responses would let the administrator's operations chain from listStaffUsers
        # and turn off the messaging right of the very users whose tokens the run holds (in every phase:
        # with each documented `view` sent, the examples phase took the main patient's id from a staff
        # list and removed that patient's portal access); the spec's own
        # links (send -> follow up -> archive -> re-open) still drive the stateful phase.
        data["phases"] = {
            "examples": {"extra-data-sources": {"responses": False}},
            "coverage": {"extra-data-sources": {"responses": False}},
            "fuzzing": {"extra-data-sources": {"responses": False}},
            "stateful": {"inference": {"algorithms": []}},
        }
    return SchemathesisConfig.from_dict(data)


def describe(event: events.ScenarioFinished, case_id: str, check: Any) -> str:
    interaction = event.recorder.interactions.get(case_id)
    info = check.failure_info
    line = f"{event.phase.value} {event.recorder.label}: {check.name}"
    if info is not None:
        line += f" - {info.failure.title}: {info.failure.message}"
    if interaction is not None and interaction.response is not None:
        request, response = interaction.request, interaction.response
        line += f"\n    {request.method} {request.uri} -> {response.status_code} {response.content[:300]!r}"
    return line


def _set_aside(api: str, event: events.ScenarioFinished, case_id: str, check: Any) -> bool:
    """A refusal a documented rule makes of a schema-valid request (schemathesis.toml says which)."""
    interaction = event.recorder.interactions.get(case_id)
    return (
        check.name == "positive_data_acceptance"
        and interaction is not None
        and documented_refusal(api, interaction.request.uri) is not None
    )


def schemathesis_run(api: str, app: Any, config: dict[str, Any]) -> tuple[list[str], set[str], set[int]]:
    """(failures, checks that ran, statuses seen) of Schemathesis against one API of `app`."""
    with TestClient(app) as client:
        settings = run_config(client, config, api)
        document = with_examples(client.get(f"/{api}/openapi.json").json(), api, config[api]["ids"])
    schema = schemathesis.openapi.from_dict(document, config=settings)
    schema.app = app  # as schemathesis.openapi.from_asgi does: requests go to the app in process
    failures: list[str] = []
    checks_run: set[str] = set()
    statuses: set[int] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    checks_run.add(check.name)
                    if check.status == Status.FAILURE and not _set_aside(api, event, case_id, check):
                        failures.append(describe(event, case_id, check))
            statuses |= {i.response.status_code for i in event.recorder.interactions.values() if i.response}
        elif isinstance(event, events.NonFatalError):
            failures.append(f"error in {event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
    return failures, checks_run, statuses


@pytest.mark.parametrize("api", SERVED)
def test_schemathesis_finds_no_failure(
    api: str, template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    app = create_app(copy_store(template), Clock(NOW), seed=SEED)
    failures, checks_run, statuses = schemathesis_run(api, app, config)
    assert not failures, "\n".join(failures[:20])
    assert checks_run >= ALWAYS, f"checks that never ran: {sorted(ALWAYS - checks_run)}"
    assert 200 in statuses and 404 in statuses and 400 in statuses, statuses


def _refuse_priority_sort(app: Any) -> Any:
    """A regression to plant: listInboxItems answers 400 to the documented sortBy=priority."""

    async def refusing(scope: dict[str, Any], receive: Any, send: Any) -> None:
        query = parse_qs(scope.get("query_string", b"").decode())
        if (
            scope["type"] == "http"
            and scope["path"].endswith("/inboxItems")
            and "priority" in query.get("sortBy", [])
        ):
            body = b'{"code": "BAD_REQUEST", "message": "sortBy"}'
            headers = [(b"content-type", b"application/json"), (b"opc-request-id", b"x")]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return refusing


def test_schemathesis_catches_a_sandbox_that_refuses_a_valid_request(
    template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    """schemathesis.toml once allowed 400 for every valid listInboxItems request, hiding this."""
    app = _refuse_priority_sort(create_app(copy_store(template), Clock(NOW), seed=SEED))
    failures, _, _ = schemathesis_run("oracle", app, config)
    assert any("positive_data_acceptance" in line and "sortBy=priority" in line for line in failures), (
        failures
    )
