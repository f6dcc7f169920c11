"""Oracle's response checks, registered on import (with schemathesis too)."""

from __future__ import annotations

from patientmsg.conformance.oracle.checks import bodies, headers, lists, times

__all__ = ["bodies", "headers", "lists", "times"]
