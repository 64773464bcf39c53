"""Memory implementation of :class:`~suo.sop.store.SopStore`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from attrs import evolve

from suo.sop.store import RunState
from suo.storage.memory._base import MemoryBase


class MemorySop(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for the sop domain."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._sop_runs: dict[str, RunState] = {}

    def claim_occurrence(
        self, occurrence: str, worker: str, at: datetime, lease: timedelta
    ) -> bool:
        with self._lock:
            s = self._sop_runs.get(occurrence)
            if s is not None:
                if s.finished:
                    return False
                if s.worker != worker and s.lease_until is not None and s.lease_until > at:
                    return False
            self._sop_runs[occurrence] = RunState(occurrence, "claimed", worker, at, at + lease)
            return True

    def release_occurrence(self, occurrence: str, worker: str) -> bool:
        with self._lock:
            s = self._sop_runs.get(occurrence)
            if s is None or s.finished or s.worker != worker:
                return False
            del self._sop_runs[occurrence]
            return True

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
        with self._lock:
            s = self._sop_runs.get(occurrence)
            if s is None:
                self._sop_runs[occurrence] = RunState(
                    occurrence, status, by=by, finished_at=at, note=note
                )
                return True
            if s.finished:
                return False
            held = s.worker != worker and s.lease_until is not None and s.lease_until > at
            if worker is not None and held:
                return False
            self._sop_runs[occurrence] = evolve(s, status=status, by=by, finished_at=at, note=note)
            return True

    def get_run_states(self, occurrences: Sequence[str]) -> dict[str, RunState]:
        with self._lock:
            runs = self._sop_runs
            return {o: runs[o] for o in occurrences if o in runs}
