"""Small clients for the three vendor APIs, written from the vendors' documents, not for the sandbox.

They take a base URL (the vendor's host, or the sandbox's root) and extra headers, and retry a 429 or
503 after its Retry-After, as a production client should.
"""

from patient_clients.athena import AthenaClient
from patient_clients.http import ApiFailure, Http
from patient_clients.mdhq import MdhqClient
from patient_clients.oracle import OracleClient

__all__ = ["ApiFailure", "AthenaClient", "Http", "MdhqClient", "OracleClient"]
