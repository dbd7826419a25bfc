"""The platforms' client: a library (:class:`PlatformClient`) and a command (``python -m hub.client``).

It depends only on python-socketio's client, requests and :mod:`hub.core.signing`.
"""

from hub.client.backoff import Backoff
from hub.client.listener import PlatformClient, TamperedDirective, Unauthorised, fetch_public_key
from hub.client.store import Outbox, Request, StateDir

__all__ = [
    "Backoff",
    "Outbox",
    "PlatformClient",
    "Request",
    "StateDir",
    "TamperedDirective",
    "Unauthorised",
    "fetch_public_key",
]
