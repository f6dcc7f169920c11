"""The kit's probes, registered per API on import (run in file order, read-only ones first)."""

from __future__ import annotations

from patientmsg.conformance.probes import (
    athena,
    athena_pages,
    athena_writes,
    auth,
    mdhq,
    negative,
    oracle,
    oracle_walk,
)
from patientmsg.conformance.probes.context import ProbeContext
from patientmsg.conformance.probes.registry import PROBES, Probe, ProbeFunc, probe

__all__ = [
    "PROBES",
    "Probe",
    "ProbeContext",
    "ProbeFunc",
    "athena",
    "athena_pages",
    "athena_writes",
    "auth",
    "mdhq",
    "negative",
    "oracle",
    "oracle_walk",
    "probe",
]
