"""The async side of the SQL store on PostgreSQL: its own code on an async engine.

The twin is a copy of the store whose engine is the ``sync_engine`` face of
an :class:`~sqlalchemy.ext.asyncio.AsyncEngine` (``postgresql+psycopg``, the
asyncio connection of psycopg 3). Its methods run in SQLAlchemy's
``greenlet_spawn``, the bridge ``AsyncSession`` itself uses, so every
statement is the sync store's own. SQLite gets no twin: its calls run in a
thread (see :mod:`suo.storage.aio`).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from suo.errors import MissingDependency


def async_twin(
    store: Any,
) -> tuple[Any, Callable[..., Awaitable[Any]], Callable[[], Awaitable[None]]] | None:
    """``(twin, spawn, close)`` on PostgreSQL; ``None`` on SQLite (a thread then)."""
    if store.dialect != "postgresql":
        return None
    try:
        import greenlet  # noqa: F401  (SQLAlchemy's asyncio needs it)
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.util import greenlet_spawn
    except ImportError as exc:
        raise MissingDependency(
            "the async PostgreSQL path needs 'greenlet': pip install 'suo[postgres]'"
        ) from exc
    url, kwargs = store._engine_args
    aengine = create_async_engine(url, **kwargs)
    engine = aengine.sync_engine
    if store.schema is not None:
        engine = engine.execution_options(schema_translate_map={None: store.schema})
    twin = copy.copy(store)
    twin._engine = engine
    return twin, greenlet_spawn, aengine.dispose
