"""Redis implementation of the community storage protocol."""

from __future__ import annotations


class RedisCommunity:
    """Mixin of :class:`~suo.storage.redis.RedisStore` for the community domain."""
