"""`patientmsg serve`: open the store, print where everything is and the credentials, run uvicorn."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

from patientmsg.mockserver.mounts import MOUNTS

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
    return "\n".join(lines)


def serve(
    *,
    host: str,
    port: int,
    seed: int,
    scenario: str,
    now: dt.datetime | None,
    store: Path | None,
    access_log: bool = True,
) -> None:
    """Build or open the world, then serve it with one uvicorn worker until interrupted."""
    import uvicorn
    from patientmsg.fixtures import Clock, open_store, sandbox_config

    clock = Clock(now)
    # Sequential on purpose: building the world in a thread while Connexion imports was measured
    # slower (both hold the GIL most of the time).
    conn = open_store(scenario, seed=seed, now=clock.now(), path=store)
    create_app = import_app().create_app
    app = create_app(conn, clock, seed=seed)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    config = sandbox_config(scenario, seed=seed)
    print(banner(config, base=f"http://{shown}:{port}", now=clock.now(), store=store), flush=True)
    try:
        # One worker: the store connection and the app's counters live in this process.
        uvicorn.run(app, host=host, port=port, workers=1, log_level="info", access_log=access_log)
    finally:
        conn.close()
