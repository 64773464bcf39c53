"""Redis implementation of :class:`~suo.api.keys.KeyStore`.

Keys (``p`` is the store prefix; braces hold the Cluster hash tag)::

    p:{keys}:records   hash  <key prefix> -> JSON: ApiKey.to_dict() without
                             ``revoked_at``, plus ``hash`` (hex SHA-256 of the key)
    p:{keys}:revoked   hash  <key prefix> -> when it was revoked (ISO 8601, UTC)

Both live under one hash tag, so they share a Cluster slot and are read
together in one ``MULTI``. A save is ``HSETNX`` (the first save of a prefix
wins, any other gets :class:`~suo.errors.StorageIntegrityError`); a revoke is
``HSETNX`` on ``revoked`` (the first revoke wins). Records are never deleted,
so a record seen once stays. A deployment has tens or hundreds of keys: one
hash holds them all, and a listing is one ``HGETALL`` of each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from suo._time import iso_utc
from suo.api.keys import ApiKey
from suo.errors import StorageIntegrityError
from suo.storage._common import dumps, loads
from suo.storage.redis._base import RedisBase

_TAG = "keys"


def _record(data: dict[str, Any], revoked: str | None) -> ApiKey:
    return ApiKey.from_dict({**data, "revoked_at": revoked})


class RedisKeys(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore` for API keys."""

    def _keys_records(self) -> str:
        return self._key(_TAG, "records")

    def _keys_revoked(self) -> str:
        return self._key(_TAG, "revoked")

    def save_key(self, key: ApiKey, digest: str) -> None:
        data = key.to_dict()
        revoked = data.pop("revoked_at")
        data["hash"] = digest
        pipe = self._r.pipeline(transaction=True)
        pipe.hsetnx(self._keys_records(), key.prefix, dumps(data))
        if revoked is not None:
            # Saved already revoked (an import, say): set with the record, in one MULTI.
            pipe.hsetnx(self._keys_revoked(), key.prefix, revoked)
        added = pipe.execute()[0]
        if not int(added):
            raise StorageIntegrityError(f"an API key with prefix {key.prefix!r} exists")

    def get_key(self, prefix: str) -> tuple[ApiKey, str] | None:
        pipe = self._r.pipeline(transaction=True)
        pipe.hget(self._keys_records(), prefix)
        pipe.hget(self._keys_revoked(), prefix)
        text, revoked = pipe.execute()
        if text is None:
            return None
        data = loads(text)
        return _record(data, revoked), str(data["hash"])

    def list_keys(self) -> list[ApiKey]:
        pipe = self._r.pipeline(transaction=True)
        pipe.hgetall(self._keys_records())
        pipe.hgetall(self._keys_revoked())
        records, revoked = pipe.execute()
        found = [_record(loads(text), revoked.get(prefix)) for prefix, text in records.items()]
        return sorted(found, key=lambda k: (k.created_at, k.prefix))

    def revoke_key(self, prefix: str, *, at: datetime) -> bool:
        # A record is never deleted: once seen, HSETNX alone decides who revokes.
        if not self._r.hexists(self._keys_records(), prefix):
            return False
        return bool(int(self._r.hsetnx(self._keys_revoked(), prefix, iso_utc(at))))
