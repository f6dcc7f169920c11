"""Where each API is served: under its prefix, and at the root wherever no two APIs' paths collide.

The root routes are computed from the specs at import: a path template of one API collides with
another API's when both could match the same concrete path (same number of segments, and each
segment pair equal or a parameter). Both APIs of a colliding pair stay under their prefix only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from patientmsg.specs import APIS, load_spec, operations

__all__ = [
    "MOUNTS",
    "PREFIX_ONLY",
    "ROOT_APIS",
    "TOKEN_PATH",
    "api_of",
    "colliding_apis",
    "root_target",
    "served_spec",
]

#: API name -> mount prefix; vendor paths are served below it.
MOUNTS: dict[str, str] = {api: f"/{api}" for api in APIS}

#: APIs served under their prefix only: patientmsg's own portal API is nobody's vendor host.
PREFIX_ONLY = frozenset({"portal"})

#: athena's token endpoint, as served.
TOKEN_PATH = "/athena/oauth2/v1/token"

_PARAM = re.compile(r"\{[^}]*\}")


def _segments(template: str) -> list[str | None]:
    """A path template's segments, None for a segment that holds a parameter (it matches anything)."""
    return [None if _PARAM.search(part) else part for part in template.strip("/").split("/")]


def _overlap(one: str, other: str) -> bool:
    a, b = _segments(one), _segments(other)
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def colliding_apis(paths: Mapping[str, Iterable[str]]) -> set[str]:
    """APIs (of `paths`: API -> its path templates) with a template that another API's could match."""
    listed = {api: list(templates) for api, templates in paths.items()}
    out: set[str] = set()
    names = sorted(listed)
    for i, api in enumerate(names):
        for other in names[i + 1 :]:
            if any(_overlap(p, q) for p in listed[api] for q in listed[other]):
                out.update((api, other))
    return out


def _templates(api: str) -> list[str]:
    return sorted({path for _, path, _ in operations(load_spec(api))})


def _root_apis() -> dict[str, list[str]]:
    candidates = {api: _templates(api) for api in APIS if api not in PREFIX_ONLY}
    clash = colliding_apis(candidates)
    return {api: templates for api, templates in candidates.items() if api not in clash}


#: API -> its path templates, for the APIs also served at the root.
ROOT_APIS: dict[str, list[str]] = _root_apis()


def _regex(template: str) -> str:
    # A parameter matches within one segment, as Starlette's router does; the router then checks its type.
    out, pos = [], 0
    for match in _PARAM.finditer(template):
        out += [re.escape(template[pos : match.start()]), "[^/]+"]
        pos = match.end()
    out.append(re.escape(template[pos:]))
    return "".join(out)


def _compiled() -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """First path segment -> [(pattern of one root API's paths starting with it, that API's prefix)]."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for api, templates in ROOT_APIS.items():
        for template in templates:
            first = template.strip("/").split("/")[0]
            grouped.setdefault(first, {}).setdefault(api, []).append(_regex(template))
    return {
        first: [(re.compile("|".join(regexes)), MOUNTS[api]) for api, regexes in by_api.items()]
        for first, by_api in grouped.items()
    }


_ROOT_ROUTES = _compiled()
_MOUNTED = frozenset(prefix.strip("/") for prefix in MOUNTS.values())


def root_target(path: str) -> str | None:
    """The mounted path a root request stands for (`/v1/...` -> `/athena/v1/...`), or None."""
    first = path[1:].split("/", 1)[0]
    routes = _ROOT_ROUTES.get(first)
    if routes is None or first in _MOUNTED:
        return None
    for pattern, prefix in routes:
        if pattern.fullmatch(path):
            return prefix + path
    return None


def api_of(path: str) -> str | None:
    """The API whose mount holds `path`, or None (e.g. /health, an unknown prefix)."""
    for api, prefix in MOUNTS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return api
    return None


def served_spec(api: str, *, credentials: str | None = None) -> dict[str, Any]:
    """The spec as served: the shipped file is never changed, only this copy.

    athena's tokenUrl is relative to the API's base URL in the file; Swagger UI resolves it against
    the page instead, so the served copy names the mounted path and "Authorize" works from /athena/ui/.
    `credentials` (Markdown) is appended to `info.description`, so Swagger UI shows what to type.
    """
    spec = load_spec(api)
    if api == "athena":
        schemes = spec["components"]["securitySchemes"]
        schemes["athenaOAuth2"]["flows"]["clientCredentials"]["tokenUrl"] = TOKEN_PATH
    if credentials:
        info = spec.setdefault("info", {})
        info["description"] = f"{info.get('description', '').rstrip()}\n\n{credentials}\n"
    return spec
