"""Reports: their shape, no secret in any of them, the same seed gives the same report, waivers."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from defect_proxy import DefectProxy, Forward, Request, Response
from defects import CASES, athena_token
from kit_harness import Sandbox, run_kit
from patientmsg.fixtures import sandbox_config

FEW = ("--max-examples", "8")
ERROR_BODY = {"ATH-ERR-001", "ATH-ERR-002", "ATH-ERR-003"}


def _problem_json(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status < 400:
        return response
    problem = {"type": "about:blank", "title": "Error", "status": response.status}
    return response.with_json(problem, content_type="application/problem+json")


def _reports(tmp_path: Path, name: str) -> tuple[str, ...]:
    return (
        "--json",
        str(tmp_path / f"{name}.json"),
        "--junit-xml",
        str(tmp_path / f"{name}.xml"),
        "--html",
        str(tmp_path / f"{name}.html"),
    )


def _untimed(text: str) -> str:
    """A report without what changes run to run: JUnit times and the HTML's date and duration."""
    text = re.sub(r'(time|timestamp)="[^"]*"', r'\1=""', text)
    return re.sub(r'<span class="timing">[^<]*</span>', "", text)


def _texts(tmp_path: Path, name: str) -> dict[str, str]:
    return {ext: (tmp_path / f"{name}.{ext}").read_text() for ext in ("json", "xml", "html")}


def _secrets(api: str, seen_authorizations: set[str]) -> set[str]:
    config = sandbox_config()["apis"][api]
    found = set()
    for section in (config, config.get("second") or {}):
        auth = section.get("auth") or {}
        if "oauth2" in auth:
            oauth = auth["oauth2"]
            found.add(oauth["client_secret"])
            found.add(base64.b64encode(f"{oauth['client_id']}:{oauth['client_secret']}".encode()).decode())
        if "basic" in auth:
            basic = auth["basic"]
            found.add(basic["password"])
            found.add(base64.b64encode(f"{basic['username']}:{basic['password']}".encode()).decode())
        if "bearer_token" in auth:
            found.add(auth["bearer_token"])
    # Tokens the target issued and the kit sent: the proxy saw every one of them.
    found |= {value.split(" ", 1)[1] for value in seen_authorizations if value.startswith("Bearer ")}
    found.discard("patientmsg-invalid-token")
    return found


def test_no_secret_in_any_report_or_curl_line(sandbox: Sandbox, tmp_path: Path) -> None:
    for api in ("athena", "mdhq", "oracle"):
        with DefectProxy(sandbox.url, _problem_json) as proxy:
            run = run_kit(
                "--api",
                api,
                "--base-url",
                f"{proxy.url}/{api}",
                *FEW,
                "--allow-writes",
                "--only",
                "error-body",
                "--only",
                "auth",
                "--only",
                "behaviour",
                *_reports(tmp_path, api),
                json_report=False,
            )
        assert run.exit_code == 1, run.stdout
        texts = {**_texts(tmp_path, api), "console": run.stdout}
        secrets = _secrets(api, proxy.authorizations)
        assert secrets, "the test must know which secrets to look for"
        for kind, text in texts.items():
            leaked = [secret for secret in secrets if secret in text]
            assert not leaked, f"{api} {kind} report shows a secret"
        curls = [f["curl"] for r in json.loads(texts["json"])["results"] for f in r["failures"]]
        assert curls and all(curl.startswith("curl -X ") for curl in curls)
        placeholder = {
            "athena": "$ATHENA_TOKEN",
            "mdhq": "$MDHQ_USERNAME:$MDHQ_PASSWORD",
            "oracle": "$ORACLE_TOKEN",
        }
        assert any(placeholder[api] in curl for curl in curls)


def test_report_shapes(sandbox: Sandbox, tmp_path: Path) -> None:
    with DefectProxy(sandbox.url, _problem_json) as proxy:
        run = run_kit(
            "--api",
            "athena",
            "--base-url",
            f"{proxy.url}/athena",
            *FEW,
            "--only",
            "error-body",
            "--only",
            "pagination",
            *_reports(tmp_path, "shape"),
            json_report=False,
        )
    assert run.exit_code == 1
    report = json.loads((tmp_path / "shape.json").read_text())
    assert set(report) == {"api", "base_url", "seed", "passed", "results"}
    assert report["api"] == "athena" and report["seed"] == 0 and report["passed"] is False
    for result in report["results"]:
        assert set(result) == {"requirement", "title", "category", "level", "status", "checked", "failures"}
        assert result["status"] in {"passed", "failed", "skipped", "waived"}
        # A pass is never vacuous: it names how many exchanges its verifiers asserted on.
        assert result["status"] != "passed" or result["checked"] > 0
        assert all(set(failure) == {"message", "curl", "status"} for failure in result["failures"])
    junit = ET.fromstring((tmp_path / "shape.xml").read_text())
    cases = junit.findall(".//testcase")
    assert len(cases) == len(report["results"])
    checked = {r["requirement"]: str(r["checked"]) for r in report["results"]}
    for case in cases:
        shown = case.find("properties/property[@name='checked']")
        assert shown is not None and shown.get("value") == checked[case.get("name", "").split()[0]]
    failed = [case for case in cases if case.find("failure") is not None]
    assert {case.get("name", "").split()[0] for case in failed} == {
        r["requirement"] for r in report["results"] if r["status"] == "failed"
    }
    assert all("curl -X" in (case.find("failure").text or "") for case in failed)  # type: ignore[union-attr]
    html = (tmp_path / "shape.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "ATH-ERR-001" in html and "curl -X" in html
    assert "<script" not in html and "<link" not in html and "http-equiv" not in html
    assert "src=" not in html and "@import" not in html


def test_same_seed_gives_the_same_report(sandbox: Sandbox, tmp_path: Path) -> None:
    texts = []
    for attempt in ("first", "second"):
        with DefectProxy(sandbox.url, _problem_json) as proxy:
            run = run_kit(
                "--api",
                "athena",
                "--base-url",
                f"{proxy.url}/athena",
                "--seed",
                "3",
                *FEW,
                "--only",
                "error-body",
                "--only",
                "schema",
                *_reports(tmp_path, attempt),
                json_report=False,
            )
        assert run.exit_code == 1
        # The proxy's port is in base_url and every curl line; the rest must match byte for byte.
        texts.append(
            {k: _untimed(v.replace(proxy.url, "PROXY")) for k, v in _texts(tmp_path, attempt).items()}
        )
    assert texts[0] == texts[1]


def test_waivers_valid_and_expired(sandbox: Sandbox, tmp_path: Path) -> None:
    valid = tmp_path / "waivers.toml"
    reason = "migrating to the athena error body"
    valid.write_text(
        "".join(
            f'[[waiver]]\nrequirement = "{r}"\nreason = "{reason}"\nexpires = 2999-12-31\n'
            for r in ERROR_BODY
        )
    )
    expired = tmp_path / "waivers.yaml"
    entry = "  - requirement: {}\n    reason: old promise\n    expires: 2001-01-01\n"
    expired.write_text("waivers:\n" + "".join(entry.format(rid) for rid in sorted(ERROR_BODY)))
    with DefectProxy(sandbox.url, _problem_json) as proxy:
        base = ("--api", "athena", "--base-url", f"{proxy.url}/athena", *FEW, "--only", "error-body")
        waived = run_kit(*base, "--waivers", str(valid), tmp_path=tmp_path)
        lapsed = run_kit(*base, "--waivers", str(expired), tmp_path=tmp_path)
    assert waived.exit_code == 0, waived.stdout
    assert {waived.result(rid)["status"] for rid in ERROR_BODY} == {"waived"}
    assert "waived until 2999-12-31: migrating to the athena error body" in waived.stdout
    assert lapsed.exit_code == 1
    assert {lapsed.result(rid)["status"] for rid in ERROR_BODY} == {"failed"}
    assert "waiver expired on 2001-01-01" in lapsed.stdout


def _replay(line: str, env: dict[str, str]) -> int:
    """Run a report's curl line as a user would (the shell expands its variables); its status code."""
    done = subprocess.run(
        ["sh", "-c", line + " -s -o /dev/null -w '%{http_code}' --max-time 20"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return int(done.stdout or 0)


def test_every_curl_line_reproduces_the_response_it_is_shown_with(sandbox: Sandbox, tmp_path: Path) -> None:
    """The ATH-PAG-005 defect: "Received" from one request, the curl line from another."""
    athena = sandbox_config()["apis"]["athena"]
    client = athena["auth"]["oauth2"]
    env = {
        "ATHENA_TOKEN": athena_token(sandbox, client),
        "ATHENA_CLIENT_ID": client["client_id"],
        "ATHENA_CLIENT_SECRET": client["client_secret"],
    }
    _, defect, options, _, _ = CASES["pagination-athena"]
    with DefectProxy(sandbox.url, defect) as proxy:
        run = run_kit(
            "--api", "athena", "--base-url", f"{proxy.url}/athena", *FEW, *options,
            "--only", "error-body", tmp_path=tmp_path,
        )  # fmt: skip
        assert run.report is not None and run.exit_code == 1
        failures = [f for r in run.report["results"] for f in r["failures"] if f["curl"] and f["status"]]
        assert len(failures) >= 2
        for failure in failures:
            assert _replay(failure["curl"], env) == failure["status"], failure


def test_report_paths_are_checked_before_the_run(tmp_path: Path) -> None:
    """A typo in a report path used to surface after the whole run, as exit 2 with nothing written."""
    missing = tmp_path / "no-such-folder" / "report.html"
    run = run_kit(
        "--api", "mdhq", "--base-url", "http://127.0.0.1:9/mdhq", "--html", str(missing), json_report=False
    )
    assert run.exit_code == 2
    assert "--html" in run.stderr and "does not exist" in run.stderr
    assert "unreachable" not in run.stderr  # stopped before it tried the target


def test_json_to_stdout_markdown_summary_and_html_summary(sandbox: Sandbox, tmp_path: Path) -> None:
    with DefectProxy(sandbox.url, _problem_json) as proxy:
        run = run_kit(
            "--api", "athena", "--base-url", f"{proxy.url}/athena", *FEW, "--only", "error-body",
            "--json", "-", "--markdown", str(tmp_path / "summary.md"), "--html", str(tmp_path / "r.html"),
            "--junit-xml", str(tmp_path / "r.xml"), json_report=False,
        )  # fmt: skip
    assert run.exit_code == 1
    report = json.loads(run.stdout)  # stdout holds the JSON alone; progress went to stderr
    assert report["passed"] is False and "probe ATH-ERR-002" in run.stderr
    assert "generated cases:" in run.stderr and "requests so far" in run.stderr
    assert "coverage phase" not in run.stderr and "engine:" not in run.stderr
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## patientmsg check athena: FAILED")
    assert "| MUST | 0 | 3 | 0 | 0 |" in summary and "ATH-ERR-001" in summary
    html = (tmp_path / "r.html").read_text()
    # The summary comes before the requirements; sources by title; evidence folded; env vars explained.
    assert html.index("FAILED") < html.index("<h2>Requirements</h2>") < html.index("<h2>Failures</h2>")
    for fact in ("Requests sent", "Duration", "Date", "Seed", "Kit", "sha256", "Target"):
        assert fact in html.split("<h2>Requirements</h2>")[0]
    assert "athenahealth API reference: Secure Messages" in html and "<details>" in html
    assert "ATHENA_TOKEN" in html.split("Replaying a curl line")[1]
    junit = ET.fromstring((tmp_path / "r.xml").read_text())
    suite = junit.find("testsuite")
    assert suite is not None and float(suite.get("time", "-1")) >= 0
    assert all(case.get("time") is not None for case in junit.findall(".//testcase"))
