"""patientmsg's conformance kit: checks any implementation of the three APIs, requirement by requirement."""

from __future__ import annotations

from patientmsg.conformance.reports.listing import print_requirements
from patientmsg.conformance.run.runner import run_cli

__all__ = ["print_requirements", "run_cli"]
