"""SQL implementation of the live storage protocol (tables on ``METADATA``)."""

from __future__ import annotations


class SQLLive:
    """Mixin of :class:`~suo.storage.sql.SQLStore` for the live domain."""
