"""A visit the engine reaches after its deadline is refused and records nothing (SQL).

PostgreSQL: a visit waiting on another writer's row lock re-reads the deadline
when the lock is released (``clock_timestamp()`` in the ``UPDATE``'s ``WHERE``,
which PostgreSQL re-checks on the newest row version). The shared server is
never stopped: the stall is a row lock held by a second connection.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from suo.errors import StorageUnavailable
from suo.shortener.model import Link, Visit
from suo.storage.sql.links import link_counts
from suo.testing.backends import isolated_store

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
def pg() -> Iterator[Any]:
    with isolated_store("postgres", statement_timeout=5) as store:
        yield store


def _hold_row_lock(store: Any, code: str, seconds: float, locked: threading.Event) -> None:
    """Update the link's counter row in an open transaction, commit ``seconds`` later."""
    with store._engine.begin() as conn:
        table = store._table_name(link_counts)
        conn.execute(sa.text(f"UPDATE {table} SET bots = bots WHERE code = :c"), {"c": code})
        locked.set()
        time.sleep(seconds)


@pytest.mark.postgres
@pytest.mark.parametrize("bot", [False, True])
def test_postgres_visit_behind_a_row_lock_past_its_deadline_is_refused(pg: Any, bot: bool) -> None:
    pg.create_link(Link(code="locked", target="https://example.com/", created_at=T0, max_clicks=9))
    assert pg.hit("locked", Visit(T0), count=True, cap=9) == 1
    locked = threading.Event()
    holder = threading.Thread(target=_hold_row_lock, args=(pg, "locked", 1.0, locked))
    holder.start()
    try:
        assert locked.wait(10)
        with pytest.raises(StorageUnavailable, match="deadline"):
            pg.hit(
                "locked",
                Visit(T0, bot=bot),
                count=not bot,
                cap=9,
                deadline=time.time() + 0.3,  # passes while the lock is held
            )
    finally:
        holder.join(10)
    stats = pg.link_stats("locked")
    assert (stats.clicks, stats.visits, stats.bots) == (1, 1, 0)
    assert len(list(pg.visits("locked"))) == 1
    # The same wait with time to spare is counted once the lock goes.
    locked.clear()
    holder = threading.Thread(target=_hold_row_lock, args=(pg, "locked", 0.3, locked))
    holder.start()
    try:
        assert locked.wait(10)
        assert pg.hit("locked", Visit(T0), count=True, cap=9, deadline=time.time() + 4) == 2
    finally:
        holder.join(10)


def test_sqlite_visit_that_waited_past_its_deadline_for_the_write_lock_is_refused(
    tmp_path: Any,
) -> None:
    with isolated_store("sqlite-file") as store:
        store.create_link(Link(code="w", target="https://example.com/", created_at=T0))
        locked = threading.Event()

        def hold() -> None:
            with store._engine.begin() as conn:
                conn.execute(sa.text("UPDATE suo_link_counts SET bots = bots WHERE code = 'w'"))
                locked.set()
                time.sleep(0.6)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert locked.wait(10)
            with pytest.raises(StorageUnavailable, match="deadline"):
                store.hit("w", Visit(T0), count=True, cap=None, deadline=time.time() + 0.2)
        finally:
            holder.join(10)
        assert store.link_stats("w").clicks == 0
        assert store.hit("w", Visit(T0), count=True, cap=None) == 1
