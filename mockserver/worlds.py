"""Worlds: the default one and named ones (`Patientmsg-Sandbox: <name>[;seed=N]`), each fully isolated.

A world is a Sandbox (its own SQLite connection, clock, caches, tokens) plus its journal and fault
rules. Handlers are bound once, at start-up, to a `WorldSwitch`: attribute reads go to the world the
current request selected (a ContextVar set by the edge), so a handler never knows which world it serves.

A named world starts as an in-memory copy (SQLite backup, a few ms) of the server's world as it
started; with `--store FILE`, of the store as it is at the world's first use. Their number is bounded;
only a world idle for `idle_seconds` is dropped to make room for a new name.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
import re
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from patientmsg.fixtures import Clock, bundled_scenarios, open_store
from patientmsg.mockserver.faults import FaultRules
from patientmsg.mockserver.journal import Journal
from patientmsg.mockserver.state import Sandbox

__all__ = ["DEFAULT_WORLD", "World", "WorldError", "WorldSwitch", "Worlds", "copy_connection", "parse_world"]

DEFAULT_WORLD = "default"
_HEADER = re.compile(r"\s*([A-Za-z0-9._-]{1,64})\s*(?:;\s*seed\s*=\s*(-?[0-9]{1,18})\s*)?")
# Worlds built for another seed, scenario or time, kept for the next reset or world that asks for one.
_PRISTINE_KEPT = 4
_RESOLVED_KEPT = 256


class WorldError(Exception):
    """A world that cannot be selected or changed: a status and one line saying why."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status
        self.message = message
        self.headers = headers or {}


def parse_world(value: str) -> tuple[str, int | None]:
    """`name` or `name;seed=N` -> (name, seed or None); anything else is a 400."""
    match = _HEADER.fullmatch(value)
    if match is None:
        raise WorldError(
            400,
            f"Patientmsg-Sandbox {value[:80]!r} is not <name> or <name>;seed=N "
            "(name: 1-64 of A-Z a-z 0-9 . _ -).",
        )
    return match.group(1), int(match.group(2)) if match.group(2) is not None else None


def copy_connection(source: sqlite3.Connection) -> sqlite3.Connection:
    """An in-memory copy of `source`, configured as the store's own connections are."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    source.backup(conn)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@dataclass
class World:
    name: str
    sandbox: Sandbox
    journal: Journal
    faults: FaultRules
    scenario: str
    start: dt.datetime  # the time the world's data is anchored at
    last_used: float = field(default_factory=time.monotonic)

    @property
    def seed(self) -> int:
        return self.sandbox.seed


class WorldSwitch:
    """Stands in for the Sandbox everywhere handlers, security and edges were bound to one.

    `WorldSwitch(worlds)` returns an instance of a class made for that ContextVar: every attribute
    read is forwarded through `__getattribute__` with the ContextVar's `get` in a closure (not
    `__getattr__`, which runs only after a failed lookup whose AttributeError costs ~1 µs a read).
    """

    __slots__ = ()

    def __new__(cls, worlds: Worlds) -> WorldSwitch:
        get = worlds.current.get

        class _Switch(WorldSwitch):
            __slots__ = ()

            def __getattribute__(self, name: str) -> Any:
                return getattr(get().sandbox, name)

        return object.__new__(_Switch)


class Worlds:
    """Every world of one app, and the ContextVar naming the current request's."""

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        scenario: str,
        start: dt.datetime,
        store_backed: bool,
        journal_size: int,
        max_worlds: int,
        idle_seconds: float,
        operations: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self._operations = operations or {}
        self.journal_size = journal_size
        self.max_worlds = max_worlds
        self.idle_seconds = idle_seconds
        self._store_backed = store_backed
        self._fixed = sandbox.clock.fixed
        self.default = self._world(DEFAULT_WORLD, sandbox, scenario, start)
        self.named: dict[str, World] = {}
        self.current: contextvars.ContextVar[World] = contextvars.ContextVar(
            "patientmsg_world", default=self.default
        )
        self._pristine: OrderedDict[tuple[str, int, str], sqlite3.Connection] = OrderedDict()
        self._resolved: dict[str, World] = {}  # Patientmsg-Sandbox values already resolved
        if not store_backed:
            # The world as it started, for named worlds and resets: a backup of a few MiB, a few ms.
            self._keep((scenario, sandbox.seed, start.isoformat()), copy_connection(sandbox.conn))

    def _world(self, name: str, sandbox: Sandbox, scenario: str, start: dt.datetime) -> World:
        faults = FaultRules(sandbox.seed, self._operations)
        return World(name, sandbox, Journal(self.journal_size), faults, scenario, start)

    def _clock(self, start: dt.datetime, pinned: bool) -> Clock:
        return Clock(start) if pinned or self._fixed else Clock()

    def _keep(self, key: tuple[str, int, str], conn: sqlite3.Connection) -> None:
        self._pristine[key] = conn
        while len(self._pristine) > _PRISTINE_KEPT:
            _, old = self._pristine.popitem(last=False)
            old.close()

    def pristine(self, scenario: str, seed: int, start: dt.datetime) -> sqlite3.Connection:
        """The world (scenario, seed, start) as built: kept, or built now (a fraction of a second)."""
        key = (scenario, seed, start.isoformat())
        conn = self._pristine.get(key)
        if conn is None:
            conn = open_store(scenario, seed=seed, now=start)
            self._keep(key, conn)
        self._pristine.move_to_end(key)
        return conn

    def select(self, header: str | None, *, create: bool = True) -> World | None:
        """The world a request's Patientmsg-Sandbox header names (None: absent and not to be created)."""
        if header is None:
            return self.default
        known = self._resolved.get(header)
        if known is not None:
            known.last_used = time.monotonic()
            return known
        name, seed = parse_world(header)
        world = self.default if name == DEFAULT_WORLD else self.named.get(name)
        if world is not None:
            if seed is not None and seed != world.seed:
                raise WorldError(
                    400,
                    f"World {name!r} holds seed {world.seed}, not {seed}: "
                    f'POST /_sandbox/reset with {{"seed": {seed}}} to change it.',
                )
            world.last_used = time.monotonic()
            self._remember(header, world)
            return world
        if not create:
            return None
        self._make_room(name)
        base = self.default
        if seed is None and self._store_backed:
            conn = copy_connection(base.sandbox.conn)  # the store as it is now, at first use
        else:
            conn = copy_connection(
                self.pristine(base.scenario, base.seed if seed is None else seed, base.start)
            )
        clock = self._clock(base.start, pinned=False)
        world = self._world(
            name,
            Sandbox.load(conn, clock, seed=base.seed if seed is None else seed),
            base.scenario,
            base.start,
        )
        self.named[name] = world
        self._remember(header, world)
        return world

    def _remember(self, header: str, world: World) -> None:
        # A header seen before names the same world until a drop or a reset (a seed may change):
        # every request of a job carries it, and parsing it again cost ~1 µs a request.
        if len(self._resolved) >= _RESOLVED_KEPT:
            self._resolved.clear()
        self._resolved[header] = world

    def _make_room(self, name: str) -> None:
        if len(self.named) < self.max_worlds:
            return
        now = time.monotonic()
        idle = [w for w in self.named.values() if now - w.last_used >= self.idle_seconds]
        if not idle:
            # 429, not 503: every vendor spec documents a 429, and a client's retry is the right move.
            oldest = min(w.last_used for w in self.named.values()) if self.named else now
            wait = max(1, math.ceil(self.idle_seconds - (now - oldest)))
            raise WorldError(
                429,
                f"No room for sandbox world {name!r}: all {self.max_worlds} worlds (--max-worlds) were used "
                f"in the last {self.idle_seconds:g} s (--world-idle-seconds); drop one with "
                "DELETE /_sandbox/world.",
                headers={"Retry-After": str(wait)},
            )
        self.drop(min(idle, key=lambda w: w.last_used).name)

    def drop(self, name: str) -> bool:
        """Forget a named world (its connection closed); False when there was none of that name."""
        world = self.named.pop(name, None)
        if world is None:
            return False
        self._resolved.clear()
        world.sandbox.conn.close()
        return True

    def reset(
        self,
        world: World,
        *,
        seed: int | None = None,
        now: dt.datetime | None = None,
        scenario: str | None = None,
    ) -> None:
        """Back to the scenario's start: data restored, tokens and kept caches dropped, clock reset.

        The journal and the fault rules are kept: they are cleared by their own calls.
        """
        if scenario is not None and scenario not in bundled_scenarios():
            raise WorldError(
                400, f"Unknown scenario {scenario!r}; bundled: {', '.join(sorted(bundled_scenarios()))}."
            )
        scenario = world.scenario if scenario is None else scenario
        seed = world.seed if seed is None else seed
        start = world.start if now is None else now
        source = self.pristine(scenario, seed, start)
        self._resolved.clear()
        conn = world.sandbox.conn
        if conn.in_transaction:
            conn.rollback()
        source.backup(conn)
        world.sandbox = Sandbox.load(conn, self._clock(start, pinned=now is not None), seed=seed)
        world.scenario, world.start = scenario, start
        world.faults.reseed(seed)

    def close(self) -> None:
        for name in list(self.named):
            self.drop(name)
        for conn in self._pristine.values():
            conn.close()
        self._pristine.clear()
