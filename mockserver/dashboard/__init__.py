"""The dashboard: the page a browser gets at `/`, built only on the control API (/_sandbox/).

`prefers_html` decides from the Accept header (RFC 9110 q-values): HTML only when `text/html` is
preferred to JSON, so curl's `*/*` and every API client keep the JSON index. `page` is index.html with
style.css and app.js inlined: one self-contained answer, no CDN, no second request to fail.
"""

from __future__ import annotations

import functools
from importlib.resources import files

__all__ = ["page", "prefers_html"]


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """(type, subtype, q) per media range; a malformed range or q-value is left out."""
    ranges: list[tuple[str, str, float]] = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            ranges.append((kind, sub, q))
    return ranges


def _quality(ranges: list[tuple[str, str, float]], kind: str, sub: str) -> float:
    """The q of the most specific range matching kind/sub (RFC 9110 §12.5.1), 0 when none does."""
    best, specificity = 0.0, -1
    for rkind, rsub, q in ranges:
        if rkind == kind and rsub == sub:
            rank = 2
        elif rkind == kind and rsub == "*":
            rank = 1
        elif rkind == "*" and rsub == "*":
            rank = 0
        else:
            continue
        if rank > specificity:
            best, specificity = q, rank
    return best


def prefers_html(accept: str | None) -> bool:
    """Whether the client ranks text/html above application/json; a tie (`*/*`) is JSON."""
    if not accept:
        return False
    ranges = _ranges(accept)
    return _quality(ranges, "text", "html") > _quality(ranges, "application", "json")


@functools.cache
def page() -> bytes:
    """index.html with its stylesheet and script inlined (read once per process)."""
    here = files(__name__)
    html = (here / "index.html").read_text(encoding="utf-8")
    style = (here / "style.css").read_text(encoding="utf-8")
    script = (here / "app.js").read_text(encoding="utf-8")
    # The script cannot close its own element early: app.js holds no "</script" (a test checks).
    html = html.replace("/*STYLE*/", style).replace("/*SCRIPT*/", script)
    return html.encode("utf-8")
