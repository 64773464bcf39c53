"""``with open_store(url) as store:`` closes the store's connections on exit."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from suo.storage import SuoStore, open_store
from suo.storage.memory import MemoryStore
from suo.storage.redis import RedisStore
from suo.storage.sql import SQLStore
from suo.testing.backends import backend_params, drop_store, isolated_store, store_url


@pytest.mark.parametrize("backend", backend_params())
def test_enter_returns_the_store_itself(backend: str) -> None:
    with isolated_store(backend) as store, store as entered:
        assert entered is store
        assert isinstance(entered, SuoStore)


def test_memory_store_in_with() -> None:
    with open_store("memory://") as store:
        assert isinstance(store, MemoryStore)
        assert store.next_sequence("n") == 1


def test_an_object_passed_in_comes_back_as_itself() -> None:
    store = MemoryStore()
    assert open_store(store) is store


def _until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.postgres
def test_postgres_connections_are_closed_on_exit() -> None:
    url, options = store_url("postgres")
    watcher = sa.create_engine(url)
    try:
        with open_store(url, **options) as store:
            assert isinstance(store, SQLStore)
            with store._tx() as conn:
                pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            store.drop_schema()

        def gone() -> bool:
            with watcher.connect() as c:
                q = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
                return c.execute(q, {"pid": pid}).scalar_one() == 0

        assert _until(gone)
    finally:
        watcher.dispose()


@pytest.mark.redis
def test_redis_connections_are_closed_on_exit() -> None:
    url, options = store_url("redis")
    watcher = RedisStore(url, **options)
    try:
        with open_store(url, **options) as store:
            assert isinstance(store, RedisStore)
            client_id = store._r.client_id()
            assert str(client_id) in watcher._r.execute_command("CLIENT", "LIST", "ID", client_id)
        assert _until(
            lambda: watcher._r.execute_command("CLIENT", "LIST", "ID", client_id).strip() == ""
        )
    finally:
        drop_store("redis", watcher)


def test_the_store_is_closed_when_the_block_raises() -> None:
    closed: list[bool] = []

    class Recording(SQLStore):
        def close(self) -> None:
            closed.append(True)
            super().close()

    with pytest.raises(RuntimeError, match="boom"), Recording("sqlite://"):
        raise RuntimeError("boom")
    assert closed == [True]
