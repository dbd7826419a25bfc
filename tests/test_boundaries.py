"""The domain core and the models know nothing of Flask, Socket.IO or APScheduler; the platforms' client knows
nothing of the server."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_MODULES = sorted(
    ["hub.models"] + [f"hub.core.{p.stem}" for p in (ROOT / "hub" / "core").glob("*.py") if p.stem != "__init__"]
)
# Top-level package names, matched as prefixes: "flask" also catches flask_login, flask_babel, flask_openapi3 ...
FORBIDDEN_PREFIXES = ("flask", "gevent", "engineio", "socketio", "apscheduler", "werkzeug")


def forbidden(top_level: str) -> bool:
    return top_level.startswith(FORBIDDEN_PREFIXES)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_adapter_framework(module):
    code = f"import importlib, sys; importlib.import_module({module!r}); print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    pulled = sorted({name.split(".")[0] for name in out.stdout.split()} if out.stdout else set())
    assert [name for name in pulled if forbidden(name)] == [], f"{module} pulls in an adapter framework"


@pytest.mark.parametrize("name", ["flask", "flask_login", "flask_wtf", "gevent", "geventwebsocket", "werkzeug"])
def test_prefix_rule_catches_every_adapter_package(name):
    assert forbidden(name)


HUB = ROOT / "hub"
FAST = HUB / "sockets" / "fast"
# What only the machinery of speed may touch: the event loop and the websocket server, Engine.IO, the garbage
# collector, the interpreter's switch interval and module table, python-socketio's private server methods.
MACHINERY_PREFIXES = ("gevent", "engineio", "gc")
MACHINERY_SYS = {"setswitchinterval", "getswitchinterval", "modules", "setrecursionlimit"}
MACHINERY_ATTRIBUTES = {"eio", "_handle_event", "_send_packet", "_trigger_event"}


def _server_modules() -> list[Path]:
    """Every module of the server package (the platforms' client is its own package, under client/)."""
    return sorted(HUB.rglob("*.py"))


def _machinery_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        found += [f"import {n}" for n in names if n.split(".")[0].startswith(MACHINERY_PREFIXES)]
        if isinstance(node, ast.Attribute):
            on_sys = isinstance(node.value, ast.Name) and node.value.id == "sys" and node.attr in MACHINERY_SYS
            if on_sys or node.attr in MACHINERY_ATTRIBUTES:
                found.append(f".{node.attr} (line {node.lineno})")
    return found


def test_only_the_fast_folder_reaches_into_gevent_engineio_or_the_interpreter():
    reaching = {
        str(p.relative_to(ROOT)): found
        for p in _server_modules()
        if FAST not in p.parents and (found := _machinery_in(p))
    }
    assert reaching == {}


def test_the_scan_sees_machinery_where_it_is():
    assert _machinery_in(FAST / "broadcast.py") and _machinery_in(FAST / "server.py")


def _emitting_modules() -> set[str]:
    """Modules with a call to ``emit`` (a manager handing an emit down its own class chain with ``super()`` is the
    emit itself, not a caller)."""
    out = set()
    for path in _server_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "emit"):
                continue
            receiver = node.func.value
            if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
                continue
            out.add(str(path.relative_to(ROOT)))
    return out


def test_exactly_one_module_of_the_server_emits():
    assert _emitting_modules() == {"hub/sockets/push.py"}


def test_the_emitter_does_no_io_but_the_emit():
    tree = ast.parse((HUB / "sockets" / "push.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    io = {m for m in imported if m.split(".")[0] in {"sqlalchemy", "sqlmodel"} or m in {"hub.db", "hub.runtime"}}
    assert io == set()


CLIENT = ROOT / "client" / "directive_hub_client"
# What a platform's machine must not need: the hub itself and the server's stack.
SERVER_PACKAGES = ("hub", "flask", "werkzeug", "sqlalchemy", "sqlmodel", "alembic", "gevent", "orjson", "psycopg")


def _top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_client_package_names_nothing_of_the_server():
    named = {str(p.relative_to(ROOT)): _top_level_imports(p) & set(SERVER_PACKAGES) for p in CLIENT.rglob("*.py")}
    assert {path: names for path, names in named.items() if names} == {}


def test_importing_the_client_loads_nothing_of_the_server():
    # Isolated (-I: neither the working directory nor PYTHONPATH on the path), with only the client's folder added.
    path = str(CLIENT.parent)
    code = f"import sys; sys.path.insert(0, {path!r}); import directive_hub_client.cli; print(*sys.modules)"
    out = subprocess.run([sys.executable, "-I", "-c", code], cwd=CLIENT.parent, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    loaded = {name.split(".")[0] for name in out.stdout.split()}
    assert "directive_hub_client" in loaded
    assert sorted(loaded & set(SERVER_PACKAGES)) == []


def test_nothing_of_the_server_imports_the_client():
    importing = {str(p.relative_to(ROOT)) for p in HUB.rglob("*.py") if "directive_hub_client" in _top_level_imports(p)}
    assert importing == set()
