"""Reports, one module per format; all read the same `Report`."""

from __future__ import annotations

from patientmsg.conformance.reports.console import render_console
from patientmsg.conformance.reports.html import render_html
from patientmsg.conformance.reports.jsonfile import render_json
from patientmsg.conformance.reports.junit import render_junit
from patientmsg.conformance.reports.markdown import render_markdown
from patientmsg.conformance.reports.model import STATUSES, Report, RequirementResult, RunFacts, judge

__all__ = [
    "STATUSES",
    "Report",
    "RequirementResult",
    "RunFacts",
    "judge",
    "render_console",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
]
