"""The kit's mdhq unit: catalogue.yaml, response checks and probes (registered on import)."""

from __future__ import annotations

from patientmsg.conformance.mdhq import checks, probes

__all__ = ["checks", "probes"]
