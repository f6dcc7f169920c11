"""The one error the kit reports as a usage problem: one clear line, exit code 2, no traceback."""

from __future__ import annotations

__all__ = ["UsageProblem"]


class UsageProblem(Exception):
    """A usage or config error, or an unreachable target."""
