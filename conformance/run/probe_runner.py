"""Run the selected probes in order; every probe response also goes through the response checks."""

from __future__ import annotations

import time
from collections.abc import Callable

from patientmsg.conformance.registry import PROBES, RESPONSE_CHECKS
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.run.ledger import Ledger
from patientmsg.conformance.run.pacing import Pacer
from patientmsg.conformance.setup.identity import Identity, Redactor
from patientmsg.conformance.setup.kit_config import KitConfig
from patientmsg.conformance.setup.usage import KitBug
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import Probe

__all__ = ["run_one", "run_probes"]


def _observer(
    api: str, ledger: Ledger, active: set[str], context: list[ProbeContext]
) -> Callable[[Exchange], None]:
    checks = [check for check in RESPONSE_CHECKS[api] if check.name in active]

    def observe(exchange: Exchange) -> None:
        for check in checks:
            try:
                # True: the property does not apply to this exchange; anything else: it was asserted.
                if check.func(exchange) is not True:
                    ledger.count_checked(check.name)
            except ConformanceFailure as failure:
                ledger.count_checked(check.name)
                message = f"[{exchange.method} {exchange.path}] {failure}"
                scrubbed = context[0].redactor.scrub(message)
                ledger.fail(check.name, scrubbed, context[0].curl(exchange), None, exchange.status)

    return observe


def run_one(probe: Probe, ctx: ProbeContext, ledger: Ledger) -> str:
    ctx.start_probe()
    skipped: str | None = None
    try:
        probe.func(ctx)
    except Skip as skip:
        skipped = skip.reason
    except KitBug:
        raise
    except ConformanceFailure as failure:
        ctx.checked(ctx.last)
        ctx.failures.append((str(failure), ctx.last))
    except Exception as exc:  # a body shaped beyond the probe's reading is the target's answer too
        ctx.checked(ctx.last)
        ctx.failures.append((f"probe could not read the responses: {type(exc).__name__}: {exc}", ctx.last))
    # A Skip after a failure keeps the failure: what was found stays found.
    for message, exchange in ctx.failures:
        status = exchange.status if exchange is not None and exchange.status else None
        ledger.fail(probe.name, ctx.redactor.scrub(message), ctx.curl(exchange), None, status)
    if ctx.failures:
        ledger.count_checked(probe.name, ctx.checked_count)
        note = f"; then skipped ({skipped})" if skipped else ""
        return f"failed ({len(ctx.failures)}){note}"
    if skipped is not None:
        ledger.mark_skipped(probe.name, skipped)
        return f"skipped ({skipped})"
    if ctx.checked_count == 0:
        reason = f"{probe.name} found nothing on this target to assert about"
        ledger.mark_skipped(probe.name, reason)
        return f"skipped ({reason})"
    # A probe that gave up (Skip) did not finish its assertion: what it checked before does not count.
    ledger.count_checked(probe.name, ctx.checked_count)
    return f"passed ({ctx.checked_count} checked)"


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
    sent_before: int = 0,
    pacer: Pacer | None = None,
) -> int:
    """Run the read-only probes (writes=False) or the state-changing ones (writes=True); count requests."""
    holder: list[ProbeContext] = []
    ctx = ProbeContext(
        config,
        primary,
        second,
        redactor,
        _observer(config.api, ledger, active, holder),
        seed=seed,
        pacer=pacer,
    )
    holder.append(ctx)
    for probe in PROBES[config.api]:
        if probe.name not in active or probe.writes != writes:
            continue
        if probe.second and second is None:
            ledger.mark_skipped(probe.name, "needs a second tenant: [second] in the config")
            continue
        requirement = ledger.catalogue.for_verifier(probe.name)
        started = time.monotonic()
        outcome = run_one(probe, ctx, ledger)
        ledger.seconds[probe.name] = ledger.seconds.get(probe.name, 0.0) + time.monotonic() - started
        echo(
            f"probe {requirement.id if requirement else '?':<13} {probe.name}: {outcome} "
            f"({sent_before + ctx.sent} requests so far)"
        )
    return ctx.sent
