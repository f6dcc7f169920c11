"""athena probes of methods a path does not take: 405 and its Allow header, sent on purpose.

The engine's own unsupported-method cases come only from its coverage phase, which may send none;
these probes send, for every path of the spec, a method that changes nothing: TRACE, and GET where
the path takes only POST.
"""

from __future__ import annotations

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe
from patientmsg.specs import load_spec, operations

__all__ = ["unsupported_method_exchanges"]

Sent = list[tuple[Exchange, set[str]]]


def _paths(ctx: ProbeContext) -> dict[str, set[str]]:
    """Every spec path with its ids filled from the config -> the methods the spec gives it."""
    found: dict[str, set[str]] = {}
    for method, template, _ in operations(load_spec("athena")):
        path = template
        for name, value in ctx.config.primary.ids.items():
            path = path.replace("{" + name + "}", str(value))
        if "{" not in path:
            found.setdefault(path, set()).add(method.upper())
    return found


def unsupported_method_exchanges(ctx: ProbeContext) -> Sent:
    """(response, the path's documented methods) for each unsupported safe method sent; once per run."""

    def compute() -> Sent:
        paths = _paths(ctx)
        if not paths:
            raise Skip("no path of the spec whose ids the config fills ([ids] practiceid, patientid, ...)")
        sent: Sent = []
        for path, methods in paths.items():
            for method in ("TRACE", "GET"):
                if method not in methods:
                    sent.append((ctx.request(method, path), methods))
        return sent

    return ctx.memo("athena_unsupported_methods", compute)


@probe("athena")
def athena_unsupported_methods_get_405(ctx: ProbeContext) -> None:
    for exchange, methods in unsupported_method_exchanges(ctx):
        ctx.checked(exchange)
        if exchange.status != 405:
            ctx.fail(
                "athena method the path does not take not answered 405",
                received=f"{describe(exchange, 100)} for {exchange.method} {exchange.path}",
                documented=f"405 Method Not Allowed: the path takes {', '.join(sorted(methods))}",
                exchange=exchange,
            )


@probe("athena")
def athena_405_lists_the_allowed_methods(ctx: ProbeContext) -> None:
    answered = [(ex, methods) for ex, methods in unsupported_method_exchanges(ctx) if ex.status == 405]
    if not answered:
        raise Skip("no unsupported method was answered 405 (see ATH-STA-003): no Allow header to read")
    for exchange, methods in answered:
        ctx.checked(exchange)
        allow = {
            part.strip().upper() for part in (exchange.headers.get("allow") or "").split(",") if part.strip()
        }
        if not methods <= allow:
            ctx.fail(
                "athena 405 without an Allow header listing the path's methods",
                received=f"Allow: {exchange.headers.get('allow')!r} on 405 for "
                f"{exchange.method} {exchange.path}",
                documented=f"Allow lists {', '.join(sorted(methods))} "
                "(RFC 9110 15.5.6: the server MUST generate Allow in a 405)",
                exchange=exchange,
            )
