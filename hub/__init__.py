"""Directive Hub: the online connection network between a content regulator and the platforms it oversees."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the package itself stays free of Flask, so that hub.core imports no web framework
    from flask_openapi3 import OpenAPI

    from hub.config import Settings

ROOT = Path(__file__).resolve().parent.parent
__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None, *, environ: bool = True) -> OpenAPI:
    """Build a hub (settings, engine, signing key, extensions, API, pages, sockets, scheduler); the caller migrates."""
    from hub.config import load_settings
    from hub.db import make_engine
    from hub.runtime import Hub, load_signer

    settings = load_settings(config, environ=environ)
    app = _new_app(settings)
    app.config.update(_flask_config(settings))
    app.config.update(settings.extra)
    engine = make_engine(settings.database_url)
    app.extensions["hub"] = Hub(settings=settings, engine=engine, signer=load_signer(settings.instance_path))
    _init_parts(app, settings)
    return app


def _new_app(settings: Settings) -> OpenAPI:
    """The bare application: the OpenAPI document's place, templates, static files and the instance folder."""
    from flask_openapi3 import Info, OpenAPI

    from hub.web import errors

    return OpenAPI(
        __name__,
        info=Info(title="Directive Hub API", version=__version__),
        doc_prefix="/api/v1",
        doc_url="/openapi.json",
        validation_error_status=422,
        validation_error_callback=errors.validation_error_response,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=settings.instance_path,
    )


def _flask_config(settings: Settings) -> dict[str, Any]:
    """The Flask and extension settings derived from the hub's own."""
    return dict(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        # Two counters per budget whatever its size, and no burst of twice the limit across a window's edge.
        RATELIMIT_STRATEGY="sliding-window-counter",
        # Separate deployments (or test runs) on one Redis keep separate counts, as they keep separate channels.
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": f"limits:{settings.socketio_channel}"},
        # Redis unreachable: count in this process's memory until it is back, rather than refuse every write.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,
        HUB_SETTINGS=settings,
    )


def _init_parts(app: OpenAPI, settings: Settings) -> None:
    """Attach extensions, the API, pages, CLI, sockets and the scheduler, in the order they depend on each other."""
    from hub import cli, scheduler, sockets
    from hub.extensions import babel, csrf, limiter, login_manager
    from hub.web import (
        api,
        auth,
        characters,
        errors,
        headers,
        health,
        i18n,
        login_throttle,
        orgnames,
        pages,
        proxy,
        requestlog,
        scrape,
        sessions,
    )
    from hub.web.api import links

    orgnames.init_app(app)
    requestlog.init_app(app)
    sessions.init_app(app)
    proxy.init_app(app, settings)
    headers.init_app(app, settings)
    characters.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    login_throttle.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    health.init_app(app)
    scrape.init_app(app)
    links.declare(app)  # after every API group, so that a link may name any operation
    pages.init_app(app)
    cli.init_app(app)
    sockets.init_app(app)
    scheduler.init_app(app)
