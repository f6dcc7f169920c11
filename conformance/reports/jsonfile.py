"""--json: the report as the issue defines it (no timings, so a replay gives the same bytes)."""

from __future__ import annotations

import json

from patientmsg.conformance.reports.model import Report

__all__ = ["render_json"]


def render_json(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
