"""The platform sockets this process holds (another process never needs them: it holds its own), for the handlers'
quick look-ups. Cutting sockets off never relies on this dict: see ``Gate.admitted``."""

from __future__ import annotations

from dataclasses import dataclass

from hub.core.access import Principal


@dataclass(frozen=True, slots=True)
class PlatformSocket:
    """Who a connected platform socket speaks for."""

    principal: Principal

    @property
    def platform_id(self) -> int:
        return self.principal.org_id


sockets: dict[str, PlatformSocket] = {}  # by Socket.IO sid
tokens_to_touch: set[int] = set()  # tokens whose last use is recorded with the next head


def is_online(platform_id: int) -> bool:
    """Whether a socket of the platform is connected to this hub process (other processes hold their own)."""
    return any(s.platform_id == platform_id for s in sockets.values())
