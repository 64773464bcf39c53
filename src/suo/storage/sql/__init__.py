"""The SQL store on SQLAlchemy Core: SQLite (embedded default) and PostgreSQL.

The library creates its own tables (``create_schema``, run on open). Races
are settled by the engine: unique keys for aliases, ``UPDATE ... SET n = n + 1
WHERE n < cap RETURNING n`` for click caps. Every engine error comes out as a
:class:`~suo.errors.StorageError` subclass with the driver's error chained;
PostgreSQL connections carry a connect timeout and a statement timeout.

Examples:
    >>> from suo.storage.sql import SQLStore
    >>> SQLStore("sqlite://").dialect
    'sqlite'
"""

from __future__ import annotations

from typing import Any

from suo.storage.sql._base import METADATA, SQLBase
from suo.storage.sql.community import SQLCommunity
from suo.storage.sql.conversions import SQLConversions
from suo.storage.sql.counters import SQLCounters, SQLDomains
from suo.storage.sql.keys import SQLKeys
from suo.storage.sql.links import SQLLinks
from suo.storage.sql.live import SQLLive
from suo.storage.sql.sop import SQLSop

__all__ = ["METADATA", "SQLStore"]


class SQLStore(
    SQLConversions,
    SQLLinks,
    SQLCounters,
    SQLDomains,
    SQLLive,
    SQLSop,
    SQLCommunity,
    SQLKeys,
    SQLBase,
):
    """All suo data in SQLite or PostgreSQL.

    Args:
        url: ``sqlite://``, ``sqlite:///file.db``, ``postgresql+psycopg://...``.
        schema: a PostgreSQL schema to keep suo's tables in (created if missing).
        connect_timeout / statement_timeout: seconds before giving up.
        create_schema: create the tables on open (default ``True``).
    """

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__(url=url, **options)
