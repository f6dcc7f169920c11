"""The planted defects, one module per API (each owned with its API's unit); CASES is all of them."""

from __future__ import annotations

from defects import athena, mdhq, oracle
from defects.shared import Case, athena_token

__all__ = ["CASES", "Case", "athena_token"]

CASES: dict[str, Case] = {**athena.CASES, **oracle.CASES, **mdhq.CASES}
