"""The run's ledger: what each verifier asserted on, which were skipped and why, every failure by requirement.

A verifier counts an exchange when it asserted something about it: a response check that did not
answer "not applicable" (True), a built-in Schemathesis check that applied to the case, a probe's
`ctx.checked(exchange)`. A requirement passes only when its verifiers counted at least one.
"""

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
    # Verifier name -> exchanges it asserted something about.
    checked: dict[str, int] = field(default_factory=dict)
    # Verifier name -> seconds its probe ran (engine checks share their time and record none).
    seconds: dict[str, float] = field(default_factory=dict)
    # Generated cases answered 429 (Too Many Requests): set aside, judged by no requirement.
    throttled: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _seen: set[tuple[str, str, str | None]] = field(default_factory=set)

    def count_checked(self, verifier: str, exchanges: int = 1) -> None:
        if exchanges > 0:
            self.checked[verifier] = self.checked.get(verifier, 0) + exchanges

    def checked_for(self, verifiers: tuple[str, ...]) -> int:
        """Exchanges a requirement's verifiers asserted something about."""
        return sum(self.checked.get(name, 0) for name in verifiers)

    def merge(self, other: Ledger) -> None:
        """Add what another ledger of the same catalogue recorded (an engine process's share of the run)."""
        for verifier, exchanges in other.checked.items():
            self.count_checked(verifier, exchanges)
        self.throttled += other.throttled
        for verifier, reason in other.skipped.items():
            self.mark_skipped(verifier, reason)
        for key in other._seen - self._seen:
            self.counts[key[0]] = self.counts.get(key[0], 0) + 1
        for requirement, findings in other.findings.items():
            kept = self.findings.setdefault(requirement, [])
            for finding in findings:
                key = (finding.requirement, finding.message, finding.operation)
                if key not in self._seen and len(kept) < MAX_FAILURES_KEPT:
                    kept.append(finding)
        self._seen |= other._seen

    def mark_skipped(self, verifier: str, reason: str) -> None:
        self.skipped.setdefault(verifier, reason)

    def fail(
        self, verifier: str, message: str, curl: str, operation: str | None = None, status: int | None = None
    ) -> None:
        requirement = self.catalogue.for_verifier(verifier)
        if requirement is None:
            return
        key = (requirement.id, message, operation)
        if key in self._seen:
            return
        self._seen.add(key)
        self.counts[requirement.id] = self.counts.get(requirement.id, 0) + 1
        kept = self.findings.setdefault(requirement.id, [])
        if len(kept) < MAX_FAILURES_KEPT:
            kept.append(
                Finding(
                    requirement=requirement.id, message=message, curl=curl, operation=operation, status=status
                )
            )
