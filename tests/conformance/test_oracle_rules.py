"""The second reading of seed 001 (tests/faithfulness/rules/oracle.yaml) is mapped onto the catalogue:
each rule-stating sentence names the Oracle requirement that holds it, or says why none does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from patientmsg.conformance.catalogue import load_catalogue

RULES = Path(__file__).resolve().parent.parent / "faithfulness" / "rules" / "oracle.yaml"


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]
    return cases


def test_every_rule_names_a_requirement_or_why_not() -> None:
    ids = {requirement.id for requirement in load_catalogue("oracle").requirements}
    unmapped = [case["id"] for case in _cases() if "requirement" not in case]
    unknown = [case["id"] for case in _cases() if case.get("requirement") not in ids | {None}]
    unexplained = [case["id"] for case in _cases() if case.get("requirement") is None and not case.get("why")]
    assert (unmapped, unknown, unexplained) == ([], [], [])


def test_a_must_rule_is_held_by_a_requirement() -> None:
    """Where the reader found the document stating a rule, the kit holds it (or says why it cannot)."""
    held = {case["id"]: case.get("requirement") for case in _cases() if case.get("level") == "MUST"}
    unheld = sorted(rule for rule, requirement in held.items() if requirement is None)
    assert unheld == [], "a MUST sentence lost its requirement"
