"""Audience rules: which platforms a directive addresses.

A rule is data: ``all``, or any mix of provinces, platform kinds and named platforms. Provinces and kinds narrow
each other (social networks *in* Hanoi); named platforms are added to that. A provincial department's rule is always
confined to its own province.
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator
from sqlmodel import Session, select

from hub.core.errors import MESSAGES, Forbidden, InvalidInput
from hub.models import Organisation, OrgKind, PlatformKind
from hub.provinces import PROVINCES

NAMED = ("provinces", "platform_kinds", "platforms")
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]+$"  # an organisation's code (see registry.CODE_RE)


class Audience(BaseModel):
    """Who a directive addresses (never nobody: the document says so with ``anyOf``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"properties": {"all": {"const": True}}, "required": ["all"]},
                *({"properties": {name: {"minItems": 1}}, "required": [name]} for name in NAMED),
            ]
        },
    )

    all: StrictBool = False
    provinces: list[Annotated[str, Field(json_schema_extra={"enum": sorted(PROVINCES)})]] = Field(
        default_factory=list, max_length=len(PROVINCES)
    )
    platform_kinds: list[PlatformKind] = Field(default_factory=list, max_length=2)
    platforms: list[Annotated[str, Field(min_length=2, max_length=64, pattern=CODE_PATTERN)]] = Field(
        default_factory=list, max_length=10_000, description="platform codes (an unknown code is a 404)"
    )

    @field_validator("provinces")
    @classmethod
    def _known_provinces(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PROVINCES))
        if unknown:
            raise ValueError(f"unknown province codes: {', '.join(unknown)}")
        return sorted(set(value))

    @property
    def is_empty(self) -> bool:
        return not (self.all or self.provinces or self.platform_kinds or self.platforms)


def parse(data: Any) -> Audience:
    """An :class:`Audience` from stored or submitted data, or InvalidInput; an empty one addresses nobody."""
    try:
        audience = data if isinstance(data, Audience) else Audience.model_validate(data or {})
    except ValidationError as exc:
        raise InvalidInput("audience_invalid", details=exc.errors(include_url=False, include_context=False)) from None
    if audience.is_empty:
        message = MESSAGES["audience_empty"]
        raise InvalidInput("audience_empty", details=[{"loc": ["audience"], "msg": message, "type": "empty"}])
    return audience


def confine(session: Session, audience: Audience, province: str | None) -> Audience:
    """A provincial department's rule as it is meant and stored: ``all`` is every platform *of its province*, and a
    province or platform outside it is an error naming them (never silently dropped). Others' rules are unchanged."""
    if province is None:
        return audience
    provinces = [p for p in audience.provinces if p != province]
    platforms: list[str] = []
    if audience.platforms:
        platforms = sorted(
            session.exec(
                select(Organisation.code).where(
                    Organisation.code.in_(audience.platforms),
                    Organisation.kind == OrgKind.PLATFORM,
                    Organisation.province != province,
                )
            )
        )
    if provinces or platforms:
        names = ", ".join([*provinces, *platforms])
        raise Forbidden("out_of_scope", details={"provinces": provinces, "platforms": platforms}, names=names)
    if audience.all:
        return Audience(provinces=[province])
    return audience


def condition(audience: Audience, issuer_province: str | None) -> sa.ColumnElement[bool]:
    """A SQL condition on :class:`Organisation` selecting the active platforms the rule addresses."""
    base = sa.and_(Organisation.kind == OrgKind.PLATFORM, Organisation.active.is_(True))
    if audience.all:
        match: sa.ColumnElement[bool] = sa.true()
    else:
        parts = []
        if audience.provinces or audience.platform_kinds:
            narrow = []
            if audience.provinces:
                narrow.append(Organisation.province.in_(audience.provinces))
            if audience.platform_kinds:
                narrow.append(Organisation.platform_kind.in_([k.value for k in audience.platform_kinds]))
            parts.append(sa.and_(*narrow))
        if audience.platforms:
            parts.append(Organisation.code.in_(audience.platforms))
        match = sa.or_(*parts) if parts else sa.false()
    if issuer_province is not None:
        base = sa.and_(base, Organisation.province == issuer_province)
    return sa.and_(base, match)


def matches(audience: Audience, platform: Organisation, issuer_province: str | None) -> bool:
    """Whether the rule addresses ``platform`` (the same rule as :func:`condition`, in Python)."""
    if platform.kind != OrgKind.PLATFORM or not platform.active:
        return False
    if issuer_province is not None and platform.province != issuer_province:
        return False
    if audience.all or platform.code in audience.platforms:
        return True
    if not (audience.provinces or audience.platform_kinds):
        return False
    in_province = not audience.provinces or platform.province in audience.provinces
    of_kind = not audience.platform_kinds or platform.platform_kind in audience.platform_kinds
    return in_province and of_kind


def unknown_platforms(session: Session, audience: Audience) -> list[str]:
    """Named platform codes that match no platform (so a typo is an error, not a silent omission)."""
    if not audience.platforms:
        return []
    found = set(
        session.exec(
            select(Organisation.code).where(
                Organisation.code.in_(audience.platforms), Organisation.kind == OrgKind.PLATFORM
            )
        )
    )
    return sorted(set(audience.platforms) - found)


def count(session: Session, audience: Audience, issuer_province: str | None) -> int:
    """How many platforms the rule addresses now (shown to the officer before publishing)."""
    return session.scalar(sa.select(sa.func.count(Organisation.id)).where(condition(audience, issuer_province)))
