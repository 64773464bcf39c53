"""Redis implementation of the live storage protocol."""

from __future__ import annotations


class RedisLive:
    """Mixin of :class:`~suo.storage.redis.RedisStore` for the live domain."""
