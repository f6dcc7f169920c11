"""The console report: a table of requirements, then each failure with the curl that reproduces it."""

from __future__ import annotations

from patientmsg.conformance.reports.model import Report

__all__ = ["render_console"]

SHOWN_PER_REQUIREMENT = 3


def render_console(report: Report) -> str:
    lines = [
        "",
        f"{'REQUIREMENT':<14}{'LEVEL':<8}{'STATUS':<9}{'CHECKED':>8}{'FAILURES':>9}  TITLE",
    ]
    for result in report.results:
        requirement = result.requirement
        lines.append(
            f"{requirement.id:<14}{requirement.level:<8}{result.status:<9}{result.checked:>8}"
            f"{result.failure_count:>9}  "
            f"{requirement.title}"
        )
        if result.note:
            lines.append(f"{'':<50}({result.note})")
    for result in report.results:
        if not result.failures:
            continue
        lines.extend(["", f"{result.requirement.id} [{result.requirement.level}] {result.requirement.title}"])
        for finding in result.failures[:SHOWN_PER_REQUIREMENT]:
            lines.extend("    " + line for line in finding.message.splitlines()[:24])
            if finding.curl:
                lines.append(f"    reproduce: {finding.curl}")
            lines.append("")
        if result.failure_count > SHOWN_PER_REQUIREMENT:
            lines.append(f"    ... {result.failure_count - SHOWN_PER_REQUIREMENT} more (see --json/--html)")
    lines.extend(["", *report.notes])
    must_failed = report.count("failed", "MUST")
    should_failed = report.count("failed", "SHOULD")
    verdict = "PASSED" if report.passed else "FAILED"
    lines.append(
        f"{report.api}: {verdict} - {report.count('passed')} passed, {must_failed} MUST failed, "
        f"{should_failed} SHOULD failed{' (--strict)' if report.strict else ''}, "
        f"{report.count('skipped')} skipped, "
        f"{report.count('waived')} waived; {report.requests} requests in {report.duration:.1f} s"
    )
    return "\n".join(lines)
