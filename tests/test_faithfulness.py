"""Hold the specs against tests/faithfulness/*.yaml, a second reader's table of the vendor documents:
one case per documented item, so a spec edit that drops or changes a documented item fails by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

Node = dict[str, Any]
REPO = Path(__file__).resolve().parent.parent
TABLES = sorted((Path(__file__).resolve().parent / "faithfulness").glob("*.yaml"))
OP_LISTS = {"parameter": "parameters", "header": "headers", "security": "security"}
RESPONSE_LISTS = {"response_header": "headers", "field": "fields"}


class Missing(AssertionError):
    """A documented item is absent from the spec."""


@cache
def load_spec(name: str) -> Node:
    path = REPO / "specs" / name
    if not path.is_file():
        raise Missing(f"spec file {path} is missing")
    spec: Node = yaml.safe_load(path.read_text(encoding="utf-8"))
    return spec


def resolve(spec: Node, node: Any) -> Any:
    """Follow local `$ref`s (`#/...`) until a non-reference node is reached."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert isinstance(ref, str) and ref.startswith("#/"), f"non-local $ref {ref!r}"
        node = spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def members(spec: Node, schema: Any) -> list[Node]:
    """A schema and, recursively, all of its `allOf` members, refs resolved."""
    node = resolve(spec, schema)
    if not isinstance(node, dict):
        return []
    return [node] + [m for sub in node.get("allOf", []) for m in members(spec, sub)]


def collect(parts: list[Node], key: str) -> list[Any]:
    return [part[key] for part in parts if key in part]


def walk(spec: Node, root: Any, at: str) -> tuple[list[Node], list[Node]]:
    """Follow a path like `items[].messageSender.type`; return (parent, field) schema parts."""
    parent: list[Node] = []
    current = members(spec, root)
    for token in at.split("."):
        name = token.removesuffix("[]")
        subs = [props[name] for props in collect(current, "properties") if name in props]
        if not subs:
            raise Missing(f"no property {name!r}")
        parent, current = current, [m for sub in subs for m in members(spec, sub)]
        if token.endswith("[]"):
            items = collect(current, "items")
            if not items:
                raise Missing(f"{name!r} has no array items")
            current = [m for sub in items for m in members(spec, sub)]
    return parent, current


def same(spec_value: Any, doc_value: Any) -> bool:
    """Equality that keeps booleans apart from numbers and ignores the order of lists."""
    if isinstance(doc_value, bool) or isinstance(spec_value, bool):
        return spec_value is doc_value
    if isinstance(doc_value, list) and isinstance(spec_value, list):
        return sorted(map(str, spec_value)) == sorted(map(str, doc_value))
    return bool(spec_value == doc_value)


def schema_problems(parts: list[Node], doc: Node, prefix: str = "") -> list[str]:
    """Compare type, format, default, limits and enum of the merged schema parts with the table."""
    problems: list[str] = []
    if "type" in doc and set(collect(parts, "type")) != {doc["type"]}:
        problems.append(f"{prefix}type: spec {collect(parts, 'type')}, document {doc['type']!r}")
    for key in ("format", "default", "minimum", "maximum", "minLength"):
        values = collect(parts, key)
        if key in doc and not any(same(v, doc[key]) for v in values):
            problems.append(f"{prefix}{key}: spec {values}, document {doc[key]!r}")
    if "enum" not in doc:
        return problems
    # The full documented enum must appear; allOf may narrow it only as the document's prose says.
    full, seen = set(doc["enum"]), [set(e) for e in collect(parts, "enum")]
    narrowed = [set(doc["enum_narrowed"]["values"])] if "enum_narrowed" in doc else []
    if full not in seen or set.intersection(*seen) not in [full, *narrowed]:
        problems.append(f"{prefix}enum: spec {[sorted(e) for e in seen]}, document {sorted(full)}")
    return problems


def operation(table: Node, op: Node) -> tuple[Node, Node, Node]:
    """(spec, path item, operation object) for a table operation."""
    spec = load_spec(table["spec"])
    item = resolve(spec, spec.get("paths", {}).get(op["path"]))
    if not isinstance(item, dict) or op["method"] not in item:
        raise Missing(f"{table['api']}: {op['method'].upper()} {op['path']} is not in the spec")
    return spec, item, item[op["method"]]


def response(table: Node, op: Node, status: str) -> tuple[Node, Node]:
    spec, _, node = operation(table, op)
    by_status = {str(k): v for k, v in node.get("responses", {}).items()}
    if status not in by_status:
        raise Missing(f"{table['api']}: response {status} is not in the spec")
    return spec, resolve(spec, by_status[status])


def label(kind: str, entry: Node) -> str:
    if kind == "parameter":
        return f"{entry['in']} param {entry['name']}"
    if kind == "security":
        return f"security {entry['type']}/{entry['scheme']}"
    return f"{kind} {entry.get('name', entry.get('at'))}"


def cases(kind: str) -> list[Any]:
    """One pytest case per table entry of the given kind, its id naming the item."""
    out: list[Any] = []
    for path in TABLES:
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
        for op in table["operations"]:
            where = f"{table['api']} {op['method'].upper()} {op['path']}"
            if kind == "operation":
                out.append(pytest.param(table, op, None, None, id=where))
            for entry in op.get(OP_LISTS.get(kind, ""), []):
                out.append(pytest.param(table, op, entry, None, id=f"{where} | {label(kind, entry)}"))
            for resp in op.get("responses", []):
                if kind == "response":
                    out.append(pytest.param(table, op, None, resp, id=f"{where} | {resp['status']}"))
                for entry in resp.get(RESPONSE_LISTS.get(kind, ""), []):
                    ident = f"{where} | {resp['status']} {label(kind, entry)}"
                    out.append(pytest.param(table, op, entry, resp, id=ident))
    return out


ARGS = ("table", "op", "entry", "resp")


@pytest.mark.parametrize(ARGS, cases("operation"))
def test_operation(table: Node, op: Node, entry: None, resp: None) -> None:
    source = str(operation(table, op)[2].get("x-source", ""))
    assert table["document"] in source, f"{table['api']}: x-source {source!r} lacks {table['document']}"


@pytest.mark.parametrize(ARGS, cases("parameter"))
def test_parameter(table: Node, op: Node, entry: Node, resp: None) -> None:
    spec, item, node = operation(table, op)
    found = {}
    for raw in item.get("parameters", []) + node.get("parameters", []):
        param = resolve(spec, raw)
        found[(param["in"], param["name"].lower() if param["in"] == "header" else param["name"])] = param
    name = entry["name"].lower() if entry["in"] == "header" else entry["name"]
    what = f"{table['api']}: {entry['in']} param {entry['name']}"
    if (entry["in"], name) not in found:
        raise Missing(f"{what}: not in the spec")
    param = found[(entry["in"], name)]
    problems = []
    if bool(param.get("required", False)) is not entry["required"]:
        problems.append(f"required: spec {param.get('required')}, document {entry['required']}")
    parts = members(spec, param.get("schema"))
    problems += schema_problems(parts, entry)
    doc_items = {"type": entry.get("items_type"), "enum": entry.get("items_enum")}
    items = [m for sub in collect(parts, "items") for m in members(spec, sub)]
    problems += schema_problems(items, {k: v for k, v in doc_items.items() if v}, "items.")
    if "style" in entry:
        style = param.get("style", "form" if entry["in"] in ("query", "cookie") else "simple")
        explode = param.get("explode", style == "form")
        if (style, explode) != (entry["style"], entry["explode"]):
            doc = f"{entry['style']}/{entry['explode']}"
            problems.append(f"style/explode: spec {style}/{explode}, document {doc}")
    assert not problems, "\n".join(f"{what} {p}" for p in problems)


@pytest.mark.parametrize(ARGS, cases("header"))
def test_documented_header(table: Node, op: Node, entry: Node, resp: None) -> None:
    listed = [h.get("name", "").lower() for h in operation(table, op)[2].get("x-documented-headers", [])]
    assert entry["name"].lower() in listed, f"{table['api']}: header {entry['name']} not in {listed}"


@pytest.mark.parametrize(ARGS, cases("security"))
def test_security(table: Node, op: Node, entry: Node, resp: None) -> None:
    spec, _, node = operation(table, op)
    schemes = spec.get("components", {}).get("securitySchemes", {})
    requirements: list[Node] = node.get("security", spec.get("security")) or []
    found = [resolve(spec, schemes.get(name, {})) for req in requirements for name in req]
    kinds = [(s.get("type"), str(s.get("scheme", "")).lower()) for s in found]
    assert (entry["type"], entry["scheme"]) in kinds, f"{table['api']}: {label('security', entry)}: {kinds}"


@pytest.mark.parametrize(ARGS, cases("response"))
def test_response(table: Node, op: Node, entry: None, resp: Node) -> None:
    content, media = response(table, op, resp["status"])[1].get("content", {}), resp["media"]
    assert "schema" in content.get(media, {}), f"{table['api']}: {resp['status']} lacks a {media} body"


@pytest.mark.parametrize(ARGS, cases("response_header"))
def test_response_header(table: Node, op: Node, entry: Node, resp: Node) -> None:
    spec, node = response(table, op, resp["status"])
    headers = {str(k).lower(): v for k, v in node.get("headers", {}).items()}
    what = f"{table['api']}: response {resp['status']} header {entry['name']}"
    if entry["name"].lower() not in headers:
        raise Missing(f"{what}: not in the spec (spec has {sorted(headers)})")
    parts = members(spec, resolve(spec, headers[entry["name"].lower()]).get("schema"))
    problems = schema_problems(parts, entry)
    assert not problems, "\n".join(f"{what} {p}" for p in problems)


@pytest.mark.parametrize(ARGS, cases("field"))
def test_field(table: Node, op: Node, entry: Node, resp: Node) -> None:
    spec, node = response(table, op, resp["status"])
    media = node.get("content", {}).get(resp["media"], {})
    what = f"{table['api']}: response {resp['status']} field {entry['at']}"
    try:
        parent, parts = walk(spec, media["schema"], entry["at"])
    except (KeyError, Missing) as missing:
        raise Missing(f"{what}: not in the spec ({missing})") from None
    problems = schema_problems(parts, entry)
    if "required" in entry:
        name = entry["at"].split(".")[-1].removesuffix("[]")
        required = {r for listed in collect(parent, "required") for r in listed}
        if (name in required) is not entry["required"]:
            problems.append(f"required: spec {name in required}, document {entry['required']}")
    assert not problems, "\n".join(f"{what} {p}" for p in problems)
