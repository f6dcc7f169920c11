"""What a run starts from: the user's config, credentials and identities, reachability, waivers."""

from __future__ import annotations

__all__: list[str] = []
