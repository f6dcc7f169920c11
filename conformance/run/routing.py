"""Which requirement a schemathesis check's verdict speaks to.

Most built-in checks serve one requirement. `response_schema_conformance` serves several: a missing
field, a wrong type or enum, and any violation in an error body are different requirements, and a
field the vendor documents weighs more (MUST) than one the spec infers (SHOULD).
"""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.catalogue import Catalogue
from patientmsg.conformance.run.schemathesis_adapter import missing_property

__all__ = ["BUILTIN_CHECKS", "failure_verifier", "success_verifiers"]

SCHEMA_CHECK = "response_schema_conformance"
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    SCHEMA_CHECK,
    "negative_data_rejection",
    "positive_data_acceptance",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
)


def _field_of(failure: Any) -> str | None:
    """The field a JSON Schema failure is about: the missing property, or the last named step."""
    if getattr(failure, "schema_path", None) and failure.schema_path[-1] == "required":
        return missing_property(failure)
    names = [step for step in getattr(failure, "instance_path", []) if isinstance(step, str)]
    return names[-1] if names else None


def _first_known(catalogue: Catalogue, *names: str) -> str | None:
    known = set(catalogue.verifiers())
    return next((name for name in names if name in known), None)


def failure_verifier(catalogue: Catalogue, check: str, failure: Any, status: int | None) -> str | None:
    """The verifier name (as the catalogue lists it) that a failed built-in or kit check stands for."""
    if check == SCHEMA_CHECK:
        if status is not None and status >= 400:
            return _first_known(catalogue, f"{SCHEMA_CHECK}/error")
        missing = bool(getattr(failure, "schema_path", None)) and failure.schema_path[-1] == "required"
        kind = "required" if missing else "schema"
        if catalogue.is_documented(_field_of(failure)):
            return _first_known(catalogue, f"{SCHEMA_CHECK}/{kind}", f"{SCHEMA_CHECK}/{kind}-inferred")
        return _first_known(catalogue, f"{SCHEMA_CHECK}/{kind}-inferred", f"{SCHEMA_CHECK}/{kind}")
    if check == "unsupported_method":
        part = "allow" if getattr(failure, "failure_reason", "") == "missing_allow_header" else "status"
        return _first_known(catalogue, f"unsupported_method/{part}")
    return _first_known(catalogue, check)


def success_verifiers(catalogue: Catalogue, check: str, status: int | None) -> list[str]:
    """The verifiers a passed check counts as having exercised."""
    if check == SCHEMA_CHECK:
        if status is not None and status >= 400:
            names = [f"{SCHEMA_CHECK}/error"]
        else:
            names = [
                f"{SCHEMA_CHECK}/{kind}{suffix}"
                for kind in ("required", "schema")
                for suffix in ("", "-inferred")
            ]
    elif check == "unsupported_method":
        names = ["unsupported_method/status", "unsupported_method/allow"]
    else:
        names = [check]
    known = set(catalogue.verifiers())
    return [name for name in names if name in known]
