"""--html: one self-contained page (inline styles, no scripts, nothing fetched) to send to a customer.

A summary first (verdict, counts by level and status, the run's facts), then the requirements, then
the failures grouped by kind with their evidence folded away, and how to replay the curl lines.
Values that change from run to run (date, duration) carry class "timing".
"""

from __future__ import annotations

from html import escape

from patientmsg.conformance.reports.grouping import group_failures
from patientmsg.conformance.reports.model import STATUSES, Report, RequirementResult

__all__ = ["render_html"]

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
table{border-collapse:collapse}th,td{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left;
vertical-align:top}th{background:#f4f4f4}.wide{width:100%}
.passed{color:#176b2c}.failed{color:#b00020;font-weight:bold}.skipped{color:#777}.waived{color:#8a5a00}
.verdict{font-size:1.6em;font-weight:bold;margin:.2em 0}.verdict.passed{color:#176b2c}
.verdict.failed{color:#b00020}.note{color:#666;font-size:.9em}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;white-space:pre-wrap;margin:.3em 0}
details{margin:.3em 0 .8em 1em}summary{cursor:pointer;color:#333}.facts th{width:11em}
td:first-child{white-space:nowrap}.facts{margin-top:1em}
.count{display:inline-block;min-width:2em;text-align:right;font-weight:bold}
"""


def _counts(report: Report) -> str:
    head = "".join(f"<th>{status}</th>" for status in STATUSES)
    rows = []
    for level in ("MUST", "SHOULD"):
        cells = "".join(f'<td class="{status}">{report.count(status, level)}</td>' for status in STATUSES)
        rows.append(f"<tr><th>{level}</th>{cells}</tr>")
    return f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _facts(report: Report, title: str) -> str:
    facts = report.facts
    spec = f"{escape(facts.spec_title or title)} {escape(facts.spec_version)}"
    rows = [
        ("Target", f"<code>{escape(report.base_url)}</code>"),
        ("API", f"{escape(title)} (<code>--api {escape(report.api)}</code>)"),
        ("Spec", f"{spec}<br><span class=note>sha256 <code>{escape(facts.spec_sha256)}</code></span>"),
        (
            "Requests sent",
            str(report.requests) + (f" ({facts.throttled} retried after 429)" if facts.throttled else ""),
        ),
        ("Duration", f'<span class="timing">{report.duration:.1f} s</span>'),
        ("Date", f'<span class="timing">{escape(facts.started)}</span>'),
        ("Seed", str(report.seed)),
        (
            "Kit",
            f"patientmsg {escape(facts.kit_version)}"
            + (" (--strict: SHOULD counts)" if report.strict else ""),
        ),
    ]
    body = "".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    return f'<table class="facts">{body}</table>'


def _row(result: RequirementResult) -> str:
    r = result.requirement
    note = f'<div class="note">{escape(result.note)}</div>' if result.note else ""
    link = f'<a href="#{r.id}">{r.id}</a>' if result.failures else r.id
    return (
        f"<tr><td>{link}</td><td>{r.level}</td><td>{r.category}</td>"
        f'<td class="{result.status}">{result.status}</td><td>{result.checked}</td>'
        f"<td>{result.failure_count}</td><td>{escape(r.title)}{note}</td></tr>"
    )


def _source(result: RequirementResult) -> str:
    source = result.requirement.source
    detail = f" <span class=note>({escape(source.file)})</span>" if source.file else ""
    said = (
        f": “{escape(source.quote)}”" if source.quote else (f": {escape(source.text)}" if source.text else "")
    )
    return f'<p class="note">Source: <b>{escape(source.title())}</b>{detail}{said}</p>'


def _detail(result: RequirementResult) -> str:
    r = result.requirement
    parts = [
        f'<h3 id="{r.id}">{r.id} [{r.level}] <span class="{result.status}">{result.status}</span>: '
        f"{escape(r.title)}</h3>",
        _source(result),
    ]
    for group in group_failures(result):
        where = (
            f" <span class=note>in {escape(', '.join(group.operations))}</span>" if group.operations else ""
        )
        parts.append(
            f'<p><span class="count">{len(group.findings)} &times;</span> {escape(group.title)}{where}</p>'
        )
        evidence = []
        for finding in group.findings:
            shown = f"<pre>{escape(finding.message)}</pre>"
            if finding.curl:
                answered = finding.status or "no response"
                shown += f"<p>Reproduce (answered {answered}):</p><pre>{escape(finding.curl)}</pre>"
            evidence.append(shown)
        many = f"the {len(evidence)} examples" if len(evidence) > 1 else "the example"
        parts.append(
            f"<details><summary>show {many}: response, expectation, curl</summary>"
            f"{''.join(evidence)}</details>"
        )
    if result.failure_count > len(result.failures):
        parts.append(
            f"<p>... and {result.failure_count - len(result.failures)} more distinct failures, not kept.</p>"
        )
    return "\n".join(parts)


def _env_help(report: Report) -> str:
    if not report.facts.env_vars:
        return ""
    items = "".join(
        f"<tr><td><code>{escape(name)}</code></td><td>{escape(how)}</td></tr>"
        for name, how in report.facts.env_vars
    )
    return (
        "<h2>Replaying a curl line</h2><p>The curl lines never hold a credential; they read it from the "
        "environment. Set these first, e.g. <code>export NAME=value</code>:</p>"
        f'<table class="wide"><tbody>{items}</tbody></table>'
    )


def render_html(report: Report, title: str) -> str:
    details = [_detail(r) for r in report.results if r.failures]
    verdict = "PASSED" if report.passed else "FAILED"
    klass = "passed" if report.passed else "failed"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>patientmsg check: {escape(report.api)}</title>
<style>{_STYLE}</style></head><body>
<h1>Conformance report: {escape(title)}</h1>
<p class="verdict {klass}">{verdict}</p>
{_counts(report)}
{_facts(report, title)}
<h2>Requirements</h2>
<table class="wide"><thead><tr><th>Requirement</th><th>Level</th><th>Category</th><th>Status</th>
<th>Checked</th><th>Failures</th><th>Title</th></tr></thead><tbody>
{chr(10).join(_row(result) for result in report.results)}
</tbody></table>
{("<h2>Failures</h2>" + chr(10).join(details)) if details else ""}
{_env_help(report)}
</body></html>
"""
