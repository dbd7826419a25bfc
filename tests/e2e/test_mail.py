"""E-mail from real hub processes (scheduler on) to a real SMTP server: two hubs on PostgreSQL both running the mail
job send one mail per notice; a hub killed while the server is down, restarted after it is back, loses nothing."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from hub import clock
from hub.db import read_session, write_session
from hub.models import MailMessage, User
from tests.e2e.hubproc import wait_until
from tests.e2e.world import World, create_pg_database, drop_pg_database
from tests.mail.smtpd import SmtpServer

pytestmark = pytest.mark.slow


def mailing(server: SmtpServer) -> dict[str, str]:
    return {
        "HUB_SCHEDULER": "1",
        "HUB_SWEEP_INTERVAL": "1",
        "HUB_REPORT_REQUEST_CRON": "off",
        "SMTP_URL": server.url,
        "HUB_MAIL_FROM": "Directive Hub <hub@example.test>",
        "HUB_PUBLIC_URL": "https://hub.example.test",
        "HUB_MAIL_GRACE": "1",
        "HUB_MAIL_INTERVAL": "0.3",
        "HUB_MAIL_FIRST_RETRY": "0.5",
        "HUB_MAIL_TIMEOUT": "2",
    }


def editors(world: World, platform, count: int) -> list[str]:
    addresses = []
    for n in range(count):
        editor = world.editor(platform)
        with write_session(world.engine) as s:
            user = s.get(User, editor.user_id)
            user.email = f"editor{n}.{platform.org.code.lower()}@example.test"
            s.add(user)
            addresses.append(user.email)
    return addresses


def test_two_hubs_on_postgresql_send_one_mail_per_notice(tmp_path):
    url = create_pg_database()
    server = SmtpServer().start()
    world = World(tmp_path / "instance", url)
    try:
        platforms = [world.platform() for _ in range(3)]
        addresses = [a for p in platforms for a in editors(world, p, 2)]
        hubs = world.start_hubs(2, **mailing(server))
        world.publish_quietly(5, {"platforms": [p.org.code for p in platforms]})
        wait_until(lambda: len(server.messages()) >= 5 * len(addresses), 60, 0.1, "every mail")
        time.sleep(2)  # several more runs of both mail jobs: nothing is sent again
        ids = [m["Message-ID"] for m in server.messages()]
        assert len(ids) == 5 * len(addresses) and len(set(ids)) == len(ids)
        assert sorted({str(m["To"].addresses[0].addr_spec) for m in server.messages()}) == sorted(addresses)
        for hub in hubs:
            assert "Mail on: smtp://127.0.0.1" in hub.log_path.read_text()
    finally:
        world.close()
        server.stop()
        drop_pg_database(url)


def test_a_hub_killed_while_the_server_is_down_sends_everything_once_after_a_restart(tmp_path):
    world = World(tmp_path / "instance", f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    server = SmtpServer()  # not started: the server is down
    try:
        platform = world.platform()
        (address,) = editors(world, platform, 1)
        hub = world.hub(**mailing(server))
        world.publish_quietly(2, {"platforms": [platform.org.code]})

        def tried() -> bool:
            with read_session(world.engine) as s:
                rows = s.exec(select(MailMessage)).all()
            return len(rows) == 2 and all(r.attempts >= 1 for r in rows)

        wait_until(tried, 30, 0.1, "two mails tried while the server is down")
        hub.kill()
        server.start()
        hub.start()
        wait_until(lambda: len(server.to(address)) >= 2, 60, 0.1, "both mails after the restart")
        time.sleep(1.5)
        assert len(server.to(address)) == 2
        with read_session(world.engine) as s:
            assert all(r.sent_at is not None and r.sent_at <= clock.now() for r in s.exec(select(MailMessage)))
    finally:
        world.close()
        server.stop()


def test_without_smtp_url_the_hub_says_mail_is_off(tmp_path):
    world = World(tmp_path / "instance", f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    try:
        hub = world.hub()
        assert "Mail is off: no SMTP_URL set" in hub.log_path.read_text()
    finally:
        world.close()
