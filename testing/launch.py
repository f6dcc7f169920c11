"""The child process of `RunningSandbox`: a sandbox on a port the kernel picks.

It binds 127.0.0.1 port 0 itself and hands that very socket to uvicorn, so no other process can
take the port between choosing and serving it. Its first line on stdout is `port=<N>`; everything
after goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import sys

__all__ = ["main"]

HOST = "127.0.0.1"


def _time(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).replace(microsecond=0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m patientmsg.testing.launch")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--now", type=_time, default=None)
    parser.add_argument("--max-worlds", type=int, default=32)
    args = parser.parse_args(argv)

    import uvicorn
    from patientmsg.fixtures import Clock, open_store
    from patientmsg.mockserver import ServeSettings
    from patientmsg.mockserver.server import import_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    clock = Clock(args.now)
    conn = open_store(args.scenario, seed=args.seed, now=clock.now(), path=None)
    settings = ServeSettings(host=HOST, port=port, scenario=args.scenario, max_worlds=args.max_worlds)
    app = import_app().create_app(conn, clock, seed=args.seed, settings=settings)
    print(f"port={port}", flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    config = uvicorn.Config(app, log_level="warning", access_log=False, workers=1)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        conn.close()


if __name__ == "__main__":
    main()
