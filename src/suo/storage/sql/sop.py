"""SQL implementation of :class:`~suo.sop.store.SopStore` (tables on ``METADATA``).

One row per occurrence that was ever claimed or finished. Claims and
finishes are single ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ...
RETURNING`` statements: the engine's row lock decides races, and the
``WHERE`` (no live claim by someone else, not finished) is checked inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa

from suo.sop.store import RunState
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime

sop_runs = sa.Table(
    "suo_sop_runs",
    METADATA,
    sa.Column("occurrence", sa.String(), primary_key=True),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("worker", sa.String()),
    sa.Column("claimed_at", UTCDateTime),
    sa.Column("lease_until", UTCDateTime),
    sa.Column("by_", sa.String()),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

_CHUNK = 500  # ids per IN (...) list, well under every engine's parameter limit


class SQLSop(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore` for the sop domain."""

    def claim_occurrence(
        self, occurrence: str, worker: str, at: datetime, lease: timedelta
    ) -> bool:
        t = sop_runs
        values = {
            "status": "claimed",
            "worker": worker,
            "claimed_at": at,
            "lease_until": at + lease,
        }
        stmt = self._insert_stmt(t).values(occurrence=occurrence, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["occurrence"],
            set_=values,
            where=(t.c.status == "claimed") & ((t.c.worker == worker) | (t.c.lease_until <= at)),
        ).returning(t.c.occurrence)
        with self._tx() as conn:
            return conn.execute(stmt).first() is not None

    def release_occurrence(self, occurrence: str, worker: str) -> bool:
        t = sop_runs
        with self._tx() as conn:
            res = conn.execute(
                t.delete().where(
                    (t.c.occurrence == occurrence)
                    & (t.c.status == "claimed")
                    & (t.c.worker == worker)
                )
            )
            return bool(res.rowcount)

    def finish_occurrence(
        self,
        occurrence: str,
        *,
        status: Literal["done", "skipped"],
        by: str,
        at: datetime,
        note: str = "",
        worker: str | None = None,
    ) -> bool:
        t = sop_runs
        values = {"status": status, "by_": by, "finished_at": at, "note": note}
        cond = t.c.status == "claimed"
        if worker is not None:
            cond = cond & ((t.c.worker == worker) | t.c.worker.is_(None) | (t.c.lease_until <= at))
        stmt = self._insert_stmt(t).values(occurrence=occurrence, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["occurrence"], set_=values, where=cond
        ).returning(t.c.occurrence)
        with self._tx() as conn:
            return conn.execute(stmt).first() is not None

    def get_run_states(self, occurrences: Sequence[str]) -> dict[str, RunState]:
        t = sop_runs
        ids = list(dict.fromkeys(occurrences))
        out: dict[str, RunState] = {}
        if not ids:
            return out
        with self._tx() as conn:
            for i in range(0, len(ids), _CHUNK):
                rows = conn.execute(sa.select(t).where(t.c.occurrence.in_(ids[i : i + _CHUNK])))
                for r in rows:
                    out[r.occurrence] = RunState(
                        r.occurrence, r.status, r.worker, r.claimed_at, r.lease_until, r.by_,
                        r.finished_at, r.note or "",
                    )  # fmt: skip
        return out
