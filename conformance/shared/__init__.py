"""What every API unit builds on: the check and probe registries, the probe context, readers, and
the generic verifiers (credentials required, invalid values refused, status codes documented)."""

from __future__ import annotations

__all__: list[str] = []
