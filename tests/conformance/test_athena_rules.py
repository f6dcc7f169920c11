"""The second reading of seed 000 maps onto the athena catalogue: each rule names its requirement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from patientmsg.conformance.catalogue import load_catalogue

RULES = Path(__file__).parents[1] / "faithfulness" / "rules" / "athena.yaml"


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]
    return cases


@pytest.mark.parametrize("case", _cases(), ids=lambda case: str(case["id"]))
def test_rule_names_its_requirement_or_why_not(case: dict[str, Any]) -> None:
    assert "requirement" in case, f"{case['id']}: no requirement key"
    if case["requirement"] is None:
        assert case.get("why"), f"{case['id']}: requirement null without a why"
        return
    requirement = load_catalogue("athena").by_id(case["requirement"])
    # A rule the reading calls MUST is never answered by a requirement that only says SHOULD, and the
    # other way round the catalogue may be stricter than the reading (a documented default, say).
    if case.get("level") == "MUST":
        assert requirement.level == "MUST" or case["requirement"] in _SHOULD_BY_INFERENCE, case["id"]


# MUST readings answered by a SHOULD requirement because the part the kit can observe is our inference.
_SHOULD_BY_INFERENCE = {"ATH-BEH-006"}
