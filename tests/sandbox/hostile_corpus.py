"""The hostile corpus: requests no client should send, built from each API's spec, each with its status.

Every operation of an API's spec meets every input class below that applies to it: integer path ids
and integer query values too long for int(), negative, fullwidth or fractional; form bodies over the
size and field limits, repeated fields, no or the wrong Content-Type; Oracle's dates with seconds
61-99 and its opc-request-id sent twice, too long, empty. An API joins the corpus by name: one entry
in CREDENTIALS (which credentials each of its security schemes takes); its ids come from
`sandbox_config` and its operations, parameters and form fields from its spec.
"""

from __future__ import annotations

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
}
_FORM = "application/x-www-form-urlencoded"
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


def _operations(api: str) -> Iterator[_Operation]:
    spec = load_spec(api)
    shared = spec.get("components", {}).get("parameters", {})
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for method, path, op in operations(spec):
        params = tuple(
            shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])
        )
        security = op.get("security", spec.get("security", []))
        kind = schemes[next(iter(security[0]))]["type"] if security and security[0] else None
        if kind == "http":
            kind = schemes[next(iter(security[0]))]["scheme"]
        credentials = CREDENTIALS[api][kind] if kind else None
        content = op.get("requestBody", {}).get("content", {})
        form = content[_FORM]["schema"] if _FORM in content else None
        yield _Operation(api, method.upper(), path, op["operationId"], params, credentials, form)


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
            fields[name] = str(prop["enum"][0]) if "enum" in prop else "hello"
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


def _generic_cases(b: _Builder) -> Iterator[Case]:
    if b.op.credentials is not None:
        yield b.case("no-credentials", 401, credentials=None)
    yield b.case("method-not-allowed", 405, method="PATCH")


def corpus(api: str, ids: Mapping[str, Any]) -> list[Case]:
    """Every case for `api`, whose well-known ids (sandbox_config's) fill the parts not under attack."""
    cases: list[Case] = []
    for op in _operations(api):
        b = _Builder(op, ids)
        for make in (_path_cases, _query_cases, _form_cases, _date_cases, _header_cases, _generic_cases):
            cases.extend(make(b))
    return cases
