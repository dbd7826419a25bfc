"""Flask extensions as module objects, bound to the app in ``create_app`` with ``init_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Retry-After is set by the 429 handler in hub/web/errors.py (the same whole seconds as the answer's retry_after).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)
