"""The hostile corpus: requests no client should send, built from each API's spec, each with its status.

Every operation of an API's spec meets every input class below that applies to it: integer path ids
and integer query values too long for int(), negative, fullwidth or fractional; form bodies over the
size and field limits, repeated fields, no or the wrong Content-Type; Oracle's dates with seconds
61-99 and its opc-request-id sent twice, too long, empty; string path ids and query values outside
their pattern, length or enum; JSON bodies not UTF-8, malformed, not an object, too large, too deep,
with a huge number or a wrong-typed field, or sent without or with the wrong Content-Type. An API
joins the corpus by name: one entry in CREDENTIALS (which credentials each of its security schemes
takes, by scheme type or, where several schemes share a type, by scheme name); its ids come from
`sandbox_config` and its operations, parameters and form fields from its spec.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from patientmsg.specs import load_spec, operations

__all__ = ["CREDENTIALS", "HUGE", "Case", "corpus"]

#: 4,301 digits: one more than Python's int() reads by default.
HUGE = "1" + "0" * 4300
#: Security scheme type -> the credentials the runner sends, per API.
CREDENTIALS: dict[str, dict[str, str]] = {
    "athena": {"oauth2": "athena-token", "basic": "athena-client"},
    "oracle": {"bearer": "oracle-token"},
    "mdhq": {"basic": "mdhq-user"},
    "portal": {
        "patientBearer": "portal-patient",
        "staffBearer": "portal-staff",
        "adminBearer": "portal-admin",
    },
}
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
_MB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    api: str
    label: str  # unique within the API
    method: str
    path: str  # below the API's mount, query included
    status: int
    credentials: str | None  # a CREDENTIALS value; None sends none
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    chunked: bool = False  # send the body without Content-Length
    names: str | None = None  # what the error must name

    @property
    def id(self) -> str:
        return f"{self.api}:{self.label}"


@dataclass(frozen=True)
class _Operation:
    api: str
    method: str
    template: str
    op_id: str
    params: tuple[dict[str, Any], ...]
    credentials: str | None
    form: dict[str, Any] | None  # the form body's schema, if the operation takes one
    json: dict[str, Any] | None = None  # the JSON body's schema, if the operation takes one
    body_required: bool = False


def _operations(api: str) -> Iterator[_Operation]:
    spec = load_spec(api)
    shared = spec.get("components", {}).get("parameters", {})
    schemes = spec.get("components", {}).get("securitySchemes", {})
    schemas = spec.get("components", {}).get("schemas", {})
    for method, path, op in operations(spec):
        params = tuple(
            shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])
        )
        security = op.get("security", spec.get("security", []))
        scheme = next(iter(security[0])) if security and security[0] else None
        kind = schemes[scheme]["type"] if scheme else None
        if kind == "http":
            kind = schemes[scheme]["scheme"]
        credentials = CREDENTIALS[api].get(scheme) or CREDENTIALS[api][kind] if scheme and kind else None
        content = op.get("requestBody", {}).get("content", {})
        form, json_body = (
            _resolve(schemas, content[t]["schema"]) if t in content else None for t in (_FORM, _JSON)
        )
        yield _Operation(
            api,
            method.upper(),
            path,
            op["operationId"],
            params,
            credentials,
            form,
            json_body,
            bool(op.get("requestBody", {}).get("required")),
        )


def _resolve(schemas: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
    return resolved


def _integer(param: dict[str, Any]) -> bool:
    schema = param.get("schema", {})
    return bool(schema.get("type") == "integer" or schema.get("items", {}).get("type") == "integer")


class _Builder:
    def __init__(self, op: _Operation, ids: Mapping[str, Any]) -> None:
        self.op = op
        self.ids = ids

    def path(self, **override: str) -> str:
        path = self.op.template
        for param in self.op.params:
            if param["in"] == "path":
                name = param["name"]
                value = override.get(name, str(self.ids[name]))
                path = path.replace("{" + name + "}", quote(value, safe="+-"))
        return path

    def query(self, extra: list[tuple[str, str]] | None = None) -> str:
        pairs = [
            (p["name"], str(self.ids[p["name"]]))
            for p in self.op.params
            if p["in"] == "query" and p.get("required")
        ]
        pairs += extra or []
        return "?" + urlencode(pairs) if pairs else ""

    def form(self) -> dict[str, str]:
        assert self.op.form is not None
        fields: dict[str, str] = {}
        for name in self.op.form.get("required", []):
            prop = self.op.form["properties"][name]
            fields[name] = str(prop["enum"][0]) if "enum" in prop else str(self.ids.get(name, "hello"))
        return fields

    def case(
        self, label: str, status: int, *, path: str | None = None, query: str | None = None, **kw: Any
    ) -> Case:
        return Case(
            api=self.op.api,
            label=f"{self.op.op_id}:{label}",
            method=kw.pop("method", self.op.method),
            path=(path if path is not None else self.path()) + (query if query is not None else self.query()),
            status=status,
            credentials=kw.pop("credentials", self.op.credentials),
            **kw,
        )


# Path values that must be refused with a 400 naming the id; huge ones reach the route (digits),
# the others do not (and error_rendering tells the id from a missing endpoint).
_BAD_PATH_IDS = {
    "huge": HUGE,
    "huge-negative": "-" + HUGE,
    "fullwidth": "\uff11\uff12",
    "fraction": "1.5",
    "nul": "1\x00",
}
_BAD_QUERY_INTEGERS = {
    "huge": HUGE,
    "huge-negative": "-" + HUGE,
    "exponent": "1e3",
    "hex": "0x10",
    "empty": "",
    "fullwidth": "\uff11",
    "space": " 1",
}


def _path_cases(b: _Builder) -> Iterator[Case]:
    for param in b.op.params:
        if param["in"] != "path" or not _integer(param):
            continue
        name = param["name"]
        for label, value in _BAD_PATH_IDS.items():
            yield b.case(f"path-{name}-{label}", 400, path=b.path(**{name: value}), names=name)
        if b.op.method == "GET":  # leading zeros do not change the id: the same answer as without them
            yield b.case(f"path-{name}-zeros", 200, path=b.path(**{name: "0" * 5000 + str(b.ids[name])}))


def _query_cases(b: _Builder) -> Iterator[Case]:
    for param in b.op.params:
        if param["in"] != "query" or not _integer(param):
            continue
        name = param["name"]
        for label, value in _BAD_QUERY_INTEGERS.items():
            yield b.case(f"query-{name}-{label}", 400, query=b.query([(name, value)]), names=name)
        # A repeated scalar keeps its last value, as in Connexion: the huge one is the one read.
        yield b.case(
            f"query-{name}-repeated-huge", 400, query=b.query([(name, "1"), (name, HUGE)]), names=name
        )


def _form_cases(b: _Builder) -> Iterator[Case]:
    if b.op.form is None:
        return
    fields = b.form()
    first = next(iter(fields))
    typed = (("Content-Type", _FORM),)
    big = urlencode({**fields, first: "a" * (_MB + 1)}).encode()
    many = urlencode({**fields, **{f"extra{i}": "x" for i in range(1001)}}).encode()
    yield b.case("form-field-over-1mb", 413, headers=typed, body=big)
    yield b.case("form-field-over-1mb-chunked", 413, headers=typed, body=big, chunked=True)
    yield b.case("form-over-1000-fields", 400, headers=typed, body=many)
    yield b.case("form-no-content-type", 415, body=urlencode(fields).encode(), names="Content-Type")
    yield b.case("form-no-content-type-no-body", 400, names=first)
    # A field the spec does not declare is ignored, repeated or not (Schemathesis sends such bodies).
    extra = urlencode([*fields.items(), ("extra", "1"), ("extra", "2")]).encode()
    yield b.case("form-repeated-undeclared-field", 200, headers=typed, body=extra)
    repeated = urlencode([*fields.items(), (first, fields[first])]).encode()
    yield b.case("form-repeated-field", 400, headers=typed, body=repeated, names=first)
    yield b.case(
        "form-multipart",
        415,
        headers=(("Content-Type", "multipart/form-data; boundary=x"),),
        body=b"--x--\r\n",
    )
    yield b.case("form-text-plain", 415, headers=(("Content-Type", "text/plain"),), body=b"hello")
    yield b.case("form-json", 415, headers=(("Content-Type", "application/json"),), body=b'{"a": 1}')
    others = urlencode({name: value for name, value in fields.items() if name != first}).encode()
    not_utf8 = (others + b"&" if others else b"") + first.encode() + b"=%FF%FE"
    yield b.case("form-not-utf8", 400, headers=typed, body=not_utf8, names=first)


def _date_cases(b: _Builder) -> Iterator[Case]:
    for param in b.op.params:
        if param["in"] == "query" and param.get("schema", {}).get("format") == "date-time":
            name = param["name"]
            for second in range(61, 100):
                value = f"2026-11-01T12:40:{second}Z"
                yield b.case(f"date-{name}-second-{second}", 400, query=b.query([(name, value)]), names=name)


def _header_cases(b: _Builder) -> Iterator[Case]:
    for param in b.op.params:
        if param["in"] != "header" or param["name"] != "opc-request-id":
            continue
        name = param["name"]
        yield b.case("request-id-twice", 400, headers=((name, "a"), (name, "b")), names=name)
        yield b.case("request-id-129", 400, headers=((name, "a" * 129),), names=name)
        yield b.case("request-id-100kb", 400, headers=((name, "a" * 100_000),), names=name)
        yield b.case("request-id-slash", 400, headers=((name, "a/b"),), names=name)
        yield b.case("request-id-empty", 400, headers=((name, ""),), names=name)
        yield b.case("request-id-128", 200, headers=((name, "a" * 128),))


# String path ids outside the spec's pattern or length: refused with a 400 naming the id.
_BAD_STRING_IDS = {
    "huge": HUGE,
    "over-64": "a" * 65,
    "space": "a b",
    "dot": "a.b",
    "fullwidth": "\uff11\uff12",
    "nul": "1\x00",
    "percent": "%",
}


def _string_path_cases(b: _Builder) -> Iterator[Case]:
    for param in b.op.params:
        schema = param.get("schema", {})
        if param["in"] != "path" or schema.get("type") != "string" or "pattern" not in schema:
            continue
        name = param["name"]
        for label, value in _BAD_STRING_IDS.items():
            yield b.case(f"path-{name}-{label}", 400, path=b.path(**{name: value}), names=name)


def _string_query_cases(b: _Builder) -> Iterator[Case]:
    for param in b.op.params:
        schema = param.get("schema", {})
        if param["in"] != "query" or _integer(param):
            continue
        name = param["name"]
        bad: dict[str, str] = {}
        if "enum" in schema:
            bad |= {"not-in-enum": "nope", "huge": HUGE}
        if schema.get("type") == "boolean":
            bad |= {"not-boolean": "maybe", "boolean-number": "2", "huge": HUGE}
        if schema.get("format") == "date":
            bad |= {"date-feb-30": "2026-02-30", "date-time": "2026-11-01T12:00:00Z", "huge": HUGE}
        if "maxLength" in schema:
            bad |= {"over-max-length": "a" * (schema["maxLength"] + 1), "huge": HUGE}
        if "pattern" in schema:
            bad |= {"not-pattern": "a b"}
        for label, value in bad.items():
            yield b.case(f"query-{name}-{label}", 400, query=b.query([(name, value)]), names=name)


def _json_value(prop: dict[str, Any], name: str, ids: Mapping[str, Any]) -> Any:
    if "enum" in prop:
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "boolean":
        return True
    if kind == "integer":
        return prop.get("minimum", 1)
    return str(ids.get(name, "hello"))


# A value of the wrong JSON type, per declared type ($ref'd objects are "object").
_WRONG_TYPE: dict[str, Any] = {"string": 12345, "boolean": "yes", "integer": "1", "array": "x", "object": "x"}


def _json_cases(b: _Builder) -> Iterator[Case]:
    schema = b.op.json
    if schema is None:
        return
    props: dict[str, Any] = schema.get("properties", {})
    body = {name: _json_value(props[name], name, b.ids) for name in schema.get("required", [])}
    typed = (("Content-Type", _JSON),)
    encoded = _dumps(body)
    yield b.case("json-not-utf8", 400, headers=typed, body=b'{"text": "\xff\xfe"}')
    yield b.case("json-utf16", 400, headers=typed, body=encoded.decode().encode("utf-16"))
    yield b.case("json-malformed", 400, headers=typed, body=encoded[:-1])
    if b.op.body_required:  # an optional body may be absent: an empty one or null is no body
        yield b.case("json-empty-body", 400, headers=typed, body=b"")
        yield b.case("json-not-an-object-null", 400, headers=typed, body=b"null")
    yield b.case("json-not-an-object-list", 400, headers=typed, body=b"[" + encoded + b"]")
    yield b.case("json-not-an-object-string", 400, headers=typed, body=b'"hello"')
    yield b.case("json-nested-100000", 400, headers=typed, body=b"[" * 100_000 + b"]" * 100_000)
    yield b.case("json-huge-number", 400, headers=typed, body=b'{"x": ' + HUGE.encode() + b"}")
    yield b.case("json-nan", 400, headers=typed, body=b'{"x": NaN}')
    big = _dumps({**body, "padding": "a" * (_MB + 1)})
    yield b.case("json-over-1mb", 413, headers=typed, body=big)
    yield b.case("json-over-1mb-chunked", 413, headers=typed, body=big, chunked=True)
    yield b.case("json-no-content-type", 415, body=encoded, names="Content-Type")
    yield b.case("json-as-form", 415, headers=(("Content-Type", _FORM),), body=b"text=hello")
    yield b.case("json-text-plain", 415, headers=(("Content-Type", "text/plain"),), body=encoded)
    for name, prop in props.items():
        kind = prop.get("type", "object")
        if kind in _WRONG_TYPE:
            wrong = _dumps({**body, name: _WRONG_TYPE[kind]})
            yield b.case(f"json-wrong-type-{name}", 400, headers=typed, body=wrong, names=name)


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def _generic_cases(b: _Builder) -> Iterator[Case]:
    if b.op.credentials is not None:
        yield b.case("no-credentials", 401, credentials=None)
    yield b.case("method-not-allowed", 405, method="PATCH")


def corpus(api: str, ids: Mapping[str, Any]) -> list[Case]:
    """Every case for `api`, whose well-known ids (sandbox_config's) fill the parts not under attack."""
    cases: list[Case] = []
    for op in _operations(api):
        b = _Builder(op, ids)
        for make in (
            _path_cases,
            _query_cases,
            _string_path_cases,
            _string_query_cases,
            _form_cases,
            _json_cases,
            _date_cases,
            _header_cases,
            _generic_cases,
        ):
            cases.extend(make(b))
    return cases
