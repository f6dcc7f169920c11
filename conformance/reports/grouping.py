"""Failures grouped for reading: one entry per kind of failure of a requirement, with its count."""

from __future__ import annotations

import re
from dataclasses import dataclass

from patientmsg.conformance.reports.model import RequirementResult
from patientmsg.conformance.run.findings import Finding

__all__ = ["FailureGroup", "group_failures"]

_OPERATION = re.compile(r"^\[[^\]]*\]\s*")


@dataclass(frozen=True)
class FailureGroup:
    title: str
    # Distinct failures of this kind that were kept (each with its own evidence and curl line).
    findings: tuple[Finding, ...]
    operations: tuple[str, ...]


def _title(finding: Finding) -> str:
    first = finding.message.splitlines()[0] if finding.message else ""
    return _OPERATION.sub("", first).strip() or "failure"


def group_failures(result: RequirementResult) -> list[FailureGroup]:
    """The kept failures of a requirement, one group per title, in order of first appearance."""
    groups: dict[str, list[Finding]] = {}
    for finding in result.failures:
        groups.setdefault(_title(finding), []).append(finding)
    return [
        FailureGroup(
            title=title,
            findings=tuple(found),
            operations=tuple(dict.fromkeys(f.operation for f in found if f.operation)),
        )
        for title, found in groups.items()
    ]
