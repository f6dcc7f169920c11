"""The request's parameters as the validator checked them: typed, with the spec's defaults filled in.

Handlers read query and header values here instead of taking them as arguments, so each value is
parsed once (Connexion would parse them again, and fails on e.g. an empty comma list).
"""

from __future__ import annotations

from typing import Any

from connexion.context import scope as _scope

__all__ = ["PARAMS_KEY", "params"]

#: Scope key the validator stores the values under.
PARAMS_KEY = "patientmsg.params"


def params() -> dict[str, Any]:
    """The current request's checked parameters, by their names in the spec."""
    values: dict[str, Any] = _scope[PARAMS_KEY]
    return values
