"""Fault rules (POST /_sandbox/faults) and `Prefer: code=NNN, delay=MS`: what a vendor request suffers.

A rule matches by API, operationId, method and path (all given must match) and has one effect: a
status answered with the vendor's error body, latency (fixed or uniform), a 429 with Retry-After,
or a dropped connection. It fires every time, for the next `times` matches, or with a probability
drawn from its own generator seeded with `seed`: the same sequence of matching requests gets the
same faults. With no rules the per-request cost is one truthiness test.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALWAYS_PREFERABLE",
    "Decision",
    "FaultInputError",
    "FaultRule",
    "FaultRules",
    "parse_prefer",
]

#: Statuses `Prefer: code=` gives on any operation, besides those the operation documents.
ALWAYS_PREFERABLE = frozenset({429, 500, 503})
_MAX_DELAY_MS = 60_000
_EFFECTS = ("status", "latency", "rate_limit", "drop")


class FaultInputError(ValueError):
    """A fault rule that cannot be applied; the message names the field and what it takes."""


@dataclass
class Decision:
    """What the matching rules decided for one request."""

    delay_ms: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    rule: str | None = None


#: What no matching rule decides: shared, never changed (most requests meet a rule that does not match).
_NOTHING = Decision()


@dataclass
class FaultRule:
    id: str
    match: dict[str, str]
    effect: dict[str, Any]
    times: int | None
    probability: float | None
    seed: int | None
    rng: random.Random
    matched: int = 0
    fired: int = 0

    def could_match(self, api: str, operation_id: str) -> bool:
        m = self.match
        return ("api" not in m or m["api"] == api) and (
            "operationId" not in m or m["operationId"] == operation_id
        )

    def matches(self, api: str, operation_id: str, method: str, path: str) -> bool:
        m = self.match
        return (
            ("api" not in m or m["api"] == api)
            and ("operationId" not in m or m["operationId"] == operation_id)
            and ("method" not in m or m["method"] == method)
            and ("path" not in m or m["path"] == path or fnmatch.fnmatchcase(path, m["path"]))
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "match": dict(self.match),
            "effect": dict(self.effect),
            "times": self.times,
            "probability": self.probability,
            "seed": self.seed,
            "matched": self.matched,
            "fired": self.fired,
        }


def _int(effect: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    value = effect.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultInputError(f"effect.{key} must be an integer from {low} to {high}, not {value!r}.")
    return value


def _effect(raw: object) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise FaultInputError('effect must be an object such as {"type": "status", "status": 503}.')
    kind = raw.get("type")
    if kind not in _EFFECTS:
        raise FaultInputError(f"effect.type must be one of {', '.join(_EFFECTS)}, not {kind!r}.")
    allowed = {"status": {"status"}, "latency": {"ms", "min_ms", "max_ms"}, "rate_limit": {"retry_after"}}
    extra = sorted(set(raw) - {"type"} - allowed.get(kind, set()))
    if extra:
        raise FaultInputError(f"effect of type {kind} takes no {', '.join(extra)}.")
    effect: dict[str, Any] = {"type": kind}
    if kind == "status":
        status = _int(raw, "status", 400, 599)
        if status is None:
            raise FaultInputError("effect of type status needs status (400-599).")
        effect["status"] = status
    elif kind == "latency":
        fixed = _int(raw, "ms", 0, _MAX_DELAY_MS)
        low, high = _int(raw, "min_ms", 0, _MAX_DELAY_MS), _int(raw, "max_ms", 0, _MAX_DELAY_MS)
        if fixed is not None and (low is not None or high is not None):
            raise FaultInputError("effect of type latency takes ms, or min_ms and max_ms, not both.")
        if fixed is None and (low is None or high is None):
            raise FaultInputError("effect of type latency needs ms, or both min_ms and max_ms.")
        if fixed is not None:
            effect["ms"] = fixed
        else:
            if low is not None and high is not None and low > high:
                raise FaultInputError(f"effect.min_ms ({low}) must not exceed effect.max_ms ({high}).")
            effect.update(min_ms=low, max_ms=high)
    elif kind == "rate_limit":
        retry = _int(raw, "retry_after", 0, 86_400)
        effect["retry_after"] = 1 if retry is None else retry
    return effect


class FaultRules:
    """One world's rules, tried in the order they were added."""

    def __init__(self, seed: int, operations: Mapping[str, frozenset[str]] | None = None) -> None:
        self.rules: list[FaultRule] = []
        self._default_seed = seed
        self._numbers = itertools.count(1)
        # API -> its operationIds, to refuse a rule that could never match.
        self.operations: Mapping[str, frozenset[str]] = operations or {}
        # (API, operationId) -> the rules its requests could match, in order; made at the first such
        # request after a change, so a rule for another operation costs a request one lookup.
        self._candidates: dict[tuple[str, str], list[FaultRule]] = {}

    def _changed(self, rules: list[FaultRule]) -> None:
        self.rules = rules
        self._candidates = {}

    def candidates(self, api: str, operation_id: str) -> list[FaultRule]:
        """The rules a request to this operation could match (its method and path not yet known)."""
        key = (api, operation_id)
        found = self._candidates.get(key)
        if found is None:
            found = [rule for rule in self.rules if rule.could_match(api, operation_id)]
            self._candidates[key] = found
        return found

    def reseed(self, seed: int) -> None:
        """The seed of rules added from now on without their own (a reset changes the world's)."""
        self._default_seed = seed

    def add(self, body: Mapping[str, Any]) -> FaultRule:
        match = dict(body.get("match") or {})
        for key, value in match.items():
            if not isinstance(value, str) or not value:
                raise FaultInputError(f"match.{key} must be a non-empty string.")
        if "method" in match:
            match["method"] = match["method"].upper()
        api = match.get("api")
        if self.operations and api is not None and api not in self.operations:
            raise FaultInputError(f"match.api {api!r} is not an API; known: {', '.join(self.operations)}.")
        op = match.get("operationId")
        if op is not None and self.operations:
            known = self.operations[api] if api else frozenset().union(*self.operations.values())
            if op not in known:
                raise FaultInputError(f"match.operationId {op!r} is not an operation of {api or 'any API'}.")
        times = body.get("times")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise FaultInputError(f"times must be an integer of at least 1, not {times!r}.")
        probability = body.get("probability")
        if probability is not None and (
            isinstance(probability, bool)
            or not isinstance(probability, int | float)
            or not 0 <= probability <= 1
        ):
            raise FaultInputError(f"probability must be a number from 0 to 1, not {probability!r}.")
        seed = body.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise FaultInputError(f"seed must be an integer, not {seed!r}.")
        rule = FaultRule(
            id=f"fault-{next(self._numbers)}",
            match=match,
            effect=_effect(body.get("effect")),
            times=times,
            probability=None if probability is None else float(probability),
            seed=seed,
            rng=random.Random(self._default_seed if seed is None else seed),
        )
        self._changed([*self.rules, rule])
        return rule

    def remove(self, rule_id: str) -> bool:
        kept = [rule for rule in self.rules if rule.id != rule_id]
        removed = len(kept) != len(self.rules)
        self._changed(kept)
        return removed

    def clear(self) -> int:
        count = len(self.rules)
        self._changed([])
        return count

    def decide(self, api: str, operation_id: str, method: str, path: str) -> Decision:
        """Apply the rules to one request: latencies add up; the first status, 429 or drop ends it."""
        decision = _NOTHING
        spent: list[FaultRule] = []
        for rule in self.candidates(api, operation_id):
            if not rule.matches(api, operation_id, method, path):
                continue
            if decision is _NOTHING:
                decision = Decision()
            rule.matched += 1
            if rule.probability is not None and rule.rng.random() >= rule.probability:
                continue
            rule.fired += 1
            if rule.times is not None:
                rule.times -= 1
                if rule.times == 0:
                    spent.append(rule)
            effect = rule.effect
            kind = effect["type"]
            decision.rule = decision.rule or rule.id
            if kind == "latency":
                ms = effect.get("ms")
                decision.delay_ms += (
                    ms if ms is not None else rule.rng.uniform(effect["min_ms"], effect["max_ms"])
                )
                continue
            decision.rule = rule.id
            if kind == "status":
                decision.status = effect["status"]
            elif kind == "rate_limit":
                decision.status, decision.retry_after = 429, effect["retry_after"]
            else:
                decision.drop = True
            break
        if spent:
            self._changed([rule for rule in self.rules if rule not in spent])
        return decision


def parse_prefer(value: str) -> tuple[int | None, int | None]:
    """(code, delay in ms) from a Prefer header; other or malformed preferences are ignored (RFC 7240)."""
    code: int | None = None
    delay: int | None = None
    for item in value.split(","):
        token, _, raw = item.split(";", 1)[0].partition("=")
        name, text = token.strip().lower(), raw.strip().strip('"')
        if not text.isdigit() or len(text) > 6:
            continue
        if name == "code" and code is None and 100 <= int(text) <= 599:
            code = int(text)
        elif name == "delay" and delay is None and int(text) <= _MAX_DELAY_MS:
            delay = int(text)
    return code, delay
