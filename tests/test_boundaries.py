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
FORBIDDEN = ("flask", "flask_socketio", "socketio", "engineio", "apscheduler", "flask_login", "werkzeug")


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_adapter_framework(module):
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulls in {out.stdout.strip()}"
