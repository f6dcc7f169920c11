"""The journal's cost per read in process: one app, its journal paused and resumed block by block.

The same app and the same memory serve both sides (the control API's PATCH /_sandbox/requests
switches them), so what is left between them is the journal's own work; blocks alternate their order
each round and the figure is the median of the rounds' paired differences. No sockets: uvicorn's
share of a read is left out, so the percentage is of a smaller whole than over a socket.
Usage: .venv/bin/python bench/journal_ab.py [rounds] [reads per block]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

from patientmsg.fixtures import sandbox_config
from servers import athena_reads
from tools_cpu import _call, _variant

__all__: list[str] = []

_JSON = [(b"content-type", b"application/json")]


async def _recording(app: Any, on: bool) -> None:
    body = json.dumps({"recording": on}).encode()
    status, answer = await _call(app, "PATCH", "/_sandbox/requests", _JSON, body)
    assert status == 200, answer


async def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    app, headers = await _variant(True, False)
    for read, path in athena_reads(sandbox_config("default", seed=1)).items():
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(1500):  # warm, and the ring full: every journaled read evicts an entry
            await _call(app, "GET", path, headers)
        for n in range(rounds):
            for on in (True, False) if n % 2 else (False, True):
                await _recording(app, on)
                for _ in range(20):
                    await _call(app, "GET", path, headers)
                started = time.perf_counter()
                for _ in range(count):
                    await _call(app, "GET", path, headers)
                times[on].append((time.perf_counter() - started) / count * 1e6)
        paused = statistics.median(times[False])
        extra = statistics.median(on - off for off, on in zip(times[False], times[True], strict=True))
        print(
            f"{read:<22} paused {paused:6.1f} µs/read  journal on +{extra:4.2f} µs ({extra / paused:5.1%})",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
