"""patientmsg.testing: the pytest plugin a client project gets with `pip install patientmsg`."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest
from patientmsg.testing import PatientmsgSandbox, RunningSandbox, SandboxControlError
from patientmsg.testing.client import world_name

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "client"
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in another folder, as a client project runs it (the plugin comes by its entry point)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize(
    "test_id",
    [
        "tests/test_a.py::test_one",
        "tests/test_a.py::test_one[athena-429]",
        "tests/" + "deep/" * 30 + "test_x.py::test_" + "y" * 200,
        "tests/test_ünïcode.py::test_ä[🙂]",
    ],
)
def test_a_test_id_gives_a_valid_world_name(test_id: str) -> None:
    name = world_name(test_id)
    assert _NAME.fullmatch(name), f"Received: {name!r} / Documented: 1-64 of A-Z a-z 0-9 . _ -"


def test_tests_with_the_same_tail_get_different_worlds() -> None:
    assert world_name("tests/a/test_x.py::test_same") != world_name("tests/b/test_x.py::test_same")


def test_the_plugin_adds_its_options_to_any_pytest_run(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "--help")
    for option in ("--patientmsg-seed", "--patientmsg-scenario", "--patientmsg-now"):
        assert option in result.stdout


def test_the_plugin_starts_nothing_unless_a_test_uses_the_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            """
            import os
            from pathlib import Path

            def children():
                me = str(os.getpid())
                found = []
                for stat in Path("/proc").glob("[0-9]*/stat"):
                    try:
                        fields = stat.read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if fields[1] == me:
                        found.append(stat.parent.name)
                return found

            def test_no_sandbox_was_started():
                assert children() == []
            """
        )
    )
    result = _pytest(tmp_path, "-q", "-W", "error")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_a_bad_now_is_a_usage_error_of_one_line(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "--patientmsg-now", "yesterday")
    assert result.returncode == 4
    assert "--patientmsg-now 'yesterday' is not an ISO 8601 time" in result.stderr


def test_the_options_reach_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "test_world.py").write_text(
        textwrap.dedent(
            """
            def test_world(patientmsg_sandbox):
                info = patientmsg_sandbox.info()
                assert (info["seed"], info["now"]) == (7, "2026-11-21T09:00:00Z")
            """
        )
    )
    result = _pytest(tmp_path, "-q", "--patientmsg-seed", "7", "--patientmsg-now", "2026-11-21T09:00:00Z")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_client_suite_passes() -> None:
    result = _pytest(EXAMPLES, "-q")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\b(\d+) passed\b", result.stdout), result.stdout[-2000:]
    assert " failed" not in result.stdout and " skipped" not in result.stdout


def test_worlds_of_one_server_do_not_see_each_others_writes(patientmsg_server: RunningSandbox) -> None:
    first, second = patientmsg_server.world("iso-first"), patientmsg_server.world("iso-second")
    try:
        ids = first.ids("athena")
        thread = (
            f"{first.root_url}/v1/{ids['practiceid']}/patients/{ids['patientid']}"
            f"/securemessage/{ids['messagethreadid']}"
        )

        def texts(world: PatientmsgSandbox) -> list[str]:
            request = urllib.request.Request(
                thread, headers={**world.headers, "Authorization": world.auth_header("athena")}
            )
            with urllib.request.urlopen(request, timeout=30) as answer:
                import json

                return [m["text"] for m in json.loads(answer.read())["messagelist"]]

        reply = urllib.request.Request(
            f"{thread}/reply",
            data=b"text=only+in+the+first",
            method="POST",
            headers={**first.headers, "Authorization": first.auth_header("athena")},
        )
        with urllib.request.urlopen(reply, timeout=30) as answer:
            assert answer.status == 200
        assert "only in the first" in texts(first)
        assert "only in the first" not in texts(second)
    finally:
        first.drop()
        second.drop()


def test_a_refused_control_call_raises_with_the_servers_message(
    patientmsg_sandbox: PatientmsgSandbox,
) -> None:
    with pytest.raises(SandboxControlError) as refused:
        patientmsg_sandbox.fault("status", api="athena", operation_id="noSuchOperation", status=503)
    assert refused.value.status == 400
    assert "noSuchOperation" in refused.value.message


def test_url_names_the_mount_and_refuses_an_unknown_api(patientmsg_sandbox: PatientmsgSandbox) -> None:
    assert patientmsg_sandbox.url("athena") == patientmsg_sandbox.root_url + "/athena"
    with pytest.raises(ValueError, match="serves athena, oracle, mdhq"):
        patientmsg_sandbox.url("epic")
