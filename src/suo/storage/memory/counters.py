"""Memory implementation of :class:`~suo.shortener.counters.CounterStore`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from suo.storage.memory._base import MemoryBase


class MemoryCounters(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore`: expiring counters and values."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # key -> (value, expires at or None); counters hold an int, claims a str.
        self._kv: dict[str, tuple[int | str, datetime | None]] = {}
        self._kv_writes = 0

    def _sweep(self, now: datetime) -> None:
        # Keys nobody reads again (a visitor's sticky variant) would stay forever:
        # every 4096 writes, drop whatever has expired.
        self._kv_writes += 1
        if self._kv_writes % 4096 == 0:
            for key in [
                k for k, (_, until) in self._kv.items() if until is not None and until <= now
            ]:
                del self._kv[key]

    def _kv_item(self, key: str, now: datetime) -> tuple[int | str, datetime | None] | None:
        item = self._kv.get(key)
        if item is not None and item[1] is not None and item[1] <= now:
            del self._kv[key]
            return None
        return item

    @staticmethod
    def _until(ttl: float | None, now: datetime) -> datetime | None:
        return None if ttl is None else now + timedelta(seconds=ttl)

    def bump(self, key: str, *, ttl: float | None, now: datetime, by: int = 1) -> int:
        with self._lock:
            item = self._kv_item(key, now)
            if item is None or not isinstance(item[0], int):
                self._sweep(now)
                self._kv[key] = (by, self._until(ttl, now))
                return by
            n = item[0] + by
            self._kv[key] = (n, item[1])
            return n

    def count(self, key: str, *, now: datetime) -> tuple[int, float]:
        with self._lock:
            item = self._kv_item(key, now)
            if item is None or not isinstance(item[0], int):
                return 0, 0.0
            left = 0.0 if item[1] is None else (item[1] - now).total_seconds()
            return item[0], left

    def claim(self, key: str, value: str, *, ttl: float | None, now: datetime) -> str:
        with self._lock:
            item = self._kv_item(key, now)
            if item is not None and isinstance(item[0], str):
                return item[0]
            self._sweep(now)
            self._kv[key] = (value, self._until(ttl, now))
            return value

    def peek(self, key: str, *, now: datetime) -> str | None:
        with self._lock:
            item = self._kv_item(key, now)
            return item[0] if item is not None and isinstance(item[0], str) else None


class MemoryDomains(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore`: short domains."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._domains: dict[str, dict[str, Any]] = {}

    def save_domain(self, name: str, data: Mapping[str, Any]) -> None:
        with self._lock:
            self._domains[name] = dict(data)

    def load_domains(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: dict(v) for k, v in self._domains.items()}

    def delete_domain(self, name: str) -> bool:
        with self._lock:
            return self._domains.pop(name, None) is not None
