"""--markdown: a short summary fit for a CI job summary page (GitHub's $GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from patientmsg.conformance.reports.grouping import group_failures
from patientmsg.conformance.reports.model import STATUSES, Report

__all__ = ["render_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, title: str) -> str:
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [
        f"## patientmsg check {report.api}: {verdict}",
        "",
        f"{_cell(title)} at `{report.base_url}`, seed {report.seed}; "
        f"{report.requests} requests in {report.duration:.1f} s.",
        "",
        "| level | " + " | ".join(STATUSES) + " |",
        "|---|" + "---|" * len(STATUSES),
    ]
    for level in ("MUST", "SHOULD"):
        lines.append(f"| {level} | " + " | ".join(str(report.count(s, level)) for s in STATUSES) + " |")
    failed = [r for r in report.results if r.status == "failed"]
    if failed:
        lines += ["", "| requirement | level | failures | what |", "|---|---|---|---|"]
        for result in failed:
            kinds = "; ".join(f"{len(g.findings)} x {g.title}" for g in group_failures(result))
            lines.append(
                f"| {result.requirement.id} | {result.requirement.level} | {result.failure_count} | "
                f"{_cell(result.requirement.title)}: {_cell(kinds)} |"
            )
    skipped = [r for r in report.results if r.status == "skipped" and not r.chosen_skip]
    if skipped:
        lines += ["", "Not exercised on this target:", ""]
        lines += [f"- {r.requirement.id} [{r.requirement.level}]: {_cell(r.note or '')}" for r in skipped]
    return "\n".join(lines) + "\n"
