"""Oracle's response checks, registered on import (with schemathesis too)."""

from __future__ import annotations

from patientmsg.conformance.oracle.checks import bodies, lists, times

__all__ = ["bodies", "lists", "times"]
