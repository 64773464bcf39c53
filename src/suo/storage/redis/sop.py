"""Redis implementation of :class:`~suo.sop.store.SopStore`.

Keys (``p`` is the store prefix; braces hold the Cluster hash tag)::

    p:{sop:<occurrence id>}:run   hash  status, worker, claimed_at, lease_until,
                                        by, finished_at, note (times in epoch µs)

Each claim, release and finish is one Lua script on one key, so it is atomic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from suo.sop.store import RunState
from suo.storage.redis._base import RedisBase

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def _dt(value: str | None) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(microseconds=int(value))


class RedisSop(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore` for the sop domain."""

    def _run_key(self, occurrence: str) -> str:
        return str(self._key(f"sop:{occurrence}", "run"))

    def claim_occurrence(
        self, occurrence: str, worker: str, at: datetime, lease: timedelta
    ) -> bool:
        res = self._script("sop_claim")(
            keys=[self._run_key(occurrence)], args=[worker, _us(at), _us(at + lease)]
        )
        return bool(int(res))

    def release_occurrence(self, occurrence: str, worker: str) -> bool:
        res = self._script("sop_release")(keys=[self._run_key(occurrence)], args=[worker])
        return bool(int(res))

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
        res = self._script("sop_finish")(
            keys=[self._run_key(occurrence)],
            args=[status, by, _us(at), note, worker or ""],
        )
        return bool(int(res))

    def get_run_states(self, occurrences: Sequence[str]) -> dict[str, RunState]:
        ids = list(dict.fromkeys(occurrences))
        if not ids:
            return {}
        pipe = self._r.pipeline(transaction=False)
        for o in ids:
            pipe.hgetall(self._run_key(o))
        rows = pipe.execute()
        out: dict[str, RunState] = {}
        for o, h in zip(ids, rows, strict=True):
            if not h:
                continue
            out[o] = RunState(
                o, h["status"], h.get("worker"), _dt(h.get("claimed_at")), _dt(h.get("lease_until")),
                h.get("by"), _dt(h.get("finished_at")), h.get("note", ""),
            )  # fmt: skip
        return out
