"""Every reading of Schemathesis's objects beyond `from_dict`/`execute`, in one place.

All of it is public API of the pinned 4.32.5 (`EngineErrorInfo.title`/`.code_sample`, a failure's
`message`/`schema_path`, `Case.meta`, `GenerationMode.is_positive`). If a new pin renames one of them,
`tests/conformance/test_conformance_units.py::test_schemathesis_adapter_*` fails naming it.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "NETWORK_ERROR_TITLE",
    "builtin_check_applies",
    "error_code_sample",
    "is_network_error",
    "missing_property",
]

NETWORK_ERROR_TITLE = "Network Error"
_REQUIRED = re.compile(r'"([^"]+)" is a required property')


def is_network_error(info: Any) -> bool:
    """A NonFatalError's info says the request got no HTTP response (refused, reset, TLS...)."""
    return str(getattr(info, "title", "")) == NETWORK_ERROR_TITLE


def error_code_sample(info: Any) -> str:
    return str(getattr(info, "code_sample", None) or "")


def missing_property(failure: Any) -> str | None:
    """The property a JSON Schema `required` failure says is missing, else None."""
    path = getattr(failure, "schema_path", None)
    if not path or path[-1] != "required":
        return None
    match = _REQUIRED.search(str(getattr(failure, "message", "")))
    return match.group(1) if match else None


def _mode(case: Any) -> Any:
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    return getattr(generation, "mode", None)


def builtin_check_applies(
    check: str, case: Any, method: str | None, status: int | None, *, has_body: bool = True
) -> bool:
    """Whether a built-in check that returned without a failure looked at anything.

    Schemathesis records a check as passed whenever it raised nothing, including when it returned
    early because the case was not its kind: `negative_data_rejection` on a positive case, or
    `status_code_conformance` on an operation with a `default` response (which allows any status).
    Only a check that applied counts as having checked the exchange.
    """
    mode = _mode(case)
    operation = getattr(case, "operation", None)
    sent = (method or "").upper()
    if check == "negative_data_rejection":
        return mode is not None and bool(mode.is_negative)
    if check == "positive_data_acceptance":
        return mode is not None and bool(mode.is_positive)
    if check == "status_code_conformance":
        codes = getattr(getattr(operation, "responses", None), "status_codes", ())
        return "default" not in codes
    if check == "unsupported_method":
        declared = str(getattr(operation, "method", "")).upper()
        return sent not in ("", "OPTIONS", declared)
    if check == "allow_header_conformance":
        return sent == "OPTIONS"
    if check == "response_schema_conformance":
        # An empty body gives the schema nothing to hold (its absence is the content type's check).
        return has_body
    if check == "ignored_auth":
        return status is not None and 200 <= status < 300
    return True
