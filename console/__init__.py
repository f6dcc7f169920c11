"""patientmsg: a sandbox and a conformance kit for patient-messaging APIs."""

from importlib.metadata import version

__all__ = ["__version__"]

__version__ = version("patientmsg")
