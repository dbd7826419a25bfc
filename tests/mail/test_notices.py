"""E-mail notices read from a real SMTP server (aiosmtpd in this process): the right people, in their language, at
once or in the day's digest, retried while the server is down, once each; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from hub.core import mail_notices, mail_outbox
from hub.core.receipts import ReceiptIn, record_receipts
from hub.core.sweep import sweep
from hub.db import make_engine, read_session, write_session
from hub.mail import smtp
from hub.mail.compose import Letterhead
from hub.mail.dispatcher import MailConfig, MailDispatcher
from hub.models import Event, MailMessage, OrgKind, Priority, Role, User
from tests import factories as f
from tests.conftest import T0
from tests.mail.smtpd import SmtpServer, text_of

BASE = "https://hub.example.test"
FAST = mail_outbox.RetryPolicy(first_wait=timedelta(seconds=30), longest_wait=timedelta(minutes=1))


@pytest.fixture
def server():
    s = SmtpServer().start()
    yield s
    s.stop()


def dispatcher(engine, server: SmtpServer) -> MailDispatcher:
    config = MailConfig(
        server=smtp.parse(server.url),
        letterhead=Letterhead("Directive Hub <hub@example.test>", BASE),
        rules=mail_notices.MailRules(grace=timedelta(minutes=2)),
        retry=FAST,
        timeout=5.0,
    )
    return MailDispatcher(engine, config)


def person(engine, org, role, email, locale=None, notices="immediate"):
    principal = f.user(engine, T0, org, role)
    with write_session(engine) as s:
        user = s.get(User, principal.user_id)
        user.email, user.locale, user.mail_notices = email, locale, notices
        s.add(user)
    return principal


@pytest.fixture
def world(engine, server):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    w = {"engine": engine, "officer": person(engine, regulator, Role.OFFICER, "central@example.test")}
    for code in ("HNI", "HCM"):
        dept = f.org(engine, T0, OrgKind.PROVINCE, code)
        person(engine, dept, Role.OFFICER, f"officer.{code.lower()}@example.test", "en")
    w["a"], w["b"], w["c"] = (f.org(engine, T0, OrgKind.PLATFORM, p) for p in ("HNI", "HNI", "HCM"))
    person(engine, w["a"], Role.EDITOR, "a.vi@example.test", "vi")
    person(engine, w["a"], Role.EDITOR, "a.en@example.test", "en")
    person(engine, w["b"], Role.EDITOR, "b@example.test", "en")
    person(engine, w["c"], Role.EDITOR, "c@example.test", "en")
    f.user(engine, T0, w["b"], Role.EDITOR)  # no e-mail address: never mailed
    w["mail"] = dispatcher(engine, server)  # mail turned on before anything happened
    return w


def publish(world, audience, at=T0, **kw):
    return f.published(world["engine"], at, world["officer"], audience, **kw).directive


def received(engine, platform, directive, at):
    with write_session(engine) as s:
        record_receipts(s, at, [ReceiptIn(platform.id, "socket", directive_id=directive.id)])


def preference(engine, email, choice):
    with write_session(engine) as s:
        user = s.exec(select(User).where(User.email == email)).one()
        mail_notices.set_preferences(s, user.id, choice, user.locale)


def recipients(server):
    return sorted(str(m["To"].addresses[0].addr_spec) for m in server.messages())


def test_only_editors_of_platforms_that_have_not_received_it_are_mailed_after_the_grace(world, server):
    engine = world["engine"]
    directive = publish(world, {"provinces": ["HNI"]})
    received(engine, world["a"], directive, T0 + timedelta(seconds=30))
    d = world["mail"]
    assert d.tick(T0 + timedelta(minutes=1)) == 0  # within the grace: nobody yet
    assert d.tick(T0 + timedelta(minutes=3)) == 1
    assert recipients(server) == ["b@example.test"]  # a received it live; c is not addressed
    assert d.tick(T0 + timedelta(minutes=10)) == 0


def test_each_editor_reads_the_mail_in_their_language_with_a_link_and_the_deadline(world, server):
    directive = publish(world, {"platforms": [world["a"].code]}, ack_due_at=T0 + timedelta(days=1), title="Bão số 3")
    world["mail"].tick(T0 + timedelta(minutes=3))
    vi, en = server.to("a.vi@example.test")[0], server.to("a.en@example.test")[0]
    assert vi["Subject"].startswith("Chỉ đạo mới") and directive.ref_no in vi["Subject"]
    assert en["Subject"] == f"New directive {directive.ref_no} not yet received: Bão số 3"
    assert vi["Content-Language"] == "vi" and en["Content-Language"] == "en"
    for message in (vi, en):
        body = text_of(message)
        assert f"{BASE}/inbox/{directive.id}" in body
        assert "08:00 03/03/2026" in body  # T0 + 1 day in the hub's zone
        html = message.get_body(preferencelist=("html",)).get_content()
        assert f'href="{BASE}/inbox/{directive.id}"' in html
    assert "08:00 03/03/2026 (giờ Asia/Ho_Chi_Minh, UTC+07:00)" in text_of(vi)
    assert "08:00 03/03/2026 (Asia/Ho_Chi_Minh, UTC+07:00)" in text_of(en)


def test_deadlines_are_shown_in_the_hubs_configured_time_zone_with_its_name(world, server, engine):
    d = dispatcher(engine, server)
    head = d.config.letterhead
    config = replace(d.config, letterhead=replace(head, timezone="Europe/Paris"))
    paris = MailDispatcher(engine, config)
    publish(world, {"platforms": [world["b"].code]}, ack_due_at=T0 + timedelta(days=1))
    paris.tick(T0 + timedelta(minutes=3))
    (message,) = server.to("b@example.test")
    assert "02:00 03/03/2026 (Europe/Paris, UTC+01:00)" in text_of(message)


def test_a_digest_gathers_the_days_notices_into_one_mail_at_the_digest_hour(world, server):
    engine = world["engine"]
    preference(engine, "b@example.test", "digest")
    first = publish(world, {"platforms": [world["b"].code]}, title="First notice")
    second = publish(world, {"platforms": [world["b"].code]}, at=T0 + timedelta(minutes=1), title="Second notice")
    d = world["mail"]
    d.tick(T0 + timedelta(minutes=5))
    assert server.to("b@example.test") == []
    d.tick(T0 + timedelta(hours=23, minutes=59))  # T0 is 08:00 in Hanoi: the next digest is tomorrow at 08:00
    assert server.to("b@example.test") == []
    d.tick(T0 + timedelta(days=1))
    (digest,) = server.to("b@example.test")
    body = text_of(digest)
    assert "2 notices" in digest["Subject"]
    assert first.ref_no in body and second.ref_no in body and "First notice" in body and "Second notice" in body
    d.tick(T0 + timedelta(days=1, minutes=1))
    assert len(server.to("b@example.test")) == 1


def test_off_stops_routine_notices_but_not_urgent_ones(world, server):
    engine = world["engine"]
    preference(engine, "b@example.test", "off")
    publish(world, {"platforms": [world["b"].code]}, title="Routine")
    urgent = publish(world, {"platforms": [world["b"].code]}, title="Storm", priority=Priority.URGENT)
    world["mail"].tick(T0 + timedelta(minutes=3))
    (message,) = server.to("b@example.test")
    assert message["Subject"].startswith("[Urgent]") and urgent.ref_no in message["Subject"]


def test_an_escalation_reaches_the_officers_of_the_platforms_province(world, server):
    engine = world["engine"]
    due = T0 + timedelta(hours=1)
    directive = publish(
        world, {"platforms": [world["a"].code, world["c"].code]}, ack_due_at=due, escalate_after_minutes=30
    )
    for platform in (world["a"], world["c"]):
        received(engine, platform, directive, T0 + timedelta(seconds=5))
    sweep(engine, due + timedelta(minutes=31), f.SIGNER)
    world["mail"].tick(due + timedelta(minutes=32))
    (hni,) = server.to("officer.hni@example.test")
    (hcm,) = server.to("officer.hcm@example.test")
    assert world["a"].name in hni["Subject"] and world["c"].name in hcm["Subject"]
    assert f"{BASE}/console/directives/{directive.id}" in text_of(hni)
    assert server.to("central@example.test") == []
    overdue = server.to("a.en@example.test")  # the reminder at the deadline is urgent: the editors are told too
    assert overdue and overdue[0]["Subject"].startswith("[Urgent] Deadline passed")


def test_while_the_server_is_down_mail_waits_and_is_sent_once_when_it_is_back(world, server):
    engine = world["engine"]
    server.stop()
    publish(world, {"platforms": [world["b"].code]})
    d = world["mail"]
    assert d.tick(T0 + timedelta(minutes=3)) == 0
    with read_session(engine) as s:
        (row,) = s.exec(select(MailMessage)).all()
    assert row.attempts == 1 and row.sent_at is None and "cannot reach" in row.last_error
    server.start()
    assert d.tick(T0 + timedelta(minutes=3, seconds=5)) == 0  # still waiting for its retry
    assert d.tick(T0 + timedelta(minutes=5)) == 1
    assert d.tick(T0 + timedelta(minutes=10)) == 0
    (message,) = server.messages()
    with read_session(engine) as s:
        row = s.get(MailMessage, row.id)
    assert row.sent_at is not None and row.message_id == message["Message-ID"]


def test_a_mail_failing_for_too_long_is_given_up_and_recorded(world, server):
    engine = world["engine"]
    server.stop()
    publish(world, {"platforms": [world["b"].code]})
    d = world["mail"]
    d.tick(T0 + timedelta(minutes=3))
    d.tick(T0 + timedelta(hours=80))
    server.start()
    assert d.tick(T0 + timedelta(hours=90)) == 0
    with read_session(engine) as s:
        (row,) = s.exec(select(MailMessage)).all()
        (logged,) = s.exec(select(Event).where(Event.kind == "mail_given_up")).all()
    assert row.failed_at is not None and row.sent_at is None and row.last_error
    # the log says who was not reached, about what, and why: on the log page, and for verify-log
    assert logged.org_id == world["b"].id and logged.directive_id == row.directive_id
    assert logged.details["notice"] == row.kind and "cannot reach" in logged.details["error"]
    assert logged.details["attempts"] == row.attempts >= 2


def test_a_restart_between_filling_and_sending_loses_nothing_and_sends_once(world, server, db_url):
    engine = world["engine"]
    publish(world, {"provinces": ["HNI"]})
    with write_session(engine) as s:
        assert mail_notices.fill(s, T0 + timedelta(minutes=3), mail_notices.MailRules()) == 3
    engine.dispose()  # the process that filled the outbox is gone
    fresh = make_engine(db_url)
    try:
        assert dispatcher(fresh, server).tick(T0 + timedelta(minutes=4)) == 3
        assert dispatcher(fresh, server).tick(T0 + timedelta(minutes=5)) == 0
    finally:
        fresh.dispose()
    assert recipients(server) == ["a.en@example.test", "a.vi@example.test", "b@example.test"]


def test_two_senders_at_once_send_each_mail_once(world, server):
    engine = world["engine"]
    for i in range(6):
        publish(world, {"provinces": ["HNI", "HCM"]}, title=f"D{i}")
    senders = [dispatcher(engine, server) for _ in range(2)]
    errors: list[BaseException] = []

    def run(d):
        try:
            for _ in range(3):
                d.tick(T0 + timedelta(minutes=3))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = [m["Message-ID"] for m in server.messages()]
    assert len(ids) == 6 * 4 and len(set(ids)) == len(ids)
