"""Every portal requirement is proven able to fail: its planted defect fails it, and nothing else.

One sandbox for the module. The clean run comes first: every requirement, strict and with writes,
through the same proxy without a defect, passes (the clean run of every case's selection). Then each
case runs the kit with `--only` its requirement and two generated examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from defect_proxy import DefectProxy
from defects.portal import CASES, proven_requirements
from kit_harness import Sandbox, assert_fails_only, assert_only_passes, run_kit
from patientmsg.conformance.catalogue import load_catalogue


def test_every_portal_requirement_has_a_planted_defect() -> None:
    ids = {requirement.id for requirement in load_catalogue("portal").requirements}
    assert sorted(ids - proven_requirements()) == []
    assert sorted(proven_requirements() - ids) == []


def test_without_a_defect_every_selection_passes(sandbox: Sandbox, tmp_path: Path) -> None:
    with DefectProxy(sandbox.url) as proxy:
        run = run_kit(
            "--api",
            "portal",
            "--base-url",
            f"{proxy.url}/portal",
            "--max-examples",
            "2",
            "--strict",
            "--allow-writes",
            tmp_path=tmp_path,
        )
    assert_only_passes(run, proven_requirements())


@pytest.mark.parametrize("name", list(CASES))
def test_planted_defect_fails_its_requirement_only(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    api, defect, options, expected, category = CASES[name]
    with DefectProxy(sandbox.url, defect) as proxy:
        run = run_kit("--api", api, "--base-url", f"{proxy.url}/{api}", *options, tmp_path=tmp_path)
    assert_fails_only(run, expected, category)
