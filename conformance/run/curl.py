"""A curl line that replays a request, with the kit's credentials replaced by environment variables."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from patientmsg.conformance.setup.identity import Redactor

__all__ = ["curl_line"]

# Headers the HTTP library adds on its own; replaying them adds noise, not information.
_IMPLICIT = {
    "user-agent",
    "accept-encoding",
    "accept",
    "connection",
    "content-length",
    "x-schemathesis-testcaseid",
}


def curl_line(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    redactor: Redactor,
) -> str:
    words = ["curl", "-X", method.upper()]
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _IMPLICIT and not (lowered == "accept" and value != "*/*"):
            continue
        if lowered == "authorization":
            replacement = redactor.auth_args(value)
            if replacement is not None:
                words.extend(replacement)
                continue
        words.extend(["-H", shlex.quote(f"{name}: {value}")])
    if body:
        words.extend(["--data-binary", shlex.quote(body.decode("utf-8", "replace"))])
    words.append(shlex.quote(url))
    # Belt and braces: a secret that reached a URL or body is still hidden.
    return redactor.scrub(" ".join(words))
