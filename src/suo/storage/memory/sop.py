"""Memory implementation of the sop storage protocol."""

from __future__ import annotations

from typing import Any


class MemorySop:
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for the sop domain."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
