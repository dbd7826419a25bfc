"""The enums of the tables' kinds and states, stored as short strings (adding a value is a data change,
not a schema change)."""

from __future__ import annotations

from enum import StrEnum


class OrgKind(StrEnum):
    REGULATOR = "regulator"
    PROVINCE = "province"
    PLATFORM = "platform"


class PlatformKind(StrEnum):
    NEWS_SITE = "news_site"
    SOCIAL_NETWORK = "social_network"


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    EDITOR = "editor"
    MANAGER = "manager"


class DirectiveKind(StrEnum):
    DIRECTIVE = "directive"
    ORIENTATION = "orientation"
    REMINDER = "reminder"
    RECTIFICATION = "rectification"
    REPORT_REQUEST = "report_request"


class Priority(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    FLASH = "flash"


class DirectiveStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    REVOKED = "revoked"
    EXPIRED = "expired"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    DECLINED = "declined"


OPEN_STATES = (
    DeliveryState.PENDING,
    DeliveryState.DELIVERED,
    DeliveryState.ACKNOWLEDGED,
    DeliveryState.IN_PROGRESS,
)


class Verification(StrEnum):
    VERIFIED = "verified"
    RETURNED = "returned"
