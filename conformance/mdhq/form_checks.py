"""MD HQ's response checks on forms fixed by the document and RFC 9110: UTC dates, 401 challenge, headers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure
from patientmsg.conformance.shared.checking import response_check

__all__ = [
    "DATE_FIELDS",
    "mdhq_dates_are_utc",
    "mdhq_documented_headers_have_their_form",
    "mdhq_unauthorized_names_a_basic_challenge",
]

# Every date-time field of the spec's bodies: a queue entry's, a delete answer's, an invite answer's.
DATE_FIELDS = ("created", "updated", "deleted_at", "sent_at")

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
# RFC 9110 10.2.1: Allow = #method (an empty list is allowed).
_ALLOW = re.compile(rf"^\s*({_TOKEN}(\s*,\s*{_TOKEN})*)?\s*$")
# RFC 9110 11.6.1 / 11.3: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
_PARAM = rf'{_TOKEN}\s*=\s*({_TOKEN}|"([^"\\]|\\.)*")'
_ONE_CHALLENGE = rf"{_TOKEN}( +([A-Za-z0-9._~+/-]+=*|{_PARAM}(\s*,\s*{_PARAM})*))?"
# WWW-Authenticate = #challenge: several challenges, comma-separated, are allowed.
_CHALLENGE = re.compile(rf"^\s*{_ONE_CHALLENGE}(\s*,\s*{_ONE_CHALLENGE})*\s*$")
_FORMS = {
    "allow": (_ALLOW, "Allow: #method, comma-separated method tokens (RFC 9110 10.2.1)"),
    "www-authenticate": (
        _CHALLENGE,
        "WWW-Authenticate: auth-scheme [ token68 / #auth-param ] (RFC 9110 11.6.1)",
    ),
}


def _dated_values(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, value) of every date-time string of an answer, list entries included."""
    data = body.get("data")
    entries = [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []
    found = [(name, body[name]) for name in DATE_FIELDS if isinstance(body.get(name), str)]
    for entry in entries:
        found += [
            (f"{name} of request {entry.get('id')!r}", entry[name])
            for name in DATE_FIELDS
            if isinstance(entry.get(name), str)
        ]
    return found


def _signed(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@response_check("mdhq")
def mdhq_dates_are_utc(ex: Exchange) -> bool | None:
    body = ex.json()
    if not 200 <= ex.status < 300 or not isinstance(body, dict):
        return True
    checked = False
    for where, value in _dated_values(body):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            continue  # not a date-time at all: the schema requirement reports it
        checked = True
        offset = parsed.utcoffset()
        # No offset at all reads as UTC, as the document says every date is.
        if offset is not None and offset != dt.timedelta(0):
            raise ConformanceFailure(
                "MD HQ date not in UTC",
                received=f"{where} = {value!r} (UTC offset {_signed(offset)})",
                documented='"All dates listed are listed in UTC": a date-time ending in Z or +00:00',
            )
    return None if checked else True


@response_check("mdhq")
def mdhq_unauthorized_names_a_basic_challenge(ex: Exchange) -> bool | None:
    if ex.status != 401:
        return True
    challenge = ex.headers.get("www-authenticate", "").strip()
    if challenge.split(" ", 1)[0].lower() != "basic":
        sent = f"WWW-Authenticate {challenge!r}" if challenge else "no WWW-Authenticate header"
        raise ConformanceFailure(
            "MD HQ 401 without a Basic challenge",
            received=f"401 with {sent}",
            documented="WWW-Authenticate: Basic ... (RFC 9110 11.6.1: a 401 MUST carry a challenge)",
        )
    return None


@response_check("mdhq")
def mdhq_documented_headers_have_their_form(ex: Exchange) -> bool | None:
    found = [(name, ex.headers[name]) for name in _FORMS if name in ex.headers]
    if not found:
        return True
    for name, value in found:
        form, documented = _FORMS[name]
        if not form.match(value):
            raise ConformanceFailure(
                f"MD HQ {name} header not in its documented form",
                received=f"{name}: {value!r}",
                documented=documented,
            )
    return None
