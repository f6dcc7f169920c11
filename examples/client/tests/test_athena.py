from __future__ import annotations

import datetime as dt
from typing import Any

from patient_clients import AthenaClient
from patientmsg.testing import PatientmsgSandbox

MARK = "written by test_reply_shows_in_its_thread"


def test_inbox_follows_every_next_link_from_the_root(
    athena: AthenaClient, athena_ids: dict[str, Any]
) -> None:
    threads = list(athena.inbox(athena_ids["small_patientid"], limit=2))
    ids = [thread["messagethreadid"] for thread in threads]
    assert len(threads) > 2, "the small mailbox spans more than one page of 2"
    assert len(ids) == len(set(ids)), "no thread twice across pages"


def test_reply_shows_in_its_thread(athena: AthenaClient, athena_ids: dict[str, Any]) -> None:
    patient, thread = athena_ids["patientid"], athena_ids["messagethreadid"]
    athena.reply(patient, thread, MARK)
    texts = [message["text"] for message in athena.thread(patient, thread)["messagelist"]]
    assert MARK in texts


def test_the_previous_tests_reply_is_not_in_this_world(
    athena: AthenaClient, athena_ids: dict[str, Any]
) -> None:
    # Runs after test_reply_shows_in_its_thread (file order): its world was its own.
    texts = [
        m["text"]
        for m in athena.thread(athena_ids["patientid"], athena_ids["messagethreadid"])["messagelist"]
    ]
    assert MARK not in texts


def test_reset_takes_the_reply_back(
    athena: AthenaClient, athena_ids: dict[str, Any], patientmsg_sandbox: PatientmsgSandbox
) -> None:
    patient, thread = athena_ids["patientid"], athena_ids["messagethreadid"]
    before = len(athena.thread(patient, thread)["messagelist"])
    athena.reply(patient, thread, "to be undone")
    patientmsg_sandbox.reset()
    assert len(athena.thread(patient, thread)["messagelist"]) == before


def test_an_expired_token_is_fetched_again(
    athena: AthenaClient, athena_ids: dict[str, Any], patientmsg_sandbox: PatientmsgSandbox
) -> None:
    athena.thread(athena_ids["patientid"], athena_ids["messagethreadid"])
    patientmsg_sandbox.clock(advance=dt.timedelta(hours=2))  # athena tokens live 3600 s
    athena.thread(athena_ids["patientid"], athena_ids["messagethreadid"])
    tokens = patientmsg_sandbox.journal(api="athena", operation_id="createAccessToken", status=200)
    refused = patientmsg_sandbox.journal(api="athena", operation_id="getMessageThread", status=401)
    assert (len(tokens), len(refused)) == (2, 1)
