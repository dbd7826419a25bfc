"""``python -m hub.client``: listen for directives, acknowledge them, report their implementation."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from hub.client.listener import STATES, PlatformClient, TamperedDirective, Unauthorised
from hub.client.store import Request

EXIT_FAILED = 1  # the hub refused a request (invalid transition, unknown directive ...)
EXIT_REFUSED = 2
EXIT_TAMPERED = 3
EXIT_QUEUED = 75  # EX_TEMPFAIL: queued, not yet confirmed


def print_directive(payload: dict[str, Any]) -> None:
    """One readable block per directive on standard output."""
    print(
        f"#{payload.get('seq')} {payload.get('ref_no')} [{payload.get('priority')}/{payload.get('kind')}] "
        f"{payload.get('title')}\n  id {payload.get('id')}, from {payload.get('issuer_name') or payload.get('issuer')}"
        f", acknowledge by {payload.get('ack_due_at') or '-'}, implement by {payload.get('implement_due_at') or '-'}",
        flush=True,
    )


def print_json(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False), flush=True)


class Results:
    """Prints each settled request and remembers whether the hub refused any."""

    def __init__(self) -> None:
        self.refused = 0

    def __call__(self, request: Request, answer: dict[str, Any]) -> None:
        verdict = "confirmed" if answer.get("ok") else "REFUSED"
        self.refused += not answer.get("ok")
        line = f"{request.event} {request.payload.get('directive_id')}: {verdict} {json.dumps(answer)}"
        print(line, flush=True, file=sys.stdout if answer.get("ok") else sys.stderr)


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", required=True, help="the hub's address, e.g. https://hub.example.vn")
    common.add_argument("--token", required=True, help="the platform's machine token")
    common.add_argument("--state", default=".hub-client", help="state folder (cursor, pinned key, outbox)")
    common.add_argument("--public-key", metavar="FILE", help="the hub's public key (PEM) instead of the pinned one")
    common.add_argument("-v", "--verbose", action="store_true")
    p = argparse.ArgumentParser(prog="python -m hub.client", description="Directive Hub client for platforms")
    commands = p.add_subparsers(dest="command", required=True)
    listen = commands.add_parser("listen", parents=[common], help="receive directives until interrupted")
    listen.add_argument("--json", action="store_true", help="print each directive as one JSON line")
    ack = commands.add_parser("ack", parents=[common], help="acknowledge a directive")
    ack.add_argument("directive_id", type=int)
    status = commands.add_parser("status", parents=[common], help="report a directive's implementation")
    status.add_argument("directive_id", type=int)
    status.add_argument("state", choices=STATES)
    status.add_argument("--report", default=None, help="what was done (or why it does not apply)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "listen" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("socketio").setLevel(logging.WARNING)
    logging.getLogger("engineio").setLevel(logging.WARNING)
    key = Path(args.public_key).read_text(encoding="utf-8") if args.public_key else None
    results = Results()
    client = PlatformClient(
        args.url,
        args.token,
        args.state,
        on_directive=print_json if getattr(args, "json", False) else print_directive,
        on_result=results,
        public_key=key,
    )
    try:
        if args.command == "listen":
            signal.signal(signal.SIGTERM, lambda *_: client.stop())
            try:
                client.run()
            except KeyboardInterrupt:
                client.stop()
            return 0
        if args.command == "ack":
            client.acknowledge(args.directive_id)
        else:
            client.report_status(args.directive_id, args.state, args.report)
        if client.flush_once():
            return EXIT_FAILED if results.refused else 0
        print("queued in the outbox; it is sent by the next `listen`, `ack` or `status` run", file=sys.stderr)
        return EXIT_QUEUED
    except Unauthorised as exc:
        print(f"the hub refused the token: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except TamperedDirective as exc:
        print(f"stopped: {exc}", file=sys.stderr)
        return EXIT_TAMPERED


if __name__ == "__main__":
    sys.exit(main())
