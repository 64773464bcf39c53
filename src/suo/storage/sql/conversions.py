"""SQL implementation of :class:`~suo.shortener.conversions.ConversionStore`.

Two tables on ``METADATA``::

    suo_clicks        click_id (primary key), code, at, the visit as JSON
    suo_conversions   click_id, event, external_id ("" for none) unique together;
                      code and click time (indexed) for funnels; the rest as JSON

A click id is found by its primary key. A conversion is one ``INSERT ... ON
CONFLICT DO NOTHING RETURNING``: of two reports of the same
``(click_id, event, external_id)`` the engine lets exactly one in.
"""

# ruff: noqa: S608 - the click record's SQL text names only suo's own table (in the
# configured schema, quoted); every value is a bound parameter.
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from suo.errors import InvalidInput
from suo.shortener.conversions import Conversion, sort_key
from suo.shortener.model import Visit
from suo.storage._common import dumps, loads
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime, sqlite_write

clicks = sa.Table(
    "suo_clicks",
    METADATA,
    sa.Column("click_id", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # Visit.to_dict() as JSON
    sa.Index("suo_clicks_code_at", "code", "at"),
)

conversions = sa.Table(
    "suo_conversions",
    METADATA,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("click_id", sa.String(64), nullable=False),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("external_id", sa.String(255), nullable=False, server_default=""),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("click_at", UTCDateTime, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # Conversion.to_dict() as JSON
    sa.UniqueConstraint("click_id", "event", "external_id", name="suo_conversions_once"),
    sa.Index("suo_conversions_code_click_at", "code", "click_at"),
)


class SQLConversions(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore` for click ids and conversions."""

    def record_click(self, visit: Visit, *, ttl: float | None = None) -> None:
        if visit.click_id is None:
            raise InvalidInput("record_click needs a visit with a click_id")
        # On the click path, beside the visit: one statement on the pooled driver
        # connection, like ``hit``. On PostgreSQL it commits as the visit of an
        # uncapped link does (asynchronously unless durable_visits).
        at = visit.at.astimezone(UTC).replace(tzinfo=None)
        table = self._table_name(clicks)
        data = dumps(visit.to_dict())
        if self.dialect == "postgresql":
            sync = "on" if self.durable_visits else "off"
            with self._raw(autocommit=True) as (_raw, cur):
                cur.execute(
                    "WITH cfg AS (SELECT set_config('synchronous_commit', %s::text, true))"
                    f" INSERT INTO {table} (click_id, code, at, data)"
                    " SELECT %s, %s, %s::timestamp, %s FROM cfg",
                    (sync, visit.click_id, visit.code, at, data),
                )
            return
        with self._raw() as (_raw, cur), sqlite_write(cur):
            cur.execute(
                f"INSERT INTO {table} (click_id, code, at, data) VALUES (?, ?, ?, ?)",
                (visit.click_id, visit.code, at.isoformat(" ", "microseconds"), data),
            )

    def visit_by_click(self, click_id: str) -> Visit | None:
        with self._tx() as conn:
            data = conn.execute(
                sa.select(clicks.c.data).where(clicks.c.click_id == click_id)
            ).scalar()
        return None if data is None else Visit.from_dict(loads(data))

    def add_conversion(self, conversion: Conversion) -> bool:
        stmt = (
            self._insert_stmt(conversions)
            .values(
                click_id=conversion.click_id,
                event=conversion.event,
                external_id=conversion.external_id or "",
                code=conversion.code,
                click_at=conversion.click.at,
                at=conversion.at,
                data=dumps(conversion.to_dict()),
            )
            .on_conflict_do_nothing(index_elements=["click_id", "event", "external_id"])
            .returning(conversions.c.id)
        )
        with self._tx() as conn:
            return conn.execute(stmt).first() is not None

    def conversions(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> list[Conversion]:
        c = conversions.c
        q: Any = sa.select(c.data).where(c.code == code)
        if start is not None:
            q = q.where(c.click_at >= start)
        if end is not None:
            q = q.where(c.click_at < end)
        with self._tx() as conn:
            found = [Conversion.from_dict(loads(d)) for d in conn.execute(q).scalars()]
        return sorted(found, key=sort_key)

    def delete_link(self, code: str) -> bool:
        found: bool = super().delete_link(code)  # type: ignore[misc]
        with self._tx() as conn:
            conn.execute(clicks.delete().where(clicks.c.code == code))
            conn.execute(conversions.delete().where(conversions.c.code == code))
        return found
