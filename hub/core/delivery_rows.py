"""Delivery rows many at a time, as plain values: read and locked for a batch of changes, written back with one
statement per shape of change (the group-commit writer's path, kept set-based so it keeps up with thousands of
platforms)."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, select

from hub.models import Delivery, Directive, Organisation

_TABLE = Delivery.__table__
_WRITTEN = (
    "state", "delivered_at", "acknowledged_at", "acknowledged_by", "in_progress_at", "implemented_at", "declined_at",
    "decline_reason", "report", "reported_by", "verification", "due_at", "next_reminder_at", "reminders_sent",
)  # fmt: skip


def locked(
    session: Session, directive_ids: set[int], platform_ids: set[int]
) -> tuple[dict[tuple[int, int], SimpleNamespace], dict[int, Directive]]:
    """(platform id, directive id) -> the delivery's columns as plain values (and its platform's province), locked
    until the commit; and the directives they belong to."""
    if not directive_ids or not platform_ids:
        return {}, {}
    org = Organisation.__table__
    columns = [_TABLE.c.id, _TABLE.c.directive_id, _TABLE.c.platform_id, _TABLE.c.seq, _TABLE.c.created_at]
    columns.append(org.c.province)
    # Two plain INs use the (directive_id, platform_id) index on SQLite; the exact pairs are picked by the caller.
    query = (
        sa.select(*columns, *(_TABLE.c[name] for name in _WRITTEN))
        .join_from(_TABLE, org, org.c.id == _TABLE.c.platform_id)
        .where(_TABLE.c.directive_id.in_(directive_ids), _TABLE.c.platform_id.in_(platform_ids))
    )
    # Locked in id order until the commit: a receipt or another change of the same row that is not yet committed
    # is waited for and then read as it is, never overwritten from a stale read.
    query = query.order_by(_TABLE.c.id).with_for_update(of=_TABLE)
    # Each row keeps what was read (``read_``), so that only the columns a change touched are written back.
    found = {(r.platform_id, r.directive_id): SimpleNamespace(**r._mapping, read_=r) for r in session.execute(query)}
    ids = {row.directive_id for row in found.values()}
    directives = {d.id: d for d in session.exec(select(Directive).where(Directive.id.in_(ids)))} if ids else {}
    return found, directives


def write(session: Session, rows: list[SimpleNamespace]) -> None:
    """Write back the columns that changed since :func:`locked` read these rows: one statement per set of changed
    columns (:func:`update_each`)."""
    shapes: dict[tuple[str, ...], list[SimpleNamespace]] = {}
    for row in rows:
        changed = tuple(
            name for name, was in zip(_WRITTEN, row.read_[-len(_WRITTEN) :], strict=True) if getattr(row, name) != was
        )
        if changed:
            shapes.setdefault(changed, []).append(row)
    for names, group in shapes.items():
        first = group[0]
        alike = {n: getattr(first, n) for n in names if n in _INLINE and _same(group, n)}
        bound = {n: [getattr(r, n) for r in group] for n in names if n not in alike}
        update_each(session, alike, bound, [r.id for r in group])


def update_each(session: Session, alike: dict[str, object], bound: dict[str, list], ids: list[int]) -> None:
    """Update the deliveries ``ids`` in one statement: each column of ``alike`` to its one value, written into the
    statement (only values the hub makes: states, times, counts); each column of ``bound`` to its value for each
    row, in the order of ``ids`` (who acknowledged, any text a platform sent). A batch of acknowledgements binds two
    plain values a row instead of five, three of them timestamps to convert."""
    connection = session.connection()
    if not _INLINE.issuperset(alike):
        raise ValueError(f"only values the hub makes are written into a statement, not {set(alike) - _INLINE}")
    values = {n: _literal(connection.dialect, n, v) for n, v in alike.items()}
    if connection.dialect.name == "postgresql":
        connection.execute(_update_from_arrays(values, bound, ids))
        return
    # SQLite: one executemany at the driver, which runs it in C (SQLAlchemy's per-row parameter handling would cost
    # more than the update), each bound value converted as the column's type converts it.
    sets = [f"{n} = {value}" for n, value in values.items()] + [f"{n} = ?" for n in bound]
    statement = f"UPDATE delivery SET {', '.join(sets)} WHERE id = ?"  # nosec B608 # column names, hub-made literals
    columns = []
    for name, column in bound.items():
        convert = _TABLE.c[name].type.bind_processor(connection.dialect)
        columns.append([convert(v) for v in column] if convert else column)
    connection.exec_driver_sql(statement, list(zip(*columns, ids, strict=True)))


def _update_from_arrays(values: dict[str, str], bound: dict[str, list], ids: list[int]) -> sa.Update:
    """One UPDATE for all the rows on PostgreSQL, where an executemany is a statement (and a round trip through the
    pipeline) per row: ``UPDATE delivery SET ..., acknowledged_by = changed.acknowledged_by FROM unnest(:ids,
    :acknowledged_by) AS changed(id, acknowledged_by) WHERE delivery.id = changed.id``, one array per column."""
    arrays = [sa.bindparam("ids", ids, type_=ARRAY(sa.Integer))]
    arrays += [sa.bindparam(f"b_{n}", column, type_=ARRAY(_TABLE.c[n].type)) for n, column in bound.items()]
    changed = sa.func.unnest(*arrays).table_valued("id", *bound).render_derived(name="changed")
    values = {**{n: sa.literal_column(v) for n, v in values.items()}, **{n: changed.c[n] for n in bound}}
    return _TABLE.update().where(_TABLE.c.id == changed.c.id).values(values)


def _same(rows: list[SimpleNamespace], name: str) -> bool:
    first = getattr(rows[0], name)
    return all(getattr(r, name) == first for r in rows)


# Columns whose values the hub makes (states, times, counts), never text a platform sent: only these may be written
# into a statement as literals.
_INLINE = frozenset(
    ("state", "delivered_at", "acknowledged_at", "in_progress_at", "implemented_at", "declined_at", "verification",
     "due_at", "next_reminder_at", "reminders_sent")
)  # fmt: skip


def _literal(dialect: sa.Dialect, name: str, value: object) -> str:
    """``value`` as an SQL literal of column ``name``'s type (converted as a bound value would be)."""
    return str(sa.literal(value, _TABLE.c[name].type).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
