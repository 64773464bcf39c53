"""SQL implementation of :class:`~suo.shortener.counters.CounterStore`.

One table, ``suo_counters``: a key, a counter or a value, and when it
expires. Each operation is one ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` statement (SQLite 3.35+ and PostgreSQL), so racing workers never
lose a bump and of two racing claims exactly one value is kept. Expired rows
are restarted in place by the same statement and swept now and then.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from suo.storage._common import dumps, loads
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime

counters = sa.Table(
    "suo_counters",
    METADATA,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("n", sa.BigInteger),  # a counter's value
    sa.Column("value", sa.String(255)),  # a claimed value
    sa.Column("expires_at", UTCDateTime),  # NULL: never
    sa.Index("suo_counters_expires", "expires_at"),
)


def _until(ttl: float | None, now: datetime) -> datetime | None:
    return None if ttl is None else now + timedelta(seconds=ttl)


class SQLCounters(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore`: expiring counters and values."""

    def _expired(self, now: datetime) -> sa.ColumnElement[bool]:
        c = counters.c
        return sa.and_(
            c.expires_at.is_not(None), c.expires_at <= sa.bindparam("now_", now, UTCDateTime())
        )

    def _async_commit(self, conn: sa.Connection) -> None:
        # A lost bump or claim (the server crashing in the next few ms) costs an
        # A/B split one visitor's place or a throttle one try: not worth an fsync.
        if self.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")

    def _maybe_sweep(self, conn: sa.Connection, now: datetime) -> None:
        # Keys nobody reads again (a visitor's sticky variant) are deleted by
        # one write in 1024 rather than by a background job.
        if secrets.randbelow(1024) == 0:
            conn.execute(counters.delete().where(counters.c.expires_at <= now))

    def bump(self, key: str, *, ttl: float | None, now: datetime, by: int = 1) -> int:
        c = counters.c
        stmt = self._insert_stmt(counters).values(key=key, n=by, expires_at=_until(ttl, now))
        expired = self._expired(now)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "n": sa.case((expired, by), else_=sa.func.coalesce(c.n, 0) + by),
                "expires_at": sa.case((expired, stmt.excluded.expires_at), else_=c.expires_at),
                "value": sa.case((expired, None), else_=c.value),
            },
        ).returning(c.n)
        with self._tx() as conn:
            self._async_commit(conn)
            n = conn.execute(stmt).scalar_one()
            self._maybe_sweep(conn, now)
        return int(n)

    def count(self, key: str, *, now: datetime) -> tuple[int, float]:
        c = counters.c
        q = sa.select(c.n, c.expires_at).where(c.key == key)
        with self._tx() as conn:
            row = conn.execute(q).first()
        if row is None or row.n is None or (row.expires_at is not None and row.expires_at <= now):
            return 0, 0.0
        left = 0.0 if row.expires_at is None else (row.expires_at - now).total_seconds()
        return int(row.n), left

    def claim(self, key: str, value: str, *, ttl: float | None, now: datetime) -> str:
        c = counters.c
        stmt = self._insert_stmt(counters).values(key=key, value=value, expires_at=_until(ttl, now))
        stale = sa.or_(self._expired(now), c.value.is_(None))
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "value": sa.case((stale, stmt.excluded.value), else_=c.value),
                "expires_at": sa.case((stale, stmt.excluded.expires_at), else_=c.expires_at),
            },
        ).returning(c.value)
        with self._tx() as conn:
            self._async_commit(conn)
            stored = conn.execute(stmt).scalar_one()
            self._maybe_sweep(conn, now)
        return str(stored)

    def peek(self, key: str, *, now: datetime) -> str | None:
        c = counters.c
        with self._tx() as conn:
            row = conn.execute(sa.select(c.value, c.expires_at).where(c.key == key)).first()
        if row is None or (row.expires_at is not None and row.expires_at <= now):
            return None
        return None if row.value is None else str(row.value)


domains = sa.Table(
    "suo_domains",
    METADATA,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),  # Domain.to_dict() as JSON
)


class SQLDomains(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore`: short domains, one row each."""

    def save_domain(self, name: str, data: Mapping[str, Any]) -> None:
        stmt = self._insert_stmt(domains).values(name=name, data=dumps(dict(data)))
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"data": stmt.excluded.data}
        )
        with self._tx() as conn:
            conn.execute(stmt)

    def load_domains(self) -> dict[str, dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute(sa.select(domains.c.name, domains.c.data)).all()
        return {row.name: loads(row.data) for row in rows}

    def delete_domain(self, name: str) -> bool:
        with self._tx() as conn:
            return bool(conn.execute(domains.delete().where(domains.c.name == name)).rowcount)
