"""Credentials are tried once before the run: a refusal is the config's fault, said in one line.

Without this, wrong basic or bearer credentials turn every request into a 401, most requirements
into "skipped", and a stale CI secret into a green run.
"""

from __future__ import annotations

import requests
from patientmsg.conformance.setup.identity import TIMEOUT, Identity
from patientmsg.conformance.setup.kit_config import IdentityConfig, KitConfig
from patientmsg.conformance.setup.usage import UsageProblem

__all__ = ["verify_credentials"]

# One read per API on the configured ids: what every run does first anyway.
_READ = {
    "athena": "/v1/{practiceid}/patients/{patientid}/securemessage/inboxmessages?limit=1",
    "oracle": "/20241001/patientMessages/inboxItems?patientId={patientId}",
    "mdhq": "/api/v1/patients/{pt_id}/portal/enqueued",
}


def verify_credentials(config: KitConfig, primary: Identity, second: Identity | None) -> None:
    """Fetch tokens and try each identity on its own ids; 401 or 403 there is a config error (exit 2)."""
    _try(config, primary, config.primary, "[auth]")
    if second is not None and config.second is not None:
        _try(config, second, config.second, "[second.auth]")


def _try(config: KitConfig, identity: Identity, given: IdentityConfig, section: str) -> None:
    try:
        path = _READ[config.api].format(**given.ids)
    except KeyError:
        return  # ids missing: the run reports what it cannot test
    authorization = identity.authorization()  # fetches an OAuth2 token: a refusal there is raised as usage
    try:
        response = requests.get(
            config.base_url + path, headers={"Authorization": authorization}, timeout=TIMEOUT
        )
    except requests.RequestException as exc:
        raise UsageProblem(f"{config.base_url} did not answer GET {path}: {type(exc).__name__}") from None
    if response.status_code in (401, 403):
        raise UsageProblem(
            f"the target refused the credentials in {section} ({response.status_code} on GET {path}): "
            "check the config's credentials and ids"
        )
