"""The platform sockets this process holds (another process never needs them: it holds its own)."""

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


def sockets_of_token(token_id: int) -> list[str]:
    """The sockets this process holds that were authenticated with a token (to cut them off when it is revoked)."""
    return [sid for sid, held in sockets.items() if held.principal.token_id == token_id]
