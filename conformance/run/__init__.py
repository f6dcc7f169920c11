"""The run: plan, probes, the Schemathesis engine, routing of verdicts into the ledger, curl lines."""

from __future__ import annotations

__all__: list[str] = []
