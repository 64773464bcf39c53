"""SQL implementation of :class:`~suo.shortener.LiveStore`.

A slot claim is one statement, ``UPDATE ... SET used = used + 1 WHERE
used < cap AND NOT retired AND (expires_at IS NULL OR expires_at > now)
RETURNING used``: the engine's row lock settles every race.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from suo.shortener.live import LiveEvent, LiveSlot, LiveTarget
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime

live_targets = sa.Table(
    "suo_live_targets",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("cap", sa.Integer),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("weight", sa.Integer, nullable=False, server_default="1"),
    sa.Column("used", sa.Integer, nullable=False, server_default="0"),
    sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("epoch", sa.Integer, nullable=False, server_default="0"),
    sa.Column("added_at", UTCDateTime, nullable=False),
)

live_events = sa.Table(
    "suo_live_events",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # LiveEvent.to_dict() as JSON
)


# The two statements of every visit are built once (building SQLAlchemy
# expressions costs more than running them on SQLite).
_t = live_targets.c
_LIST = sa.select(live_targets).where(_t.code == sa.bindparam("b_code")).order_by(_t.id)
_CLAIM = (
    live_targets.update()
    .where(
        _t.code == sa.bindparam("b_code"),
        _t.id == sa.bindparam("b_id"),
        _t.retired == sa.false(),
        sa.or_(_t.cap.is_(None), _t.used < _t.cap),
        sa.or_(_t.expires_at.is_(None), _t.expires_at > sa.bindparam("b_now", type_=UTCDateTime)),
    )
    .values(used=_t.used + 1)
    .returning(_t.used)
)


def _slot(row: Any) -> LiveSlot:
    return LiveSlot(
        code=row.code,
        id=int(row.id),
        target=LiveTarget(row.payload, cap=row.cap, expires_at=row.expires_at, weight=row.weight),
        used=row.used,
        retired=bool(row.retired),
        epoch=row.epoch,
        added_at=row.added_at,
    )


class SQLLive(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore` for live codes."""

    def add_live_targets(self, code: str, slots: Sequence[LiveSlot]) -> None:
        if not slots:
            return
        rows = [
            {
                "code": code,
                "id": s.id,
                "payload": s.target.payload,
                "cap": s.target.cap,
                "expires_at": s.target.expires_at,
                "weight": s.target.weight,
                "used": s.used,
                "retired": s.retired,
                "epoch": s.epoch,
                "added_at": s.added_at,
            }
            for s in slots
        ]
        with self._tx() as conn:
            conn.execute(live_targets.insert(), rows)

    def live_targets(self, code: str) -> list[LiveSlot]:
        with self._tx() as conn:
            return [_slot(row) for row in conn.execute(_LIST, {"b_code": code})]

    def claim_live_target(self, code: str, target_id: int, *, now: datetime) -> int | None:
        with self._tx() as conn:
            used: int | None = conn.execute(
                _CLAIM, {"b_code": code, "b_id": target_id, "b_now": now}
            ).scalar()
        return used

    def release_live_target(self, code: str, target_id: int) -> None:
        t = live_targets.c
        with self._tx() as conn:
            conn.execute(
                live_targets.update()
                .where(t.code == code, t.id == target_id, t.used > 0)
                .values(used=t.used - 1)
            )

    def update_live_target(
        self, code: str, target_id: int, target: LiveTarget, *, reset: bool
    ) -> LiveSlot | None:
        t = live_targets.c
        values: dict[str, Any] = {
            "payload": target.payload,
            "cap": target.cap,
            "expires_at": target.expires_at,
            "weight": target.weight,
        }
        if reset:
            values.update(used=0, epoch=t.epoch + 1)
        stmt = (
            live_targets.update()
            .where(t.code == code, t.id == target_id, t.retired == sa.false())
            .values(**values)
            .returning(*live_targets.c)
        )
        with self._tx() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else _slot(row)

    def retire_live_target(self, code: str, target_id: int) -> bool:
        t = live_targets.c
        stmt = (
            live_targets.update()
            .where(t.code == code, t.id == target_id, t.retired == sa.false())
            .values(retired=True)
        )
        with self._tx() as conn:
            return bool(conn.execute(stmt).rowcount)

    def record_live_event(self, event: LiveEvent) -> bool:
        stmt = (
            self._insert_stmt(live_events)
            .values(
                code=event.code,
                key=event.key,
                seq=event.seq,
                at=event.at,
                data=event.to_json(),
            )
            .on_conflict_do_nothing(index_elements=["code", "key"])
            .returning(live_events.c.key)
        )
        with self._tx() as conn:
            return conn.execute(stmt).scalar() is not None

    def live_events(self, code: str) -> list[LiveEvent]:
        q = (
            sa.select(live_events.c.data)
            .where(live_events.c.code == code)
            .order_by(live_events.c.seq, live_events.c.at, live_events.c.key)
        )
        with self._tx() as conn:
            return [LiveEvent.from_json(d) for d in conn.execute(q).scalars()]

    def delete_live(self, code: str) -> None:
        with self._tx() as conn:
            for table in (live_targets, live_events):
                conn.execute(table.delete().where(table.c.code == code))
