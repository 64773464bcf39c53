"""Redis implementation of :class:`~suo.shortener.counters.CounterStore`.

A counter is a string key bumped by ``lua/counter_bump.lua`` (``INCR`` and,
on the first bump, ``PEXPIRE``: one atomic call); a claim is one
``SET key value NX PX ttl GET``. Keys are ``{prefix}:{<key>}:kv``; Redis
expires them itself (on its own clock: the ``now`` argument is not used).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from suo.storage._common import dumps, loads
from suo.storage.redis._base import RedisBase


def _ms(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))


class RedisCounters(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore`: expiring counters and values."""

    def _kv_key(self, key: str) -> str:
        return self._key(key.replace("{", "(").replace("}", ")"), "kv")

    def bump(self, key: str, *, ttl: float | None, now: datetime, by: int = 1) -> int:
        ms = _ms(ttl)
        return int(self._script("counter_bump")(keys=[self._kv_key(key)], args=[ms or "", by]))

    def count(self, key: str, *, now: datetime) -> tuple[int, float]:
        k = self._kv_key(key)
        with self._r.pipeline(transaction=False) as p:
            p.get(k)
            p.pttl(k)
            value, pttl = p.execute()
        if value is None or not str(value).lstrip("-").isdigit():
            return 0, 0.0
        return int(value), max(0.0, pttl / 1000) if pttl and pttl > 0 else 0.0

    def claim(self, key: str, value: str, *, ttl: float | None, now: datetime) -> str:
        old = self._r.set(self._kv_key(key), value, nx=True, px=_ms(ttl), get=True)
        return value if old is None else str(old)

    def peek(self, key: str, *, now: datetime) -> str | None:
        value = self._r.get(self._kv_key(key))
        return None if value is None else str(value)


class RedisDomains(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore`: short domains in one hash."""

    def _domains_key(self) -> str:
        return self._key("domains", "all")

    def save_domain(self, name: str, data: Mapping[str, Any]) -> None:
        self._r.hset(self._domains_key(), name, dumps(dict(data)))

    def load_domains(self) -> dict[str, dict[str, Any]]:
        return {k: loads(v) for k, v in self._r.hgetall(self._domains_key()).items()}

    def delete_domain(self, name: str) -> bool:
        return bool(self._r.hdel(self._domains_key(), name))
