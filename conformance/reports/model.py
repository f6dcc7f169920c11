"""The verdict of a run: each selected requirement's status, failures and notes; the overall pass/fail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from patientmsg.conformance.catalogue import Requirement
from patientmsg.conformance.run.findings import Finding
from patientmsg.conformance.run.ledger import Ledger
from patientmsg.conformance.setup.waivers import Waiver

__all__ = ["STATUSES", "Report", "RequirementResult", "judge"]

STATUSES = ("passed", "failed", "skipped", "waived")


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    status: str
    failures: list[Finding]
    # All distinct failures, of which `failures` keeps the first few.
    failure_count: int
    note: str | None = None


@dataclass
class Report:
    api: str
    base_url: str
    seed: int
    strict: bool
    results: list[RequirementResult]
    requests: int = 0
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not any(
            r.status == "failed" and (self.strict or r.requirement.level == "MUST") for r in self.results
        )

    def count(self, status: str, level: str | None = None) -> int:
        return sum(
            1 for r in self.results if r.status == status and (level is None or r.requirement.level == level)
        )

    def as_json(self) -> dict[str, Any]:
        """The --json document, in the issue's shape exactly."""
        return {
            "api": self.api,
            "base_url": self.base_url,
            "seed": self.seed,
            "passed": self.passed,
            "results": [
                {
                    "requirement": r.requirement.id,
                    "title": r.requirement.title,
                    "category": r.requirement.category,
                    "level": r.requirement.level,
                    "status": r.status,
                    "failures": [{"message": f.message, "curl": f.curl} for f in r.failures],
                }
                for r in self.results
            ],
        }


def _unwaived(
    requirement: Requirement, ledger: Ledger, *, allow_writes: bool, has_second: bool
) -> tuple[str, str | None]:
    if "writes" in requirement.needs and not allow_writes:
        return "skipped", "needs --allow-writes (it changes state)"
    if "second" in requirement.needs and not has_second:
        return "skipped", "needs a second tenant: [second] in the config"
    if requirement.id in ledger.findings:
        return "failed", None
    if any(name in ledger.ran for name in requirement.verified_by):
        return "passed", None
    reasons = [ledger.skipped[name] for name in requirement.verified_by if name in ledger.skipped]
    return "skipped", reasons[0] if reasons else "no response it applies to came up"


def judge(
    selected: list[Requirement],
    ledger: Ledger,
    waivers: dict[str, Waiver],
    *,
    allow_writes: bool,
    has_second: bool,
    today: dt.date,
) -> list[RequirementResult]:
    results = []
    for requirement in selected:
        status, note = _unwaived(requirement, ledger, allow_writes=allow_writes, has_second=has_second)
        waiver = waivers.get(requirement.id)
        if waiver is not None and waiver.is_expired(today):
            note = f"waiver expired on {waiver.expires.isoformat()}: not counted ({waiver.reason})"
        elif waiver is not None and status == "failed":
            status, note = "waived", f"waived until {waiver.expires.isoformat()}: {waiver.reason}"
        elif waiver is not None:
            note = (note + "; " if note else "") + f"waiver until {waiver.expires.isoformat()} not needed"
        findings = ledger.findings.get(requirement.id, [])
        results.append(
            RequirementResult(
                requirement=requirement,
                status=status,
                failures=list(findings),
                failure_count=ledger.counts.get(requirement.id, 0),
                note=note,
            )
        )
    return results
