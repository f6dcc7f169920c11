"""The run's ledger: which verifiers ran, which were skipped and why, and every failure, by requirement."""

from __future__ import annotations

from dataclasses import dataclass, field

from patientmsg.conformance.catalogue import Catalogue
from patientmsg.conformance.run.findings import Finding

__all__ = ["MAX_FAILURES_KEPT", "Ledger"]

# A broken server can fail the same way thousands of times; a report needs a few examples of each.
MAX_FAILURES_KEPT = 20


@dataclass
class Ledger:
    catalogue: Catalogue
    ran: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _seen: set[tuple[str, str, str | None]] = field(default_factory=set)

    def mark_ran(self, verifier: str) -> None:
        self.ran.add(verifier)

    def mark_skipped(self, verifier: str, reason: str) -> None:
        self.skipped.setdefault(verifier, reason)

    def fail(self, verifier: str, message: str, curl: str, operation: str | None = None) -> None:
        requirement = self.catalogue.for_verifier(verifier)
        if requirement is None:
            return
        self.ran.add(verifier)
        key = (requirement.id, message, operation)
        if key in self._seen:
            return
        self._seen.add(key)
        self.counts[requirement.id] = self.counts.get(requirement.id, 0) + 1
        kept = self.findings.setdefault(requirement.id, [])
        if len(kept) < MAX_FAILURES_KEPT:
            kept.append(Finding(requirement=requirement.id, message=message, curl=curl, operation=operation))
