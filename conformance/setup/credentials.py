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
    "portal": "/patient/conversations",
}
# Further reads of configured ids: when these answer 404 too, the kit is knocking on the wrong door.
_MORE_READS = {"athena": ("/v1/{practiceid}/patients/{patientid}/securemessage/{messagethreadid}",)}
_MORE_READS["portal"] = ("/patient/providers/{provider_openId}",)
_PREFIX = {"athena": "/athena", "oracle": "/oracle", "mdhq": "/mdhq", "portal": "/portal"}


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
    if response.status_code == 404 and section == "[auth]":
        _every_read_404(config, given, authorization, path)


def _every_read_404(config: KitConfig, given: IdentityConfig, authorization: str, first: str) -> None:
    """A run whose every id answers 404 tests nothing: stop it with a hint instead of reporting it."""
    paths = [first]
    for template in _MORE_READS.get(config.api, ()):
        try:
            paths.append(template.format(**given.ids))
        except KeyError:
            continue
    for path in paths[1:]:
        try:
            response = requests.get(
                config.base_url + path, headers={"Authorization": authorization}, timeout=TIMEOUT
            )
        except requests.RequestException:
            return
        if response.status_code != 404:
            return
    raise UsageProblem(
        f"every read of the configured ids answered 404 (GET {', GET '.join(paths)} "
        f"below {config.base_url}): "
        f"does --base-url end with the API's prefix (e.g. http://host:8000{_PREFIX[config.api]} for the "
        "sandbox, or your gateway's own), and are [ids] this tenant's?"
    )
