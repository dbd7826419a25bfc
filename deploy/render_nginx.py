"""Write an nginx configuration for Directive Hub from ``deploy/nginx.conf.template``.

    python3 deploy/render_nginx.py --listen 0.0.0.0:80 --prefix /var/lib/directive-hub/nginx \\
        --hub 127.0.0.1:5001 --hub 127.0.0.1:5002 --hub 127.0.0.1:5003 > /etc/nginx/directive-hub.conf
    nginx -c /etc/nginx/directive-hub.conf -p /var/lib/directive-hub/nginx

Only the standard library: it runs with any Python 3. The prefix folder holds nginx's pid file, logs and temporary
files (created here), so nginx can run as an unprivileged user on a port above 1024.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"


def render(
    listen: str,
    prefix: str,
    hubs: list[str],
    user: str | None = None,
    workers: str = "auto",
    connections: int = 16384,
    fail_timeout: int = 5,
) -> str:
    """The configuration text; ``hubs`` are the hub processes' host:port."""
    servers = "\n".join(f"        server {hub} max_fails=1 fail_timeout={fail_timeout}s;" for hub in hubs)
    values = dict(
        LISTEN=listen,
        PREFIX=prefix,
        SERVERS=servers,
        USER_LINE=f"user {user};" if user else "# user: the one nginx is started as",
        WORKERS=workers,
        CONNECTIONS=connections,
        NOFILE=2 * connections + 100,
    )
    # Only upper-case ${NAME} placeholders: nginx's own $variables are left alone.
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: str(values[m[1]]), TEMPLATE.read_text())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="0.0.0.0:80", help="nginx's address (default 0.0.0.0:80)")
    parser.add_argument("--prefix", required=True, help="folder for nginx's pid file, logs and temporary files")
    parser.add_argument("--hub", action="append", required=True, help="a hub process's host:port (repeat)")
    parser.add_argument("--user", default=None, help="the user nginx's workers run as when started as root")
    parser.add_argument("--workers", default="auto")
    parser.add_argument("--connections", type=int, default=16384, help="connections per nginx worker")
    args = parser.parse_args(argv)
    user = args.user or (getpass.getuser() if os.geteuid() == 0 else None)
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (Path(args.prefix) / sub).mkdir(parents=True, exist_ok=True)
    sys.stdout.write(render(args.listen, args.prefix, args.hub, user, args.workers, args.connections))


if __name__ == "__main__":
    main()
