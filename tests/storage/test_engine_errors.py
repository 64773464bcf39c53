"""Engine errors are wrapped once per method, at class creation, for every backend."""

from __future__ import annotations

import inspect
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from redis import exceptions as rexc

from suo.community.store import CommunityStore
from suo.errors import (
    AliasTaken,
    NotFound,
    StorageError,
    StorageIntegrityError,
    StorageUnavailable,
    SuoError,
)
from suo.shortener import LiveStore
from suo.shortener.model import Link, Visit
from suo.shortener.store import LinkStore
from suo.sop.store import SopStore
from suo.storage import open_store
from suo.storage._common import is_wrapped
from suo.storage.redis import RedisStore
from suo.storage.redis.cluster import RedisClusterStore
from suo.storage.sql import SQLStore
from suo.storage.sql.links import sequences
from suo.testing.backends import backend_params, isolated_store, store_url

PROTOCOLS = (LinkStore, LiveStore, SopStore, CommunityStore)


def _protocol_methods() -> set[str]:
    names: set[str] = set()
    for proto in PROTOCOLS:
        names |= {n for n, v in vars(proto).items() if inspect.isfunction(v) and n[0] != "_"}
    return names


@pytest.mark.parametrize("cls", [SQLStore, RedisStore, RedisClusterStore])
def test_every_public_method_is_wrapped(cls: type[Any]) -> None:
    public = {
        name
        for name in dir(cls)
        if not name.startswith("_") and inspect.isfunction(inspect.getattr_static(cls, name))
    }
    assert _protocol_methods() <= public  # the domain methods are all there...
    assert {"close"} <= public
    unwrapped = sorted(n for n in public if not is_wrapped(getattr(cls, n)))
    assert unwrapped == []  # ...and every public one is wrapped


def test_a_subclass_defined_later_is_wrapped_too() -> None:
    class Mine(SQLStore):
        def extra(self) -> int:
            return 1

        def _private(self) -> int:
            return 2

    assert is_wrapped(Mine.extra)
    assert not is_wrapped(Mine._private)
    assert Mine.extra.__name__ == "extra"  # functools.wraps keeps the name and docstring


# -- SQL: real errors from real engines ---------------------------------------------


_MISSING = sa.Table("suo_no_such_table", sa.MetaData(), sa.Column("x", sa.Integer))


class _ProbeSQL(SQLStore):
    """Public methods that provoke the engine; they are wrapped like the built-in ones."""

    def bad_select(self) -> None:
        with self._tx() as conn:
            conn.execute(sa.select(_MISSING))

    def duplicate_sequence(self) -> None:
        with self._tx() as conn:
            for _ in range(2):
                conn.execute(sequences.insert(), {"name": "d", "value": 1})

    def outer(self) -> None:
        self.bad_select()  # a wrapped method calling another: wrapped once


@pytest.fixture(params=backend_params(("sqlite", "postgres")))
def probe_sql(request: pytest.FixtureRequest) -> Iterator[_ProbeSQL]:
    url, options = store_url(str(request.param))
    store = _ProbeSQL(url, **options)
    try:
        yield store
    finally:
        if store.dialect == "postgresql":
            store.drop_schema()
        store.close()


def test_sql_integrity_error_is_storage_integrity_error(probe_sql: _ProbeSQL) -> None:
    with pytest.raises(StorageIntegrityError) as info:
        probe_sql.duplicate_sequence()
    assert isinstance(info.value.__cause__, sa.exc.IntegrityError)


def test_sql_other_engine_errors_are_storage_errors_once(probe_sql: _ProbeSQL) -> None:
    with pytest.raises(StorageError) as info:
        probe_sql.outer()
    # SQLite reports a missing table as OperationalError, PostgreSQL as ProgrammingError.
    expected = StorageUnavailable if probe_sql.dialect == "sqlite" else StorageError
    assert type(info.value) is expected
    assert isinstance(info.value.__cause__, sa.exc.DBAPIError)  # not a StorageError: once
    assert info.value.__cause__.__cause__ is None or not isinstance(
        info.value.__cause__.__cause__, SuoError
    )


def test_sql_store_still_works_after_an_engine_error(probe_sql: _ProbeSQL) -> None:
    for _ in range(3):  # the SQLite-in-memory lock is released on error
        with pytest.raises(StorageError):
            probe_sql.bad_select()
    assert probe_sql.next_sequence("after") == 1


def test_sqlite_memory_lock_serialises_threads() -> None:
    store = SQLStore("sqlite://")
    store.create_link(
        Link(code="t", target="https://example.com/", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    errors: list[BaseException] = []
    at = datetime(2026, 1, 1, tzinfo=UTC)

    def work() -> None:
        try:
            for _ in range(25):
                store.hit("t", Visit(at=at, platform="web", os="linux"), count=True, cap=None)
                store.next_sequence("s")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert store.link_stats("t").clicks == 200
    assert store.next_sequence("s") == 201
    store.close()


@pytest.mark.parametrize("backend", backend_params())
def test_suo_errors_raised_inside_methods_pass_through(backend: str) -> None:
    with isolated_store(backend) as store:
        store.create_link(
            Link(
                code="dup",
                target="https://example.com/",
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        with pytest.raises(AliasTaken) as taken:
            store.create_link(
                Link(
                    code="dup",
                    target="https://example.com/",
                    created_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
        assert not isinstance(taken.value, StorageError)
        with pytest.raises(NotFound):
            store.hit("missing", Visit(at=datetime.now(UTC)), count=True, cap=None)


# -- Redis: every redis-py exception family ------------------------------------------


def _redis_exception_classes() -> list[type[Exception]]:
    return sorted(
        (
            c
            for c in vars(rexc).values()
            if inspect.isclass(c) and issubclass(c, Exception) and c.__module__ == rexc.__name__
        ),
        key=lambda c: c.__name__,
    )


_UNAVAILABLE = (
    rexc.ConnectionError,
    rexc.TimeoutError,
    rexc.ClusterDownError,
    rexc.RedisClusterUnreachableError,
    rexc.SlotNotCoveredError,
    rexc.TryAgainError,
    rexc.ReadOnlyError,
)


class _ProbeRedis(RedisStore):
    def boom(self, exc: Exception) -> None:
        raise exc


@pytest.fixture(scope="module")
def probe_redis() -> Iterator[_ProbeRedis]:
    pytest.importorskip("redis")
    url, options = store_url("redis")
    store = _ProbeRedis(url, **options)
    try:
        yield store
    finally:
        store.drop_all()
        store.close()


def test_the_families_include_the_ones_outside_redis_error() -> None:
    classes = _redis_exception_classes()
    outside = {c for c in classes if not issubclass(c, rexc.RedisError)}
    assert rexc.RedisClusterException in outside
    assert {rexc.SlotNotCoveredError, rexc.RedisClusterUnreachableError} <= outside


@pytest.mark.redis
@pytest.mark.parametrize("cls", _redis_exception_classes(), ids=lambda c: c.__name__)
def test_each_redis_exception_becomes_a_storage_error(
    probe_redis: _ProbeRedis, cls: type[Exception]
) -> None:
    raised = cls("3999 127.0.0.1:6381")  # parsable by AskError / MovedError too
    with pytest.raises(StorageError) as info:
        probe_redis.boom(raised)
    expected = StorageUnavailable if issubclass(cls, _UNAVAILABLE) else StorageError
    assert type(info.value) is expected
    assert info.value.__cause__ is raised


@pytest.mark.redis
def test_non_engine_errors_are_left_alone(probe_redis: _ProbeRedis) -> None:
    with pytest.raises(KeyError) as info:
        probe_redis.boom(KeyError("x"))
    assert not isinstance(info.value, SuoError)


@pytest.mark.redis
def test_a_real_redis_response_error_is_a_storage_error(probe_redis: _ProbeRedis) -> None:
    probe_redis._r.hset(probe_redis._key("wrong", "link"), "a", "b")  # WRONGTYPE for GET
    with pytest.raises(StorageError) as info:
        probe_redis.get_link("wrong")
    assert type(info.value) is StorageError
    assert isinstance(info.value.__cause__, rexc.ResponseError)


def test_redis_password_is_not_echoed() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StorageUnavailable) as info:
        open_store(f"redis://:hunter2@127.0.0.1:{port}/0", connect_timeout=1)
    assert "hunter2" not in str(info.value)
    assert isinstance(info.value.__cause__, redis.ConnectionError)
