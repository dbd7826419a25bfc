"""Small domain exceptions. The core raises them; each adapter translates them once (HTTP status, socket answer,
form message)."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """Base of every error the core raises on purpose; ``code`` is stable, ``message`` is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(HubError):
    code = "invalid_input"
    status = 422


class Unauthenticated(HubError):
    code = "unauthenticated"
    status = 401


class Forbidden(HubError):
    code = "forbidden"
    status = 403


class OutOfScope(Forbidden):
    """A provincial department named provinces or platforms outside its province; ``details`` names them."""

    code = "out_of_scope"

    def __init__(self, provinces: list[str], platforms: list[str]) -> None:
        names = ", ".join([*provinces, *platforms])
        super().__init__(
            f"a provincial department may address only its own province, not {names}",
            details={"provinces": provinces, "platforms": platforms},
        )
        self.names = names


class NotFound(HubError):
    code = "not_found"
    status = 404


class Conflict(HubError):
    code = "conflict"
    status = 409


class InvalidTransition(HubError):
    code = "invalid_transition"
    status = 409
