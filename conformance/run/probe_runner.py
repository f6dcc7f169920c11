"""Run the selected probes in order; every probe response also goes through the response checks."""

from __future__ import annotations

from collections.abc import Callable

from patientmsg.conformance.registry import PROBES, RESPONSE_CHECKS
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.run.ledger import Ledger
from patientmsg.conformance.setup.identity import Identity, Redactor
from patientmsg.conformance.setup.kit_config import KitConfig
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import Probe

__all__ = ["run_probes"]


def _observer(
    api: str, ledger: Ledger, active: set[str], context: list[ProbeContext]
) -> Callable[[Exchange], None]:
    checks = [check for check in RESPONSE_CHECKS[api] if check.name in active]

    def observe(exchange: Exchange) -> None:
        for check in checks:
            try:
                if check.func(exchange) is not True:
                    ledger.mark_ran(check.name)
            except ConformanceFailure as failure:
                message = f"[{exchange.method} {exchange.path}] {failure}"
                ledger.fail(check.name, context[0].redactor.scrub(message), context[0].curl(exchange))

    return observe


def _run_one(probe: Probe, ctx: ProbeContext, ledger: Ledger) -> str:
    ctx.failures = []
    try:
        probe.func(ctx)
    except Skip as skip:
        ledger.mark_skipped(probe.name, skip.reason)
        return f"skipped ({skip.reason})"
    except ConformanceFailure as failure:
        ctx.failures.append((str(failure), ctx.last))
    except Exception as exc:  # a body shaped beyond the probe's reading is the target's answer too
        ctx.failures.append((f"probe could not read the responses: {type(exc).__name__}: {exc}", ctx.last))
    ledger.mark_ran(probe.name)
    for message, exchange in ctx.failures:
        ledger.fail(probe.name, ctx.redactor.scrub(message), ctx.curl(exchange), None)
    return f"failed ({len(ctx.failures)})" if ctx.failures else "passed"


def run_probes(
    config: KitConfig,
    primary: Identity,
    second: Identity | None,
    redactor: Redactor,
    ledger: Ledger,
    active: set[str],
    *,
    writes: bool,
    seed: int,
    echo: Callable[[str], None],
) -> int:
    """Run the read-only probes (writes=False) or the state-changing ones (writes=True); count requests."""
    holder: list[ProbeContext] = []
    ctx = ProbeContext(
        config, primary, second, redactor, _observer(config.api, ledger, active, holder), seed=seed
    )
    holder.append(ctx)
    for probe in PROBES[config.api]:
        if probe.name not in active or probe.writes != writes:
            continue
        if probe.second and second is None:
            ledger.mark_skipped(probe.name, "needs a second tenant: [second] in the config")
            continue
        requirement = ledger.catalogue.for_verifier(probe.name)
        outcome = _run_one(probe, ctx, ledger)
        echo(f"probe {requirement.id if requirement else '?':<13} {probe.name}: {outcome}")
    return ctx.sent
