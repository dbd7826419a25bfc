"""The Socket.IO server object and every namespace, room and event name, defined once (see docs/protocol.md)."""

from __future__ import annotations

from flask_socketio import SocketIO

socketio = SocketIO()

PLATFORM_NS = "/platform"
CONSOLE_NS = "/console"

# Hub → platform
DIRECTIVE = "directive"
HEAD = "head"
REVOKED = "revoked"
REMINDER = "reminder"
ANSWER = "answer"

# Hub → console
PROGRESS = "progress"
PUBLISHED = "published"
ESCALATION = "escalation"
CHECKPOINT = "checkpoint"
QUESTION = "question"  # a platform asked the issuer something
QUESTION_ANSWERED = "question_answered"  # one question fewer waits on a directive

# Between hub processes only (never reach a client): cut off the sockets in a room; these directives' progress
# changed.
CUT = "hub:cut"
PROGRESS_CHANGED = "hub:progress"

CONSOLE_ALL = "console:all"


def platform_room(platform_id: int) -> str:
    return f"platform:{platform_id}"


def province_room(province: str) -> str:
    return f"console:province:{province}"


def console_rooms(provinces: set[str]) -> list[str]:
    """The console rooms that see something reaching ``provinces``: the central one and each province's."""
    return [CONSOLE_ALL, *(province_room(p) for p in sorted(provinces))]
