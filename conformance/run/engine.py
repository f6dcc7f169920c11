"""Generated cases: schemathesis's engine run on the bundled spec, its event stream read into the ledger."""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import configuration
from patientmsg.conformance.registry import RESPONSE_CHECKS
from patientmsg.conformance.run.curl import curl_line
from patientmsg.conformance.run.exemptions import documented_refusal
from patientmsg.conformance.run.ledger import Ledger
from patientmsg.conformance.run.routing import BUILTIN_CHECKS, failure_verifier, success_verifiers
from patientmsg.conformance.run.schemathesis_adapter import (
    builtin_check_applies,
    error_code_sample,
    is_network_error,
)
from patientmsg.conformance.setup.identity import Redactor
from patientmsg.conformance.setup.usage import UsageProblem
from patientmsg.specs import load_spec
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.engine.recorder import Interaction, ScenarioRecorder

__all__ = ["EnginePlan", "engine_config", "run_engine"]

# Without --allow-writes only methods that change nothing probe a path for 405.
SAFE_UNEXPECTED_METHODS = ["options", "trace"]
# The engine's phases, as a vendor reading the progress would say them.
_PHASE_WORDS = {
    "examples": "the spec's documented examples",
    "coverage": "boundary values, each invalid value, unlisted methods",
    "fuzzing": "random valid and invalid requests",
    "stateful": "sequences of calls",
}
_FILTERED = re.compile(r"-H 'Authorization: \[Filtered\]'")


@dataclass(frozen=True)
class EnginePlan:
    api: str
    base_url: str
    seed: int
    max_examples: int
    allow_writes: bool
    # Names of schemathesis checks to run: built-ins and the kit's own.
    checks: tuple[str, ...]
    authorization: str
    parameters: dict[str, Any]
    # Per-operation overrides: operationId -> {"parameters": {...}, "headers": {...}}.
    operations: dict[str, dict[str, Any]]
    # Schemathesis's own limiter, e.g. "10/s"; None: as fast as the target answers.
    rate_limit: str | None = None


# APIs whose spec declares OpenAPI links that chain writes (the portal: send -> follow up -> archive ->
# re-open): their stateful phase runs with --allow-writes, on the spec's links only (no inferred ones).
STATEFUL_APIS = ("portal",)


def _stateful(plan: EnginePlan) -> dict[str, Any]:
    if plan.api in STATEFUL_APIS and plan.allow_writes:
        return {"enabled": True, "inference": {"algorithms": []}}
    return {"enabled": False}


def engine_config(plan: EnginePlan) -> dict[str, Any]:
    """The schemathesis config (the same keys as its schemathesis.toml) for one run."""
    every_check = set(BUILTIN_CHECKS) | {c.name for checks in RESPONSE_CHECKS.values() for c in checks}
    operations: list[dict[str, Any]] = [
        {"include-operation-id": operation_id, **override}
        for operation_id, override in plan.operations.items()
    ]
    if not plan.allow_writes:
        operations.append({"exclude-method": "GET", "enabled": False})
    coverage: dict[str, Any] = {} if plan.allow_writes else {"unexpected-methods": SAFE_UNEXPECTED_METHODS}
    return {
        "seed": plan.seed,
        "base-url": plan.base_url,
        "workers": 1,
        "cache": {"enabled": False},
        "suppress-health-check": ["all"],
        "request-timeout": 30,
        # One failure must not end an operation's exploration: other requirements still need its responses.
        "continue-on-failure": True,
        "headers": {"Authorization": plan.authorization},
        "generation": {
            "mode": "all",
            "max-examples": plan.max_examples,
            "database": "none",
            "no-shrink": True,
        },
        "phases": {"stateful": _stateful(plan), "coverage": coverage},
        "checks": {
            "enabled": False,
            **{name: {"enabled": name in plan.checks} for name in sorted(every_check)},
        },
        "parameters": plan.parameters,
        "operations": operations,
        **({"rate-limit": plan.rate_limit} if plan.rate_limit else {}),
    }


def _request_curl(interaction: Interaction | None, redactor: Redactor) -> str:
    if interaction is None:
        return ""
    request = interaction.request
    headers = {name: values[0] for name, values in request.headers.items() if values}
    return curl_line(request.method, request.uri, headers, request.body, redactor)


def _status(interaction: Interaction | None) -> int | None:
    return interaction.response.status_code if interaction is not None and interaction.response else None


@dataclass
class _Reader:
    ledger: Ledger
    redactor: Redactor
    progress: Callable[[str], None]
    requests: int = 0
    # Requests the probes sent before the engine started, for the running total.
    sent_before: int = 0

    def scenario(self, event: events.ScenarioFinished) -> None:
        recorder: ScenarioRecorder = event.recorder
        self.requests += len(recorder.interactions)
        failed = 0
        for case_id, nodes in recorder.checks.items():
            interaction = recorder.interactions.get(case_id)
            if _status(interaction) == 429:
                # The target asked the kit to slow down: that answer says nothing about any requirement.
                self.ledger.throttled += 1
                continue
            case = recorder.cases.get(case_id)
            for node in nodes:
                if node.failure_info is None:
                    if not self._applies(node.name, case.value if case else None, interaction):
                        continue
                    for name in success_verifiers(self.ledger.catalogue, node.name, _status(interaction)):
                        self.ledger.count_checked(name)
                    continue
                failure = node.failure_info.failure
                # A check that sent its own request (e.g. without credentials) failed on that one.
                own = recorder.interactions.get(failure.case_id or "") or interaction
                verifier = failure_verifier(self.ledger.catalogue, node.name, failure, _status(own))
                if verifier is None or (
                    node.name == "positive_data_acceptance"
                    and own is not None
                    and documented_refusal(self.ledger.catalogue.api, own.request.uri)
                ):
                    continue
                failed += 1
                self.ledger.count_checked(verifier)
                message = self.redactor.scrub(f"[{failure.operation or recorder.label}] {failure}")
                self.ledger.fail(
                    verifier, message, _request_curl(own, self.redactor), recorder.label, _status(own)
                )
        if event.status.value != "skip":
            verdict = f", {failed} failed checks" if failed else ""
            self.progress(
                f"  {recorder.label}: {len(recorder.interactions)} requests{verdict} "
                f"({self.sent_before + self.requests} so far)"
            )

    def _applies(self, check: str, case: Any, interaction: Interaction | None) -> bool:
        method = interaction.request.method if interaction is not None else None
        # A refusal a documented rule allows was not a judgement of the check.
        if (
            check == "positive_data_acceptance"
            and interaction is not None
            and documented_refusal(self.ledger.catalogue.api, interaction.request.uri)
        ):
            return False
        response = interaction.response if interaction is not None else None
        has_body = response is not None and bool(response.content)
        return builtin_check_applies(check, case, method, _status(interaction), has_body=has_body)

    def read(self, event: events.EngineEvent) -> None:
        if isinstance(event, events.PhaseStarted) and event.phase.is_enabled:
            # The engine's own set-up phases (probing, schema analysis...) mean nothing to a vendor.
            if event.phase.name.value in _PHASE_WORDS:
                self.progress(f"generated cases: {_PHASE_WORDS[event.phase.name.value]}")
        elif isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
            self.scenario(event)
        elif isinstance(event, events.NonFatalError):
            self.error(event)
        elif isinstance(event, events.FatalError):
            raise UsageProblem(f"engine stopped: {type(event.exception).__name__}: {event.exception}")

    def error(self, event: events.NonFatalError) -> None:
        title, message = event.info.title, self.redactor.scrub(event.info.message)
        if is_network_error(event.info):
            placeholder = " ".join(self.redactor.placeholder_args())
            sample = _FILTERED.sub(lambda _: placeholder, error_code_sample(event.info))
            self.ledger.fail(
                "not_a_server_error",
                f"[{event.label}] {title}\nReceived: {message}\nDocumented: an HTTP response",
                self.redactor.scrub(sample),
                event.label,
            )
        else:
            self.progress(f"  warning: {event.label}: {title}: {message.splitlines()[0] if message else ''}")


@contextlib.contextmanager
def _private_hypothesis_home() -> Iterator[None]:
    """Hypothesis caches into ./.hypothesis; a run against a vendor's server leaves its checkout alone."""
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    with tempfile.TemporaryDirectory(prefix="patientmsg-check-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


def run_engine(
    plan: EnginePlan,
    ledger: Ledger,
    redactor: Redactor,
    progress: Callable[[str], None],
    *,
    sent_before: int = 0,
) -> int:
    """Run the phases (stateful only for STATEFUL_APIS with writes); returns how many requests were sent."""
    config = SchemathesisConfig.from_dict(engine_config(plan))
    schema = schemathesis.openapi.from_dict(load_spec(plan.api), config=config)
    reader = _Reader(ledger=ledger, redactor=redactor, progress=progress, sent_before=sent_before)
    with _private_hypothesis_home():
        for event in from_schema(schema).execute():
            reader.read(event)
    return reader.requests
