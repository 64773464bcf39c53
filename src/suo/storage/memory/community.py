"""Memory implementation of the community storage protocol."""

from __future__ import annotations

from typing import Any


class MemoryCommunity:
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for the community domain."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
