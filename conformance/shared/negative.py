"""negative-input: one invalid value at a time for every query and header parameter of every GET.

Generated negative cases cover this too, but schemathesis 4.32.5 sets aside a negative query case
as soon as another query parameter of it is valid (`_single_element_array_becomes_valid_after_
serialization`), and every case here carries a valid id. So the kit also sends, deterministically,
each documented parameter with a value its schema forbids, the others left valid.
"""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.readers import describe
from patientmsg.specs import load_spec, operations

__all__ = ["invalid_parameters_are_rejected", "invalid_values"]

# Path parameters take the configured ids; a query parameter the operation requires takes these.
_REQUIRED_QUERY = {"patientId": "patientId"}
_INVALID_TEXT = "patientmsg-invalid"


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def invalid_values(schema: dict[str, Any]) -> list[str]:
    """Wire values the schema forbids, one per constraint it states (none for a free string)."""
    kind = schema.get("type")
    if kind == "array":
        return invalid_values(schema.get("items") or {})
    values: list[str] = []
    if kind in ("integer", "number"):
        values.append("abc")
        if "minimum" in schema:
            values.append(str(schema["minimum"] - 1))
        if "maximum" in schema:
            values.append(str(schema["maximum"] + 1))
    elif kind == "boolean":
        values.append("maybe")
    elif kind == "string":
        if "enum" in schema:
            values.append(_INVALID_TEXT)
        elif schema.get("format") == "date-time":
            values.append("not-a-date")
        elif "pattern" in schema:
            values.append("not valid!")
        elif schema.get("minLength", 0) >= 1:
            values.append("")
    return values


def _cases(ctx: ProbeContext) -> list[tuple[str, str, str, str]]:
    """(path, location, parameter, invalid value) for every GET parameter the kit can make invalid."""
    spec = load_spec(ctx.config.api)
    found = []
    for method, template, operation in operations(spec):
        if method != "GET":
            continue
        path = template
        for name, value in ctx.config.primary.ids.items():
            path = path.replace("{" + name + "}", str(value))
        if "{" in path:
            continue
        for raw in operation.get("parameters", []):
            parameter = _resolve(spec, raw)
            if parameter.get("in") not in ("query", "header"):
                continue
            for value in invalid_values(_resolve(spec, parameter.get("schema") or {})):
                found.append((path, parameter["in"], parameter["name"], value))
    return found


def invalid_parameters_are_rejected(ctx: ProbeContext) -> None:
    base = {query: str(ctx.id(key)) for query, key in _REQUIRED_QUERY.items() if ctx.config.api == "oracle"}
    cases = _cases(ctx)
    if not cases:
        raise Skip("no query or header parameter states a constraint to break")
    for path, location, name, value in cases:
        params = {**base}
        headers: dict[str, str] = {}
        if location == "query":
            params[name] = value
        else:
            headers[name] = value
        exchange = ctx.get(path, params=params, headers=headers)
        ctx.checked(exchange)
        # 401 or 403 would say the credentials failed, not that the value was judged.
        if not 400 <= exchange.status < 500 or exchange.status in (401, 403):
            ctx.fail(
                "invalid parameter value not rejected",
                received=f"{describe(exchange, 120)} for {location} {name}={value!r}",
                documented=f"a 4xx: {name!r} is outside the schema the spec documents",
                exchange=exchange,
            )
