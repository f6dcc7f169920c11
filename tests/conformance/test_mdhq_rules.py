"""The second reading of seed 003 (tests/faithfulness/rules/mdhq.yaml) is mapped onto the catalogue.

Every rule-stating case names an MD HQ requirement that exists; a case without a rule says why; and
every requirement whose source is the seed itself answers a case of the reading, or is named below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from patientmsg.conformance.catalogue import load_catalogue

RULES = Path(__file__).parents[1] / "faithfulness" / "rules" / "mdhq.yaml"
# Requirements read from the seed by the catalogue's author that the second reading has no case for.
OWN_READING = {
    # "2. Delete/remove an enqueued request": one request, so the others stay listed.
    "MDHQ-BEH-013",
}


def _cases() -> list[dict[str, Any]]:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["rules"]
    return cases


def test_every_rule_names_an_existing_requirement_or_says_why_not() -> None:
    ids = {requirement.id for requirement in load_catalogue("mdhq").requirements}
    for case in _cases():
        assert "requirement" in case, case["id"]
        if case["rule"] is None or case["requirement"] is None:
            assert case["requirement"] is None and case.get("why"), case["id"]
        else:
            assert case["requirement"] in ids, case["id"]


def test_every_requirement_quoting_the_seed_answers_a_rule_of_the_reading() -> None:
    mapped = {case["requirement"] for case in _cases()}
    quoting = {
        requirement.id
        for requirement in load_catalogue("mdhq").requirements
        if requirement.source.kind == "seed"
    }
    assert sorted(quoting - mapped - OWN_READING) == []
    assert quoting - mapped >= OWN_READING
