"""Memory implementation of :class:`~suo.shortener.LiveStore`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import evolve

from suo.errors import StorageIntegrityError
from suo.shortener.live import LiveEvent, LiveSlot, LiveTarget
from suo.storage.memory._base import MemoryBase


class MemoryLive(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for live codes."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._live: dict[str, dict[int, LiveSlot]] = {}
        self._live_events: dict[str, dict[str, LiveEvent]] = {}

    def add_live_targets(self, code: str, slots: Sequence[LiveSlot]) -> None:
        with self._lock:
            pool = self._live.setdefault(code, {})
            ids = [s.id for s in slots]
            if len(set(ids)) != len(ids) or any(i in pool for i in ids):
                raise StorageIntegrityError(f"live target ids {ids} of {code!r} are not new")
            for slot in slots:
                pool[slot.id] = evolve(slot, code=code)

    def live_targets(self, code: str) -> list[LiveSlot]:
        with self._lock:
            pool = self._live.get(code, {})
            return [pool[i] for i in sorted(pool)]

    def claim_live_target(self, code: str, target_id: int, *, now: datetime) -> int | None:
        with self._lock:
            slot = self._live.get(code, {}).get(target_id)
            if slot is None or not slot.has_room(now):
                return None
            self._live[code][target_id] = slot = evolve(slot, used=slot.used + 1)
            return slot.used

    def release_live_target(self, code: str, target_id: int) -> None:
        with self._lock:
            slot = self._live.get(code, {}).get(target_id)
            if slot is not None and slot.used > 0:
                self._live[code][target_id] = evolve(slot, used=slot.used - 1)

    def update_live_target(
        self, code: str, target_id: int, target: LiveTarget, *, reset: bool
    ) -> LiveSlot | None:
        with self._lock:
            slot = self._live.get(code, {}).get(target_id)
            if slot is None or slot.retired:
                return None
            slot = evolve(
                slot,
                target=target,
                used=0 if reset else slot.used,
                epoch=slot.epoch + 1 if reset else slot.epoch,
            )
            self._live[code][target_id] = slot
            return slot

    def retire_live_target(self, code: str, target_id: int) -> bool:
        with self._lock:
            slot = self._live.get(code, {}).get(target_id)
            if slot is None or slot.retired:
                return False
            self._live[code][target_id] = evolve(slot, retired=True)
            return True

    def record_live_event(self, event: LiveEvent) -> bool:
        with self._lock:
            events = self._live_events.setdefault(event.code, {})
            if event.key in events:
                return False
            events[event.key] = event
            return True

    def live_events(self, code: str) -> list[LiveEvent]:
        with self._lock:
            found = list(self._live_events.get(code, {}).values())
        return sorted(found, key=lambda e: (e.seq, e.at, e.key))

    def delete_live(self, code: str) -> None:
        with self._lock:
            self._live.pop(code, None)
            self._live_events.pop(code, None)
