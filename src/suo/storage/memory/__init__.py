"""The memory store: the reference model every other backend is compared to.

Everything lives in Python dicts guarded by one re-entrant lock, so each
operation is atomic across threads (not across processes: use SQLite for that).

Examples:
    >>> from suo.storage.memory import MemoryStore
    >>> MemoryStore("memory://").url
    'memory://'
"""

from __future__ import annotations

from typing import Any

from suo.storage.memory._base import MemoryBase
from suo.storage.memory.community import MemoryCommunity
from suo.storage.memory.conversions import MemoryConversions
from suo.storage.memory.counters import MemoryCounters, MemoryDomains
from suo.storage.memory.keys import MemoryKeys
from suo.storage.memory.links import MemoryLinks
from suo.storage.memory.live import MemoryLive
from suo.storage.memory.sop import MemorySop

__all__ = ["MemoryStore"]


class MemoryStore(
    MemoryConversions,
    MemoryLinks,
    MemoryCounters,
    MemoryDomains,
    MemoryLive,
    MemorySop,
    MemoryCommunity,
    MemoryKeys,
    MemoryBase,
):
    """All suo data in this process's memory. ``memory://``."""

    def __init__(self, url: str = "memory://", **options: Any) -> None:
        super().__init__(url=url, **options)
