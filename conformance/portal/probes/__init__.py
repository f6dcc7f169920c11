"""The portal's probes, registered in run order on import: read-only ones first, then writes."""

from __future__ import annotations

from patientmsg.conformance.portal.probes import access, inbox, practice, sending, transitions

__all__ = ["access", "inbox", "practice", "sending", "transitions"]
