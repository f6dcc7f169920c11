"""Politeness to a vendor's servers: a request-rate cap, and a 429 with Retry-After waited out.

Bounded: at most RETRIES retries per request, each wait at most MAX_WAIT seconds; a 429 without a
usable Retry-After, or past the bounds, is returned as it came (the checks set it aside, see engine).
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass, field

from patientmsg.conformance.setup.usage import UsageProblem

__all__ = ["MAX_WAIT", "RETRIES", "Pacer", "parse_rate", "retry_after_seconds"]

RETRIES = 3
MAX_WAIT = 30.0
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|m)\s*$")


def parse_rate(text: str | None) -> float | None:
    """Requests per second from "N/s" or "N/m"; a usage error otherwise."""
    if text is None:
        return None
    match = _RATE.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise UsageProblem(f"--rate-limit {text!r}: give requests per second or minute, e.g. 10/s or 300/m")
    per = 1.0 if match.group(2) == "s" else 60.0
    return float(match.group(1)) / per


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), None when unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class Pacer:
    """Spaces requests to at most `rate` per second; counts the 429s it waited out."""

    rate: float | None = None
    throttled: int = 0
    _last: float = field(default=0.0, repr=False)

    def wait_turn(self) -> None:
        if not self.rate:
            return
        gap = 1.0 / self.rate - (time.monotonic() - self._last)
        if gap > 0:
            time.sleep(gap)
        self._last = time.monotonic()

    def retry_wait(self, status: int, retry_after: str | None, attempt: int) -> float | None:
        """Seconds to wait before retrying this answer, or None when it is to be kept as it is."""
        if status != 429 or attempt >= RETRIES:
            return None
        seconds = retry_after_seconds(retry_after)
        if seconds is None or seconds > MAX_WAIT:
            return None
        self.throttled += 1
        return seconds
