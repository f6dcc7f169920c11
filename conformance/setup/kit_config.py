"""The kit's config: credentials and known-good ids for a target, from a TOML file or the sandbox defaults."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from patientmsg.conformance.setup.tomlout import dump_toml
from patientmsg.conformance.setup.usage import UsageProblem

__all__ = [
    "AUTH_KINDS",
    "DEFAULT_BASE_URLS",
    "KNOWN_IDS",
    "PORTAL_ROLES",
    "REQUIRED_IDS",
    "AuthConfig",
    "IdentityConfig",
    "KitConfig",
    "is_loopback",
    "load_config",
    "render_config",
]

DEFAULT_BASE_URLS = {api: f"http://127.0.0.1:8000/{api}" for api in ("athena", "oracle", "mdhq", "portal")}
AUTH_KINDS = {
    "athena": ("oauth2", "bearer_token"),
    "oracle": ("bearer_token", "oauth2"),
    "mdhq": ("basic",),
    "portal": ("logins",),
}
REQUIRED_IDS = {
    "athena": ("practiceid", "patientid", "messagethreadid"),
    "oracle": ("patientId",),
    "mdhq": ("pt_id",),
    "portal": ("patientId", "provider_openId"),
}
SECOND_REQUIRED_IDS = {
    "athena": ("practiceid", "patientid"),
    "oracle": ("patientId",),
    "mdhq": ("pt_id",),
    "portal": ("patientId",),
}
# The portal's callers: a login (username, password) per role, exchanged for a bearer token at
# token_url (a password grant). `patient`, `staff` and `admin` are required; the others let probes
# reach the rules that need them (a patient without access, a staff user without the right, ...).
PORTAL_ROLES = (
    "patient",
    "second_patient",
    "empty_patient",
    "removed_patient",
    "unregistered_patient",
    "invited_patient",
    "provider_open",
    "provider_billing",
    "provider_away",
    "provider_tight",
    "staff",
    "view_others_staff",
    "no_messaging_staff",
    "admin",
)
PORTAL_REQUIRED_ROLES = ("patient", "staff", "admin")
# Every id a probe may ask for ([ids] and [second.ids]); any other key is a typo, and an error.
KNOWN_IDS = {
    "athena": (
        "practiceid",
        "patientid",
        "messagethreadid",
        "archived_messagethreadid",
        "labresult_messagethreadid",
        "small_patientid",
        "empty_patientid",
        "departmentid",
        "providerid",
    ),
    "oracle": ("patientId", "small_patientId", "empty_patientId"),
    "mdhq": ("pt_id", "no_email_pt_id", "empty_pt_id", "queue_request_id"),
    "portal": (
        "patientId",
        "second_patientId",
        "empty_patientId",
        "removed_patientId",
        "unregistered_patientId",
        "invited_patientId",
        "provider_openId",
        "provider_billingId",
        "provider_awayId",
        "provider_tightId",
        "staffId",
        "view_others_staffId",
        "no_messaging_staffId",
        "adminId",
        "awaiting_conversationId",
        "awaiting_messageId",
        "answered_conversationId",
        "answered_messageId",
        "provider_reply_messageId",
        "followed_up_conversationId",
        "followed_up_messageId",
        "staff_started_conversationId",
        "staff_started_messageId",
        "archived_conversationId",
        "archived_messageId",
        "closed_on_send_conversationId",
        "closed_on_send_messageId",
        "noted_conversationId",
        "noted_messageId",
        "taskId",
        "instructed_conversationId",
        "instructed_messageId",
    ),
}
_TOP_KEYS = ("base_url", "auth", "ids", "second")
_AUTH_FIELDS = {
    "bearer_token": (),
    "basic": ("username", "password"),
    "oauth2": ("token_url", "client_id", "client_secret"),
    "logins": (),
}
SECRET_FIELDS = ("bearer_token", "password", "client_secret")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
REDACTED = "<redacted>"


@dataclass(frozen=True)
class AuthConfig:
    kind: str
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values[name]

    def secrets(self) -> list[str]:
        # Logins are flattened as "<role>.password".
        return [value for key, value in self.values.items() if key.rsplit(".", 1)[-1] in SECRET_FIELDS]

    def roles(self) -> list[str]:
        """The portal roles a logins config names (empty for every other kind)."""
        return [key.split(".", 1)[0] for key in self.values if key.endswith(".username")]

    def as_toml(self, *, redact: bool) -> dict[str, Any]:
        if self.kind == "logins":
            logins = {
                role: {
                    "username": self.values[f"{role}.username"],
                    "password": REDACTED if redact else self.values[f"{role}.password"],
                }
                for role in self.roles()
            }
            return {"token_url": self.values["token_url"], "logins": logins}
        if self.kind == "bearer_token":
            return {"bearer_token": REDACTED if redact else self.values["bearer_token"]}
        shown = {
            key: REDACTED if redact and key in SECRET_FIELDS else value for key, value in self.values.items()
        }
        return {self.kind: shown}


@dataclass(frozen=True)
class IdentityConfig:
    auth: AuthConfig
    ids: dict[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class KitConfig:
    api: str
    base_url: str
    primary: IdentityConfig
    second: IdentityConfig | None
    # Where the values came from, for --print-config's header line.
    origin: str

    def token_url(self, auth: AuthConfig) -> str:
        url = auth.get("token_url")
        return (
            url
            if urlsplit(url).scheme in ("http", "https")
            else self.base_url.rstrip("/") + "/" + url.lstrip("/")
        )

    def secrets(self) -> list[str]:
        found = self.primary.auth.secrets() + (self.second.auth.secrets() if self.second else [])
        return [secret for secret in found if secret]


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _expand(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        return {key: _expand(item, f"{where}.{key}") for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise UsageProblem(
                f"config: environment variable {name} is not set (used by {where.lstrip('.')})"
            )
        return os.environ[name]

    return _ENV.sub(lookup, value)


def _unknown(key: str, known: tuple[str, ...] | list[str]) -> UsageProblem:
    return UsageProblem(f"config: unknown key {key}; known: {', '.join(known)}")


def _logins(raw: dict[str, Any], where: str) -> AuthConfig:
    """The portal's [auth]: token_url (default /token) and [auth.logins.<role>] username/password."""
    unknown = sorted(set(raw) - {"token_url", "logins"})
    if unknown:
        raise _unknown(f"{where}.{unknown[0]}", ("token_url", "logins"))
    token_url = raw.get("token_url", "/token")
    if not isinstance(token_url, str) or not token_url:
        raise UsageProblem(f"config: {where}.token_url must be a non-empty string")
    logins = raw.get("logins")
    if not isinstance(logins, dict):
        raise UsageProblem(f"config: [{where}.logins] needs {', '.join(PORTAL_REQUIRED_ROLES)}")
    values = {"token_url": token_url}
    for role, login in logins.items():
        if role not in PORTAL_ROLES:
            raise _unknown(f"{where}.logins.{role}", PORTAL_ROLES)
        if not isinstance(login, dict):
            raise UsageProblem(f"config: {where}.logins.{role} must be a table")
        extra = sorted(set(login) - {"username", "password"})
        if extra:
            raise _unknown(f"{where}.logins.{role}.{extra[0]}", ("username", "password"))
        for name in ("username", "password"):
            if not isinstance(login.get(name), str) or not login[name]:
                raise UsageProblem(f"config: {where}.logins.{role}.{name} must be a non-empty string")
            values[f"{role}.{name}"] = login[name]
    missing = [role for role in PORTAL_REQUIRED_ROLES if f"{role}.username" not in values]
    if missing:
        raise UsageProblem(f"config: [{where}.logins] needs {', '.join(missing)} for portal")
    return AuthConfig(kind="logins", values=values)


def _auth(api: str, raw: Any, where: str) -> AuthConfig:
    if not isinstance(raw, dict) or not raw:
        raise UsageProblem(f"config: [{where}] needs one of {', '.join(AUTH_KINDS[api])}")
    if AUTH_KINDS[api] == ("logins",):
        return _logins(raw, where)
    kinds = [key for key in raw if key in _AUTH_FIELDS]
    unknown = sorted(set(raw) - set(_AUTH_FIELDS))
    if unknown:
        raise _unknown(f"{where}.{unknown[0]}", list(AUTH_KINDS[api]))
    if len(kinds) != 1 or kinds[0] not in AUTH_KINDS[api]:
        raise UsageProblem(f"config: [{where}] for {api} takes exactly one of {', '.join(AUTH_KINDS[api])}")
    kind = kinds[0]
    if kind == "bearer_token":
        if not isinstance(raw[kind], str) or not raw[kind]:
            raise UsageProblem(f"config: {where}.bearer_token must be a non-empty string")
        return AuthConfig(kind=kind, values={"bearer_token": raw[kind]})
    table = raw[kind]
    if not isinstance(table, dict):
        raise UsageProblem(f"config: {where}.{kind} must be a table")
    values: dict[str, str] = {}
    for name in _AUTH_FIELDS[kind]:
        if not isinstance(table.get(name), str) or not table[name]:
            raise UsageProblem(f"config: {where}.{kind}.{name} must be a non-empty string")
        values[name] = table[name]
    extra = sorted(set(table) - set(_AUTH_FIELDS[kind]))
    if extra:
        raise _unknown(f"{where}.{kind}.{extra[0]}", _AUTH_FIELDS[kind])
    return AuthConfig(kind=kind, values=values)


def _ids(api: str, raw: Any, where: str) -> dict[str, int | str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UsageProblem(f"config: [{where}] must be a table")
    for key, value in raw.items():
        if key not in KNOWN_IDS[api]:
            raise _unknown(f"{where}.{key}", KNOWN_IDS[api])
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise UsageProblem(f"config: {where}.{key} must be an integer or a string")
    return dict(raw)


def _identity(api: str, raw: dict[str, Any], where: str, required: tuple[str, ...]) -> IdentityConfig:
    unknown = sorted(set(raw) - {"auth", "ids"})
    if unknown:
        raise _unknown(f"{where}{unknown[0]}", ("auth", "ids"))
    identity = IdentityConfig(
        auth=_auth(api, raw.get("auth"), f"{where}auth"), ids=_ids(api, raw.get("ids"), f"{where}ids")
    )
    missing = [name for name in required if name not in identity.ids]
    if missing:
        raise UsageProblem(f"config: [{where}ids] needs {', '.join(missing)} for {api}")
    return identity


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"config: cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageProblem(f"config: {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise UsageProblem(f"config: unknown key {unknown[0]!r} in {path}; known: {', '.join(_TOP_KEYS)}")
    return data


def _sandbox_defaults(api: str) -> dict[str, Any]:
    try:
        from patientmsg.fixtures import sandbox_config
    except ImportError as exc:  # pragma: no cover - only when the package is broken
        raise UsageProblem(f"config: sandbox defaults are unavailable ({exc}); give --config FILE") from None
    section: dict[str, Any] = sandbox_config("default")["apis"][api]
    return section


def _check_url(base_url: str) -> str:
    try:
        parts = urlsplit(base_url)
        host = parts.hostname
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        raise UsageProblem(f"--base-url {base_url!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise UsageProblem(f"--base-url {base_url!r} is not an http(s) URL with a host")
    if parts.username is not None or parts.password is not None:
        # Reports print the base URL; credentials belong in [auth], where they are redacted.
        raise UsageProblem("--base-url holds credentials (user:password@): put them in the config's [auth]")
    return base_url.rstrip("/")


def load_config(api: str, base_url: str | None, path: Path | None) -> KitConfig:
    """The effective config: the file's, whole; without a file, the sandbox's (loopback targets only).

    Nothing of the sandbox's world joins a user's config: a vendor's server on localhost must not be
    probed with the sandbox's ids or its second tenant.
    """
    data = _read_file(path) if path is not None else {}
    url = _check_url(base_url or str(data.get("base_url") or DEFAULT_BASE_URLS[api]))
    loopback = is_loopback(url)
    if not loopback and path is None:
        raise UsageProblem(
            f"{url} is not a loopback target: give --config FILE with [auth] and [ids] "
            "(the sandbox defaults apply only to 127.0.0.1/localhost)"
        )
    if path is None:
        data = {key: value for key, value in _sandbox_defaults(api).items() if key in _TOP_KEYS}
        origin = "sandbox defaults"
    else:
        origin = str(path)
    data = _expand(data, "")
    primary = _identity(
        api, {key: data[key] for key in ("auth", "ids") if key in data}, "", REQUIRED_IDS[api]
    )
    second = None
    if data.get("second") is not None:
        if not isinstance(data["second"], dict):
            raise UsageProblem("config: [second] must be a table")
        second = _identity(api, data["second"], "second.", SECOND_REQUIRED_IDS[api])
    return KitConfig(api=api, base_url=url, primary=primary, second=second, origin=origin)


def render_config(config: KitConfig) -> str:
    """The effective config as TOML with every secret replaced, loadable again with --config."""
    data: dict[str, Any] = {"base_url": config.base_url, "auth": config.primary.auth.as_toml(redact=True)}
    data["ids"] = dict(config.primary.ids)
    if config.second is not None:
        data["second"] = {"auth": config.second.auth.as_toml(redact=True), "ids": dict(config.second.ids)}
    header = f"# patientmsg check --api {config.api}: effective config ({config.origin}); secrets redacted\n"
    return header + dump_toml(data)
