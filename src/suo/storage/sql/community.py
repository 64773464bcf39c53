"""SQL implementation of the community storage protocol (tables on ``METADATA``)."""

from __future__ import annotations


class SQLCommunity:
    """Mixin of :class:`~suo.storage.sql.SQLStore` for the community domain."""
