"""Shared state of the memory store's domain mixins."""

from __future__ import annotations

import threading
from typing import Any

from suo.errors import ConfigurationError
from suo.storage._common import StoreBase


class MemoryBase(StoreBase):
    """Holds the lock; each domain mixin adds its dicts in a cooperative ``__init__``."""

    in_process = True
    """Data lives in this process: the Shortener skips its read cache."""

    def __init__(self, *, url: str = "memory://", **options: Any) -> None:
        if options:
            raise ConfigurationError(f"memory:// takes no options, got {sorted(options)}")
        self.url = url
        self._lock = threading.RLock()

    def close(self) -> None:
        """Nothing to release; kept for the common store interface."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"
