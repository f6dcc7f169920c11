"""Oracle's probes, registered on import in run order: the shared ones, then Oracle's own."""

from __future__ import annotations

from patientmsg.conformance.oracle.probes import generic  # isort: split

from patientmsg.conformance.oracle.probes import read_only  # isort: split

from patientmsg.conformance.oracle.probes import walk

__all__ = ["generic", "read_only", "walk"]
