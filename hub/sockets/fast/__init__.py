"""The machinery of speed: every trick that reaches into gevent, Engine.IO, python-socketio's internals, the garbage
collector or the interpreter, each with a name that ``HUB_FAST_OFF`` switches off for a comparison (see README.md).
"""

from __future__ import annotations

from gevent import monkey

from hub.config import Settings

TRICKS = frozenset({"switch_interval", "direct_handlers", "gc", "frame_writer", "read_buffer", "wsaccel"})
# Read by app.py from the environment before gevent is imported, so listed here only to be accepted.
ENTRY_POINT_TRICKS = frozenset({"greenlet_tree"})


def switched_off(settings: Settings) -> frozenset[str]:
    """The tricks this hub runs without; an unknown name is refused at start, not silently ignored."""
    names = frozenset(n.strip() for n in settings.fast_off.split(",") if n.strip())
    unknown = names - TRICKS - ENTRY_POINT_TRICKS
    if unknown:
        known = ", ".join(sorted(TRICKS | ENTRY_POINT_TRICKS))
        raise ValueError(f"HUB_FAST_OFF: unknown trick {', '.join(sorted(unknown))}; known: {known}")
    return names


def gevent_patched() -> bool:
    """Whether ``python app.py`` patched the standard library: gevent servers and schedulers, else threads."""
    return monkey.is_module_patched("socket")
