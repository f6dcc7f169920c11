"""Oracle probes of methods the path does not take: 405 and its Allow header, sent on purpose.

The engine's own unsupported-method cases come only from its coverage phase, which may send none;
these probes send the methods that change nothing, TRACE and OPTIONS, to the inbox path (GET only).
"""

from __future__ import annotations

from patientmsg.conformance.oracle.probes.queries import INBOX
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["unsupported_method_exchanges"]


def unsupported_method_exchanges(ctx: ProbeContext) -> list[Exchange]:
    """TRACE and OPTIONS on the inbox path, once per run."""
    params = {"patientId": str(ctx.id("patientId"))}
    return ctx.memo(
        "oracle_unsupported_methods",
        lambda: [ctx.request(m, INBOX, params=params) for m in ("TRACE", "OPTIONS")],
    )


@probe("oracle")
def oracle_unsupported_methods_get_405(ctx: ProbeContext) -> None:
    for exchange in unsupported_method_exchanges(ctx):
        # OPTIONS may be answered (RFC 9110 9.3.7); TRACE, which the path does not take, may not.
        if exchange.method == "OPTIONS" and exchange.status < 300:
            continue
        ctx.checked(exchange)
        if exchange.status != 405:
            ctx.fail(
                "Oracle method the path does not take not answered 405",
                received=f"{describe(exchange, 100)} for {exchange.method} {exchange.path}",
                documented="405 Method Not Allowed: the path takes GET",
                exchange=exchange,
            )


@probe("oracle")
def oracle_405_lists_the_allowed_methods(ctx: ProbeContext) -> None:
    answered = [
        ex
        for ex in unsupported_method_exchanges(ctx)
        if ex.status == 405 or (ex.method == "OPTIONS" and ex.status < 300)
    ]
    if not answered:
        raise Skip("neither TRACE nor OPTIONS was answered 405 (see ORA-STA-003): no Allow header to read")
    for exchange in answered:
        ctx.checked(exchange)
        allow = {
            part.strip().upper() for part in (exchange.headers.get("allow") or "").split(",") if part.strip()
        }
        if "GET" not in allow:
            ctx.fail(
                "Oracle 405 or OPTIONS answer without an Allow header listing GET",
                received=f"Allow: {exchange.headers.get('allow')!r} on {exchange.status} "
                f"for {exchange.method}",
                documented="Allow lists GET (RFC 9110 15.5.6: the server MUST generate Allow in a 405)",
                exchange=exchange,
            )
