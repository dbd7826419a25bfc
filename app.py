"""Entry point: ``python app.py`` serves the hub (pages, API and websockets) on gevent.

gevent must patch the standard library before anything else is imported (psycopg 3 picks its wait function at
import time), hence the first lines.
"""

import gc
import os

if os.environ.get("HUB_NO_GEVENT") != "1" and __name__ == "__main__":
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_poll")
    # gevent records, for every greenlet, the stack and the greenlet that spawned it (a debugging aid): a dozen
    # objects per greenlet, and a greenlet per socket every ping interval. Off, it saves memory and CPU.
    os.environ.setdefault("GEVENT_TRACK_GREENLET_TREE", "false")
    from gevent import monkey

    monkey.patch_all()

from hub import create_app


def main() -> None:
    from hub import clock, demo, scheduler
    from hub.runtime import Hub
    from hub.sockets.server import serve

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
    settle_garbage_collector()
    print(f"Directive Hub on http://{settings.host}:{settings.port}/  (database: {settings.database_url})", flush=True)
    serve(app, settings.host, settings.port)


def settle_garbage_collector() -> None:
    """Tune the garbage collector for a server holding thousands of sockets.

    Every socket event allocates (a packet, a greenlet), and with CPython's default threshold of 700 the young
    collections ran hundreds of times per publish, each walking the live greenlets, and promoted short-lived objects
    that then made full collections walk every connection: about a sixth of the CPU of a publish to 5,000
    platforms (bench/bench_fanout.py). Objects alive after start-up (modules, mappings, templates) are frozen
    out of collection, and young collections run every 20,000 allocations instead of 700.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


if __name__ == "__main__":
    main()
else:
    # For `flask --app app <command>`.
    app = create_app()
