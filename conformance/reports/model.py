"""The verdict of a run: each selected requirement's status, failures and notes; the overall pass/fail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from patientmsg.conformance.catalogue import Requirement
from patientmsg.conformance.run.findings import Finding
from patientmsg.conformance.run.ledger import Ledger
from patientmsg.conformance.setup.waivers import Waiver

__all__ = ["STATUSES", "Report", "RequirementResult", "RunFacts", "judge"]

STATUSES = ("passed", "failed", "skipped", "waived")


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    status: str
    failures: list[Finding]
    # All distinct failures, of which `failures` keeps the first few.
    failure_count: int
    note: str | None = None
    # Exchanges its verifiers asserted something about; a pass needs at least one.
    checked: int = 0
    # Skipped because of the user's choice (no --allow-writes, no [second]): --strict lets it be.
    chosen_skip: bool = False
    # Seconds its probes ran; checks of generated cases share the engine's time and add none.
    seconds: float = 0.0

    @property
    def unexercised_must(self) -> bool:
        """A MUST the run could not exercise on this target, though the user asked for it."""
        return self.status == "skipped" and not self.chosen_skip and self.requirement.level == "MUST"


@dataclass(frozen=True)
class RunFacts:
    """What a reader of a report needs to trust and replay it; not in --json (it changes run to run)."""

    started: str = ""
    kit_version: str = ""
    spec_title: str = ""
    spec_version: str = ""
    spec_sha256: str = ""
    # (variable, how to set it) for every credential a curl line names.
    env_vars: tuple[tuple[str, str], ...] = ()
    # Requests that got a 429 and were retried after Retry-After.
    throttled: int = 0


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
    facts: RunFacts = field(default_factory=RunFacts)

    @property
    def passed(self) -> bool:
        failed = any(
            r.status == "failed" and (self.strict or r.requirement.level == "MUST") for r in self.results
        )
        # --strict: a MUST that was selected but never exercised is no pass either.
        return not failed and not (self.strict and any(r.unexercised_must for r in self.results))

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
                    "checked": r.checked,
                    "failures": [
                        {"message": f.message, "curl": f.curl, "status": f.status} for f in r.failures
                    ],
                }
                for r in self.results
            ],
        }


def _unwaived(
    requirement: Requirement, ledger: Ledger, *, allow_writes: bool, has_second: bool
) -> tuple[str, str | None, bool]:
    """(status, note, whether a skip is the user's choice)."""
    if "writes" in requirement.needs and not allow_writes:
        return "skipped", "needs --allow-writes (it changes state)", True
    if "second" in requirement.needs and not has_second:
        return "skipped", "needs a second tenant: [second] in the config", True
    if requirement.id in ledger.findings:
        return "failed", None, False
    if ledger.checked_for(requirement.verified_by) > 0:
        return "passed", None, False
    reasons = [ledger.skipped[name] for name in requirement.verified_by if name in ledger.skipped]
    if reasons:
        return "skipped", reasons[0], False
    names = ", ".join(requirement.verified_by)
    return "skipped", f"no response it applies to came up ({names} asserted on nothing)", False


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
        status, note, chosen = _unwaived(
            requirement, ledger, allow_writes=allow_writes, has_second=has_second
        )
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
                checked=ledger.checked_for(requirement.verified_by),
                chosen_skip=chosen,
                seconds=sum(ledger.seconds.get(name, 0.0) for name in requirement.verified_by),
            )
        )
    return results
