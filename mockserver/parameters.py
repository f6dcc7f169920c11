"""Parameter checks compiled once from the spec, with messages a client developer can act on.

Connexion's validator rebuilds a jsonschema validator for every parameter of every request and
answers with the validator's own text ("'x' is not of type 'integer'"). These checks are built at
start-up and say e.g. "limit must be at most 10000".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from patientmsg.mockserver.dates import parse_rfc3339

__all__ = ["MAX_DIGITS", "Invalid", "ValueCheck", "compile_schema", "parse_integer"]

_INTEGER = re.compile(r"([+-]?)0*([0-9]+)")
#: The longest integer read (leading zeros aside): Python's int() raises ValueError beyond its limit
#: (4,300 digits by default), so a longer value is refused before int() sees it.
MAX_DIGITS = sys.get_int_max_str_digits() or 4300
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Keywords these checks implement; a spec using another one fails at start-up, not silently.
_KNOWN = {
    "type",
    "minimum",
    "maximum",
    "enum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "items",
    "default",
}
_DOC_KEYS = {"description", "example", "x-inferred", "x-default", "nullable"}


class Invalid(ValueError):
    """A value that breaks its schema; the message reads after the parameter's name."""


#: Converts one raw text value to its typed value, or raises Invalid.
ValueCheck = Callable[[str], Any]


@dataclass(frozen=True)
class _Scalar:
    kind: str
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[Any, ...] | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    date_time: bool = False

    def __call__(self, raw: str) -> Any:
        value = self._typed(raw)
        if self.enum is not None and value not in self.enum:
            raise Invalid("must be one of " + ", ".join(str(choice) for choice in self.enum))
        if self.minimum is not None and value < self.minimum:
            raise Invalid(f"must be at least {_number(self.minimum)}")
        if self.maximum is not None and value > self.maximum:
            raise Invalid(f"must be at most {_number(self.maximum)}")
        if self.min_length is not None and len(value) < self.min_length:
            raise Invalid(
                "must not be empty"
                if self.min_length == 1
                else f"must be at least {self.min_length} characters"
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise Invalid(f"must be at most {self.max_length} characters")
        # A date-time's pattern fixes its form (Oracle: UTC, no milliseconds): say so, not "characters".
        fits = self.pattern is None or self.pattern.search(value) is not None
        if self.date_time and (not fits or parse_rfc3339(value) is None):
            raise Invalid("must be an ISO 8601 date-time in UTC, e.g. 2026-11-20T09:00:00Z")
        if not fits:
            raise Invalid("has characters that are not allowed")
        return value

    def _typed(self, raw: str) -> Any:
        if self.kind == "integer":
            if not _INTEGER.fullmatch(raw):
                raise Invalid("must be an integer")
            value = parse_integer(raw)
            if value is None:
                # Too long for int(): the spec's own bound when it has one names the limit best.
                if raw.startswith("-") and self.minimum is not None:
                    raise Invalid(f"must be at least {_number(self.minimum)}")
                if not raw.startswith("-") and self.maximum is not None:
                    raise Invalid(f"must be at most {_number(self.maximum)}")
                raise Invalid(f"must have at most {MAX_DIGITS} digits")
            return value
        if self.kind == "number":
            if not _NUMBER.fullmatch(raw):
                raise Invalid("must be a number")
            return float(raw)
        if self.kind == "boolean":
            lowered = raw.lower()
            if lowered not in ("true", "false"):
                raise Invalid("must be true or false")
            return lowered == "true"
        return raw


def parse_integer(text: str) -> int | None:
    """A decimal integer (sign and leading zeros allowed) of at most MAX_DIGITS digits, else None."""
    match = _INTEGER.fullmatch(text)
    if match is None:
        return None
    sign, digits = match.groups()
    return int(sign + digits) if len(digits) <= MAX_DIGITS else None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def compile_schema(schema: dict[str, Any], *, where: str) -> _Scalar:
    """A check for a scalar schema (string, integer, number, boolean); `where` names it in start-up errors."""
    unknown = set(schema) - _KNOWN - _DOC_KEYS
    kind = schema.get("type", "string")
    if unknown or kind not in ("string", "integer", "number", "boolean"):
        raise ValueError(f"{where}: the sandbox cannot check {sorted(unknown) or kind!r}")
    fmt = schema.get("format")
    return _Scalar(
        kind=kind,
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        enum=tuple(schema["enum"]) if "enum" in schema else None,
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        pattern=re.compile(schema["pattern"]) if "pattern" in schema else None,
        date_time=fmt == "date-time",
    )
