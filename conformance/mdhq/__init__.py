"""The kit's mdhq unit: catalogue.yaml, response checks and probes (registered on import, in run order)."""

from __future__ import annotations

from patientmsg.conformance.mdhq import checks, form_checks, method_probes, probes, queue_probes, write_probes

__all__ = ["checks", "form_checks", "method_probes", "probes", "queue_probes", "write_probes"]
