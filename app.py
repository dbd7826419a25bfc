"""Entry point: ``python app.py`` serves the hub (pages, API and websockets) on gevent.

gevent must patch the standard library before anything else is imported (psycopg 3 picks its wait function at
import time), hence the first lines.
"""

import os

if os.environ.get("HUB_NO_GEVENT") != "1" and __name__ == "__main__":
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")
    from gevent import monkey

    monkey.patch_all()

from hub import create_app


def main() -> None:
    from hub import clock, demo, scheduler
    from hub.sockets import socketio
    from hub.state import Hub

    app = create_app()
    hub: Hub = app.extensions["hub"]
    settings = hub.settings
    if os.environ.get("HUB_SEED_DEMO", "1") != "0":
        logins = demo.seed(hub.engine, hub.signer, clock.now())
        if logins:
            print("Demo data loaded. Sign in with any of these logins, password:", demo.DEMO_PASSWORD)
            for entry in logins:
                print(f"  {entry.login:22} {entry.role:8} {entry.organisation}")
    if settings.scheduler_enabled:
        scheduler.start(app)
    print(f"Directive Hub on http://{settings.host}:{settings.port}/  (database: {settings.database_url})", flush=True)
    socketio.run(app, host=settings.host, port=settings.port, log_output=False)


if __name__ == "__main__":
    main()
else:
    # For `flask --app app <command>`.
    app = create_app()
