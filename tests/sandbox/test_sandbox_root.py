"""Vendor paths at the root: a client whose base URL is the sandbox's host works as with the vendor's."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
from control_helpers import LOCAL, athena_path, athena_token, local_client
from patientmsg.mockserver.mounts import MOUNTS, PREFIX_ONLY, ROOT_APIS, colliding_apis, root_target
from patientmsg.specs import APIS, load_spec, operations
from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def root(template: sqlite3.Connection) -> Iterator[TestClient]:
    with local_client(template) as client:
        yield client


def test_two_apis_whose_paths_could_match_the_same_request_collide() -> None:
    paths = {
        "one": ["/v1/{practiceid}/patients"],
        "two": ["/v1/mail/{box}"],  # /v1/mail/patients is both
        "three": ["/v1/{a}/{b}/{c}", "/20241001/x"],  # one segment longer: no clash
    }
    assert colliding_apis(paths) == {"one", "two"}
    assert colliding_apis({"one": ["/a/{x}"], "two": ["/b/{x}"]}) == set()


def test_the_shipped_vendor_apis_do_not_collide_and_are_all_served_at_the_root() -> None:
    vendors = [api for api in APIS if api not in PREFIX_ONLY]
    assert colliding_apis({api: [p for _, p, _ in operations(load_spec(api))] for api in vendors}) == set()
    assert set(ROOT_APIS) == set(vendors)


def test_every_operation_path_of_a_root_api_maps_to_its_mount() -> None:
    for api in ROOT_APIS:
        for _, template, _ in operations(load_spec(api)):
            concrete = template.replace("{", "").replace("}", "")
            assert root_target(concrete) == MOUNTS[api] + concrete, template


def test_the_portal_api_is_never_served_at_the_root() -> None:
    assert "portal" in PREFIX_ONLY
    for api in set(APIS) & PREFIX_ONLY:
        for _, template, _ in operations(load_spec(api)):
            assert root_target(template.replace("{", "").replace("}", "")) is None


def test_root_answers_are_the_mounted_answers(root: TestClient, config: dict[str, Any]) -> None:
    token = athena_token(root, config)
    headers = {"Authorization": f"Bearer {token}"}
    path = athena_path(config, "/inboxmessages?limit=5")
    assert root.get(path, headers=headers).content == root.get(f"/athena{path}", headers=headers).content
    bearer = {"Authorization": f"Bearer {config['oracle']['auth']['bearer_token']}"}
    oracle = f"/20241001/patientMessages/inboxItems?patientId={config['oracle']['ids']['patientId']}"
    at_root, mounted = root.get(oracle, headers=bearer), root.get(f"/oracle{oracle}", headers=bearer)
    assert at_root.status_code == mounted.status_code == 200
    assert at_root.json()["items"] == mounted.json()["items"]
    basic = config["mdhq"]["auth"]["basic"]
    mdhq = f"/api/v1/patients/{config['mdhq']['ids']['pt_id']}/portal/enqueued"
    auth = (basic["username"], basic["password"])
    assert root.get(mdhq, auth=auth).content == root.get(f"/mdhq{mdhq}", auth=auth).content


def test_the_token_endpoint_at_the_root_issues_tokens_the_mount_accepts(
    root: TestClient, config: dict[str, Any]
) -> None:
    token = athena_token(root, config)  # POST /oauth2/v1/token
    response = root.get(
        f"/athena{athena_path(config, '/inboxmessages?limit=1')}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text


def _walk(client: TestClient, first: str, token: str, join: Any) -> tuple[list[int], int]:
    seen: list[int] = []
    link: str | None = first
    total = 0
    for _ in range(20):  # bounded: 100 a page
        if link is None:
            break
        page = client.get(link, headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 200, f"Received: {page.status_code} for {link} / Documented: 200"
        body = page.json()
        total = body["totalcount"]
        seen += [thread["messagethreadid"] for thread in body["messages"]]
        link = join(link, body["next"]) if "next" in body else None
    assert link is None, "the walk did not end"
    return seen, total


def test_following_every_next_link_from_the_root_reads_every_thread_once(
    root: TestClient, config: dict[str, Any]
) -> None:
    token = athena_token(root, config)
    # A client whose base URL is the host: it sends the link as given (base URL + link).
    seen, total = _walk(root, athena_path(config, "/inboxmessages?limit=100"), token, lambda _, link: link)
    assert len(seen) == len(set(seen)) == total > 100


def test_links_from_under_athena_work_joined_to_the_athena_base_url(
    root: TestClient, config: dict[str, Any]
) -> None:
    """Links are athena's vendor paths under either mount; a client joins them to its base URL."""
    token = athena_token(root, config)
    first = "/athena" + athena_path(config, "/inboxmessages?limit=100")
    seen, total = _walk(root, first, token, lambda _, link: "/athena" + link)
    assert len(seen) == len(set(seen)) == total


def test_links_resolved_as_url_references_also_work_from_under_athena(
    root: TestClient, config: dict[str, Any]
) -> None:
    """A client resolving `next` against the page's URL (RFC 3986) lands at the root, which serves it."""
    token = athena_token(root, config)
    first = f"{LOCAL}/athena" + athena_path(config, "/inboxmessages?limit=100")
    seen, total = _walk(root, first, token, urljoin)
    assert len(seen) == len(set(seen)) == total


def test_a_root_path_matching_no_api_is_a_plain_json_404_naming_the_mounts(root: TestClient) -> None:
    for path in ("/v1/nothing", "/favicon.ico", "/api/v2/x", "/20241001/other"):
        response = root.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert set(body) == {"error", "message"}
        assert all(prefix in body["message"] for prefix in MOUNTS.values()), body


def test_a_wrong_method_at_the_root_is_the_vendors_405(root: TestClient, config: dict[str, Any]) -> None:
    response = root.delete(athena_path(config, "/inboxmessages"))
    assert response.status_code == 405
    assert set(response.json()) <= {"error", "detailedmessage"}  # athena's body
    assert "GET" in response.headers["Allow"]
