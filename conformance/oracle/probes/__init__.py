"""Oracle's probes, registered on import in run order: the mailbox noted first, the shared ones,
Oracle's own, the same mailbox looked at again last."""

from __future__ import annotations

from patientmsg.conformance.oracle.probes import at_start  # isort: split

from patientmsg.conformance.oracle.probes import generic  # isort: split

from patientmsg.conformance.oracle.probes import read_only  # isort: split

from patientmsg.conformance.oracle.probes import methods, refusals, values, window  # isort: split

from patientmsg.conformance.oracle.probes import walk  # isort: split

from patientmsg.conformance.oracle.probes import at_end

__all__ = ["at_end", "at_start", "generic", "methods", "read_only", "refusals", "values", "walk", "window"]
