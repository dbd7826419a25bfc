"""Demo data: the central regulator, a department for each of the 34 provinces, about fifty platforms, users for
every role and a few directives in various states. Idempotent: does nothing if the regulator already exists."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from hub.core import deliveries, directives, registry, reports
from hub.core.access import SYSTEM, Principal
from hub.core.directives import DirectiveInput
from hub.core.reports import RatioReportInput
from hub.core.signing import Signer
from hub.db import write_session
from hub.models import Organisation, OrgKind, PlatformKind, Role
from hub.provinces import PROVINCES

DEMO_PASSWORD = "hub-demo-2024"  # nosec B105 # the demo logins' published password; production sets HUB_SEED_DEMO=0
REGULATOR_CODE = "CUC-PTTH"
SEED_TEXT = Path(__file__).with_name("demo_data") / "dispatch-664-2024.vi.txt"

_NEWS = ["Tin Nhanh", "Thời Sự", "Bản Tin", "Nhịp Sống", "Góc Nhìn", "Điểm Tin", "Tin Tổng Hợp", "Đời Sống"]
_SOCIAL = ["Kết Nối", "Cộng Đồng", "Chia Sẻ", "Bạn Bè", "Làng Mạng", "Kênh Việt", "Sóng Trẻ"]
_BUSY = ["HNI", "HCM", "HNI", "HCM", "DNG", "HPG", "CTO", "HUE"]


@dataclass
class DemoLogin:
    login: str
    role: str
    organisation: str


def seed(engine: Engine, signer: Signer, now: datetime, platforms: int = 50) -> list[DemoLogin]:
    """Load the demo data (once); returns the demo logins."""
    with write_session(engine) as session:
        if session.exec(select(Organisation).where(Organisation.code == REGULATOR_CODE)).first():
            return []
    rng = random.Random(664)  # nosec B311 # the same demo data on every machine; nothing secret rests on it
    logins: list[DemoLogin] = []
    with write_session(engine) as session:
        regulator = registry.create_organisation(
            session,
            SYSTEM,
            now,
            kind=OrgKind.REGULATOR,
            code=REGULATOR_CODE,
            name="Cục Phát thanh, truyền hình và thông tin điện tử",
            ref_suffix="PTTH&TTĐT",
        )
        for code, (vi, _en) in PROVINCES.items():
            registry.create_organisation(
                session,
                SYSTEM,
                now,
                kind=OrgKind.PROVINCE,
                code=f"SO-{code}",
                name=f"Sở Văn hóa, Thể thao và Du lịch {vi.removeprefix('Tỉnh ').removeprefix('Thành phố ')}",
                province=code,
                ref_suffix=f"SVHTTDL-{code}",
            )
        provinces = list(PROVINCES)
        for i in range(1, platforms + 1):
            social = i % 3 == 0
            province = _BUSY[(i // 2) % len(_BUSY)] if i % 2 else provinces[i % len(provinces)]
            word = (_SOCIAL if social else _NEWS)[i % len(_SOCIAL if social else _NEWS)]
            slug = f"{'mxh' if social else 'tin'}{i:02d}"
            registry.create_organisation(
                session,
                SYSTEM,
                now,
                kind=OrgKind.PLATFORM,
                code=f"P-{slug.upper()}",
                name=f"{'Mạng xã hội' if social else 'Trang'} {word} {i:02d}",
                province=province,
                platform_kind=PlatformKind.SOCIAL_NETWORK if social else PlatformKind.NEWS_SITE,
                licence_no=f"{100 + i}/GP-{'MXH' if social else 'TTĐT'}",
                domains=[f"{slug}.example.vn"],
            )

        shared_hash = registry.hash_password(DEMO_PASSWORD)  # one Argon2 run for all demo users

        def user(org_code: str, role: Role, login: str, name: str) -> Principal:
            org = session.exec(select(Organisation).where(Organisation.code == org_code)).one()
            u = registry.create_user(
                session,
                SYSTEM,
                now,
                org_id=org.id,
                role=role,
                login=login,
                display_name=name,
                password=DEMO_PASSWORD,
                password_hash=shared_hash,
            )
            logins.append(DemoLogin(login, role.value, org.name))
            return registry.principal_for_user(session, u)

        user(REGULATOR_CODE, Role.ADMIN, "admin", "Quản trị hệ thống")
        officer = user(REGULATOR_CODE, Role.OFFICER, "officer", "Nguyễn Văn An")
        user(REGULATOR_CODE, Role.MANAGER, "manager", "Trần Thị Bình")
        hn_officer = user("SO-HNI", Role.OFFICER, "officer.hni", "Lê Minh Châu")
        user("SO-HNI", Role.MANAGER, "manager.hni", "Phạm Thu Dung")
        user("SO-HCM", Role.OFFICER, "officer.hcm", "Võ Quốc Em")
        hn_platforms = session.exec(
            select(Organisation).where(Organisation.kind == OrgKind.PLATFORM).order_by(Organisation.id)
        ).all()
        editors = {}
        for org in hn_platforms[:6]:
            editors[org.id] = user(org.code, Role.EDITOR, f"editor.{org.code[2:].lower()}", f"Biên tập {org.code[2:]}")
        regulator_id = regulator.id

    body = SEED_TEXT.read_text(encoding="utf-8")
    with write_session(engine) as session:
        main = directives.create(
            session,
            officer,
            now - timedelta(days=3),
            DirectiveInput(
                kind="directive",
                title=(
                    "Đẩy mạnh tuyên truyền, lan tỏa thông tin tích cực, hạn chế thông tin tiêu cực trên không gian mạng"
                ),
                body=body,
                priority="urgent",
                audience={"all": True},
                legal_basis="Công văn số 664/PTTH&TTĐT ngày 29/3/2024",
            ),
        )
        published = directives.publish(session, officer, now - timedelta(days=3), main.id, signer)
        directives.create(
            session,
            officer,
            now,
            DirectiveInput(
                kind="orientation",
                title="Định hướng thông tin về kỳ nghỉ lễ",
                body="Ưu tiên thông tin về an toàn giao thông.",
                audience={"platform_kinds": ["news_site"]},
            ),
        )
        directives.create(
            session,
            officer,
            now,
            DirectiveInput(
                kind="reminder",
                title="Nhắc lịch báo cáo tỷ lệ thông tin tháng",
                body="Gửi số liệu trước ngày 5.",
                audience={"all": True},
                publish_at=now + timedelta(days=1),
            ),
        )
        flash = directives.create(
            session,
            officer,
            now - timedelta(hours=5),
            DirectiveInput(
                kind="orientation",
                title="Diễn tập: phản ứng nhanh với tin giả",
                body="Bài diễn tập, không tính vào thống kê.",
                priority="flash",
                audience={"platform_kinds": ["social_network"]},
                exercise=True,
            ),
        )
        directives.publish(session, officer, now - timedelta(hours=5), flash.id, signer)
        wrong = directives.create(
            session,
            officer,
            now - timedelta(days=1),
            DirectiveInput(
                kind="orientation",
                title="Định hướng (gửi nhầm)",
                body="Văn bản này đã được thu hồi.",
                audience={"provinces": ["HCM"]},
            ),
        )
        directives.publish(session, officer, now - timedelta(days=1), wrong.id, signer)
        directives.revoke(session, officer, now - timedelta(hours=20), wrong.id, "Gửi nhầm đối tượng")
        local = directives.create(
            session,
            hn_officer,
            now - timedelta(days=2),
            DirectiveInput(
                kind="rectification",
                title="Chấn chỉnh việc đăng tải tin giật gân",
                body="Đề nghị rà soát các tin bài có tiêu đề gây sốc trong tuần qua.",
                audience={"provinces": ["HNI"]},
            ),
        )
        directives.publish(session, hn_officer, now - timedelta(days=2), local.id, signer)

    with write_session(engine) as session:
        for n, editor in enumerate(editors.values()):
            at = now - timedelta(days=3) + timedelta(minutes=20 + 37 * n)
            if n < 5:
                deliveries.acknowledge(session, editor, at, published.directive.id)
            if n < 3:
                deliveries.set_status(
                    session,
                    editor,
                    at + timedelta(hours=6),
                    published.directive.id,
                    "implemented",
                    "Đã rà soát và điều chỉnh tỷ lệ tin bài.",
                )
            month = date(now.year, now.month, 1)
            start = (month - timedelta(days=1)).replace(day=1)
            total = rng.randint(800, 3000)
            negative = int(total * rng.choice([0.06, 0.09, 0.12, 0.16, 0.18, 0.11]))
            reports.submit(
                session,
                editor,
                now,
                RatioReportInput(
                    period_start=start,
                    period_end=month - timedelta(days=1),
                    items_published=total,
                    negative_items=negative,
                ),
                threshold=0.15,
            )
    del regulator_id
    return logins
