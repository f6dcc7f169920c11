"""Schema-valid requests a spec's prose still forbids: refusing them is correct, not a violation.

A JSON schema cannot state constraints between parameters, nor a parameter whose every value is
refused; `positive_data_acceptance` sees only the schema, so its verdict on these is set aside.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

__all__ = ["documented_refusal"]


def _oracle(query: dict[str, list[str]]) -> str | None:
    if "page" in query:
        return "page: only a value of a previous opc-next-page header is valid, and the service sends none"
    if "createDateTimeGreaterThanOrEqualTo" in query or "createDateTimeLessThanOrEqualTo" in query:
        # A bound left out defaults to the server's now (or now - 90 days), and a future upper bound becomes
        # now: whether a window is valid depends on a clock the kit cannot see. The window walk probe and
        # the window check hold the server to windows whose validity is certain.
        return "the create-date window must be ordered against the server's clock"
    return None


def documented_refusal(api: str, url: str) -> str | None:
    """Why the spec's prose forbids this schema-valid request, or None when it does not."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    if api == "oracle":
        return _oracle(query)
    return None
