"""The portal catalogue is the spec's rules: one requirement per x-rule, same id, level and quote."""

from __future__ import annotations

from typing import Any

import pytest
from patientmsg.conformance.catalogue import load_catalogue
from patientmsg.specs import load_spec

RULES: list[dict[str, Any]] = load_spec("portal")["x-rules"]
CATALOGUE = load_catalogue("portal")


def test_every_rule_has_one_requirement_and_nothing_else_claims_a_rule() -> None:
    rule_ids = [rule["id"] for rule in RULES]
    claimed = [r.id for r in CATALOGUE.requirements if r.id[len("PORTAL-R") :].isdigit()]
    assert sorted(claimed) == sorted(rule_ids)
    assert len(rule_ids) == 57


@pytest.mark.parametrize("rule", RULES, ids=[rule["id"] for rule in RULES])
def test_requirement_has_its_rules_level_and_quote(rule: dict[str, Any]) -> None:
    requirement = CATALOGUE.by_id(rule["id"])
    # MUST where seed 002 or 004 states it, SHOULD where the spec infers it (x-inferred).
    assert requirement.level == rule["x-level"]
    assert (requirement.level == "SHOULD") == ("x-inferred" in rule)
    assert requirement.source.kind == "seed"
    assert requirement.source.file == rule["x-source"]["file"]
    assert requirement.source.quote == rule["x-source"]["quote"]
    assert requirement.verified_by
