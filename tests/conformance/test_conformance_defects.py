"""For every category, a defect planted in front of the sandbox makes the kit fail that requirement."""

from __future__ import annotations

from pathlib import Path

import pytest
from defect_proxy import DefectProxy, Forward, Request, Response
from defects import CASES, athena_token
from kit_harness import Sandbox, run_kit
from patientmsg.fixtures import sandbox_config

FEW = ("--max-examples", "8")


@pytest.mark.parametrize("name", list(CASES))
def test_planted_defect_fails_its_requirement(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    api, defect, options, expected, category = CASES[name]
    with DefectProxy(sandbox.url, defect) as proxy:
        run = run_kit("--api", api, "--base-url", f"{proxy.url}/{api}", *FEW, *options, tmp_path=tmp_path)
    assert run.exit_code == 1, run.stdout
    assert expected <= run.failed(), run.stdout
    for requirement in expected:
        result = run.result(requirement)
        assert result["category"] == category
        assert result["failures"] and all(f["curl"].startswith("curl ") for f in result["failures"])
        assert requirement in run.stdout


def test_without_a_defect_the_same_selection_passes(sandbox: Sandbox, tmp_path: Path) -> None:
    """The proxy itself plants nothing: the failures above are the defects'."""
    with DefectProxy(sandbox.url) as proxy:
        run = run_kit(
            "--api",
            "oracle",
            "--base-url",
            f"{proxy.url}/oracle",
            *FEW,
            "--only",
            "headers",
            "--only",
            "schema",
            "--only",
            "ORA-PAG-003",
            tmp_path=tmp_path,
        )
    assert run.exit_code == 0, run.stdout
    assert not run.failed()


def test_credentials_not_required_fails_auth(sandbox: Sandbox, tmp_path: Path) -> None:
    token = athena_token(sandbox, sandbox_config()["apis"]["athena"]["auth"]["oauth2"])

    def answer_without_credentials(request: Request, forward: Forward) -> Response:
        if "authorization" not in request.headers and "/oauth2/" not in request.path:
            request.headers["authorization"] = f"Bearer {token}"
        return forward(request)

    with DefectProxy(sandbox.url, answer_without_credentials) as proxy:
        run = run_kit(
            "--api", "athena", "--base-url", f"{proxy.url}/athena", *FEW, "--only", "auth", tmp_path=tmp_path
        )
    assert run.exit_code == 1
    assert {"ATH-AUTH-001", "ATH-AUTH-002"} <= run.failed()
    assert run.result("ATH-AUTH-002")["category"] == "auth"


def test_leak_across_practices_fails_auth(sandbox: Sandbox, tmp_path: Path) -> None:
    apis = sandbox_config()["apis"]["athena"]
    second_practice = apis["second"]["ids"]["practiceid"]
    second_token = athena_token(sandbox, apis["second"]["auth"]["oauth2"])

    def leak(request: Request, forward: Forward) -> Response:
        # Any token reads the second practice: the gateway forgets to check whose token it is.
        if f"/v1/{second_practice}/" in request.path:
            request.headers["authorization"] = f"Bearer {second_token}"
        return forward(request)

    with DefectProxy(sandbox.url, leak) as proxy:
        run = run_kit(
            "--api",
            "athena",
            "--base-url",
            f"{proxy.url}/athena",
            "--only",
            "ATH-AUTH-005",
            tmp_path=tmp_path,
        )
    assert run.exit_code == 1
    failure = run.result("ATH-AUTH-005")
    assert failure["status"] == "failed" and failure["category"] == "auth"
    assert "across tenants" in failure["failures"][0]["message"]


@pytest.mark.parametrize(
    ("api", "second", "requirement"),
    [
        (
            "oracle",
            '[auth]\nbearer_token = "${PM_SHARED}"\n[ids]\npatientId = "12724066"\n'
            '[second.auth]\nbearer_token = "${PM_SHARED}"\n[second.ids]\npatientId = "12724067"\n',
            "ORA-AUTH-004",
        ),
        (
            "mdhq",
            '[auth]\nbasic = {username = "${PM_USER}", password = "${PM_SHARED}"}\n[ids]\npt_id = 1\n'
            '[second.auth]\nbasic = {username = "${PM_USER}", password = "${PM_SHARED}"}\n'
            "[second.ids]\npt_id = 221\n",
            "MDHQ-AUTH-004",
        ),
    ],
)
def test_tenants_sharing_data_fail_the_cross_tenant_check(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: str, second: str, requirement: str
) -> None:
    """The sandbox has one Oracle and one MD HQ tenant: a "second" with the same credentials reads it all."""
    auth = sandbox_config()["apis"][api]["auth"]
    monkeypatch.setenv("PM_SHARED", auth.get("bearer_token") or auth.get("basic", {}).get("password", ""))
    monkeypatch.setenv("PM_USER", auth.get("basic", {}).get("username", ""))
    config = tmp_path / "second.toml"
    config.write_text(second)
    run = run_kit(
        "--api",
        api,
        "--base-url",
        sandbox.base(api),
        "--config",
        str(config),
        "--only",
        requirement,
        tmp_path=tmp_path,
    )
    assert run.exit_code == 1, run.stdout
    assert run.result(requirement)["status"] == "failed"
    assert run.result(requirement)["category"] == "auth"
