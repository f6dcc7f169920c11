"""The catalogue is data the code obeys: every check and probe serves exactly one requirement."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from click.testing import CliRunner
from patientmsg.cli import main
from patientmsg.conformance.catalogue import APIS, CATEGORIES, LEVELS, load_catalogue
from patientmsg.conformance.registry import PROBES, RESPONSE_CHECKS
from patientmsg.conformance.run.routing import BUILTIN_CHECKS

SEED_FILES = {
    "000_71082a46c47199d0.txt",
    "001_c779ca67df047574.txt",
    "002_c91a2f1e0c8e63b5.txt",
    "003_a060264fa162e935.txt",
    "004_514b49265d656ca7.txt",
    "README.md",
}
# APIs whose lists are not paged: MD HQ's, and the portal's (a conversation list is one answer).
UNPAGED = ("mdhq", "portal")
ROUTES = {
    "response_schema_conformance/" + kind
    for kind in ("required", "required-inferred", "schema", "schema-inferred", "error")
} | {"unsupported_method/status", "unsupported_method/allow"}


@pytest.mark.parametrize("api", APIS)
def test_every_verifier_exists_and_serves_one_requirement(api: str) -> None:
    catalogue = load_catalogue(api)
    ours = {check.name for check in RESPONSE_CHECKS[api]} | {probe.name for probe in PROBES[api]}
    known = ours | set(BUILTIN_CHECKS) | ROUTES
    cited = catalogue.verifiers()
    assert sorted(set(cited) - known) == []
    assert len(cited) == len(set(cited))
    # Every check and probe the kit registers for this API is cited, so none runs for nothing.
    assert sorted(ours - set(cited)) == []


@pytest.mark.parametrize("api", APIS)
def test_requirements_are_well_formed(api: str) -> None:
    catalogue = load_catalogue(api)
    prefix = {"athena": "ATH-", "oracle": "ORA-", "mdhq": "MDHQ-", "portal": "PORTAL-"}[api]
    for requirement in catalogue.requirements:
        assert requirement.id.startswith(prefix)
        assert requirement.category in CATEGORIES and requirement.level in LEVELS
        source = requirement.source
        if source.kind in ("seed", "public"):
            assert source.file in SEED_FILES and source.quote
        else:
            assert source.text
    assert {r.category for r in catalogue.requirements} >= set(CATEGORIES) - {"behaviour"} or api in UNPAGED


def test_every_category_is_covered_for_every_api() -> None:
    for api in APIS:
        categories = {r.category for r in load_catalogue(api).requirements}
        assert categories == set(CATEGORIES) - ({"pagination"} if api in UNPAGED else set())


def test_requirements_command_prints_the_catalogue() -> None:
    text = CliRunner().invoke(main, ["requirements", "--api", "oracle"]).stdout
    for requirement in load_catalogue("oracle").requirements:
        assert requirement.id in text
    listed = json.loads(CliRunner().invoke(main, ["requirements", "--json"]).stdout)
    assert len(listed) == sum(len(load_catalogue(api).requirements) for api in APIS)
    first = listed[0]
    assert set(first) == {"api", "id", "title", "category", "level", "source", "verified_by", "needs"}
    assert first["source"]["kind"] in {"seed", "public", "rfc", "openapi"}


def _proven(api: str) -> set[str]:
    """Requirement ids a planted-defect case of this API shows failing (`defects/<api>.py`)."""
    module = importlib.import_module(f"defects.{api}")
    cases: dict[str, tuple[Any, ...]] = module.CASES
    return {requirement for case in cases.values() if case[0] == api for requirement in case[3]}


@pytest.mark.parametrize("api", APIS)
def test_every_requirement_is_proven_able_to_fail(api: str) -> None:
    """Each requirement id is named by a planted defect that the kit catches (issue 8, Deliver 1)."""
    ids = [requirement.id for requirement in load_catalogue(api).requirements]
    proven = _proven(api)
    every = sum(len(load_catalogue(name).requirements) for name in APIS)
    figure = sum(len(_proven(name) & {r.id for r in load_catalogue(name).requirements}) for name in APIS)
    mine = len(proven & set(ids))
    print(f"requirements with a proven failure / all: {figure}/{every} ({api}: {mine}/{len(ids)})")
    assert sorted(set(proven) - set(ids)) == [], "a defect case names a requirement the catalogue lacks"
    missing = [rid for rid in ids if rid not in proven]
    assert missing == [], (
        f"{api}: {len(missing)} of {len(ids)} requirements have no planted defect in "
        f"tests/conformance/defects/{api}.py; overall {figure}/{every} proven: {', '.join(missing)}"
    )
