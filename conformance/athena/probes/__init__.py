"""athena's probes, registered on import in run order: its own read-only ones, then the shared ones.

Writes run only with --allow-writes, after the engine; the order here is the order within each group.
"""

from __future__ import annotations

from patientmsg.conformance.athena.probes import read_only  # isort: split

from patientmsg.conformance.athena.probes import pages  # isort: split

from patientmsg.conformance.athena.probes import bounds  # isort: split

from patientmsg.conformance.athena.probes import text  # isort: split

from patientmsg.conformance.athena.probes import ownership  # isort: split

from patientmsg.conformance.athena.probes import mapping  # isort: split

from patientmsg.conformance.athena.probes import methods  # isort: split

from patientmsg.conformance.athena.probes import writes  # isort: split

from patientmsg.conformance.athena.probes import generic  # isort: split

from patientmsg.conformance.athena.probes import finale

__all__ = [
    "bounds",
    "finale",
    "generic",
    "mapping",
    "methods",
    "ownership",
    "pages",
    "read_only",
    "text",
    "writes",
]
