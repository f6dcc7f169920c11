"""Is the target up? Poll it (bounded by --wait) before sending anything that counts."""

from __future__ import annotations

import time

import requests
from patientmsg.conformance.setup.usage import UsageProblem

__all__ = ["wait_for"]

POLL_INTERVAL = 0.25


def wait_for(base_url: str, seconds: float) -> None:
    """Return once the target answers HTTP at all; raise UsageProblem when it never does in time."""
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        try:
            requests.get(base_url, timeout=max(1.0, min(5.0, remaining)), allow_redirects=False)
            return
        except requests.RequestException as exc:
            reason = type(exc).__name__
        if time.monotonic() + POLL_INTERVAL > deadline:
            waited = f" after waiting {seconds:g} s" if seconds else " (use --wait SECONDS to wait for it)"
            raise UsageProblem(f"{base_url} is unreachable ({reason}){waited}")
        time.sleep(POLL_INTERVAL)
