"""The domain core and the models know nothing of Flask, Socket.IO or APScheduler."""

from __future__ import annotations

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
