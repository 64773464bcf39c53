"""Memory implementation of the live storage protocol."""

from __future__ import annotations

from typing import Any


class MemoryLive:
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for the live domain."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
