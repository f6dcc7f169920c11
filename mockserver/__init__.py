"""The sandbox: a stateful mock of the three patient-messaging APIs, served from the specs and a store.

See README.md. `create_app` builds the ASGI app over an open store; `serve` runs it with uvicorn.
`create_app` is imported on first use: importing the package does not import Connexion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patientmsg.mockserver.server import import_app, serve
from patientmsg.mockserver.settings import ServeSettings

if TYPE_CHECKING:
    from patientmsg.mockserver.app import create_app

__all__ = ["ServeSettings", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        return import_app().create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
