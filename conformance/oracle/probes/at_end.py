"""The last Oracle probe: the mailbox noted at the start is unchanged after the run's reads."""

from __future__ import annotations

from patientmsg.conformance.oracle.probes.at_start import FIRST_LOOK, Look, look
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe

__all__: list[str] = []


@probe("oracle")
def oracle_statuses_unchanged_later(ctx: ProbeContext) -> None:
    before: Look | None = ctx.memo(FIRST_LOOK, lambda: None)
    if before is None:
        raise Skip("oracle_statuses_noted_at_start did not run: select ORA-BEH-014 whole, not one probe")
    # The run's own reads happen between the two looks: a listing that marks items read shows here.
    after = look(ctx)
    changed = [
        f"{ident}: {was[0]} -> {after.items[ident][0]}"
        for ident, was in before.items.items()
        if ident in after.items and after.items[ident] != was
    ]
    gone = sorted(set(before.items) - set(after.items))
    if changed or gone:
        ctx.fail(
            "Oracle items changed by being read",
            received=f"after {ctx.sent - before.at} requests of the run: {len(changed)} items changed "
            f"(e.g. {changed[:3]}), {len(gone)} gone (e.g. {gone[:3]})",
            documented="a GET retrieves the received messages; reading them changes neither their status "
            "nor their versions (RFC 9110 9.2.1: GET is safe)",
        )
