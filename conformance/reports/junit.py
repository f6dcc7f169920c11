"""--junit-xml: one testcase per requirement; a failure carries its messages and curl lines."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from patientmsg.conformance.reports.model import Report, RequirementResult

__all__ = ["render_junit"]


def _failure_text(result: RequirementResult) -> str:
    blocks = [f"{finding.message}\n\nreproduce: {finding.curl}" for finding in result.failures]
    if result.failure_count > len(result.failures):
        blocks.append(f"... {result.failure_count - len(result.failures)} more")
    return "\n\n".join(blocks)


def render_junit(report: Report) -> str:
    suite = ET.Element(
        "testsuite",
        name=f"patientmsg check {report.api}",
        tests=str(len(report.results)),
        failures=str(report.count("failed")),
        skipped=str(report.count("skipped") + report.count("waived")),
        errors="0",
        time=f"{report.duration:.3f}",
        timestamp=report.facts.started,
    )
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="base_url", value=report.base_url)
    for result in report.results:
        requirement = result.requirement
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{report.api}.{requirement.category}",
            name=f"{requirement.id} {requirement.title}",
            time=f"{result.seconds:.3f}",
        )
        properties = ET.SubElement(case, "properties")
        ET.SubElement(properties, "property", name="level", value=requirement.level)
        ET.SubElement(properties, "property", name="checked", value=str(result.checked))
        if result.status == "failed":
            element = ET.SubElement(
                case,
                "failure",
                message=f"{requirement.level}: {result.failure_count} failure(s)",
                type=requirement.level,
            )
            element.text = _failure_text(result)
        elif result.status in ("skipped", "waived"):
            ET.SubElement(case, "skipped", message=result.note or result.status)
            if result.status == "waived":
                ET.SubElement(case, "system-out").text = _failure_text(result)
        if result.note and result.status in ("passed", "failed"):
            ET.SubElement(case, "system-err").text = result.note
    root = ET.Element("testsuites", name="patientmsg check")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
