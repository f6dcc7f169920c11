"""Fixtures for the conformance kit's tests: a fresh sandbox process per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kit_harness import Sandbox, start_sandbox, stop


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox process for each test module: writes in one module never leak into another."""
    process, running = start_sandbox()
    try:
        yield running
    finally:
        stop(process)
