"""Memory implementation of :class:`~suo.api.keys.KeyStore`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from attrs import evolve

from suo.api.keys import ApiKey
from suo.errors import StorageIntegrityError
from suo.storage.memory._base import MemoryBase


class MemoryKeys(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for API keys."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._keys: dict[str, tuple[ApiKey, str]] = {}

    def save_key(self, key: ApiKey, digest: str) -> None:
        with self._lock:
            if key.prefix in self._keys:
                raise StorageIntegrityError(f"an API key with prefix {key.prefix!r} exists")
            self._keys[key.prefix] = (key, digest)

    def get_key(self, prefix: str) -> tuple[ApiKey, str] | None:
        return self._keys.get(prefix)

    def list_keys(self) -> list[ApiKey]:
        with self._lock:
            found = [k for k, _d in self._keys.values()]
        return sorted(found, key=lambda k: (k.created_at, k.prefix))

    def revoke_key(self, prefix: str, *, at: datetime) -> bool:
        with self._lock:
            entry = self._keys.get(prefix)
            if entry is None or entry[0].revoked_at is not None:
                return False
            self._keys[prefix] = (evolve(entry[0], revoked_at=at), entry[1])
            return True
