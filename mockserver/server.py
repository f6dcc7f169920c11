"""`patientmsg serve`: open the store, print where everything is and the credentials, run uvicorn."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from patientmsg.mockserver.access_log import AccessLog
from patientmsg.mockserver.listen import (
    DEFAULT_IDLE_TIMEOUT,
    bind_socket,
    idle_closing_protocol,
    raise_fd_limit,
)
from patientmsg.mockserver.mounts import MOUNTS, ROOT_APIS
from patientmsg.mockserver.settings import ServeSettings, control_refusal
from patientmsg.mockserver.workers import PER_WORKER, refuse_workers, run_workers

__all__ = ["banner", "import_app", "serve"]


def import_app() -> ModuleType:
    """patientmsg.mockserver.app, imported without Connexion's import-time warning.

    Connexion 3.3 imports starlette.testclient, which warns (a UserWarning, shown by default) that
    it found httpx rather than httpx2: noise at every `patientmsg serve`, about a client never used.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
        from patientmsg.mockserver import app
    return app


def banner(config: dict[str, Any], *, base: str, now: dt.datetime, store: Path | None) -> str:
    """The start-up text: per API its base URL, Swagger UI, credentials and well-known ids."""
    apis = config["apis"]
    where = f"store {store}" if store else "in-memory store"
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"patientmsg sandbox: scenario {config['scenario']}, seed {config['seed']}, now {stamp}, {where}"
    ]
    for api, prefix in MOUNTS.items():
        lines += ["", f"{api:<7} {base}{prefix}    Swagger UI: {base}{prefix}/ui/"]
        auth = apis[api]["auth"]
        if "oauth2" in auth:
            oauth = auth["oauth2"]
            token_url = f"{base}{prefix}{oauth['token_url']}"
            lines.append(
                f"        token:  POST {token_url} (basic client id:secret, grant_type=client_credentials)"
            )
            lines.append(f"        client: {oauth['client_id']} / {oauth['client_secret']}")
            second = apis[api].get("second")
            if second:
                other = second["auth"]["oauth2"]
                lines.append(
                    f"        second: {other['client_id']} / {other['client_secret']}  ids {second['ids']}"
                )
        if "bearer_token" in auth:
            lines.append(f"        Authorization: Bearer {auth['bearer_token']}")
        if "basic" in auth:
            lines.append(f"        basic:  {auth['basic']['username']} / {auth['basic']['password']}")
        if "logins" in auth:
            token_url = f"{base}{prefix}{auth['token_url']}"
            lines.append(f"        token:  POST {token_url} (form grant_type=password, username, password)")
            for role, login in auth["logins"].items():
                lines.append(f"        {role}: {login['username']} / {login['password']}")
        lines.append(f"        ids:    {apis[api]['ids']}")
    lines += ["", f"health: {base}/health"]
    if ROOT_APIS:
        lines.append(f"root:   {base}/ also serves the vendor paths of {', '.join(ROOT_APIS)}")
    return "\n".join(lines)


def _control_line(settings: ServeSettings, base: str) -> str:
    if not settings.control:
        return "control: off (--no-control)"
    token = " (Authorization: Bearer <--control-token>)" if settings.control_token else ""
    return (
        f"control: {base}/_sandbox/ui/{token}; journal {settings.journal_size}, worlds {settings.max_worlds}"
    )


class _QuietDrops(logging.Filter):
    """A fault rule's dropped connection is on purpose: no traceback in the server's log for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return type(exc).__name__ != "ConnectionDropped"


def serve(
    *,
    host: str,
    port: int,
    seed: int,
    scenario: str,
    now: dt.datetime | None,
    store: Path | None,
    access_log: bool = True,
    settings: ServeSettings | None = None,
    cors_origins: Sequence[str] = (),
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT,
    workers: int = 1,
) -> None:
    """Build or open the world, then serve it with uvicorn until interrupted: in this process, or in
    `workers` processes forked over one store file (workers.py)."""
    import uvicorn
    from patientmsg.fixtures import Clock, lock_store, open_store, sandbox_config

    settings = settings or ServeSettings(
        host=host, port=port, scenario=scenario, store_backed=store is not None
    )
    refusal = control_refusal(settings) or refuse_workers(workers, store is not None)
    if refusal:
        raise ValueError(refusal)
    # Bound and locked before anything is printed: a busy port, or a store another serve holds, is
    # one line and no banner. Port 0 picks a free port; the banner shows the one bound.
    sock = bind_socket(host, port)
    with contextlib.ExitStack() as held:
        held.callback(sock.close)
        if store is not None:
            held.enter_context(lock_store(store))
        raise_fd_limit()
        port = sock.getsockname()[1]
        settings = dataclasses.replace(settings, port=port)  # the control API checks Host against it
        clock = Clock(now)
        # Sequential on purpose: building the world in a thread while Connexion imports was measured
        # slower (both hold the GIL most of the time).
        conn = open_store(scenario, seed=seed, now=clock.now(), path=store)
        create_app = import_app().create_app

        def build(store_conn: Any, log: AccessLog | None) -> Any:
            return create_app(
                store_conn, clock, seed=seed, settings=settings, cors_origins=cors_origins, access_log=log
            )

        # The access log is ours (access_log.py), kept by the sandbox edge: uvicorn's own costs 8-11%
        # of a read.
        log = AccessLog(sys.stdout) if access_log else None
        if workers == 1:
            held.callback(conn.close)
            app = build(conn, log)
        else:
            conn.close()  # the store is built; each worker opens its own connection after the fork
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        shown = f"[{shown}]" if ":" in shown else shown
        config = sandbox_config(scenario, seed=seed)
        base = f"http://{shown}:{port}"
        print(banner(config, base=base, now=clock.now(), store=store), flush=True)
        print(_control_line(settings, base), flush=True)
        if workers > 1:
            print(PER_WORKER.format(count=workers), flush=True)
        logging.getLogger("uvicorn.error").addFilter(_QuietDrops())

        def run_one(served: Any) -> None:
            server = uvicorn.Server(
                uvicorn.Config(
                    served,
                    workers=1,
                    log_level="info",
                    access_log=False,
                    http=idle_closing_protocol(),
                    timeout_keep_alive=idle_timeout,
                )
            )
            try:
                server.run(sockets=[sock])
            finally:
                if log is not None:
                    log.close()
            if not server.started:
                raise SystemExit(3)  # uvicorn's start-up failure code; it has logged why

        if workers == 1:
            run_one(app)
            return

        def worker() -> None:
            own = open_store(scenario, seed=seed, now=clock.now(), path=store)
            try:
                run_one(build(own, log))
            finally:
                own.close()

        code = run_workers(workers, worker)
        if code:
            raise SystemExit(code)
