"""Memory implementation of :class:`~suo.shortener.conversions.ConversionStore`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suo.shortener.conversions import Conversion, in_window, sort_key
from suo.shortener.model import Visit
from suo.storage.memory._base import MemoryBase


class MemoryConversions(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for click ids and conversions."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._clicks: dict[str, Visit] = {}
        self._conversions: dict[tuple[str, str, str], Conversion] = {}

    def record_click(self, visit: Visit, *, ttl: float | None = None) -> None:
        if visit.click_id is None:
            raise ValueError("record_click needs a visit with a click_id")
        with self._lock:
            self._clicks[visit.click_id] = visit

    def visit_by_click(self, click_id: str) -> Visit | None:
        return self._clicks.get(click_id)

    def add_conversion(self, conversion: Conversion) -> bool:
        with self._lock:
            if conversion.key in self._conversions:
                return False
            self._conversions[conversion.key] = conversion
            return True

    def conversions(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> list[Conversion]:
        with self._lock:
            found = [
                c
                for c in self._conversions.values()
                if c.click.code == code and in_window(c.click.at, start, end)
            ]
        return sorted(found, key=sort_key)

    def delete_link(self, code: str) -> bool:
        with self._lock:
            found: bool = super().delete_link(code)  # type: ignore[misc]
            for cid in [k for k, v in self._clicks.items() if v.code == code]:
                del self._clicks[cid]
            for key in [k for k, c in self._conversions.items() if c.click.code == code]:
                del self._conversions[key]
            return found
