"""Which proxy to believe about the client's address and scheme: only the configured number of them (HUB_PROXY_COUNT),
so that nobody can pick their own address (and so their sign-in count) with a made-up X-Forwarded-For."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hub.config import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Behind N proxies, take the address and scheme the nearest N added; with none (the default), ignore them."""
    if settings.proxy_count > 0:
        count = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)
