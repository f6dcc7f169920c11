"""The kit's APIs: one unit each (`conformance/<api>/`: catalogue.yaml, checks, probes), one line each here.

Importing a unit registers its response checks (with schemathesis too) and its probes, so whoever
reads `RESPONSE_CHECKS` or `PROBES` imports them from here and finds every API's.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from patientmsg.conformance import athena, mdhq, oracle, portal
from patientmsg.conformance.shared.checking import RESPONSE_CHECKS, ResponseCheck
from patientmsg.conformance.shared.probing import PROBES, Probe

__all__ = ["APIS", "PROBES", "RESPONSE_CHECKS", "UNITS", "ApiUnit", "checks_of", "probes_of"]


@dataclass(frozen=True)
class ApiUnit:
    name: str
    # Every requirement id of the unit's catalogue starts with it: ATH-PAG-001.
    prefix: str
    # The unit's package: its catalogue.yaml lives there, its checks and probes register on import.
    package: ModuleType


UNITS: dict[str, ApiUnit] = {
    "athena": ApiUnit("athena", "ATH", athena),
    "oracle": ApiUnit("oracle", "ORA", oracle),
    "mdhq": ApiUnit("mdhq", "MDHQ", mdhq),
    "portal": ApiUnit("portal", "PORTAL", portal),
}
APIS = tuple(UNITS)


def checks_of(api: str) -> list[ResponseCheck]:
    return RESPONSE_CHECKS.get(api, [])


def probes_of(api: str) -> list[Probe]:
    return PROBES.get(api, [])
