"""The bundled OpenAPI specs, as package data. See specs/README.md for their sources."""

from __future__ import annotations

import copy
import functools
from importlib.resources import files
from typing import Any

import yaml

__all__ = ["APIS", "REFERENCE_APIS", "VENDOR_APIS", "load_spec", "operations", "spec_text"]

#: API name (its mount prefix) -> spec file name.
APIS: dict[str, str] = {
    "athena": "athena-secure-messages.yaml",
    "oracle": "oracle-patient-messages.yaml",
    "mdhq": "mdhq-patient-portal.yaml",
    "portal": "portal-messaging.yaml",
}
#: patientmsg's own designs, served under their mount only (never at the root, unlike a vendor's paths).
REFERENCE_APIS: frozenset[str] = frozenset({"portal"})
#: The vendors' APIs.
VENDOR_APIS: tuple[str, ...] = tuple(api for api in APIS if api not in REFERENCE_APIS)

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def spec_text(api: str) -> str:
    """The spec's YAML text, exactly as shipped."""
    if api not in APIS:
        raise KeyError(f"unknown API {api!r}; known: {', '.join(APIS)}")
    return files(__name__).joinpath(APIS[api]).read_text(encoding="utf-8")


@functools.cache
def _parsed(api: str) -> dict[str, Any]:
    # libyaml's loader when present: 5x faster, and the sandbox parses every spec at start-up.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: dict[str, Any] = yaml.load(spec_text(api), Loader=loader)
    return loaded


def load_spec(api: str) -> dict[str, Any]:
    """A fresh, mutable copy of the parsed spec (callers may adapt it, e.g. to a mount)."""
    return copy.deepcopy(_parsed(api))


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation of a parsed spec, in file order."""
    return [
        (method.upper(), path, op)
        for path, item in spec.get("paths", {}).items()
        for method, op in item.items()
        if method in _METHODS
    ]
