"""The portal's config: one login per kind of caller, checked like every other key."""

from __future__ import annotations

from pathlib import Path

import pytest
from patientmsg.conformance.setup.kit_config import load_config, render_config
from patientmsg.conformance.setup.usage import UsageProblem

URL = "https://portal.vendor.example/portal"
LOGINS = """
[auth]
token_url = "/token"
[auth.logins.patient]
username = "pt"
password = "pt-secret"
[auth.logins.staff]
username = "nurse"
password = "nurse-secret"
[auth.logins.admin]
username = "boss"
password = "boss-secret"
[ids]
patientId = "pt"
provider_openId = "dr"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "portal.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_logins_load_and_print_without_their_passwords(tmp_path: Path) -> None:
    config = load_config("portal", URL, _write(tmp_path, LOGINS))
    assert config.primary.auth.roles() == ["patient", "staff", "admin"]
    assert sorted(config.secrets()) == ["boss-secret", "nurse-secret", "pt-secret"]
    printed = render_config(config)
    assert not any(secret in printed for secret in config.secrets()) and printed.count("<redacted>") == 3
    assert 'username = "nurse"' in printed


def test_an_unknown_role_is_an_error_listing_the_known_ones(tmp_path: Path) -> None:
    text = LOGINS.replace("[auth.logins.staff]", "[auth.logins.nurse]")
    with pytest.raises(UsageProblem, match=r"unknown key auth\.logins\.nurse; known: patient, .*admin"):
        load_config("portal", URL, _write(tmp_path, text))


def test_a_missing_required_role_is_named(tmp_path: Path) -> None:
    text = LOGINS.replace("[auth.logins.admin]", "[auth.logins.provider_open]")
    with pytest.raises(UsageProblem, match=r"needs admin for portal"):
        load_config("portal", URL, _write(tmp_path, text))


def test_an_unknown_portal_id_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match=r"unknown key ids\.patientid; known: patientId"):
        load_config("portal", URL, _write(tmp_path, LOGINS + 'patientid = "x"\n'))
