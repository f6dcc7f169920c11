"""The bundled specs: valid OpenAPI, loadable by Connexion, traceable, and served by the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from patientmsg.specs import APIS, load_spec, operations

SEED_FILES = {
    "athena": ("000_71082a46c47199d0.txt",),
    "oracle": ("001_c779ca67df047574.txt",),
    "mdhq": ("003_a060264fa162e935.txt",),
    "portal": ("002_c91a2f1e0c8e63b5.txt", "004_514b49265d656ca7.txt"),  # patientmsg's reference API
}
# Statuses every operation documents. The vendor specs list each; the portal lists the refusals its
# rules make per operation and `default` (problem+json) for the rest (e.g. 405), as its x-rules say.
REQUIRED_STATUSES = {"portal": ("401", "default")}
VENDOR_STATUSES = ("400", "401", "405", "429", "default")
ALL_OPS = [(api, method, path) for api in APIS for method, path, _ in operations(load_spec(api))]


@pytest.mark.parametrize("api", list(APIS))
def test_spec_is_valid_openapi_3_0_3(api: str) -> None:
    spec = load_spec(api)
    assert spec["openapi"] == "3.0.3"
    validate(spec)


@pytest.mark.parametrize("api", list(APIS))
def test_connexion_loads_spec(api: str) -> None:
    from connexion import AsyncApp
    from connexion.mock import MockResolver

    app = AsyncApp(__name__)
    app.add_api(load_spec(api), base_path=f"/{api}", resolver=MockResolver(mock_all=True))


def _op(api: str, method: str, path: str) -> dict[str, Any]:
    op: dict[str, Any] = load_spec(api)["paths"][path][method.lower()]
    return op


@pytest.mark.parametrize(("api", "method", "path"), ALL_OPS)
def test_every_operation_names_its_source(api: str, method: str, path: str) -> None:
    source = _op(api, method, path)["x-source"]
    assert source["heading"], "x-source needs the heading it came from"
    assert source["file"] in SEED_FILES[api] or "README" in source["file"]
    # An operation whose source is not the API's own document must say why it exists.
    if source["file"] not in SEED_FILES[api]:
        assert _op(api, method, path)["x-inferred"]


@pytest.mark.parametrize(("api", "method", "path"), ALL_OPS)
def test_every_operation_has_vendor_error_responses(api: str, method: str, path: str) -> None:
    responses = _op(api, method, path)["responses"]
    for status in REQUIRED_STATUSES.get(api, VENDOR_STATUSES):
        assert status in responses, f"{method} {path} documents no {status}"


@pytest.mark.parametrize(("api", "method", "path"), ALL_OPS)
def test_specs_readme_lists_every_operation(api: str, method: str, path: str) -> None:
    readme = (Path(__file__).parents[1] / "specs" / "README.md").read_text(encoding="utf-8")
    assert f"`{method} {path}`" in readme
    assert _op(api, method, path)["operationId"] in readme


def _inferences(node: object) -> list[object]:
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k == "x-inferred"]
        return found + [x for v in node.values() for x in _inferences(v)]
    if isinstance(node, list):
        return [x for v in node for x in _inferences(v)]
    return []


@pytest.mark.parametrize("api", list(APIS))
def test_every_inference_says_why(api: str) -> None:
    reasons = _inferences(load_spec(api))
    assert reasons, "every spec fills something the document leaves open"
    for reason in reasons:
        assert isinstance(reason, str) and len(reason.split()) >= 4, (
            f"x-inferred without a reason: {reason!r}"
        )


def _cli(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "patientmsg", *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_cli_lists_bundled_specs_from_any_directory(tmp_path: Path) -> None:
    out = _cli("specs", cwd=tmp_path)
    assert "athena" in out and "9 operations" in out
    assert "oracle" in out and "1 operations" in out
    assert "mdhq" in out and "3 operations" in out
    assert "portal" in out and "37 operations" in out


def test_cli_version(tmp_path: Path) -> None:
    assert _cli("--version", cwd=tmp_path).startswith("patientmsg, version ")
