"""The kit's portal unit: catalogue.yaml, response checks and probes (registered on import)."""

from __future__ import annotations

from patientmsg.conformance.portal import checks, probes

__all__ = ["checks", "probes"]
