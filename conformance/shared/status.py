"""status-code: a status outside the operation's listed responses is undocumented.

The specs end every operation with a `default` response in the vendor's error format, so to
schemathesis any status is "documented". A `default` describes errors, though: a success or a
redirect the operation does not list is still undocumented.
"""

from __future__ import annotations

import functools
import re

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.specs import load_spec, operations

__all__ = [
    "status_code_is_documented",
]


_PARAMETER = re.compile(r"\\\{[^}]+\\\}")


@functools.cache
def _operations(api: str) -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    table = []
    for method, path, operation in operations(load_spec(api)):
        pattern = re.compile(_PARAMETER.sub("[^/]+", re.escape(path)) + "$")
        table.append((method, pattern, frozenset(str(code) for code in operation.get("responses", {}))))
    # A literal segment beats a parameter: /securemessage/inboxmessages is the list, not a thread.
    return sorted(table, key=lambda entry: entry[1].pattern.count("[^/]+"))


def status_code_is_documented(api: str, ex: Exchange) -> bool | None:
    """None when the status is one the operation lists; True when no operation of the spec matches."""
    for method, pattern, codes in _operations(api):
        if method != ex.method.upper() or not pattern.search(ex.path):
            continue
        listed = str(ex.status) in codes or f"{str(ex.status)[0]}XX" in codes
        if listed or (ex.status >= 400 and "default" in codes):
            return None
        raise ConformanceFailure(
            "status code the operation does not document",
            received=f"{ex.status} for {method} {ex.path}",
            documented=f"one of {', '.join(sorted(codes))} (default: errors only)",
        )
    return True
