"""No vacuous result: a pass needs a verifier that asserted something; a skip keeps its failures."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import schemathesis
from patientmsg.conformance.catalogue import load_catalogue
from patientmsg.conformance.reports.model import Report, judge
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.run.ledger import Ledger
from patientmsg.conformance.run.probe_runner import run_one
from patientmsg.conformance.run.schemathesis_adapter import builtin_check_applies
from patientmsg.conformance.setup.identity import Identity, Redactor
from patientmsg.conformance.setup.kit_config import AuthConfig, load_config
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import Probe

TODAY = dt.date(2026, 11, 21)
PAGE_PROBE = "oracle_has_additional_list_items_is_truthful"  # ORA-PAG-003, MUST


def _context() -> ProbeContext:
    config = load_config("oracle", "http://127.0.0.1:9/oracle", None)
    primary = Identity("oracle", AuthConfig("bearer_token", {"bearer_token": "tok-123456"}), token_url=None)
    return ProbeContext(config, primary, None, Redactor(primary), lambda exchange: None, seed=0)


def _exchange(status: int = 200) -> Exchange:
    url = "http://127.0.0.1:9/oracle/patientMessages/inboxItems?patientId=1"
    return Exchange("GET", url, {"Accept": "application/json"}, None, status, {}, b'{"items": []}')


def _judge(ledger: Ledger, requirement: str, *, strict: bool = False, allow_writes: bool = True) -> Report:
    selected = [load_catalogue("oracle").by_id(requirement)]
    results = judge(selected, ledger, {}, allow_writes=allow_writes, has_second=False, today=TODAY)
    return Report(api="oracle", base_url="http://127.0.0.1:9/oracle", seed=0, strict=strict, results=results)


def test_a_skip_after_a_failure_keeps_the_failure() -> None:
    """The ORA-PAG-003 defect: a probe records a failure, then raises Skip; the run must still fail."""

    def fail_then_skip(ctx: ProbeContext) -> None:
        ctx.fail(
            "hasAdditionalListItems is wrong",
            received="true on 9 items",
            documented="false",
            exchange=_exchange(),
        )
        raise Skip("the patient has 9 items; one page holds them all")

    ledger = Ledger(load_catalogue("oracle"))
    run_one(Probe(PAGE_PROBE, "oracle", fail_then_skip), _context(), ledger)
    report = _judge(ledger, "ORA-PAG-003")
    assert report.results[0].status == "failed"
    assert report.results[0].checked == 1
    assert "hasAdditionalListItems is wrong" in report.results[0].failures[0].message
    assert not report.passed


def test_a_probe_that_checked_nothing_is_skipped_not_passed() -> None:
    """The ATH-PAG-005 defect class: requests sent, nothing compared, so nothing may pass."""

    def look_but_assert_nothing(ctx: ProbeContext) -> None:
        del ctx

    ledger = Ledger(load_catalogue("oracle"))
    outcome = run_one(Probe(PAGE_PROBE, "oracle", look_but_assert_nothing), _context(), ledger)
    result = _judge(ledger, "ORA-PAG-003").results[0]
    assert outcome.startswith("skipped") and result.status == "skipped" and result.checked == 0
    assert result.note and PAGE_PROBE in result.note


def test_a_probe_that_checked_passes_with_its_count() -> None:
    def assert_two(ctx: ProbeContext) -> None:
        ctx.checked(_exchange(), _exchange())

    ledger = Ledger(load_catalogue("oracle"))
    run_one(Probe(PAGE_PROBE, "oracle", assert_two), _context(), ledger)
    result = _judge(ledger, "ORA-PAG-003").results[0]
    assert (result.status, result.checked) == ("passed", 2)


def test_a_requirement_whose_verifiers_never_asserted_is_skipped() -> None:
    """The old model passed a requirement when any verifier merely ran."""
    ledger = Ledger(load_catalogue("oracle"))
    ledger.count_checked("oracle_every_response_has_opc_request_id", 0)
    result = _judge(ledger, "ORA-HDR-002").results[0]
    assert result.status == "skipped" and result.checked == 0


def test_strict_fails_a_run_with_an_unexercised_must() -> None:
    ledger = Ledger(load_catalogue("oracle"))
    assert _judge(ledger, "ORA-PAG-003").passed
    assert not _judge(ledger, "ORA-PAG-003", strict=True).passed


def test_strict_lets_a_skip_the_user_chose_be() -> None:
    catalogue = load_catalogue("oracle")
    writes = next((r for r in catalogue.requirements if "writes" in r.needs), None)
    second = next(r for r in catalogue.requirements if "second" in r.needs)
    ledger = Ledger(catalogue)
    for requirement in [r for r in (writes, second) if r is not None]:
        report = _judge(ledger, requirement.id, strict=True, allow_writes=False)
        assert report.results[0].status == "skipped" and report.results[0].chosen_skip
        assert report.passed


def _case(mode: schemathesis.GenerationMode, codes: tuple[str, ...] = ("200",)) -> SimpleNamespace:
    operation = SimpleNamespace(method="get", responses=SimpleNamespace(status_codes=codes))
    return SimpleNamespace(meta=SimpleNamespace(generation=SimpleNamespace(mode=mode)), operation=operation)


def test_builtin_checks_count_only_the_cases_they_apply_to() -> None:
    positive, negative = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
    assert not builtin_check_applies("negative_data_rejection", _case(positive), "GET", 200)
    assert builtin_check_applies("negative_data_rejection", _case(negative), "GET", 400)
    assert not builtin_check_applies("positive_data_acceptance", _case(negative), "GET", 400)
    assert not builtin_check_applies(
        "status_code_conformance", _case(positive, ("200", "default")), "GET", 200
    )
    assert not builtin_check_applies("unsupported_method", _case(positive), "GET", 200)
    assert builtin_check_applies("unsupported_method", _case(positive), "TRACE", 405)
    assert not builtin_check_applies("allow_header_conformance", _case(positive), "GET", 200)
    assert not builtin_check_applies(
        "response_schema_conformance", _case(positive), "GET", 204, has_body=False
    )
    assert builtin_check_applies("response_schema_conformance", _case(positive), "GET", 200)
