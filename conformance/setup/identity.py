"""Credentials at run time: the Authorization header to send, and what reports show in its place."""

from __future__ import annotations

import base64
import re

import requests
from patientmsg.conformance.setup.kit_config import AuthConfig, KitConfig
from patientmsg.conformance.setup.usage import UsageProblem

__all__ = ["Identity", "Redactor", "identities"]

REDACTED = "<redacted>"
TIMEOUT = 10.0
# Token bodies issued to generated requests hold tokens the kit never saw; hide them by key.
_TOKEN_FIELD = re.compile(r'("access_token"\s*:\s*")[^"]*(")')


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Identity:
    """One set of credentials; an OAuth2 client fetches its token on first use."""

    def __init__(self, api: str, auth: AuthConfig, *, token_url: str | None, second: bool = False) -> None:
        self.api = api
        self.auth = auth
        self.token_url = token_url
        self.env = api.upper() + ("_SECOND" if second else "")
        self._token: str | None = None
        # The portal's tokens, one per role (logins), fetched on first use.
        self._role_tokens: dict[str, str] = {}

    def role_authorization(self, role: str) -> str:
        """A portal role's bearer header (its login exchanged at token_url once per run)."""
        if role not in self._role_tokens:
            self._role_tokens[role] = self._fetch_login_token(role)
        return "Bearer " + self._role_tokens[role]

    def has_role(self, role: str) -> bool:
        return self.auth.kind == "logins" and role in self.auth.roles()

    def login_token_response(self, role: str) -> requests.Response:
        """The token endpoint's answer to this role's login (a password grant)."""
        assert self.token_url is not None
        return requests.post(
            self.token_url,
            data={
                "grant_type": "password",
                "username": self.auth.get(f"{role}.username"),
                "password": self.auth.get(f"{role}.password"),
            },
            timeout=TIMEOUT,
        )

    def _fetch_login_token(self, role: str) -> str:
        try:
            response = self.login_token_response(role)
        except requests.RequestException as exc:
            raise UsageProblem(
                f"cannot reach the token endpoint {self.token_url}: {type(exc).__name__}"
            ) from None
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            token = None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise UsageProblem(
                f"no access token from {self.token_url} for the {role} login "
                f"{self.auth.get(f'{role}.username')!r} (HTTP {response.status_code}): "
                f"check [auth.logins.{role}] in the config"
            )
        return token

    def authorization(self) -> str:
        if self.auth.kind == "logins":
            return self.role_authorization("patient")
        if self.auth.kind == "basic":
            return _basic(self.auth.get("username"), self.auth.get("password"))
        if self.auth.kind == "bearer_token":
            return "Bearer " + self.auth.get("bearer_token")
        return "Bearer " + self.token()

    def known_authorization(self) -> str | None:
        """The header value if it needs no network call (a token not yet fetched gives None)."""
        if self.auth.kind == "oauth2" and self._token is None:
            return None
        if self.auth.kind == "logins":
            token = self._role_tokens.get("patient")
            return None if token is None else "Bearer " + token
        return self.authorization()

    def role_of(self, header: str) -> str | None:
        """The portal role whose token this Authorization header carries, or None."""
        for role, token in self._role_tokens.items():
            if header == "Bearer " + token:
                return role
        return None

    def role_env(self, role: str) -> str:
        return self.env if role == "patient" else f"{self.env}_{role.upper()}"

    def token(self) -> str:
        if self._token is None:
            self._token = self._fetch_token()
        return self._token

    def _fetch_token(self) -> str:
        assert self.token_url is not None
        try:
            response = requests.post(
                self.token_url,
                auth=(self.auth.get("client_id"), self.auth.get("client_secret")),
                data={"grant_type": "client_credentials"},
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise UsageProblem(
                f"cannot reach the token endpoint {self.token_url}: {type(exc).__name__}"
            ) from None
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            token = None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise UsageProblem(
                f"no access token from {self.token_url} for client {self.auth.get('client_id')!r} "
                f"(HTTP {response.status_code}): check [auth.oauth2] in the config"
            )
        return token

    def curl_args(self) -> list[str]:
        """Shell words for curl that send these credentials from environment variables."""
        if self.auth.kind == "basic":
            return ["-u", f'"${self.env}_USERNAME:${self.env}_PASSWORD"']
        return ["-H", f'"Authorization: Bearer ${self.env}_TOKEN"']

    def env_help(self) -> list[tuple[str, str]]:
        """(variable, how to set it) for the variables this identity's curl lines read."""
        whose = "the second tenant's" if self.env.endswith("_SECOND") else "the config's"
        if self.auth.kind == "basic":
            return [
                (f"{self.env}_USERNAME", f"{whose} [auth] basic username"),
                (f"{self.env}_PASSWORD", f"{whose} [auth] basic password"),
            ]
        if self.auth.kind == "logins":
            return [
                (
                    f"{self.role_env(role)}_TOKEN",
                    f"the access_token of: curl -s -d grant_type=password -d username=... -d password=... "
                    f"{self.token_url} (the config's [auth.logins.{role}])",
                )
                for role in sorted(self._role_tokens)
            ]
        token = (
            f'an access token: curl -s -u "${self.env}_CLIENT_ID:${self.env}_CLIENT_SECRET" '
            f"-d grant_type=client_credentials {self.token_url} (its access_token)"
            if self.auth.kind == "oauth2"
            else f"{whose} [auth] bearer_token"
        )
        found = [(f"{self.env}_TOKEN", token)]
        if self.auth.kind == "oauth2":
            found += [
                (f"{self.env}_CLIENT_ID", f"{whose} [auth.oauth2] client_id"),
                (f"{self.env}_CLIENT_SECRET", f"{whose} [auth.oauth2] client_secret"),
            ]
        return found

    def token_request_curl_args(self) -> list[str]:
        return ["-u", f'"${self.env}_CLIENT_ID:${self.env}_CLIENT_SECRET"']

    def secrets(self) -> list[str]:
        found = list(self.auth.secrets())
        if self.auth.kind == "basic":
            found.append(self.authorization().split(" ", 1)[1])
        if self.auth.kind == "oauth2":
            found.append(_basic(self.auth.get("client_id"), self.auth.get("client_secret")).split(" ", 1)[1])
        if self._token:
            found.append(self._token)
        found.extend(self._role_tokens.values())
        return [secret for secret in found if len(secret) >= 4]


def identities(config: KitConfig) -> tuple[Identity, Identity | None]:
    def make(auth: AuthConfig, second: bool) -> Identity:
        token_url = config.token_url(auth) if auth.kind in ("oauth2", "logins") else None
        return Identity(config.api, auth, token_url=token_url, second=second)

    primary = make(config.primary.auth, False)
    second = make(config.second.auth, True) if config.second else None
    return primary, second


class Redactor:
    """Replaces credentials in anything a report shows: by header for curl lines, by value everywhere."""

    def __init__(self, *identities: Identity | None) -> None:
        self._identities = [identity for identity in identities if identity is not None]

    def auth_args(self, header: str) -> list[str] | None:
        """curl words standing for an Authorization header the kit sent, or None for a foreign one."""
        for identity in self._identities:
            if identity.auth.kind == "oauth2" and header == _basic(
                identity.auth.get("client_id"), identity.auth.get("client_secret")
            ):
                return identity.token_request_curl_args()
            if header == identity.known_authorization():
                return identity.curl_args()
            role = identity.role_of(header)
            if role is not None:
                return ["-H", f'"Authorization: Bearer ${identity.role_env(role)}_TOKEN"']
        return None

    def env_help(self) -> list[tuple[str, str]]:
        return [entry for identity in self._identities for entry in identity.env_help()]

    def placeholder_args(self) -> list[str]:
        """curl words for the primary identity's credentials (what a generated request sent)."""
        return self._identities[0].curl_args() if self._identities else []

    def scrub(self, text: str) -> str:
        secrets = sorted(
            {s for identity in self._identities for s in identity.secrets()}, key=len, reverse=True
        )
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_FIELD.sub(rf"\g<1>{REDACTED}\g<2>", text)
