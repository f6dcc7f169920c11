"""athena requirements that used to pass on nothing are skipped, saying what to configure."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from defect_proxy import DefectProxy, Forward, Request, Response
from kit_harness import Sandbox, run_kit
from patientmsg.conformance.athena.checks import athena_departments_mapping_matches_filters
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.fixtures import sandbox_config

_TAGS = re.compile(r"<[^>]*>")


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **ids: int) -> Path:
    """The sandbox's own athena client, with the ids given instead of the sandbox's."""
    oauth = sandbox_config()["apis"]["athena"]["auth"]["oauth2"]
    monkeypatch.setenv("PM_ATHENA_SECRET", oauth["client_secret"])
    lines = [
        "[auth.oauth2]",
        f'token_url = "{oauth["token_url"]}"',
        f'client_id = "{oauth["client_id"]}"',
        'client_secret = "${PM_ATHENA_SECRET}"',
        "[ids]",
        *(f"{name} = {value}" for name, value in ids.items()),
    ]
    path = tmp_path / "athena.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_offset_walk_over_an_empty_mailbox_is_skipped(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = sandbox_config()["apis"]["athena"]["ids"]["empty_patientid"]
    config = _config(tmp_path, monkeypatch, practiceid=195900, patientid=empty, messagethreadid=100001)
    run = run_kit(
        "--api", "athena", "--base-url", sandbox.base("athena"), "--config", str(config),
        "--only", "ATH-PAG-005", tmp_path=tmp_path,
    )  # fmt: skip
    result = run.result("ATH-PAG-005")
    assert result["status"] == "skipped" and result["checked"] == 0, run.stdout
    assert f"patientid {empty} has 0 threads" in run.stdout
    assert "set [ids] patientid" in run.stdout


def _no_markup_anywhere(request: Request, forward: Forward) -> Response:
    response = forward(request)
    body = response.json()
    if response.status != 200 or not isinstance(body, dict):
        return response

    def strip(node: Any) -> None:
        for thread in node if isinstance(node, list) else [node]:
            for message in thread.get("messagelist") or [] if isinstance(thread, dict) else []:
                message["text"] = _TAGS.sub("", str(message.get("text")))

    for value in body.values():
        if isinstance(value, list):
            strip(value)
    return response.with_json(body)


def test_showplaintext_is_skipped_when_the_stored_text_has_no_markup(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Markup stripped from every text: showplaintext=Y has nothing to strip, so nothing was shown."""
    with DefectProxy(sandbox.url, _no_markup_anywhere) as proxy:
        run = run_kit(
            "--api", "athena", "--base-url", f"{proxy.url}/athena", "--only", "ATH-BEH-005", tmp_path=tmp_path
        )
    result = run.result("ATH-BEH-005")
    assert result["status"] == "skipped" and result["checked"] == 0, run.stdout
    assert "has no HTML markup" in run.stdout


def _mapping(query: str) -> Exchange:
    url = f"http://127.0.0.1:9/athena/v1/195900/patientsecuremessage/providers/departmentsmapping{query}"
    body = b'{"totalcount": 1, "departmentsmapping": [{"providerid": 71, "departmentid": 1}]}'
    return Exchange("GET", url, {}, None, 200, {"content-type": "application/json"}, body)


def test_departments_mapping_without_a_filter_checks_nothing() -> None:
    assert athena_departments_mapping_matches_filters(_mapping("")) is True
    assert athena_departments_mapping_matches_filters(_mapping("?providerids=71")) is None
