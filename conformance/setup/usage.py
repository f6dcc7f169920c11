"""The errors that end a run with exit 2 (never 1, which means "a MUST failed"): one line, no traceback."""

from __future__ import annotations

__all__ = ["KitBug", "UsageProblem"]


class UsageProblem(Exception):
    """A usage or config error, or an unreachable target."""


class KitBug(Exception):
    """The kit contradicts itself (a probe asks for an id no config may hold...): the kit's fault."""
