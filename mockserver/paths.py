"""Tell a path that names an operation with an ill-typed id apart from a path that names nothing.

Connexion routes `{practiceid}` as an integer, so `/v1/abc/...` matches no route and would be a
404. For a client that is a bad parameter, not a missing endpoint: it gets 400 naming it.
"""

from __future__ import annotations

import functools
import re

from patientmsg.mockserver.mounts import MOUNTS
from patientmsg.specs import APIS, load_spec, operations

__all__ = ["documented_methods", "ill_typed_parameter"]

_INTEGER = re.compile(r"-?[0-9]+")  # ASCII digits, as the validator reads them


@functools.cache
def _templates(api: str) -> list[tuple[list[str], dict[str, str]]]:
    """Each path of the API as segments, with the type of each path parameter."""
    spec = load_spec(api)
    shared = spec.get("components", {}).get("parameters", {})
    types: dict[str, dict[str, str]] = {}
    for _, path, op in operations(spec):
        for param in op.get("parameters", []):
            param = shared[param["$ref"].rsplit("/", 1)[1]] if "$ref" in param else param
            if param["in"] == "path":
                types.setdefault(path, {})[param["name"]] = param["schema"].get("type", "string")
    return [(path.strip("/").split("/"), types.get(path, {})) for path in spec["paths"]]


def ill_typed_parameter(path: str) -> str | None:
    """The path parameter whose value is not of its type, if `path` otherwise names an operation."""
    for api, prefix in MOUNTS.items():
        if api in APIS and path.startswith(prefix + "/"):
            segments = path[len(prefix) :].strip("/").split("/")
            for template, types in _templates(api):
                if len(template) == len(segments):
                    bad = _mismatch(template, segments, types)
                    if bad:
                        return bad
    return None


def _mismatch(template: list[str], segments: list[str], types: dict[str, str]) -> str | None:
    bad = None
    for expected, actual in zip(template, segments, strict=True):
        if expected.startswith("{"):
            name = expected.strip("{}")
            if types.get(name) == "integer" and not _INTEGER.fullmatch(actual):
                bad = bad or name
        elif expected != actual:
            return None
    return bad


@functools.cache
def _methods(api: str) -> list[tuple[list[str], frozenset[str]]]:
    spec = load_spec(api)
    by_path: dict[str, set[str]] = {}
    for method, path, _ in operations(spec):
        by_path.setdefault(path, set()).add(method)
    return [(path.strip("/").split("/"), frozenset(methods)) for path, methods in by_path.items()]


def documented_methods(path: str) -> list[str]:
    """Every method the spec documents on the resource at `path` (HEAD with GET), for a 405's Allow.

    Connexion routes each operation on its own; on a wrong method Starlette names only the first
    route's methods, so a path with GET and POST would answer `Allow: GET, HEAD`.
    """
    found: set[str] = set()
    for api, prefix in MOUNTS.items():
        if api in APIS and path.startswith(prefix + "/"):
            segments = path[len(prefix) :].strip("/").split("/")
            for template, methods in _methods(api):
                if len(template) == len(segments) and all(
                    t.startswith("{") or t == s for t, s in zip(template, segments, strict=True)
                ):
                    found |= methods
    if "GET" in found:
        found.add("HEAD")
    return sorted(found)
