"""What a violated property looks like: a schemathesis Failure that says what came and what is documented."""

from __future__ import annotations

from dataclasses import dataclass

from schemathesis.core.failures import Failure, Severity

__all__ = ["ConformanceFailure", "Finding", "Skip"]


class ConformanceFailure(Failure):
    """A response (or a sequence of them) that contradicts a requirement."""

    code = "PM001"
    kind_title = "Conformance requirement violated"

    __slots__ = ("documented", "received")

    def __init__(
        self,
        title: str,
        *,
        received: str,
        documented: str,
        operation: str | None = None,
        case_id: str | None = None,
    ) -> None:
        super().__init__(
            operation=operation,
            title=title,
            message=f"Received: {received}\nDocumented: {documented}",
            case_id=case_id,
            severity=Severity.HIGH,
        )
        self.received = received
        self.documented = documented

    @property
    def _unique_key(self) -> str:
        # One finding per check per operation: the engine keeps the first example of each.
        return self.title or ""


class Skip(Exception):
    """A probe cannot run against this target (missing id, nothing to page through...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Finding:
    """One failure attributed to a requirement, ready to report (secrets already replaced)."""

    requirement: str
    message: str
    curl: str
    operation: str | None = None
    # The status the curl line's request got back (None: no HTTP response, or no single request).
    status: int | None = None
