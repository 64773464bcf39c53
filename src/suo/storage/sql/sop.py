"""SQL implementation of the sop storage protocol (tables on ``METADATA``)."""

from __future__ import annotations


class SQLSop:
    """Mixin of :class:`~suo.storage.sql.SQLStore` for the sop domain."""
