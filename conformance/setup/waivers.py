"""Waivers: a vendor's dated, reasoned exceptions to requirements (TOML or YAML)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from patientmsg.conformance.setup.usage import UsageProblem

__all__ = ["Waiver", "load_waivers"]


@dataclass(frozen=True)
class Waiver:
    requirement: str
    reason: str
    expires: dt.date

    def is_expired(self, today: dt.date) -> bool:
        return self.expires < today


def _entries(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"waivers: cannot read {path}: {exc}") from None
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageProblem(f"waivers: {path} does not parse: {first}") from None
    if isinstance(data, dict):
        data = data.get("waiver", data.get("waivers"))
    if not isinstance(data, list):
        raise UsageProblem(
            f"waivers: {path} holds no list of waivers ([[waiver]] tables or a 'waivers' list)"
        )
    return data


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageProblem(f"waivers: {where}: expires must be a date, YYYY-MM-DD") from None


def load_waivers(path: Path, known: set[str]) -> dict[str, Waiver]:
    """Waivers by requirement id; every id must be one the catalogues know."""
    waivers: dict[str, Waiver] = {}
    for index, entry in enumerate(_entries(path), start=1):
        where = f"{path.name} entry {index}"
        if not isinstance(entry, dict) or not all(
            key in entry for key in ("requirement", "reason", "expires")
        ):
            raise UsageProblem(f"waivers: {where} needs requirement, reason and expires")
        requirement, reason = str(entry["requirement"]), str(entry["reason"]).strip()
        if requirement not in known:
            raise UsageProblem(f"waivers: {where}: unknown requirement {requirement!r}")
        if not reason:
            raise UsageProblem(f"waivers: {where}: a waiver gives its reason")
        if requirement in waivers:
            raise UsageProblem(f"waivers: {where}: {requirement} is waived twice")
        waivers[requirement] = Waiver(requirement, reason, _date(entry["expires"], where))
    return waivers
