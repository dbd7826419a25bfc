"""``directive-hub``: listen for directives, acknowledge them, report their implementation."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

from directive_hub_client import __version__
from directive_hub_client.errors import TamperedDirective, Unauthorised
from directive_hub_client.listener import STATES, PlatformClient
from directive_hub_client.signing import load_public_key
from directive_hub_client.store import Request

EXIT_FAILED = 1  # the hub refused a request (invalid transition, unknown directive ...)
EXIT_REFUSED = 2  # the hub refused the token
EXIT_TAMPERED = 3  # a directive failed verification twice
EXIT_USAGE = 64  # EX_USAGE: a wrong command line or an unreadable --public-key file
EXIT_QUEUED = 75  # EX_TEMPFAIL: queued, not yet confirmed
ENV_URL, ENV_TOKEN, ENV_STATE = "DIRECTIVE_HUB_URL", "DIRECTIVE_HUB_TOKEN", "DIRECTIVE_HUB_STATE"


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


class Parser(argparse.ArgumentParser):
    """Usage errors exit with 64, so that 2 keeps meaning "the hub refused the token"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _common_options() -> argparse.ArgumentParser:
    url, token = os.environ.get(ENV_URL), os.environ.get(ENV_TOKEN)
    common = Parser(add_help=False)
    common.add_argument("--url", default=url, required=not url, help=f"the hub's address (or ${ENV_URL})")
    common.add_argument("--token", default=token, required=not token, help=f"the machine token (or ${ENV_TOKEN})")
    common.add_argument(
        "--state",
        dest="state_dir",
        metavar="DIR",
        default=os.environ.get(ENV_STATE, ".hub-client"),
        help=f"state folder: cursor, pinned key, outbox (or ${ENV_STATE}; default .hub-client)",
    )
    common.add_argument("--public-key", metavar="FILE", help="the hub's public key (PEM) instead of the pinned one")
    common.add_argument("-v", "--verbose", action="store_true")
    return common


def parser() -> argparse.ArgumentParser:
    """The command line: ``listen``, ``ack`` and ``status``, each with the common options."""
    common = _common_options()
    p = Parser(prog="directive-hub", description="Directive Hub client for platforms")
    p.add_argument("--version", action="version", version=f"directive-hub {__version__}")
    commands = p.add_subparsers(dest="command", required=True)
    listen = commands.add_parser("listen", parents=[common], help="receive directives until interrupted")
    listen.add_argument("--json", action="store_true", help="print each directive as one JSON line")
    ack = commands.add_parser("ack", parents=[common], help="acknowledge a directive")
    ack.add_argument("directive_id", type=int)
    status = commands.add_parser("status", parents=[common], help="report a directive's implementation")
    status.add_argument("directive_id", type=int)
    status.add_argument("state", choices=STATES, help="the delivery's new state")
    status.add_argument("--report", default=None, help="what was done (or why it does not apply)")
    return p


def _public_key(path: str | None) -> str | None:
    """The PEM text of ``--public-key``; ValueError, with the reason, when it is unreadable or not the hub's kind."""
    if path is None:
        return None
    try:
        pem = Path(path).read_text(encoding="utf-8")
        load_public_key(pem)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"--public-key {path}: not a readable Ed25519 public key (PEM): {exc}") from exc
    return pem


def _listen(client: PlatformClient) -> int:
    signal.signal(signal.SIGTERM, lambda *_: client.stop())
    try:
        client.run()
    except KeyboardInterrupt:
        client.stop()
    return 0


def _send(client: PlatformClient, args: argparse.Namespace, results: Results) -> int:
    if args.command == "ack":
        client.acknowledge(args.directive_id)
    else:
        client.report_status(args.directive_id, args.state, args.report)
    if client.flush_once():
        return EXIT_FAILED if results.refused else 0
    print("queued in the outbox; it is sent by the next `listen`, `ack` or `status` run", file=sys.stderr)
    return EXIT_QUEUED


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code says how it ended (see the operators' guide)."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose or args.command == "listen" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("socketio").setLevel(logging.WARNING)
    logging.getLogger("engineio").setLevel(logging.WARNING)
    try:
        key = _public_key(args.public_key)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    results = Results()
    on_directive = print_json if getattr(args, "json", False) else print_directive
    client = PlatformClient(
        args.url, args.token, args.state_dir, on_directive=on_directive, on_result=results, public_key=key
    )
    try:
        return _listen(client) if args.command == "listen" else _send(client, args, results)
    except Unauthorised as exc:
        print(f"the hub refused the token: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except TamperedDirective as exc:
        print(f"stopped: {exc}", file=sys.stderr)
        return EXIT_TAMPERED


if __name__ == "__main__":
    sys.exit(main())
