"""Where each API is mounted, and the in-memory adaptations of its spec for serving it there."""

from __future__ import annotations

from typing import Any

from patientmsg.specs import APIS, load_spec

__all__ = ["MOUNTS", "TOKEN_PATH", "api_of", "served_spec"]

#: API name -> mount prefix; vendor paths are served below it.
MOUNTS: dict[str, str] = {api: f"/{api}" for api in APIS}

#: athena's token endpoint, as served.
TOKEN_PATH = "/athena/oauth2/v1/token"


def api_of(path: str) -> str | None:
    """The API whose mount holds `path`, or None (e.g. /health, an unknown prefix)."""
    for api, prefix in MOUNTS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return api
    return None


def served_spec(api: str) -> dict[str, Any]:
    """The spec as served: the shipped file is never changed, only this copy.

    athena's tokenUrl is relative to the API's base URL in the file; Swagger UI resolves it against
    the page instead, so the served copy names the mounted path and "Authorize" works from /athena/ui/.
    """
    spec = load_spec(api)
    if api == "athena":
        schemes = spec["components"]["securitySchemes"]
        schemes["athenaOAuth2"]["flows"]["clientCredentials"]["tokenUrl"] = TOKEN_PATH
    return spec
