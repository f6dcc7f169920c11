"""How `patientmsg serve` configured the sandbox's developer tools: control API, journal, worlds."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["ServeSettings", "control_refusal", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether `host` (an address or `localhost`) is reachable from this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    control: bool = True  # --no-control turns it off
    control_token: str | None = None
    journal_size: int = 1000  # 0: no journal
    max_worlds: int = 16
    world_idle_seconds: float = 600.0
    scenario: str | None = None  # as given to serve (a bundled name or a YAML file); else the store's
    store_backed: bool = False  # --store FILE: named worlds copy the store at their first use


def control_refusal(settings: ServeSettings) -> str | None:
    """Why `serve` must not start with these settings (one line), or None."""
    if settings.control and not settings.control_token and not is_loopback(settings.host):
        return (
            f"--host {settings.host} is not a loopback address: the control API (/_sandbox/) then needs "
            "--control-token TOKEN, or turn it off with --no-control"
        )
    return None
