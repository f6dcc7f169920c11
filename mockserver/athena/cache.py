"""Rendered athena threads, list counts and list pages, kept between requests.

A list page is mostly the same threads rendered and JSON-encoded again; here each thread's JSON is
made once and joined, and a whole page is kept too. Every write forgets what it changes (`forget`),
and a commit by another process to the same store file (another worker of `serve --workers N`)
forgets everything (`refresh`, by SQLite's `PRAGMA data_version`), so a kept answer is always the
bytes a fresh render would give: caching changes speed, never an answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from patientmsg.mockserver.athena.lookup import Thread, threads_by_id
from patientmsg.mockserver.athena.render import thread_bodies
from patientmsg.mockserver.responses import dumps
from patientmsg.mockserver.state import Sandbox

__all__ = ["cached_count", "cached_page", "forget", "keep_page", "page_json", "refresh", "thread_json"]

# A bound on memory for the large world (~1.5 kB a fragment); past it the cache starts over.
MAX_FRAGMENTS = 200_000
# A bound on the kept list pages (a page of 50 is ~45 kB); past it they start over.
MAX_PAGE_BYTES = 8 * 1024 * 1024


def refresh(sandbox: Sandbox) -> None:
    """Drop every kept fragment, count and page if another connection committed to the store since.

    `PRAGMA data_version` changes only for commits made through other connections (another worker
    process); this process's own writes are forgotten precisely by `forget`.
    """
    if not sandbox.shared:
        return  # an in-memory store: only this connection writes it, and `forget` follows those writes
    kept = sandbox.athena_kept
    (version,) = sandbox.conn.execute("PRAGMA data_version").fetchone()
    if version != kept.data_version:
        kept.clear()
        kept.data_version = version


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


def cached_page(sandbox: Sandbox, patient: tuple[int, int], key: tuple[object, ...]) -> bytes | None:
    """A whole list page kept for (practiceid, patientid) and the page's own key, or None."""
    pages = sandbox.athena_kept.pages.get(patient)
    return None if pages is None else pages.get(key)


def keep_page(sandbox: Sandbox, patient: tuple[int, int], key: tuple[object, ...], body: bytes) -> None:
    kept = sandbox.athena_kept
    if kept.page_bytes + len(body) > MAX_PAGE_BYTES:
        kept.pages.clear()
        kept.page_bytes = 0
    if len(body) <= MAX_PAGE_BYTES:
        kept.pages.setdefault(patient, {})[key] = body
        kept.page_bytes += len(body)


def _with_room(sandbox: Sandbox, wanted: int) -> dict[tuple[int, bool], bytes]:
    """The cache, emptied first when a page of `wanted` could overflow it: never between a page's
    lookups, so every fragment a page found is still there when the page is read back."""
    cache = sandbox.athena_kept.fragments
    if len(cache) + wanted > MAX_FRAGMENTS:
        cache.clear()
    return cache


def _render(sandbox: Sandbox, threads: Sequence[Thread], enterpriseid: int, plaintext: bool) -> None:
    if not threads:
        return
    bodies = thread_bodies(sandbox.conn, threads, enterpriseid=enterpriseid, plaintext=plaintext)
    for thread, body in zip(threads, bodies, strict=True):
        sandbox.athena_kept.fragments[(thread.messagethreadid, plaintext)] = dumps(body).encode("utf-8")


def cached_count(sandbox: Sandbox, key: tuple[int, int, str], sql: str, args: tuple[object, ...]) -> int:
    """COUNT(*) of one patient's list, kept until a write to that patient's threads."""
    counts = sandbox.athena_kept.counts
    if key not in counts:
        (counts[key],) = sandbox.conn.execute(sql, args).fetchone()
    return counts[key]


def forget(sandbox: Sandbox, practiceid: int, patientid: int, messagethreadid: int) -> None:
    """After a write to a thread: its fragments and its patient's counts and pages are stale."""
    for plaintext in (False, True):
        sandbox.athena_kept.fragments.pop((messagethreadid, plaintext), None)
    for name in ("inboxmessages", "archivedmessages", "sentmessages"):
        sandbox.athena_kept.counts.pop((practiceid, patientid, name), None)
    kept = sandbox.athena_kept
    pages = kept.pages.pop((practiceid, patientid), None)
    if pages:
        kept.page_bytes -= sum(len(body) for body in pages.values())
