"""Probes: deterministic sequences of calls for properties one response cannot show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from patientmsg.conformance.shared.context import ProbeContext

__all__ = ["PROBES", "Probe", "ProbeFunc", "probe"]

ProbeFunc = Callable[[ProbeContext], None]


@dataclass(frozen=True)
class Probe:
    name: str
    api: str
    func: ProbeFunc
    # Sends requests that change state (reply, delete, invite): only with --allow-writes.
    writes: bool = False
    # Needs a second tenant's credentials and ids ([second] in the config).
    second: bool = False


# Filled per API, in run order, as each unit of `registry.py` is imported.
PROBES: dict[str, list[Probe]] = {}


def probe(api: str, *, writes: bool = False, second: bool = False) -> Callable[[ProbeFunc], ProbeFunc]:
    """Register a probe; its function name is the verifier name the catalogue cites."""

    def register(func: ProbeFunc) -> ProbeFunc:
        PROBES.setdefault(api, []).append(
            Probe(name=func.__name__, api=api, func=func, writes=writes, second=second)
        )
        return func

    return register
