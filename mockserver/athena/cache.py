"""Rendered athena threads and list counts, kept between requests.

A list page is mostly the same threads rendered and JSON-encoded again; here each thread's JSON is
made once and joined. Every write forgets what it changes (`forget`), so a cached fragment is always
the bytes a fresh render would give: caching changes speed, never an answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from patientmsg.mockserver.athena.lookup import Thread, threads_by_id
from patientmsg.mockserver.athena.render import thread_bodies
from patientmsg.mockserver.responses import dumps
from patientmsg.mockserver.state import Sandbox

__all__ = ["cached_count", "forget", "page_json", "thread_json"]

# A bound on memory for the large world (~1.5 kB a fragment); past it the cache starts over.
MAX_FRAGMENTS = 200_000


def thread_json(
    sandbox: Sandbox, threads: Sequence[Thread], *, enterpriseid: int, plaintext: bool
) -> list[bytes]:
    """Each thread's MessageThread JSON (UTF-8), in the order given; one query renders all the misses."""
    cache = _with_room(sandbox, len(threads))
    missing = [t for t in threads if (t.messagethreadid, plaintext) not in cache]
    _render(sandbox, missing, enterpriseid, plaintext)
    return [cache[(t.messagethreadid, plaintext)] for t in threads]


def page_json(sandbox: Sandbox, ids: Sequence[int], *, enterpriseid: int, plaintext: bool) -> list[bytes]:
    """As thread_json, for the ids of a list page: only the threads not kept yet are read."""
    cache = _with_room(sandbox, len(ids))
    missing = [tid for tid in ids if (tid, plaintext) not in cache]
    if missing:
        _render(sandbox, threads_by_id(sandbox.conn, missing), enterpriseid, plaintext)
    return [cache[(tid, plaintext)] for tid in ids]


def _with_room(sandbox: Sandbox, wanted: int) -> dict[tuple[int, bool], bytes]:
    """The cache, emptied first when a page of `wanted` could overflow it: never between a page's
    lookups, so every fragment a page found is still there when the page is read back."""
    cache = sandbox.athena_fragments
    if len(cache) + wanted > MAX_FRAGMENTS:
        cache.clear()
    return cache


def _render(sandbox: Sandbox, threads: Sequence[Thread], enterpriseid: int, plaintext: bool) -> None:
    if not threads:
        return
    bodies = thread_bodies(sandbox.conn, threads, enterpriseid=enterpriseid, plaintext=plaintext)
    for thread, body in zip(threads, bodies, strict=True):
        sandbox.athena_fragments[(thread.messagethreadid, plaintext)] = dumps(body).encode("utf-8")


def cached_count(sandbox: Sandbox, key: tuple[int, int, str], sql: str, args: tuple[object, ...]) -> int:
    """COUNT(*) of one patient's list, kept until a write to that patient's threads."""
    counts = sandbox.athena_counts
    if key not in counts:
        (counts[key],) = sandbox.conn.execute(sql, args).fetchone()
    return counts[key]


def forget(sandbox: Sandbox, practiceid: int, patientid: int, messagethreadid: int) -> None:
    """After a write to a thread: its fragments and its patient's counts are stale."""
    for plaintext in (False, True):
        sandbox.athena_fragments.pop((messagethreadid, plaintext), None)
    for name in ("inboxmessages", "archivedmessages", "sentmessages"):
        sandbox.athena_counts.pop((practiceid, patientid, name), None)
