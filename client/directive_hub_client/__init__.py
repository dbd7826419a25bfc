"""The Directive Hub client for platforms: a library (:class:`PlatformClient`) and a command (``directive-hub``).

It depends only on python-socketio's client, requests and cryptography, and verifies the hub's signatures itself.
"""

from directive_hub_client.backoff import Backoff
from directive_hub_client.errors import TamperedDirective, Unauthorised
from directive_hub_client.listener import PlatformClient
from directive_hub_client.signing import fetch_public_key, fingerprint, verify
from directive_hub_client.store import Outbox, Request, StateDir

__version__ = "1.0.0"

__all__ = [
    "Backoff",
    "Outbox",
    "PlatformClient",
    "Request",
    "StateDir",
    "TamperedDirective",
    "Unauthorised",
    "fetch_public_key",
    "fingerprint",
    "verify",
]
