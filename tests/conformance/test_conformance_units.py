"""Pieces of the kit on their own: TOML writer, redaction, curl lines, routing, single checks."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from patientmsg.conformance.athena import checks as athena_checks
from patientmsg.conformance.catalogue import load_catalogue
from patientmsg.conformance.mdhq import checks as mdhq_checks
from patientmsg.conformance.oracle.checks import bodies as oracle_bodies
from patientmsg.conformance.run.curl import curl_line
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.run.routing import failure_verifier
from patientmsg.conformance.setup.identity import Identity, Redactor
from patientmsg.conformance.setup.kit_config import AuthConfig
from patientmsg.conformance.setup.tomlout import dump_toml


def _exchange(url: str, status_code: int, body: Any, method: str = "GET") -> Exchange:
    return Exchange(
        method, url, {}, None, status_code, {"content-type": "application/json"}, json.dumps(body).encode()
    )


def test_toml_writer_round_trips() -> None:
    data = {
        "base_url": "http://x/a",
        "auth": {"oauth2": {"client_id": 'a"b', "client_secret": "<redacted>"}},
        "ids": {"practiceid": 1, "patientId": "12", "flag": True},
    }
    assert tomllib.loads(dump_toml(data)) == data


def test_curl_replaces_kit_credentials_with_variables() -> None:
    basic = Identity(
        "mdhq", AuthConfig("basic", {"username": "user", "password": "s3cret-pass"}), token_url=None
    )
    bearer = Identity("oracle", AuthConfig("bearer_token", {"bearer_token": "tok-123456"}), token_url=None)
    redactor = Redactor(basic, bearer)
    line = curl_line(
        "GET", "http://h/x?q=tok-123456", {"Authorization": basic.authorization()}, None, redactor
    )
    assert '-u "$MDHQ_USERNAME:$MDHQ_PASSWORD"' in line and "s3cret" not in line
    line = curl_line("POST", "http://h/y", {"Authorization": "Bearer tok-123456"}, b"a=1", redactor)
    assert '"Authorization: Bearer $ORACLE_TOKEN"' in line and "tok-123456" not in line
    assert "--data-binary a=1" in line
    assert redactor.scrub('{"access_token": "issued-elsewhere"}') == '{"access_token": "<redacted>"}'


def test_schema_failures_route_by_field_and_status() -> None:
    athena = load_catalogue("athena")
    missing = SimpleNamespace(
        schema_path=["allOf", 1, "required"], message='"documentid" is a required property'
    )
    inferred = SimpleNamespace(schema_path=["required"], message='"messagethreadid" is a required property')
    wrong = SimpleNamespace(
        schema_path=["properties", "sendertype", "enum"], instance_path=["messagelist", 0, "sendertype"]
    )
    check = "response_schema_conformance"
    assert failure_verifier(athena, check, missing, 200) == f"{check}/required"
    assert failure_verifier(athena, check, inferred, 200) == f"{check}/required-inferred"
    assert failure_verifier(athena, check, wrong, 200) == f"{check}/schema-inferred"
    assert failure_verifier(athena, check, wrong, 404) == f"{check}/error"
    # MD HQ documents no body at all: a missing field is the inferred requirement.
    assert failure_verifier(load_catalogue("mdhq"), check, missing, 200) == f"{check}/required-inferred"


def test_page_size_and_links_follow_limit_and_offset() -> None:
    url = "http://h/athena/v1/1/patients/2/securemessage/inboxmessages?limit=2&offset=2"
    entries = [{"documentid": 1}, {"documentid": 2}]
    link = "/v1/1/patients/2/securemessage/inboxmessages?limit=2&offset="
    good = {"totalcount": 5, "messages": entries, "next": link + "4", "previous": link + "0"}
    assert athena_checks.athena_page_size_matches_limit(_exchange(url, 200, good)) is None
    assert athena_checks.athena_next_and_previous_are_consistent(_exchange(url, 200, good)) is None
    with pytest.raises(ConformanceFailure, match="Received: 3 inboxmessages"):
        athena_checks.athena_page_size_matches_limit(
            _exchange(url, 200, {**good, "messages": [*entries, {}]})
        )
    no_next = {key: value for key, value in good.items() if key != "next"}
    with pytest.raises(ConformanceFailure, match="next absent"):
        athena_checks.athena_next_and_previous_are_consistent(_exchange(url, 200, no_next))
    wrong_previous = {**good, "previous": link + "1"}
    with pytest.raises(ConformanceFailure, match="instead of limit=2&offset=0"):
        athena_checks.athena_next_and_previous_are_consistent(_exchange(url, 200, wrong_previous))


def test_links_keep_showplaintext_but_may_drop_undocumented_parameters() -> None:
    """A generated request's noise (`=null`, unknown names) need not come back in `next`: no false alarm."""
    base = "http://h/athena/v1/1/patients/2/securemessage/inboxmessages?limit=1&offset=1"
    link = "/v1/1/patients/2/securemessage/inboxmessages?"
    body = {"totalcount": 3, "messages": [{"documentid": 1}]}
    noisy = _exchange(base + "&=null&colour=2", 200, {**body, "next": link + "limit=1&offset=2",
                                                      "previous": link + "limit=1&offset=0"})  # fmt: skip
    assert athena_checks.athena_next_and_previous_are_consistent(noisy) is None
    plain = _exchange(base + "&showplaintext=Y", 200, {**body, "next": link + "limit=1&offset=2",
                                                       "previous": link + "limit=1&offset=0"})  # fmt: skip
    with pytest.raises(ConformanceFailure, match="other parameters changed"):
        athena_checks.athena_next_and_previous_are_consistent(plain)


def test_oracle_date_time_needs_its_zone() -> None:
    url = "http://h/oracle/20241001/patientMessages/inboxItems?patientId=1"
    created = {"dateTime": "2026-11-20T10:00:00.000Z"}
    item = {"id": "m1", "createdDateTime": created}
    with pytest.raises(ConformanceFailure, match="ianaTimeZone"):
        oracle_bodies.oracle_times_carry_iana_time_zone(_exchange(url, 200, {"items": [item]}))
    created["ianaTimeZone"] = "America/Chicago"
    assert oracle_bodies.oracle_times_carry_iana_time_zone(_exchange(url, 200, {"items": [item]})) is None


def test_default_response_covers_errors_only() -> None:
    url = "http://h/mdhq/api/v1/patients/1/portal/enqueued"
    assert mdhq_checks.mdhq_status_code_is_documented(_exchange(url, 200, {})) is None
    assert mdhq_checks.mdhq_status_code_is_documented(_exchange(url, 418, {})) is None
    with pytest.raises(ConformanceFailure, match="Received: 203"):
        mdhq_checks.mdhq_status_code_is_documented(_exchange(url, 203, {}))
    assert mdhq_checks.mdhq_status_code_is_documented(_exchange("http://h/mdhq/elsewhere", 203, {})) is True


def test_schemathesis_adapter_network_error_reads_public_title_and_code_sample() -> None:
    """Fails by name when the pinned Schemathesis renames what the adapter reads."""
    import requests
    from patientmsg.conformance.run.schemathesis_adapter import error_code_sample, is_network_error
    from schemathesis.engine.errors import EngineErrorInfo

    info = EngineErrorInfo(requests.ConnectionError("refused"), code_sample="curl -X GET http://h/x")
    assert is_network_error(info), "EngineErrorInfo.title is no longer 'Network Error'"
    assert error_code_sample(info) == "curl -X GET http://h/x", "EngineErrorInfo.code_sample changed"
    assert not is_network_error(EngineErrorInfo(RuntimeError("x")))


def test_schemathesis_adapter_case_meta_and_modes_are_public() -> None:
    import schemathesis
    from schemathesis.generation.case import Case

    assert isinstance(Case.__dict__.get("meta"), property), "Case.meta is no longer a public property"
    assert schemathesis.GenerationMode.NEGATIVE.is_negative, "GenerationMode.is_negative changed"
    assert schemathesis.GenerationMode.POSITIVE.is_positive, "GenerationMode.is_positive changed"


def test_the_kit_reads_no_private_schemathesis_attribute() -> None:
    """Private names (`_kind`, `_code_sample`, `_raw_message`) held the kit to one exact pin."""
    import re
    from importlib.resources import files

    root = files("patientmsg.conformance")
    private = re.compile(r"\.(_kind|_code_sample|_raw_message|_meta)\b")
    sources = list(Path(str(root)).rglob("*.py"))
    assert sources
    offenders = [str(p) for p in sources if private.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
