"""Usage and config: exit 2 with one clear line; --print-config shows the effective config, secrets hidden."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from defect_proxy import DefectProxy, Forward, Request, Response
from kit_harness import Sandbox, free_port, run_kit
from patientmsg.fixtures import sandbox_config

ATHENA_CONFIG = """
[auth.oauth2]
token_url = "https://auth.example.com/oauth2/v1/token"
client_id = "vendor-client"
client_secret = "${PM_TEST_SECRET}"

[ids]
practiceid = 1
patientid = 2
messagethreadid = 3

[second.auth.oauth2]
token_url = "/oauth2/v1/token"
client_id = "other-client"
client_secret = "other-secret-value"

[second.ids]
practiceid = 9
patientid = 8
"""


def _one_line_error(run_stdout: str, run_stderr: str) -> str:
    lines = [line for line in run_stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run_stderr
    assert "Traceback" not in run_stderr + run_stdout
    assert lines[0].startswith("error: ")
    return lines[0]


def test_remote_target_without_config_is_a_usage_error_in_a_real_process() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "patientmsg",
            "check",
            "--api",
            "athena",
            "--base-url",
            "https://api.example.com/athena",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    line = _one_line_error(result.stdout, result.stderr)
    assert "not a loopback target" in line and "--config" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--only", "paginaton"), "neither a requirement of athena nor a category"),
        (("--only", "ORA-PAG-001"), "neither a requirement of athena"),
        (("--base-url", "ftp://127.0.0.1/athena"), "not an http(s) URL"),
        (("--base-url", "http://[::1/athena"), "is not a URL"),
        (("--base-url", "http://un:topsecretpw@127.0.0.1:9/athena"), "put them in the config's [auth]"),
        (("--config", "/nonexistent/patientmsg.toml"), "config: cannot read /nonexistent/patientmsg.toml"),
    ],
)
def test_bad_options_exit_2_with_one_line(args: tuple[str, ...], expected: str) -> None:
    argv = ("--api", "athena", "--base-url", "http://127.0.0.1:9/athena", *args)
    # The later --base-url wins in click; the check happens before any request is sent.
    run = run_kit(*argv, json_report=False)
    assert run.exit_code == 2
    line = _one_line_error(run.stdout, run.stderr)
    assert expected in line
    assert "topsecretpw" not in line + run.stdout


@pytest.mark.parametrize(
    ("api", "auth"),
    [
        ("mdhq", '[auth]\nbasic = { username = "patientmsg-sandbox", password = "wrong-password" }'),
        ("oracle", '[auth]\nbearer_token = "not-the-sandbox-token"'),
    ],
)
def test_credentials_the_target_refuses_are_a_config_error(
    sandbox: Sandbox, tmp_path: Path, api: str, auth: str
) -> None:
    """A stale secret must not turn every requirement into "skipped" and the run green."""
    ids = {"mdhq": "[ids]\npt_id = 1\n", "oracle": '[ids]\npatientId = "12724066"\n'}[api]
    config = tmp_path / "stale.toml"
    config.write_text(auth + "\n" + ids)
    run = run_kit("--api", api, "--base-url", sandbox.base(api), "--config", str(config), json_report=False)
    assert run.exit_code == 2
    line = _one_line_error(run.stdout, run.stderr)
    assert "refused the credentials in [auth] (401" in line
    assert "wrong-password" not in line and "not-the-sandbox-token" not in line


def test_unreachable_target_exits_2_after_waiting() -> None:
    port = free_port()
    run = run_kit(
        "--api", "mdhq", "--base-url", f"http://127.0.0.1:{port}/mdhq", "--wait", "0.6", json_report=False
    )
    assert run.exit_code == 2
    line = _one_line_error(run.stdout, run.stderr)
    assert "unreachable" in line and "after waiting 0.6 s" in line


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[auth\n", "is not valid TOML"),
        ('[auth]\nbearer_token = "x"\n[ids]\npracticeid = 1\n', "needs patientid, messagethreadid"),
        ('[auth]\nbasic = {username = "u", password = "p"}\n', "takes exactly one of oauth2, bearer_token"),
        ('colour = "blue"\n', "unknown key 'colour'"),
        (
            '[auth]\nbearer_token = "${PM_TEST_UNSET_VARIABLE}"\n[ids]\npracticeid=1\n',
            "PM_TEST_UNSET_VARIABLE",
        ),
    ],
)
def test_config_errors_exit_2_with_one_line(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "kit.toml"
    path.write_text(content)
    run = run_kit(
        "--api",
        "athena",
        "--base-url",
        "https://api.example.com/athena",
        "--config",
        str(path),
        "--print-config",
        json_report=False,
    )
    assert run.exit_code == 2
    assert expected in _one_line_error(run.stdout, run.stderr)


def test_print_config_on_loopback_shows_sandbox_defaults_without_secrets() -> None:
    run = run_kit(
        "--api", "athena", "--base-url", "http://127.0.0.1:8000/athena", "--print-config", json_report=False
    )
    assert run.exit_code == 0
    printed = tomllib.loads(run.stdout)
    defaults = sandbox_config()["apis"]["athena"]
    assert printed["base_url"] == "http://127.0.0.1:8000/athena"
    assert printed["ids"] == defaults["ids"]
    assert printed["auth"]["oauth2"]["client_id"] == defaults["auth"]["oauth2"]["client_id"]
    assert printed["auth"]["oauth2"]["client_secret"] == "<redacted>"
    assert printed["second"]["ids"] == defaults["second"]["ids"]
    assert defaults["auth"]["oauth2"]["client_secret"] not in run.stdout
    assert defaults["second"]["auth"]["oauth2"]["client_secret"] not in run.stdout


def test_print_config_from_a_file_expands_env_and_redacts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PM_TEST_SECRET", "expanded-secret-value")
    path = tmp_path / "vendor.toml"
    path.write_text(ATHENA_CONFIG)
    run = run_kit(
        "--api",
        "athena",
        "--base-url",
        "https://api.example.com/athena",
        "--config",
        str(path),
        "--print-config",
        json_report=False,
    )
    assert run.exit_code == 0, run.stderr
    printed = tomllib.loads(run.stdout)
    assert printed["ids"] == {"practiceid": 1, "patientid": 2, "messagethreadid": 3}
    assert printed["auth"]["oauth2"]["token_url"] == "https://auth.example.com/oauth2/v1/token"
    assert printed["second"]["ids"] == {"practiceid": 9, "patientid": 8}
    assert "expanded-secret-value" not in run.stdout and "other-secret-value" not in run.stdout


def test_token_url_is_relative_to_base_url_unless_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from patientmsg.conformance.setup.kit_config import load_config

    monkeypatch.setenv("PM_TEST_SECRET", "s")
    path = tmp_path / "vendor.toml"
    path.write_text(ATHENA_CONFIG)
    config = load_config("athena", "https://api.example.com/athena/", path)
    assert config.base_url == "https://api.example.com/athena"
    assert config.token_url(config.primary.auth) == "https://auth.example.com/oauth2/v1/token"
    assert config.second is not None
    assert config.token_url(config.second.auth) == "https://api.example.com/athena/oauth2/v1/token"


def test_unknown_waiver_requirement_is_a_usage_error(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\nrequirement = "ATH-XXX-999"\nreason = "r"\nexpires = 2999-01-01\n')
    run = run_kit(
        "--api",
        "athena",
        "--base-url",
        f"http://127.0.0.1:{free_port()}/athena",
        "--waivers",
        str(waivers),
        json_report=False,
    )
    assert run.exit_code == 2
    assert "unknown requirement 'ATH-XXX-999'" in _one_line_error(run.stdout, run.stderr)


def _sandbox_toml(api: str, *, ids: dict[str, object] | None = None, extra: str = "") -> str:
    """The sandbox's own [auth] and [ids] as a user would write them, without [second]."""
    section = sandbox_config()["apis"][api]
    auth = section["auth"]
    if "oauth2" in auth:
        o = auth["oauth2"]
        lines = [
            f'[auth.oauth2]\ntoken_url = "{o["token_url"]}"\nclient_id = "{o["client_id"]}"\n'
            f'client_secret = "{o["client_secret"]}"'
        ]
    elif "basic" in auth:
        b = auth["basic"]
        lines = [f'[auth]\nbasic = {{username = "{b["username"]}", password = "{b["password"]}"}}']
    else:
        lines = [f'[auth]\nbearer_token = "{auth["bearer_token"]}"']
    chosen = section["ids"] if ids is None else ids
    lines.append(
        "[ids]\n" + "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in chosen.items())
    )
    return "\n".join(lines) + "\n" + extra


def test_a_users_config_gets_nothing_of_the_sandboxs_world(tmp_path: Path) -> None:
    """The config leak: on a loopback target the sandbox's ids and its [second] tenant were merged in."""
    defaults = sandbox_config()["apis"]["athena"]
    path = tmp_path / "vendor.toml"
    path.write_text(_sandbox_toml("athena", ids={"practiceid": 7, "patientid": 8, "messagethreadid": 9}))
    run = run_kit(
        "--api",
        "athena",
        "--base-url",
        "http://127.0.0.1:8000/athena",
        "--config",
        str(path),
        "--print-config",
        json_report=False,
    )
    assert run.exit_code == 0, run.stderr
    printed = tomllib.loads(run.stdout)
    assert printed["ids"] == {"practiceid": 7, "patientid": 8, "messagethreadid": 9}
    assert "second" not in printed and set(defaults["ids"]) - set(printed["ids"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "[ids]\npatientid = 1\npractice_id = 2\n",
            "unknown key ids.practice_id; known: practiceid, patientid",
        ),
        ("[second.ids]\npatientId = 1\n", "unknown key second.ids.patientId; known: practiceid"),
        ('[auth]\nbearer = "x"\n', "unknown key auth.bearer; known: oauth2, bearer_token"),
        ('[second]\ntoken = "x"\n', "unknown key second.token; known: auth, ids"),
        ('colour = "blue"\n', "unknown key 'colour' in"),
    ],
)
def test_unknown_keys_anywhere_name_the_key_and_the_known_ones(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "kit.toml"
    base = '[auth]\nbearer_token = "t"\n' if not content.startswith("[auth]") else ""
    ids = "" if "[ids]" in content else "[ids]\npracticeid = 1\npatientid = 2\nmessagethreadid = 3\n"
    second_auth = '[second.auth]\nbearer_token = "u"\n' if content.startswith("[second.ids]") else ""
    # A bare key belongs before the first table; a table goes after the others.
    path.write_text(
        content + base + ids if not content.startswith("[") else base + ids + second_auth + content
    )
    run = run_kit(
        "--api",
        "athena",
        "--base-url",
        "https://api.example.com/athena",
        "--config",
        str(path),
        "--print-config",
        json_report=False,
    )
    assert run.exit_code == 2
    assert expected in _one_line_error(run.stdout, run.stderr)


def test_every_read_404_stops_the_run_with_a_prefix_hint(sandbox: Sandbox) -> None:
    """Without the API prefix every path is unknown: exit 2 with a hint, not a FAILED run with passes."""
    run = run_kit("--api", "mdhq", "--base-url", sandbox.url + "/oracle", json_report=False)
    assert run.exit_code == 2
    line = _one_line_error(run.stdout, run.stderr)
    assert "every read of the configured ids answered 404" in line and "/mdhq" in line


def test_an_internal_error_exits_2_never_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ValueError inside the kit used to escape as exit 1, which reads as "a MUST failed"."""
    from patientmsg.conformance.run import runner

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("the kit tripped over itself")

    monkeypatch.setattr(runner, "load_catalogue", broken)
    run = run_kit("--api", "mdhq", "--base-url", "http://127.0.0.1:9/mdhq", json_report=False)
    assert run.exit_code == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in run.stderr + run.stdout
    assert lines[0].startswith("internal error: ValueError: the kit tripped over itself")


def test_rate_limit_values() -> None:
    from patientmsg.conformance.run.pacing import parse_rate, retry_after_seconds
    from patientmsg.conformance.setup.usage import UsageProblem

    assert parse_rate("10/s") == 10.0 and parse_rate("300/m") == 5.0 and parse_rate(None) is None
    for bad in ("fast", "0/s", "10/h", "-1/s"):
        with pytest.raises(UsageProblem):
            parse_rate(bad)
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None


def test_a_429_is_waited_out_and_counts_against_no_requirement(sandbox: Sandbox, tmp_path: Path) -> None:
    """A target that says "slow down" once per path fails no requirement whose requests it delayed."""
    seen: set[str] = set()

    def slow_down_once(request: Request, forward: Forward) -> Response:
        if request.path not in seen:
            seen.add(request.path)
            return Response(
                429, {"retry-after": "0", "content-type": "application/json"}, b'{"error": "slow"}'
            )
        return forward(request)

    with DefectProxy(sandbox.url, slow_down_once) as proxy:
        run = run_kit(
            "--api", "mdhq", "--base-url", f"{proxy.url}/mdhq", "--max-examples", "5",
            "--only", "MDHQ-ERR-003", "--only", "MDHQ-AUTH-002", "--only", "MDHQ-STA-001",
            tmp_path=tmp_path,
        )  # fmt: skip
    assert run.exit_code == 0, run.stdout
    assert not run.failed()
    assert "429 Too Many Requests" in run.stdout and "waited out Retry-After" in run.stdout
