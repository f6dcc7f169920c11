"""Generated cases: schemathesis's engine run on the bundled spec, its event stream read into the ledger."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import configuration
from patientmsg.conformance.catalogue import Catalogue
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
from schemathesis import BaseSchema
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.engine.recorder import Interaction, ScenarioRecorder

__all__ = ["EnginePlan", "Finish", "engine_config", "engine_jobs", "run_engine", "started_engine"]

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
    # Processes the operations are spread over (see engine_jobs); 1: all in this one.
    jobs: int = 1


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


# A progress line and the requests it reports (None: a line that reports none, e.g. a phase's start).
Progress = Callable[[str, int | None], None]


@dataclass
class _Reader:
    ledger: Ledger
    redactor: Redactor
    progress: Progress
    requests: int = 0

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
            sent = len(recorder.interactions)
            self.progress(f"  {recorder.label}: {sent} requests{verdict}", sent)

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
                self.progress(f"generated cases: {_PHASE_WORDS[event.phase.name.value]}", None)
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
            first = message.splitlines()[0] if message else ""
            self.progress(f"  warning: {event.label}: {title}: {first}", None)


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


def engine_jobs(*, max_examples: int, allow_writes: bool, rate_limit: str | None) -> int:
    """How many processes a run spreads its operations over.

    Generating cases is CPU-bound Python (Hypothesis, in one thread: Schemathesis's workers are threads
    sharing one interpreter lock), so a second core only helps from a second process. Operations are
    independent of one another while nothing is written, each seeded on its own, so the split changes no
    case. It stays one process with writes (an operation's writes change what the next one reads), with
    a rate limit (each process would keep its own), and for a few examples (a fork costs more than it saves).
    """
    if allow_writes or rate_limit or max_examples < SPLIT_FROM_EXAMPLES:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():  # Windows: one process
        return 1
    return max(1, min(MAX_JOBS, usable_cpus()))


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the OS has one, else all of them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


# Below this --max-examples the engine runs in one process; at the default (200) it pays on two cores.
SPLIT_FROM_EXAMPLES = 50
MAX_JOBS = 2


@dataclass
class _Share:
    """What one operation's engine run recorded, sent back from the process that ran it."""

    ledger: Ledger
    lines: list[tuple[str, int | None]]
    requests: int


def _execute(schema: BaseSchema, reader: _Reader) -> None:
    with _private_hypothesis_home():
        for event in from_schema(schema).execute():
            reader.read(event)


# Set by the parent just before its pool forks: the children inherit it, nothing is pickled.
_FORKED: dict[str, Any] = {}


def _run_share(operation_id: str) -> _Share:
    """In a child process: the engine on one operation, into a ledger of its own."""
    plan: EnginePlan = _FORKED["plan"]
    ledger = Ledger(_FORKED["catalogue"])
    lines: list[tuple[str, int | None]] = []
    reader = _Reader(ledger=ledger, redactor=_FORKED["redactor"], progress=lambda t, n: lines.append((t, n)))
    _execute(_schema(plan, only=operation_id), reader)
    return _Share(ledger, lines, reader.requests)


def _schema(plan: EnginePlan, *, only: str | None = None) -> BaseSchema:
    config = engine_config(plan)
    if only is not None:
        # Every other operation off (BaseSchema.include gives way to a config's own operation filters).
        config["operations"].append({"exclude-operation-id": only, "enabled": False})
    return schemathesis.openapi.from_dict(load_spec(plan.api), config=SchemathesisConfig.from_dict(config))


def _operation_ids(api: str, *, allow_writes: bool) -> list[str]:
    """The spec's operations the engine runs, in the spec's order (without writes, reads only)."""
    found = []
    for methods in (load_spec(api).get("paths") or {}).values():
        for method, operation in methods.items():
            readable = allow_writes or method.lower() == "get"
            if isinstance(operation, dict) and "operationId" in operation and readable:
                found.append(str(operation["operationId"]))
    return found


# finish(ledger, progress, sent_before=N): the engine's requests, its verdicts merged into the ledger.
Finish = Callable[..., int]


@contextlib.contextmanager
def started_engine(plan: EnginePlan, redactor: Redactor, catalogue: Catalogue) -> Iterator[Finish]:
    """Start the engine (in other processes, when the plan splits it) and give the call that finishes it.

    Split, the children generate while this process runs the probes: nothing is written in a run
    that splits, so neither sees the other. Their verdicts join the ledger only in `finish`, after the
    probes', in the spec's order of operations, as one process would have recorded them.
    """
    operations = _operation_ids(plan.api, allow_writes=plan.allow_writes)
    if plan.jobs < 2 or len(operations) < 2:

        def in_this_process(ledger: Ledger, progress: Callable[[str], None], *, sent_before: int = 0) -> int:
            reader = _Reader(ledger=ledger, redactor=redactor, progress=_counting(progress, sent_before))
            _execute(_schema(plan), reader)
            return reader.requests

        yield in_this_process
        return
    _FORKED.update(plan=plan, catalogue=catalogue, redactor=redactor)
    try:
        # fork: the children start from this process's imports and registered checks, at no cost.
        with multiprocessing.get_context("fork").Pool(min(plan.jobs, len(operations))) as pool:
            shares = pool.imap(_run_share, operations)

            def from_children(
                ledger: Ledger, progress: Callable[[str], None], *, sent_before: int = 0
            ) -> int:
                say = _counting(progress, sent_before)
                requests = 0
                for share in shares:
                    ledger.merge(share.ledger)
                    requests += share.requests
                    # Each operation's phases in turn, whole: the lines say which phase each count is of.
                    for text, added in share.lines:
                        say(text, added)
                return requests

            yield from_children
    finally:
        _FORKED.clear()


def _counting(progress: Callable[[str], None], sent_before: int) -> Progress:
    """Progress lines with the run's running total of requests."""
    total = sent_before

    def say(text: str, added: int | None) -> None:
        nonlocal total
        if added is None:
            progress(text)
            return
        total += added
        progress(f"{text} ({total} so far)")

    return say


def run_engine(
    plan: EnginePlan,
    ledger: Ledger,
    redactor: Redactor,
    progress: Callable[[str], None],
    *,
    sent_before: int = 0,
) -> int:
    """Run every phase but stateful; returns how many requests were sent."""
    with started_engine(plan, redactor, ledger.catalogue) as finish:
        return finish(ledger, progress, sent_before=sent_before)
