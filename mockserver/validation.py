"""Connexion validators (its `validator_map`) that refuse bad input in the vendor's format.

Parameters are checked against precompiled checks (`parameters.py`); form bodies by their
properties. Every refusal is an `ApiError` naming the parameter, header or body field at fault.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Container
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, unquote_to_bytes

from connexion.datastructures import MediaTypeDict
from connexion.validators import VALIDATOR_MAP, FormDataValidator, JSONRequestBodyValidator
from patientmsg.mockserver.inputs import PARAMS_KEY
from patientmsg.mockserver.parameters import Invalid, ValueCheck, compile_schema
from patientmsg.mockserver.vendor_errors import ApiError
from starlette.datastructures import Headers, QueryParams
from starlette.formparsers import FormParser, MultiPartException
from starlette.types import Message, Receive, Scope

__all__ = [
    "FORM_BODY_LIMIT",
    "VALIDATORS",
    "VendorFormValidator",
    "VendorJSONValidator",
    "VendorParameterValidator",
]


@dataclass(frozen=True)
class _Param:
    name: str
    location: str
    required: bool
    check: ValueCheck
    array: bool = False
    explode: bool = True
    default: Any = None
    min_items: int = 0

    def refuse(self, reason: str) -> ApiError:
        if self.location == "header":
            return ApiError(400, f"{self.name} {reason}.", headers=[self.name])
        return ApiError(400, f"{self.name} {reason}.", parameters=[self.name])


def _compile_param(param: dict[str, Any]) -> _Param:
    schema = param.get("schema", {})
    where = f"parameter {param['name']!r}"
    if schema.get("type") == "array":
        extra = set(schema) - {"type", "items", "default", "description", "minItems"}
        if extra:
            raise ValueError(f"{where}: the sandbox cannot check {sorted(extra)}")
        explode = param.get("explode", param.get("style", "form") == "form")
        items = compile_schema(schema["items"], where=where)
        default = tuple(schema["default"]) if "default" in schema else None
        required = bool(param.get("required"))
        min_items = int(schema.get("minItems", 0))
        return _Param(param["name"], param["in"], required, items, True, explode, default, min_items)
    check = compile_schema(schema, where=where)
    return _Param(
        param["name"], param["in"], bool(param.get("required")), check, default=schema.get("default")
    )


# Keyed by id(); the list itself is kept and compared so a recycled id never serves stale checks.
_COMPILED: dict[int, tuple[list[dict[str, Any]], tuple[_Param, ...]]] = {}


def _compiled(parameters: list[dict[str, Any]]) -> tuple[_Param, ...]:
    cached = _COMPILED.get(id(parameters))
    if cached is None or cached[0] is not parameters:
        cached = (parameters, tuple(_compile_param(p) for p in parameters))
        _COMPILED[id(parameters)] = cached
    return cached[1]


_FORMS: dict[int, tuple[dict[str, Any], dict[str, ValueCheck], tuple[str, ...]]] = {}


def _form_checks(schema: dict[str, Any]) -> tuple[dict[str, ValueCheck], tuple[str, ...]]:
    cached = _FORMS.get(id(schema))
    if cached is None or cached[0] is not schema:
        props = schema.get("properties", {})
        fields: dict[str, ValueCheck] = {
            name: compile_schema(prop, where=f"form field {name!r}") for name, prop in props.items()
        }
        cached = (schema, fields, tuple(schema.get("required", [])))
        _FORMS[id(schema)] = cached
    return cached[1], cached[2]


class VendorParameterValidator:
    """Drop-in for connexion's ParameterValidator (same constructor, `validate(scope)`)."""

    def __init__(self, parameters: list[dict[str, Any]], uri_parser: Any = None, **_: Any) -> None:
        self._params = _compiled(parameters)

    def validate(self, scope: Scope) -> None:
        """Check every parameter; the typed values (defaults filled in) go to the scope for the handler."""
        query = QueryParams(scope.get("query_string", b""))
        headers = Headers(scope=scope)
        path_params = scope.get("path_params", {})
        typed: dict[str, Any] = {}
        for param in self._params:
            if param.location == "query":
                values = query.getlist(param.name)
            elif param.location == "header":
                values = headers.getlist(param.name)
                if len(values) > 1:
                    # One value per header: otherwise a check could read one copy and an echo the other.
                    raise param.refuse("must be sent once")
            elif param.location == "path" and param.name in path_params:
                values = [str(path_params[param.name])]
            else:
                values = []
            if not values:
                if param.required:
                    raise param.refuse("is required")
                if param.default is not None:
                    typed[param.name] = param.default
                continue
            # Like Connexion's parser: a repeated scalar keeps its last value.
            if param.array:
                items = values if param.explode else ([] if values[-1] == "" else values[-1].split(","))
                if len(items) < param.min_items:
                    many = "must not be empty" if param.min_items == 1 else f"needs {param.min_items} values"
                    raise param.refuse(many)
            else:
                items = values[-1:]
            try:
                checked = [param.check(raw) for raw in items]
            except Invalid as invalid:
                prefix = "values " if param.array else ""
                raise param.refuse(f"{prefix}{invalid}") from None
            typed[param.name] = checked if param.array else checked[0]
        scope[PARAMS_KEY] = typed


_FORM_PHRASES = {400: "Bad request.", 413: "Request too large."}
#: The largest form body read: Starlette bounds each field (1 MB) and their count (1,000), not the sum.
FORM_BODY_LIMIT = 1024 * 1024


def _too_large(kind: str = "form") -> ApiError:
    detail = f"A {kind} body may have at most {FORM_BODY_LIMIT} bytes."
    return ApiError(413, "Request too large.", detail=detail)


def _has_body(headers: Headers, kind: str) -> bool:
    """Whether a body follows (a non-zero Content-Length, or chunked); a declared one too large is a 413.

    Connexion takes a request without Content-Length for one without a body, chunked ones included.
    """
    length = headers.get("content-length")
    declared = length is not None and length.isdigit()
    if declared and (len(length or "") > 12 or int(length or "0") > FORM_BODY_LIMIT):
        raise _too_large(kind)
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    return chunked or (declared and int(length or "0") != 0)


def _unsupported(content_type: str, kind: str) -> ApiError:
    return ApiError(
        415,
        "Unsupported media type.",
        detail=f"Send Content-Type: {content_type} with a {kind} body.",
        headers=["Content-Type"],
    )


async def _kept(receive: Receive, messages: list[Message]) -> AsyncGenerator[bytes, None]:
    """The body's chunks as received, each message kept in `messages` to be replayed to the handler."""
    more_body = True
    while more_body:
        message = await receive()
        messages.append(message)
        more_body = message.get("more_body", False)
        yield message.get("body", b"")


async def _bounded(
    stream: AsyncIterator[bytes], raw: list[bytes], kind: str = "form"
) -> AsyncGenerator[bytes, None]:
    """The body's chunks (kept in `raw`), refused with a 413 past FORM_BODY_LIMIT (chunked bodies too)."""
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > FORM_BODY_LIMIT:
            raise _too_large(kind)
        raw.append(chunk)
        yield chunk


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _not_utf8(body: bytes, declared: Container[str]) -> str | None:
    """The first declared field whose value is not UTF-8 once percent-decoded (Starlette puts U+FFFD)."""
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        field = unquote_plus(name.decode("latin-1"))
        if field not in declared:
            continue
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return field
    return None


class VendorFormValidator(FormDataValidator):  # type: ignore[misc]
    """Form bodies (athena's token and reply): a missing or invalid field is named in the error."""

    def __init__(self, *, schema: dict[str, Any], required: bool = False, **kwargs: Any) -> None:
        super().__init__(schema=schema, required=required, **kwargs)
        self._fields, self._required_fields = _form_checks(schema)

    def _missing(self, name: str) -> ApiError:
        return ApiError(400, f"{name} is required.", pointers=[f"/{name}"])

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        """Connexion's body check, with chunked bodies read (Connexion takes no Content-Length for none)."""
        headers = Headers(scope=scope)
        if not _has_body(headers, "form"):
            if self._required and self._required_fields:
                raise self._missing(self._required_fields[0])
            result: tuple[Receive, Scope] = await super().wrap_receive(receive, scope=scope)
            return result
        if "content-type" not in headers:
            # Connexion would validate the body as a form, then hand the handler raw bytes.
            raise _unsupported("application/x-www-form-urlencoded", "form")
        messages: list[Message] = []
        self._validate(await self._parse(_kept(receive, messages), scope=scope))
        # The handler reads the same body again: the messages are replayed to it.
        return self._insert_messages(receive, messages=messages), scope

    async def _parse(self, stream: AsyncIterator[bytes], scope: Scope) -> dict[str, str]:
        """The form's fields, each at most once; Starlette's limits become the vendor's 400 or 413."""
        raw: list[bytes] = []
        try:
            form = await FormParser(Headers(scope=scope), _bounded(stream, raw)).parse()
        except MultiPartException as exc:
            # Starlette's limits: 1,000 fields, 1 MB per field; its message says which was exceeded.
            status = 413 if "size" in exc.message else 400
            detail = f"The form body was refused: {exc.message}"
            raise ApiError(status, _FORM_PHRASES[status], detail=detail) from None
        # Only the fields the spec declares are checked: others are ignored (the schemas allow them).
        bad = _not_utf8(b"".join(raw), self._fields)
        if bad is not None:
            raise ApiError(400, f"{bad} is not UTF-8 text.", pointers=[f"/{bad}"])
        fields: dict[str, str] = {}
        for name, value in form.multi_items():
            if name in fields and name in self._fields:
                # Connexion would join the values ("alpha,beta"): a body the client never meant.
                raise ApiError(400, f"{name} is given more than once.", pointers=[f"/{name}"])
            fields[name] = value if isinstance(value, str) else ""
        return fields

    def _validate(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be form fields.")
        for name in self._required_fields:
            if name not in body:
                raise self._missing(name)
        for name, check in self._fields.items():
            if name in body:
                value = body[name]
                try:
                    check(value if isinstance(value, str) else str(value))
                except Invalid as invalid:
                    raise ApiError(400, f"{name} {invalid}.", pointers=[f"/{name}"]) from None


class VendorJSONValidator(JSONRequestBodyValidator):  # type: ignore[misc]
    """JSON bodies (the portal's writes): bounded like forms, and any unreadable body is a 400, never a 5xx.

    Connexion reads a body without Content-Type as JSON and a chunked one as absent; json.loads lets
    NaN through and raises ValueError (4,301-digit numbers) or RecursionError (deep nesting) unmapped.
    """

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        headers = Headers(scope=scope)
        if not _has_body(headers, "JSON"):
            result: tuple[Receive, Scope] = await super().wrap_receive(receive, scope=scope)
            return result
        if "content-type" not in headers:
            raise _unsupported("application/json", "JSON")
        messages: list[Message] = []
        body = await self._parse(_bounded(_kept(receive, messages), [], "JSON"), scope=scope)
        if not (body is None and self._nullable):
            self._validate(body)
        # The handler reads the same body again: the messages are replayed to it.
        return self._insert_messages(receive, messages=messages), scope

    async def _parse(self, stream: AsyncIterator[bytes], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw:
            return None
        try:
            return json.loads(raw.decode(self._encoding), parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError included
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]
            raise ApiError(400, "The request body is not valid JSON.", detail=reason) from None


#: Passed to the app as `validator_map`; bodies other than forms and JSON keep Connexion's validators.
VALIDATORS: dict[str, Any] = {
    "parameter": VendorParameterValidator,
    "body": MediaTypeDict(
        {
            **VALIDATOR_MAP["body"],
            "*/*json": VendorJSONValidator,
            "application/x-www-form-urlencoded": VendorFormValidator,
        }
    ),
}
