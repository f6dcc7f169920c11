"""The app around the APIs: /health, the index, Swagger UI and the served specs, start-up."""

from __future__ import annotations

import os
from typing import Any

import pytest
from patientmsg.mockserver import create_app
from patientmsg.specs import load_spec, operations
from sandbox_helpers import APIS, NOW, NOW_TEXT, SEED
from starlette.testclient import TestClient


def test_health_names_the_world_and_the_worker(shared_client: TestClient) -> None:
    response = shared_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "scenario": "default",
        "seed": SEED,
        "now": NOW_TEXT,
        "pid": os.getpid(),  # the process that answered (the test client runs the app in this one)
    }


def test_index_lists_the_apis(shared_client: TestClient) -> None:
    apis = shared_client.get("/").json()["apis"]
    assert apis["athena"] == {
        "base_url": "/athena",
        "ui": "/athena/ui/",
        "openapi": "/athena/openapi.json",
        "also_at_root": True,
    }
    assert set(apis) == {*APIS, "portal"}  # the three vendor APIs and patientmsg's portal reference API


@pytest.mark.parametrize("api", APIS)
def test_swagger_ui_and_spec_are_served(shared_client: TestClient, api: str) -> None:
    ui = shared_client.get(f"/{api}/ui/")
    assert ui.status_code == 200 and "swagger-ui" in ui.text.lower()
    served = shared_client.get(f"/{api}/openapi.json").json()
    assert served["servers"] == [{"url": f"/{api}"}]
    assert [(m, p) for m, p, _ in operations(served)] == [(m, p) for m, p, _ in operations(load_spec(api))]


def test_athena_token_url_is_the_mounted_one_so_authorize_works(shared_client: TestClient) -> None:
    served = shared_client.get("/athena/openapi.json").json()
    flow = served["components"]["securitySchemes"]["athenaOAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/athena/oauth2/v1/token"
    shipped = load_spec("athena")["components"]["securitySchemes"]["athenaOAuth2"]["flows"][
        "clientCredentials"
    ]
    assert shipped["tokenUrl"] == "/oauth2/v1/token", "the shipped spec is untouched"


def test_every_operation_has_a_handler(template: Any) -> None:
    from patientmsg.fixtures import Clock
    from sandbox_helpers import copy_store

    # Connexion resolves every operationId when the app starts; a missing handler fails start-up.
    with TestClient(create_app(copy_store(template), Clock(NOW), seed=SEED)) as client:
        assert client.get("/health").status_code == 200
