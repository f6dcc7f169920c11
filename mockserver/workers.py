"""`serve --workers N`: N processes, forked after the socket is bound, each serving the same store.

Each worker opens its own connection to the store file and builds its own app; the kept athena
fragments, counts and pages follow the other workers' writes by SQLite's data_version (athena/
cache.py). What lives in a process's memory is not shared: named worlds, the request journal,
fault rules and a clock moved by the control API each belong to the worker that got the request.
The parent only waits: a SIGINT or SIGTERM is passed on to every worker as SIGTERM (a graceful
stop), and when one worker exits, the others are stopped too, so the server is never half up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable
from types import FrameType

__all__ = ["PER_WORKER", "refuse_workers", "run_workers"]

#: The one line `serve --workers N` (N > 1) prints at start.
PER_WORKER = (
    "workers: {count} processes share the store; named worlds (Patientmsg-Sandbox), the journal, "
    "fault rules and the control API's clock are per worker (/health names its pid)"
)


def refuse_workers(workers: int, store_given: bool) -> str | None:
    """Why `serve` must not start with `workers` (one line), or None."""
    if workers > 1 and not store_given:
        return (
            f"--workers {workers} needs --store FILE: without one, each worker would build and serve "
            "a world of its own"
        )
    return None


def _child(run: Callable[[], None]) -> int:
    # Defaults first: the parent's handlers (set below) must not run in a worker.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        return 0
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def run_workers(count: int, run: Callable[[], None]) -> int:
    """Fork `count` workers, each calling `run()`; wait for them all; the first failure's code."""
    children: list[int] = []
    sys.stdout.flush()
    sys.stderr.flush()
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            code = _child(run)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        children.append(pid)

    def stop(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    try:
        remaining = set(children)
        while remaining:
            pid, raw = os.wait()
            if pid not in remaining:
                continue
            remaining.discard(pid)
            code = os.waitstatus_to_exitcode(raw)
            # A worker stopped by our own SIGTERM exits 0 (uvicorn's graceful stop) or -SIGTERM.
            if code not in (0, -signal.SIGTERM) and status == 0:
                status = code if code > 0 else 128 - code
            stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
