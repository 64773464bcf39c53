"""The Redis store on redis-py.

Keys are laid out for Redis Cluster: the keys one operation touches share a
hash tag, so atomic steps are single commands (``SET NX``, ``INCR``) or Lua
scripts within one slot. Connections time out (3 s to connect, 5 s per
command) and every failure comes out as a :class:`~suo.errors.StorageError`
subclass with redis-py's exception chained.

``prefix=`` (or ``?prefix=`` in the URL) namespaces every key, so several
apps or test runs can share one server.
"""

from __future__ import annotations

from typing import Any

from suo.storage.redis._base import RedisBase
from suo.storage.redis.community import RedisCommunity
from suo.storage.redis.conversions import RedisConversions
from suo.storage.redis.counters import RedisCounters, RedisDomains
from suo.storage.redis.keys import RedisKeys
from suo.storage.redis.links import RedisLinks
from suo.storage.redis.live import RedisLive
from suo.storage.redis.sop import RedisSop

__all__ = ["RedisStore"]


class RedisStore(
    RedisConversions,
    RedisLinks,
    RedisCounters,
    RedisDomains,
    RedisLive,
    RedisSop,
    RedisCommunity,
    RedisKeys,
    RedisBase,
):
    """All suo data in Redis. ``redis://host:6379/0`` or ``rediss://`` for TLS."""

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url=url, **options)
