"""The portal reference API (specs/portal-messaging.yaml): valid OpenAPI, every operation and rule traced to a
verbatim quote of seed 002 or 004 held in tests/faithfulness/portal.yaml, levels that follow the quote
(stated = MUST, inferred = SHOULD), and refusals that name their rule."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

Node = dict[str, Any]
REPO = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO / "specs" / "portal-messaging.yaml"
TABLE_PATH = REPO / "tests" / "faithfulness" / "portal.yaml"
SEEDS = ("002_c91a2f1e0c8e63b5.txt", "004_514b49265d656ca7.txt")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
RULE_ID = re.compile(r"^PORTAL-R[0-9]{2}$")
CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


@cache
def _spec() -> Node:
    spec: Node = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


@cache
def _table() -> Node:
    table: Node = yaml.safe_load(TABLE_PATH.read_text(encoding="utf-8"))
    return table


def _operations() -> list[tuple[str, str, Node]]:
    return [
        (method.upper(), path, op)
        for path, item in _spec()["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


OPS = _operations()
OP_IDS = [f"{method} {path}" for method, path, _ in OPS]
RULES: list[Node] = _spec()["x-rules"]


def _resolve(node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = _spec()
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _nodes(node: Any, at: str = "") -> list[tuple[str, Node]]:
    """(location, mapping) for every mapping in the document, depth first."""
    if isinstance(node, dict):
        return [(at, node)] + [x for k, v in node.items() for x in _nodes(v, f"{at}/{k}")]
    if isinstance(node, list):
        return [x for i, v in enumerate(node) for x in _nodes(v, f"{at}/{i}")]
    return []


def _sources() -> list[tuple[str, Node]]:
    return [(at + "/x-source", n["x-source"]) for at, n in _nodes(_spec()) if "x-source" in n]


def _table_quotes() -> dict[str, Node]:
    return {entry["quote"]: entry for entry in _table()["quotes"]}


def test_portal_spec_is_valid_openapi_3_0_3() -> None:
    spec = _spec()
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_connexion_loads_portal_spec() -> None:
    from connexion import AsyncApp
    from connexion.mock import MockResolver

    app = AsyncApp(__name__)
    app.add_api(_spec(), base_path="/portal", resolver=MockResolver(mock_all=True))


def test_info_says_it_is_a_reference_design_not_a_vendor_api() -> None:
    description = _spec()["info"]["description"]
    assert "patientmsg's reference design" in description and "not a vendor's API" in description
    for seed in SEEDS:
        assert seed in description, f"Received: info.description / Documented: names seed {seed}"


def test_served_under_portal_only() -> None:
    servers = [s["url"] for s in _spec()["servers"]]
    assert servers == ["/portal"], f"Received: {servers} / Documented: ['/portal']"
    leaked = [path for path in _spec()["paths"] if path.startswith("/portal")]
    assert not leaked, f"Received: {leaked} / Documented: paths relative to the /portal mount"


def test_operation_ids_are_camel_case_and_unique() -> None:
    ids = [op["operationId"] for _, _, op in OPS]
    assert len(ids) == len(set(ids)), f"Received: duplicated {sorted(i for i in ids if ids.count(i) > 1)}"
    bad = [i for i in ids if not CAMEL.match(i)]
    assert not bad, f"Received: {bad} / Documented: camelCase operationIds"


@pytest.mark.parametrize(("method", "path", "op"), OPS, ids=OP_IDS)
def test_every_operation_has_x_source_with_quote_and_level(method: str, path: str, op: Node) -> None:
    source = op.get("x-source", {})
    assert source.get("file") in SEEDS, f"Received: {source.get('file')!r} / Documented: one of {SEEDS}"
    assert source.get("heading") and source.get("quote"), f"Received: {source} / Documented: heading, quote"
    assert op.get("x-level") in ("MUST", "SHOULD"), f"Received: x-level {op.get('x-level')!r}"
    assert op.get("x-rules"), f"{method} {path} enforces no rule"


def test_every_rule_has_an_id_statement_source_level_and_operations() -> None:
    ids = [r["id"] for r in RULES]
    assert len(ids) == len(set(ids)), "rule ids repeat"
    for rule in RULES:
        assert RULE_ID.match(rule["id"]), f"Received: {rule['id']!r} / Documented: PORTAL-Rnn"
        assert rule["statement"] and rule["x-source"]["quote"] and rule["enforcedBy"], rule["id"]
        assert rule["x-level"] in ("MUST", "SHOULD"), rule["id"]


def test_every_quote_in_the_spec_is_in_the_faithfulness_table() -> None:
    table = _table_quotes()
    for at, source in _sources():
        entry = table.get(source["quote"])
        assert entry is not None, f"{at}: Received: {source['quote']!r} / Documented: not in portal.yaml"
        assert (source["file"], source["heading"]) == (entry["file"], entry["heading"]), (
            f"{at}: Received: {source['file']} / {source['heading']} / "
            f"Documented: {entry['file']} / {entry['heading']}"
        )


def test_every_faithfulness_quote_is_used_by_the_spec() -> None:
    used = {source["quote"] for _, source in _sources()}
    unused = [q for q in _table_quotes() if q not in used]
    assert not unused, f"Received: quotes the spec never cites: {unused}"
    for entry in _table()["quotes"]:
        assert entry["file"] in SEEDS and entry["heading"], entry


def test_rule_levels_match_the_faithfulness_table() -> None:
    spec_levels = {r["id"]: r["x-level"] for r in RULES}
    table_levels = _table()["rules"]
    assert spec_levels == table_levels, (
        f"Received: {sorted(set(spec_levels.items()) ^ set(table_levels.items()))} / Documented: equal levels"
    )


def test_inferred_is_should_and_stated_is_must() -> None:
    for at, node in _nodes(_spec()):
        if "x-inferred" in node:
            level = node.get("x-level")
            assert level == "SHOULD", f"{at}: Received: {level} / Documented: SHOULD"
            reason = node["x-inferred"]
            assert isinstance(reason, str) and len(reason.split()) >= 6, f"{at}: x-inferred names nothing"
        elif "x-level" in node:
            assert node["x-level"] == "MUST", f"{at}: Received: {node['x-level']} without x-inferred"


def test_operation_rules_and_rule_operations_agree() -> None:
    by_op = {op["operationId"]: set(op["x-rules"]) for _, _, op in OPS}
    known = {r["id"] for r in RULES}
    for op_id, rule_ids in by_op.items():
        assert rule_ids <= known, f"{op_id}: Received: unknown rules {sorted(rule_ids - known)}"
    for rule in RULES:
        for op_id in rule["enforcedBy"]:
            assert op_id in by_op, f"{rule['id']}: Received: enforcedBy {op_id!r} / Documented: no such op"
            assert rule["id"] in by_op[op_id], f"{op_id}: Received: no {rule['id']} / Documented: enforcedBy"
    for op_id, rule_ids in by_op.items():
        for rule_id in rule_ids:
            rule = next(r for r in RULES if r["id"] == rule_id)
            assert op_id in rule["enforcedBy"], f"{rule_id}: Received: no {op_id} / Documented: in x-rules"


@pytest.mark.parametrize(("method", "path", "op"), OPS, ids=OP_IDS)
def test_every_4xx_response_is_a_problem_naming_its_rule(method: str, path: str, op: Node) -> None:
    for status, raw in op["responses"].items():
        if not (status.startswith("4") or status == "default"):
            continue
        content = _resolve(raw).get("content", {})
        where = f"{method} {path} {status}"
        assert list(content) == ["application/problem+json"], f"{where}: Received: {list(content)}"
        schema = content["application/problem+json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}, f"{where}: Received: {schema}"
    problem = _spec()["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "rule"} <= set(problem["required"])


@pytest.mark.parametrize(("method", "path", "op"), OPS, ids=OP_IDS)
def test_every_refusal_status_carries_its_header(method: str, path: str, op: Node) -> None:
    responses = op["responses"]
    if "401" in responses:
        assert "WWW-Authenticate" in _resolve(responses["401"]).get("headers", {})
    if "429" in responses:
        assert "Retry-After" in _resolve(responses["429"]).get("headers", {})
    if op["operationId"] != "createToken":
        assert "401" in responses and op["security"], f"{method} {path}: Received: no bearer security / 401"


def test_frequency_and_size_limits_answer_429_and_400() -> None:
    for op_id in ("sendPatientMessage", "sendFollowUp", "replyToMessage"):
        op = next(o for _, _, o in OPS if o["operationId"] == op_id)
        assert {"400", "429"} <= set(op["responses"]), f"{op_id}: Received: {sorted(op['responses'])}"


def _reachable(schema: Any, seen: set[str]) -> list[Node]:
    """Every schema mapping reachable from `schema` through refs, properties, items and compositions."""
    if isinstance(schema, dict) and "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen.add(schema["$ref"])
    node = _resolve(schema)
    if not isinstance(node, dict):
        return []
    children = list(node.get("properties", {}).values())
    children += [node[k] for k in ("items", "additionalProperties") if isinstance(node.get(k), dict)]
    children += [s for k in ("allOf", "oneOf", "anyOf") for s in node.get(k, [])]
    return [node] + [x for child in children for x in _reachable(child, seen)]


# Reference data a patient may read in full; none of it holds thread content, so it may grow.
OPEN_PATIENT_MODELS = ("StaffMember", "ResponseMethod", "Note", "Banner", "FrequencyLimit")


def test_patient_side_responses_have_no_place_for_internal_notes() -> None:
    schemas = _spec()["components"]["schemas"]
    allowed_open = [schemas[name] for name in OPEN_PATIENT_MODELS]
    for method, path, op in OPS:
        if not path.startswith("/patient"):
            continue
        for status, raw in op["responses"].items():
            if not status.startswith("2"):
                continue
            for media in _resolve(raw).get("content", {}).values():
                for node in _reachable(media["schema"], set()):
                    names = sorted(node.get("properties", {}))
                    where = f"{method} {path} {status}"
                    assert not [n for n in names if "internal" in n.lower()], f"{where}: Received: {names}"
                    if names and not any(node is m for m in allowed_open):
                        assert node.get("additionalProperties") is False, (
                            f"{where}: Received: an object open to extra properties {names} / "
                            "Documented: internal notes never on the patient side"
                        )


def _link_targets(op_id: str, status: str) -> dict[str, Node]:
    op = next(o for _, _, o in OPS if o["operationId"] == op_id)
    links: dict[str, Node] = op["responses"][status].get("links", {})
    return {link["operationId"]: link for link in links.values()}


def test_links_chain_send_follow_up_archive_reopen() -> None:
    chain = [
        ("sendPatientMessage", "201", "sendFollowUp"),
        ("sendFollowUp", "201", "archiveConversation"),
        ("archiveConversation", "200", "reopenConversation"),
    ]
    path_params = {
        op["operationId"]: {p["name"] for p in map(_resolve, op.get("parameters", [])) if p["in"] == "path"}
        for _, _, op in OPS
    }
    for source, status, target in chain:
        links = _link_targets(source, status)
        assert target in links, f"{source} {status}: Received: links {sorted(links)} / Documented: {target}"
        assert set(links[target]["parameters"]) == path_params[target], (
            f"{source} -> {target}: Received: {sorted(links[target]['parameters'])} / "
            f"Documented: {sorted(path_params[target])}"
        )
