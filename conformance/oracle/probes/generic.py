"""Oracle's share of the probes every API runs: credentials required, invalid values refused."""

from __future__ import annotations

from patientmsg.conformance.shared.auth import every_operation_requires_credentials
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.negative import invalid_parameters_are_rejected
from patientmsg.conformance.shared.probing import probe

__all__ = ["oracle_every_operation_requires_credentials", "oracle_invalid_parameters_are_rejected"]


@probe("oracle")
def oracle_every_operation_requires_credentials(ctx: ProbeContext) -> None:
    every_operation_requires_credentials(ctx)


@probe("oracle")
def oracle_invalid_parameters_are_rejected(ctx: ProbeContext) -> None:
    invalid_parameters_are_rejected(ctx)
