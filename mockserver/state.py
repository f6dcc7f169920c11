"""The sandbox a running app serves: the store, the clock, the seed, and what is read once at start-up."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["AthenaKept", "Clock", "Sandbox", "fits_sqlite", "stable_digest"]


class Clock(Protocol):
    """What the sandbox needs of `patientmsg.fixtures.Clock`."""

    def now(self) -> dt.datetime: ...

    def now_text(self) -> str: ...

    @property
    def fixed(self) -> bool: ...

    def advance(self, seconds: float) -> None: ...


def fits_sqlite(value: int) -> bool:
    """Whether SQLite can bind `value`: a schema-valid integer id may be any size, and is then unknown."""
    return -(2**63) <= value < 2**63


def stable_digest(*parts: object, size: int = 16) -> str:
    """A hex digest of `parts` that is the same on every run and machine (never Python's salted hash)."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


def _oracle_patients(conn: sqlite3.Connection) -> frozenset[str]:
    """Every patient the Oracle world knows, those without an item included (an empty list, not a 404)."""
    return frozenset(row[0] for row in conn.execute("SELECT patient_id FROM oracle_patient"))


@dataclass
class AthenaKept:
    """What athena/cache.py keeps between requests."""

    fragments: dict[tuple[int, bool], bytes] = field(default_factory=dict)
    counts: dict[tuple[int, int, str], int] = field(default_factory=dict)
    # Whole list pages by patient, then by (list, limit, offset, showplaintext), and their size.
    pages: dict[tuple[int, int], dict[tuple[object, ...], bytes]] = field(default_factory=dict)
    page_bytes: int = 0
    # Live bearer tokens already looked up: token -> (client id, expires_at). Every athena read checks
    # its token, and the query was ~11 µs of a read (README Performance). Dropped when a token is
    # issued (issuing purges long-expired ones), with the rest of what is kept.
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)
    # SQLite's data_version when all of it was last known fresh: a commit by another process to the
    # same store file (another worker) changes it, and everything kept is then dropped.
    data_version: int = -1

    def clear(self) -> None:
        self.fragments.clear()
        self.counts.clear()
        self.pages.clear()
        self.page_bytes = 0
        self.tokens.clear()


@dataclass
class Sandbox:
    """State shared by every handler of one app.

    Tables the API never writes (practices, clients, users, Oracle tokens) are read once here, so
    authenticating a request costs a dict lookup rather than a query.
    """

    conn: sqlite3.Connection
    clock: Clock
    seed: int
    practices: frozenset[int] = frozenset()
    client_secrets: dict[str, str] = field(default_factory=dict)
    client_practices: dict[str, frozenset[int]] = field(default_factory=dict)
    oracle_tokens: dict[str, str] = field(default_factory=dict)
    oracle_patients: frozenset[str] = frozenset()
    mdhq_users: dict[str, str] = field(default_factory=dict)
    # Whether another process may commit to this store: a file (`serve --workers` shares it). An
    # in-memory store has no other connection, so what is kept never needs checking against it.
    shared: bool = False
    _request_ids: Iterator[int] = field(default_factory=itertools.count)
    # athena's rendered threads, list counts and pages (see athena/cache.py): derived, never the
    # source of truth. One object, so that a WorldSwitch (which forwards reads only) can reach it.
    athena_kept: AthenaKept = field(default_factory=AthenaKept)

    @classmethod
    def load(cls, conn: sqlite3.Connection, clock: Clock, *, seed: int) -> Sandbox:
        rows = conn.execute("SELECT client_id, practiceid FROM athena_client_practice").fetchall()
        by_client: dict[str, set[int]] = {}
        for client_id, practiceid in rows:
            by_client.setdefault(client_id, set()).add(practiceid)
        return cls(
            conn=conn,
            clock=clock,
            seed=seed,
            practices=frozenset(row[0] for row in conn.execute("SELECT practiceid FROM athena_practice")),
            client_secrets=dict(
                conn.execute("SELECT client_id, client_secret FROM athena_client").fetchall()
            ),
            client_practices={client: frozenset(ids) for client, ids in by_client.items()},
            oracle_tokens=dict(conn.execute("SELECT bearer_token, name FROM oracle_token").fetchall()),
            oracle_patients=_oracle_patients(conn),
            mdhq_users=dict(conn.execute("SELECT username, password FROM mdhq_user").fetchall()),
            shared=any(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"),
        )

    def now_text(self) -> str:
        """The clock's time in the store's text form."""
        return self.clock.now_text()

    def next_request_id(self) -> str:
        """An opc-request-id for a request that sent none: the n-th of this run, hashed with the seed."""
        return stable_digest("opc-request-id", self.seed, next(self._request_ids)).upper()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed before the handler returns: an acknowledged write is durable.

        BEGIN is explicit because the store's connection may be in autocommit mode, where each
        statement would commit alone (a reply's message without its thread's new date).
        """
        conn = self.conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
