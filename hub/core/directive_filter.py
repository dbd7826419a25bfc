"""Which directives a list or a dashboard figure is about: one filter, so that a figure and the list behind it (the
dashboard's drill-down) select the same directives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from hub.core.access import Scope, platform_scope
from hub.core.errors import InvalidInput
from hub.models import Delivery, Directive, DirectiveKind, DirectiveStatus, Organisation

COUNTED_STATUSES = (DirectiveStatus.PUBLISHED, DirectiveStatus.EXPIRED)


@dataclass(frozen=True, slots=True)
class DirectiveFilter:
    """Every field narrows; None (or False) leaves it open.

    ``counted`` is what the dashboard counts: published or since expired. ``since``/``until`` bound the publication
    time. ``province`` keeps directives reaching a platform of that province; ``overdue_at`` those with a delivery
    past its deadline at that time (within the reader's scope, and the province when given).
    """

    status: str | None = None
    kind: str | None = None
    exercise: bool | None = None
    counted: bool = False
    since: datetime | None = None
    until: datetime | None = None
    province: str | None = None
    overdue_at: datetime | None = None

    def conditions(self, scope: Scope) -> list[sa.ColumnElement[bool]]:
        """SQL conditions on :class:`Directive` for this filter, read by a reader of ``scope``."""
        conds: list[sa.ColumnElement[bool]] = []
        if self.status:
            conds.append(Directive.status == _enum(DirectiveStatus, self.status, "status"))
        if self.kind:
            conds.append(Directive.kind == _enum(DirectiveKind, self.kind, "kind"))
        if self.exercise is not None:
            conds.append(Directive.exercise.is_(self.exercise))
        if self.counted:
            conds.append(Directive.status.in_(COUNTED_STATUSES))
        if self.since is not None:
            conds.append(Directive.published_at >= self.since)
        if self.until is not None:
            conds.append(Directive.published_at < self.until)
        if self.province or self.overdue_at is not None:
            conds.append(self._reaching(scope))
        return conds

    def _reaching(self, scope: Scope) -> sa.ColumnElement[bool]:
        """A delivery of the directive to a platform of the scope (and the province; overdue when asked)."""
        query = (
            sa.select(Delivery.id)
            .join(Organisation, Organisation.id == Delivery.platform_id)
            .where(Delivery.directive_id == Directive.id, platform_scope(scope))
        )
        if self.province:
            query = query.where(Organisation.province == self.province)
        if self.overdue_at is not None:
            query = query.where(Delivery.due_at < self.overdue_at)
        return query.exists()


def _enum(enum: type, value: str, name: str):
    try:
        return enum(value)
    except ValueError:
        raise InvalidInput("filter_choice_invalid", field=name, choices=", ".join(m.value for m in enum)) from None
