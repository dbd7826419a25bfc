"""Command line: ``flask --app app <command>``; the commands are module-level and :func:`init_app` registers them."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import NoReturn, TextIO

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import Session, select

from hub import checkpointing, clock
from hub.core import checkpoints, delivery_audit, log, organisations, signing, tokens, users
from hub.core.access import SYSTEM
from hub.core.errors import HubError
from hub.db import describe_migration, migrate, read_session, write_session
from hub.models import ApiToken, Event, OrgKind, PlatformKind, Role, User
from hub.runtime import current_hub

EVENT_COLUMNS = ["id", "at", "kind", "actor", "org_id", "province", "directive_id", "delivery_id", "details", "hash"]


def _fail(exc: HubError) -> NoReturn:
    """Turn a refused core call into click's error: its message on standard error and exit status 1."""
    raise click.ClickException(exc.message)


def _report_chain(result: log.VerifyResult) -> bool:
    """Print what the hash chain check found; true when the chain holds."""
    if result.ok:
        click.echo(f"ok: {result.checked} events, head {result.head_hash}")
    else:
        click.echo(f"BROKEN at event {result.bad_id}: {result.problem} ({result.checked} rows verified before it)")
    return result.ok


def _report_deliveries(result: delivery_audit.DeliveryAudit) -> bool:
    """Print what the delivery audit found; true when every delivery agrees with its events."""
    if result.ok:
        click.echo(f"ok: {result.checked} deliveries agree with their events")
        return True
    click.echo(f"BROKEN: {result.bad} of {result.checked} deliveries disagree with their events")
    for bad in result.examples:
        click.echo(f"  delivery {bad.delivery_id} is {bad.state} but its events say {bad.logged or 'pending'}")
    return False


def _report_checkpoints(result: checkpoints.Audit, name: str) -> bool:
    """Print what the checkpoint audit found; true when the log extends every checkpoint in the file."""
    if result.ok:
        click.echo(f"ok: the log extends all {result.checked} checkpoints in {name}")
        return True
    entry = result.failed
    which = f"checkpoint at line {result.line}" + (f" (row {entry.last_id}, {entry.at})" if entry else "")
    click.echo(f"BROKEN at {which} of {name}: {result.problem} ({result.checked} checkpoints hold before it)")
    return False


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema (Alembic migrations)."""
    applied = current_app.extensions.pop("hub_migrated", []) + migrate(current_hub().engine)
    click.echo(describe_migration(applied))


@click.command("seed-demo")
@click.option("--platforms", default=50, show_default=True)
@with_appcontext
def seed_demo(platforms: int) -> None:
    """Load the demo data (once)."""
    from hub import demo

    hub = current_hub()
    logins = demo.seed(hub.engine, hub.signer, clock.now(), platforms=platforms)
    if not logins:
        click.echo("demo data is already loaded")
    for entry in logins:
        click.echo(f"{entry.login:24} {entry.role:8} {entry.organisation}")
    if logins:
        click.echo(f"password for every demo login: {demo.DEMO_PASSWORD}")


@click.command("create-user")
@click.option("--org", "org_code", required=True, help="organisation code")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--login", required=True)
@click.option("--name", "display_name", required=True)
@click.password_option()
@with_appcontext
def create_user(org_code: str, role: str, login: str, display_name: str, password: str) -> None:
    """Create a user of an organisation."""
    try:
        with write_session(current_hub().engine) as session:
            org = organisations.get_org_by_code(session, org_code)
            users.create_user(
                session,
                SYSTEM,
                clock.now(),
                org_id=org.id,
                role=Role(role),
                login=login,
                display_name=display_name,
                password=password,
            )
    except HubError as exc:
        _fail(exc)
    click.echo(f"created {role} {login}")


@click.command("register-platform")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--province", required=True)
@click.option("--kind", type=click.Choice([k.value for k in PlatformKind]), required=True)
@click.option("--licence", default=None)
@click.option("--domain", "domains", multiple=True)
@with_appcontext
def register_platform(code: str, name: str, province: str, kind: str, licence: str | None, domains: tuple) -> None:
    """Register a platform; it receives at once the directives in force that address it."""
    try:
        with write_session(current_hub().engine) as session:
            org = organisations.create_organisation(
                session,
                SYSTEM,
                clock.now(),
                kind=OrgKind.PLATFORM,
                code=code,
                name=name,
                province=province,
                platform_kind=PlatformKind(kind),
                licence_no=licence,
                domains=list(domains),
            )
            seq = org.delivery_seq
    except HubError as exc:
        _fail(exc)
    click.echo(f"registered {code}; {seq} directive(s) in force delivered")


@click.group("token")
def token() -> None:
    """Issue and revoke API tokens."""


def _issue(session: Session, login: str | None, platform_code: str | None, label: str) -> tuple[ApiToken, str]:
    """Issue a personal token for the user ``login`` or a machine token for the platform ``platform_code``."""
    if login:
        user = session.exec(select(User).where(User.login == login)).first()
        if user is None:
            raise click.ClickException(f"no user {login}")
        return tokens.issue_token(session, SYSTEM, clock.now(), label=label, user_id=user.id)
    org = organisations.get_org_by_code(session, platform_code)
    return tokens.issue_token(session, SYSTEM, clock.now(), label=label, platform_id=org.id)


@token.command("create")
@click.option("--user", "login", default=None, help="a user's login (personal token)")
@click.option("--platform", "platform_code", default=None, help="a platform's code (machine token)")
@click.option("--label", default="cli")
@with_appcontext
def token_create(login: str | None, platform_code: str | None, label: str) -> None:
    """Issue a token and print its secret (shown once)."""
    if (login is None) == (platform_code is None):
        raise click.UsageError("give exactly one of --user and --platform")
    try:
        with write_session(current_hub().engine) as session:
            tok, secret = _issue(session, login, platform_code, label)
    except HubError as exc:
        _fail(exc)
    click.echo(f"token {tok.id} ({label}); the secret is shown only now:", err=True)
    click.echo(secret)


@token.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    """Revoke a token by id."""
    try:
        with write_session(current_hub().engine) as session:
            tokens.revoke_token(session, SYSTEM, clock.now(), token_id)
    except HubError as exc:
        _fail(exc)
    click.echo(f"token {token_id} revoked")


@token.command("list")
@with_appcontext
def token_list() -> None:
    """List tokens (never their secrets)."""
    with read_session(current_hub().engine) as session:
        for t in session.exec(select(ApiToken).order_by(ApiToken.id)):
            state = "revoked" if t.revoked_at else "active"
            click.echo(f"{t.id:5} {t.prefix}… org={t.org_id} user={t.user_id or '-'} {state} {t.label}")


@click.command("verify-log")
@click.option(
    "--against",
    "against",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="a checkpoint file (JSON lines) the log must still extend",
)
@click.option(
    "--key", "key_file", type=click.File("r"), default=None, help="the hub's public key (PEM) to verify them with"
)
@with_appcontext
def verify_log(against: TextIO | None, key_file: TextIO | None) -> None:
    """Recompute the log's hash chain, check deliveries against their events and, with --against, the signed
    checkpoints; exits 1 and names the first failure."""
    public_pem = key_file.read() if key_file else current_hub().signer.public_pem()
    try:
        signing.fingerprint(public_pem)
    except ValueError:
        raise click.ClickException("--key: not a PEM public key") from None
    with read_session(current_hub().engine) as session:
        ok = _report_chain(log.verify(session))
        ok = _report_deliveries(delivery_audit.audit(session)) and ok
        if against is not None:
            ok = _report_checkpoints(checkpoints.audit(session, against, public_pem), against.name) and ok
    if not ok:
        sys.exit(1)


@click.command("checkpoint")
@with_appcontext
def take_checkpoint() -> None:
    """Sign the log's head now, append it to the checkpoint file and tell the consoles."""
    hub = current_hub()
    taken = checkpointing.take(hub, SYSTEM, clock.now())
    if taken is None:
        click.echo("the log has not moved since the last checkpoint; nothing to sign")
        return
    click.echo(f"checkpoint {taken['checkpoint']}: row {taken['last_id']}, head {taken['head']}")
    click.echo(f"signed by key {taken['key_id']}; appended to {hub.settings.checkpoint_file}")


def _event_row(e: Event) -> list:
    """One event as a CSV row, in the order of :data:`EVENT_COLUMNS`."""
    details = log.canonical(e.details)
    return [
        e.id,
        e.at.isoformat(),
        e.kind,
        e.actor,
        e.org_id,
        e.province,
        e.directive_id,
        e.delivery_id,
        details,
        e.hash,
    ]


@click.command("export-events")
@click.option("--directive", "directive_id", type=int, default=None)
@click.option("--kind", default=None)
@with_appcontext
def export_events(directive_id: int | None, kind: str | None) -> None:
    """Write the follow-through log as CSV to standard output."""
    writer = csv.writer(sys.stdout)
    writer.writerow(EVENT_COLUMNS)
    with read_session(current_hub().engine) as session:
        for e in log.iter_events(session, SYSTEM, directive_id=directive_id, kind=kind):
            writer.writerow(_event_row(e))


@click.command("backup")
@click.option("--to", "to", type=click.Path(dir_okay=False), default=None, help="the backup file (must not exist)")
@with_appcontext
def take_backup(to: str | None) -> None:
    """Back the database up (SQLite's online backup, or pg_dump) and the attachment files beside it, and report the
    log's head in the backup."""
    from hub import backup

    hub = current_hub()
    now = clock.now()
    target = Path(to) if to else backup.default_path(hub.settings.instance_path, hub.engine, now)
    try:
        report = backup.take(hub.engine, target, now, attachments=hub.blobs.root)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for line in report.lines():
        click.echo(line)
    click.echo(f"report: {report.write_json()}")


@click.command("scheduler")
@with_appcontext
def run_scheduler() -> None:
    """Run the scheduler alone (for deployments with several hub processes)."""
    from hub import scheduler

    scheduler.run_forever(current_app._get_current_object())


COMMANDS = (
    init_db,
    seed_demo,
    create_user,
    register_platform,
    token,
    verify_log,
    take_checkpoint,
    export_events,
    take_backup,
    run_scheduler,
)


def init_app(app: Flask) -> None:
    """Register the hub's commands on ``app``, where ``flask --app app`` finds them."""
    for command in COMMANDS:
        app.cli.add_command(command)
