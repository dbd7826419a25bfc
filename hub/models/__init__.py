"""The hub's tables (SQLModel) and the enums of their states, one module per part of the domain; everything is
importable from ``hub.models``.

All times are timezone-aware UTC. Enum-valued columns are stored as short strings rather than database enum types
so that adding a value is a data change, not a schema change.
"""

from hub.models.accounts import ApiToken, LoginThrottle, Organisation, User, UserSession
from hub.models.columns import UTCDateTime, str_field, utc_field
from hub.models.directives import Attachment, Delivery, Directive, DirectiveTemplate, Question, RatioReport
from hub.models.enums import (
    OPEN_STATES,
    DeliveryState,
    DirectiveKind,
    DirectiveStatus,
    OrgKind,
    PlatformKind,
    Priority,
    Role,
    Verification,
)
from hub.models.housekeeping import HeldForm, SchedulerLock
from hub.models.log import Counter, Event, LogCheckpoint, LogHead
from hub.models.mail import MailMessage
from hub.models.webhooks import Webhook, WebhookMessage

__all__ = [
    "OPEN_STATES",
    "ApiToken",
    "Attachment",
    "Counter",
    "Delivery",
    "DeliveryState",
    "Directive",
    "DirectiveKind",
    "DirectiveStatus",
    "DirectiveTemplate",
    "Event",
    "HeldForm",
    "LogCheckpoint",
    "LogHead",
    "LoginThrottle",
    "MailMessage",
    "OrgKind",
    "Organisation",
    "PlatformKind",
    "Priority",
    "Question",
    "RatioReport",
    "Role",
    "SchedulerLock",
    "UTCDateTime",
    "User",
    "UserSession",
    "Verification",
    "Webhook",
    "WebhookMessage",
    "str_field",
    "utc_field",
]
