"""Redis implementation of the sop storage protocol."""

from __future__ import annotations


class RedisSop:
    """Mixin of :class:`~suo.storage.redis.RedisStore` for the sop domain."""
