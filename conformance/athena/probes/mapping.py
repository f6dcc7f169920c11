"""athena probes of the departments mapping: every filter, in each documented form, on purpose."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["MAPPING_FILTERS", "mapping_path"]

# Query parameter -> the row field it narrows; the ...ids ones take one or more ids.
MAPPING_FILTERS = {
    "providerids": "providerid",
    "departmentids": "departmentid",
    "providergroupids": "providergroupid",
    "communicatorbrandid": "communicatorbrandid",
}
# No practice numbers its providers this far; a filter on it matches nothing.
_NO_SUCH_ID = 2147480999


def mapping_path(ctx: ProbeContext) -> str:
    return f"/v1/{ctx.id('practiceid')}/patientsecuremessage/providers/departmentsmapping"


def _rows(ctx: ProbeContext, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
    exchange = ctx.get(mapping_path(ctx), params=params)
    rows = body_of(exchange).get("departmentsmapping")
    if exchange.status >= 500:
        # A crash is ATH-SRV-001's (athena_answers_no_server_error); no filter answer to judge.
        raise Skip(f"the departments mapping answered {exchange.status}: ATH-SRV-001 reports it")
    if exchange.status != 200 or not isinstance(rows, list):
        raise ConformanceFailure(
            "athena departments mapping unreadable",
            received=describe(exchange),
            documented="200 with the practice's departmentsmapping",
        )
    ctx.checked(exchange)
    return [row for row in rows if isinstance(row, dict)]


def _all_rows(ctx: ProbeContext) -> list[dict[str, Any]]:
    def compute() -> list[dict[str, Any]]:
        rows = _rows(ctx)
        if not rows:
            raise Skip(
                f"practice {ctx.id('practiceid')} maps no provider to a department: the filters have "
                "nothing to narrow; set [ids] practiceid to a practice with mappings"
            )
        return rows

    return ctx.memo("athena_all_mapping_rows", compute)


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row.get(field)) for field in MAPPING_FILTERS.values())


@probe("athena")
def athena_departments_filters_narrow(ctx: ProbeContext) -> None:
    """Each filter with one value, then two comma-delimited, then one matching nothing, then combined."""
    rows = _all_rows(ctx)
    sent = 0
    for param, field in MAPPING_FILTERS.items():
        values = sorted({str(row[field]) for row in rows if field in row}, key=lambda v: (len(v), v))
        if not values:
            continue
        forms = [values[:1], [str(_NO_SUCH_ID)]]
        if param.endswith("ids") and len(values) > 1:
            forms.insert(1, values[:2])
        for wanted in forms:
            expected = sorted(_key(row) for row in rows if str(row.get(field)) in wanted)
            got = sorted(_key(row) for row in _rows(ctx, {param: ",".join(wanted)}))
            sent += 1
            if got != expected:
                ctx.fail(
                    "athena departments mapping does not answer its filter",
                    received=f"{len(got)} rows for {param}={','.join(wanted)}",
                    documented=f"the {len(expected)} of the practice's {len(rows)} rows whose {field} "
                    f"is one of {','.join(wanted)}",
                )
    first = rows[0]
    combined = {"providerids": str(first.get("providerid")), "departmentids": str(first.get("departmentid"))}
    expected = sorted(
        _key(row) for row in rows if all(str(row.get(name[:-1])) == value for name, value in combined.items())
    )
    got = sorted(_key(row) for row in _rows(ctx, combined))
    if got != expected:
        ctx.fail(
            "athena departments mapping filters do not combine",
            received=f"{len(got)} rows for " + "&".join(f"{k}={v}" for k, v in combined.items()),
            documented=f"the {len(expected)} rows matching both filters",
        )
    if sent == 0:
        raise Skip("the mapping rows carry none of the filtered fields")


@probe("athena")
def athena_repeated_filter_keys_are_not_narrowed(ctx: ProbeContext) -> None:
    """providerids=a&providerids=b is answered as providerids=a,b or refused; never narrowed to one."""
    rows = _all_rows(ctx)
    sent = 0
    for param, field in MAPPING_FILTERS.items():
        if not param.endswith("ids"):
            continue
        values = sorted({str(row[field]) for row in rows if field in row}, key=lambda v: (len(v), v))[:2]
        if len(values) < 2:
            continue
        exchange = ctx.get(mapping_path(ctx), params={param: values})
        if exchange.status >= 500:
            continue  # ATH-SRV-001's (athena_answers_no_server_error): no filter answer to judge
        ctx.checked(exchange)
        sent += 1
        if exchange.status == 400:
            continue
        got = sorted(
            _key(row) for row in body_of(exchange).get("departmentsmapping") or [] if isinstance(row, dict)
        )
        expected = sorted(_key(row) for row in rows if str(row.get(field)) in values)
        if exchange.status != 200 or got != expected:
            ctx.fail(
                "athena repeated filter keys answered as a narrower filter",
                received=f"{describe(exchange, 80)}: {len(got)} rows for "
                f"{param}={values[0]}&{param}={values[1]}",
                documented=f"the {len(expected)} rows of {param}={','.join(values)}, or 400: repeated keys "
                "mean every value given, or are refused",
                exchange=exchange,
            )
    if sent == 0:
        raise Skip("no ...ids filter has two values among the mapping rows: repeated keys need two ids")
