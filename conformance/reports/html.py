"""--html: one self-contained page (inline styles, no scripts, nothing fetched) to send to a customer."""

from __future__ import annotations

from html import escape
from string import Template

from patientmsg.conformance.reports.model import Report, RequirementResult

__all__ = ["render_html"]

_PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>patientmsg check: $api</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.passed{color:#176b2c}.failed{color:#b00020;font-weight:bold}
.skipped{color:#777}.waived{color:#8a5a00}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.verdict{font-size:1.3em}.note{color:#666;font-size:.9em}
</style></head><body>
<h1>patientmsg conformance report: $title</h1>
<p class="verdict $verdict_class">$verdict</p>
<p>Target <code>$base_url</code>, seed $seed$strict. $summary</p>
<table><thead><tr><th>Requirement</th><th>Level</th><th>Category</th><th>Status</th><th>Checked</th><th>Failures</th><th>Title</th>
</tr></thead><tbody>
$rows
</tbody></table>
$details
</body></html>
""")


def _row(result: RequirementResult) -> str:
    r = result.requirement
    note = f'<div class="note">{escape(result.note)}</div>' if result.note else ""
    return (
        f'<tr><td><a href="#{r.id}">{r.id}</a></td><td>{r.level}</td><td>{r.category}</td>'
        f'<td class="{result.status}">{result.status}</td><td>{result.checked}</td>'
        f"<td>{result.failure_count}</td>"
        f"<td>{escape(r.title)}{note}</td></tr>"
    )


def _detail(result: RequirementResult) -> str:
    r = result.requirement
    parts = [
        f'<h3 id="{r.id}">{r.id} <span class="{result.status}">{result.status}</span>: '
        f"{escape(r.title)}</h3>",
        f'<p class="note">Source: {escape(r.source.describe())}</p>',
    ]
    for finding in result.failures:
        parts.append(f"<pre>{escape(finding.message)}</pre>")
        if finding.curl:
            parts.append(f"<p>Reproduce:</p><pre>{escape(finding.curl)}</pre>")
    if result.failure_count > len(result.failures):
        parts.append(f"<p>... and {result.failure_count - len(result.failures)} more of the same kind.</p>")
    return "\n".join(parts)


def render_html(report: Report, title: str) -> str:
    details = [_detail(result) for result in report.results if result.failures or result.status == "waived"]
    summary = (
        f"{report.count('passed')} passed, {report.count('failed')} failed, "
        f"{report.count('skipped')} skipped, "
        f"{report.count('waived')} waived."
    )
    return _PAGE.substitute(
        api=escape(report.api),
        title=escape(title),
        verdict="PASSED" if report.passed else "FAILED",
        verdict_class="passed" if report.passed else "failed",
        base_url=escape(report.base_url),
        seed=report.seed,
        strict=" (strict: SHOULD counts)" if report.strict else "",
        summary=summary,
        rows="\n".join(_row(result) for result in report.results),
        details=("<h2>Failures</h2>\n" + "\n".join(details)) if details else "",
    )
