"""auth: every operation refuses a request without credentials and one with invalid credentials.

schemathesis's `ignored_auth` does this per operation too, but it finds no credentials to take away
from an OAuth2 scheme (athena's), so the kit walks the operations itself. Only GETs: a POST or
DELETE that a broken server accepted without credentials would change its state.
"""

from __future__ import annotations

import base64

from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import INVALID_TOKEN, WRONG_SECRET
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.readers import describe
from patientmsg.specs import load_spec, operations

__all__ = ["every_operation_requires_credentials", "readable_paths"]

# Query parameters an operation requires, filled from the configured ids.
_REQUIRED_QUERY = {"patientId": "patientId"}


def readable_paths(ctx: ProbeContext) -> list[tuple[str, dict[str, str]]]:
    """(path, required query) of every GET whose path parameters the configured ids fill."""
    found = []
    for method, template, operation in operations(load_spec(ctx.config.api)):
        path = template
        for name, value in ctx.config.primary.ids.items():
            path = path.replace("{" + name + "}", str(value))
        if method != "GET" or "{" in path:
            continue
        names = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
        query = {name: str(ctx.id(key)) for name, key in _REQUIRED_QUERY.items() if name in names}
        found.append((path, query))
    return found


def _invalid_credentials(ctx: ProbeContext) -> str:
    if ctx.primary.auth.kind == "basic":
        pair = f"{ctx.primary.auth.get('username')}:{WRONG_SECRET}"
        return "Basic " + base64.b64encode(pair.encode()).decode()
    return f"Bearer {INVALID_TOKEN}"


def every_operation_requires_credentials(ctx: ProbeContext) -> None:
    paths = readable_paths(ctx)
    if not paths:
        raise Skip("no GET operation whose path the configured ids fill")
    for path, query in paths:
        anonymous = ctx.get(path, params=query, anonymous=True)
        invalid = ctx.get(path, params=query, authorization=_invalid_credentials(ctx))
        for label, exchange in (("without credentials", anonymous), ("with invalid credentials", invalid)):
            ctx.checked(exchange)
            if exchange.status not in (401, 403):
                ctx.fail(
                    "operation answers a request " + label,
                    received=f"{describe(exchange, 120)} for GET {path} {label}",
                    documented="401 or 403: the operation declares required credentials",
                    exchange=exchange,
                )
