"""A page per platform: its cursor and on-time rate, its directives, ratio reports and escalations, scoped to the
reader (an officer of a province sees only its platforms)."""

from __future__ import annotations

import re

import pytest

from hub import clock
from hub.core import platforms
from hub.core.access import Principal
from hub.db import read_session
from hub.models import OrgKind, Role
from tests import factories as f


def sign_in(world, user: str) -> None:
    engine = world.app.extensions["hub"].engine
    with world.client.session_transaction() as session:
        session.update(f.signed_in(engine, clock.now(), world.ids[f"user_{user}"]))


def test_the_page_shows_the_platforms_record(world):
    sign_in(world, "reg_manager")
    world.client.set_cookie("lang", "en")
    page = world.client.get(f"/platforms/{world.ids['org_p1']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "P1" in html
    assert len(re.findall(r'<tr data-seq="\d+">', html)) == 2  # central and Hanoi's directive
    assert re.findall(r'id="ratio-table".*?data-period="([^"]+)"', html, re.S) == ["2026-01-01"]
    assert 'id="online">Not connected to this hub process<' in html
    assert "Rectify" not in html  # a manager reads; it does not act


@pytest.mark.parametrize(
    ("who", "platform", "status"),
    [
        ("hni_officer", "org_p3", 404),
        ("hni_officer", "org_p1", 200),
        ("hni_manager", "org_p3", 404),
        ("p1_editor", "org_p1", 403),
    ],
)
def test_the_page_is_scoped_to_the_reader(world, who, platform, status):
    sign_in(world, who)
    assert world.client.get(f"/platforms/{world.ids[platform]}").status_code == status


def test_standing_counts_the_cursor_and_the_on_time_rate(world):
    reader = Principal(org_id=world.ids["org_reg"], org_kind=OrgKind.REGULATOR, role=Role.MANAGER)
    with read_session(world.app.extensions["hub"].engine) as s:
        p1 = platforms.standing(s, reader, world.ids["org_p1"], clock.now())
        p2 = platforms.standing(s, reader, world.ids["org_p2"], clock.now())
    assert (p1.latest_seq, p1.deliveries) == (2, 2)
    assert p1.received_seq >= 1 and p1.behind == p1.latest_seq - p1.received_seq
    assert (p2.received_seq, p2.not_received, p2.behind) == (0, 2, 2)
    assert p2.due == 2 and p2.on_time == 0 and p2.on_time_rate == 0.0


def test_platform_names_link_to_their_page(world):
    sign_in(world, "reg_officer")
    html = world.client.get(f"/console/directives/{world.ids['central']}").get_data(as_text=True)
    assert f'href="/platforms/{world.ids["org_p1"]}"' in html
