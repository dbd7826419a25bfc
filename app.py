"""Entry point: ``python app.py`` migrates the database and serves the hub (pages, API and websockets) on gevent;
``flask --app app <command>`` imports it for the command line.

gevent must patch the standard library before anything else is imported (psycopg 3 picks its wait function at
import time), hence the first lines. Their switches (``HUB_NO_GEVENT`` and the variables gevent and psycopg read) are
the only environment read outside ``hub.config.Settings``: they must be set before those libraries are imported.
"""

import atexit
import os

if os.environ.get("HUB_NO_GEVENT") != "1" and __name__ == "__main__":
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")
    # gevent records, for every greenlet, the stack and the greenlet that spawned it (a debugging aid): a dozen
    # objects per greenlet, and a greenlet per socket every ping interval. Off, it saves memory and CPU. The one
    # speed trick outside hub/sockets/fast/: gevent reads it when imported, before any setting is loaded.
    if "greenlet_tree" not in os.environ.get("HUB_FAST_OFF", ""):
        os.environ.setdefault("GEVENT_TRACK_GREENLET_TREE", "false")
    from gevent import monkey

    monkey.patch_all()

from hub import create_app, metrics, startup
from hub.config import load_settings
from hub.db import describe_migration, migrate
from hub.runtime import Hub


def main() -> None:
    """Serve the hub: bring the schema up to date, load the demo data if asked, start the scheduler, listen."""
    from hub import scheduler
    from hub.sockets import fast
    from hub.sockets.fast.collector import settle_garbage_collector
    from hub.sockets.fast.server import serve

    with startup.explained():
        given = startup.build_app(load_settings)
        startup.configure_logs(given)
        startup.check_services(given)
        mail_line = startup.check_mail(given)
        app = startup.build_app(create_app)
        hub: Hub = app.extensions["hub"]
        settings = hub.settings
        print(describe_migration(startup.migrate(hub.engine, migrate, settings.database_url)), flush=True)
        listener = startup.bind(settings.host, settings.port)
    print(mail_line, flush=True)
    if settings.seed_demo:
        load_demo_data(hub)
    if settings.scheduler_enabled:
        scheduler.start(app)
    atexit.register(metrics.process_exited)
    off = fast.switched_off(settings)
    if "gc" not in off:
        settle_garbage_collector()
    where = f"http://{settings.host}:{settings.port}/"
    print(f"Directive Hub on {where}  (database: {startup.safe_url(settings.database_url)})", flush=True)
    serve(app, listener, off)


def load_demo_data(hub: Hub) -> None:
    """Fill an empty database with the demo data, so that a first start has something to show, and print the logins."""
    from hub import clock, demo

    logins = demo.seed(hub.engine, hub.signer, clock.now())
    if logins:
        print("Demo data loaded. Sign in with any of these logins, password:", demo.DEMO_PASSWORD)
        for entry in logins:
            print(f"  {entry.login:22} {entry.role:8} {entry.organisation}")


if __name__ == "__main__":
    main()
else:
    # For `flask --app app <command>`: commands find the schema up to date, even on a fresh database.
    with startup.explained():
        app = startup.build_app(create_app)
        startup.check_mail(app.extensions["hub"].settings)
        hub_ = app.extensions["hub"]
        # what `init-db` reports
        app.extensions["hub_migrated"] = startup.migrate(hub_.engine, migrate, hub_.settings.database_url)
