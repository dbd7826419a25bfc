"""Pagination shared by every list: a page number and size in, the items and the total out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from hub.core.errors import InvalidInput

T = TypeVar("T")
MAX_PER_PAGE = 500


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def check(page: int, per_page: int) -> None:
    if page < 1:
        raise InvalidInput("page_invalid")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput("per_page_invalid", max=MAX_PER_PAGE)


def paginate(session: Session, query: sa.Select, page: int, per_page: int, *, scalars: bool = True) -> Page[Any]:
    """Run ``query`` for one page, and count all its rows."""
    check(page, per_page)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    result = session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result.all())
    return Page(items, total or 0, page, per_page)
