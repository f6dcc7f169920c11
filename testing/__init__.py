"""patientmsg for a client project's tests: a live sandbox per pytest session, a world per test.

Installed with patientmsg, the pytest plugin (plugin.py, entry point `pytest11`) gives the
`patientmsg_sandbox` fixture. `RunningSandbox` (the server process) and `PatientmsgSandbox` (one
named world on it) can also be used without pytest. Nothing here imports the sandbox's code: it runs
in a child process (launch.py) and is driven over HTTP, through its control API.
"""

from __future__ import annotations

from patientmsg.testing.client import PatientmsgSandbox, RunningSandbox, SandboxControlError

__all__ = ["PatientmsgSandbox", "RunningSandbox", "SandboxControlError"]
