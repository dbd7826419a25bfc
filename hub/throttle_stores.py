"""Where failed sign-ins are counted: the database by default, Redis when the hub has one.

Either way the count is shared by every hub process behind the load balancer and survives a restart.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from hub.core.throttle import Tally, ThrottleStore
from hub.models import LoginThrottle

TABLE = LoginThrottle.__table__


class SqlStore:
    """Tallies in the ``loginthrottle`` table; one upsert per failure, so concurrent failures all count."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def tally(self, key: str) -> Tally | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(TABLE).where(TABLE.c.key == key)).first()
        return Tally(row.failures, row.window_start, row.last_failure_at) if row else None

    def record_failure(self, key: str, now: datetime, window: timedelta) -> None:
        expired = TABLE.c.window_start <= now - window
        statement = self.insert(TABLE).values(key=key, failures=1, window_start=now, last_failure_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={
                "failures": sa.case((expired, 1), else_=TABLE.c.failures + 1),
                "window_start": sa.case((expired, now), else_=TABLE.c.window_start),
                "last_failure_at": now,
            },
        )
        with self.engine.begin() as conn:
            conn.execute(statement)

    def forget(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(TABLE).where(TABLE.c.key == key))


# Starts a new window when the old one is over; the key expires by itself once nothing can depend on it.
_RECORD = """
local start = redis.call('HGET', KEYS[1], 'start')
if (not start) or tonumber(start) <= tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'failures', 1, 'start', ARGV[1], 'last', ARGV[1])
else
  redis.call('HINCRBY', KEYS[1], 'failures', 1)
  redis.call('HSET', KEYS[1], 'last', ARGV[1])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
"""


class RedisStore:
    """Tallies as Redis hashes under ``prefix``; a Lua script makes each failure one atomic step."""

    KEEP_AFTER_WINDOW = timedelta(minutes=15)  # the longest delay can outlast the window by this much

    def __init__(self, url: str, prefix: str) -> None:
        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self.script = self.redis.register_script(_RECORD)

    def tally(self, key: str) -> Tally | None:
        failures, start, last = self.redis.hmget(self.prefix + key, "failures", "start", "last")
        if failures is None or start is None or last is None:
            return None
        return Tally(int(failures), _time(start), _time(last))

    def record_failure(self, key: str, now: datetime, window: timedelta) -> None:
        ttl = int((window + self.KEEP_AFTER_WINDOW).total_seconds())
        self.script(keys=[self.prefix + key], args=[now.timestamp(), (now - window).timestamp(), ttl])

    def forget(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


def _time(raw: bytes) -> datetime:
    return datetime.fromtimestamp(float(raw), UTC)


def make_store(engine: Engine, redis_url: str, prefix: str) -> ThrottleStore:
    """Redis when a Redis URL is configured, the database otherwise."""
    if redis_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(redis_url, prefix)
    return SqlStore(engine)
