"""Open throw-away stores on every backend, isolated per use.

PostgreSQL stores get a schema of their own, Redis stores a key prefix of
their own; both are dropped afterwards, so tests never see each other's data
and never depend on leftovers or order.

Server addresses come from ``SUO_TEST_POSTGRES_URL`` and ``SUO_TEST_REDIS_URL``.
Without them those backends are skipped with the reason, unless
``SUO_REQUIRE_SERVICES=1`` is set (CI), which turns a missing server into a
failure.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = [
    "BACKENDS",
    "backend_params",
    "drop_store",
    "isolated_store",
    "require_service",
    "service_url",
    "store_url",
]

BACKENDS = ("memory", "sqlite", "sqlite-file", "postgres", "redis", "redis_cluster")
"""Backend ids used by the ``store`` fixtures, in the order tests run them."""

_ENV = {
    "postgres": "SUO_TEST_POSTGRES_URL",
    "redis": "SUO_TEST_REDIS_URL",
    "redis_cluster": "SUO_TEST_REDIS_CLUSTER_URL",
}


def service_url(kind: str) -> str | None:
    """The server URL for ``"postgres"``, ``"redis"`` or ``"redis_cluster"`` from the environment."""
    return os.environ.get(_ENV[kind]) or None


def require_service(kind: str) -> str:
    """The server URL, or skip the test (fail under ``SUO_REQUIRE_SERVICES=1``).

    ``redis_cluster`` without ``SUO_TEST_REDIS_CLUSTER_URL`` starts a local
    cluster of ``redis-server`` processes, once per test process
    (:func:`suo.testing.redis_cluster.shared_cluster`); without
    ``redis-server`` installed it skips, or fails under ``SUO_REQUIRE_SERVICES=1``.
    """
    url = service_url(kind)
    if url is None and kind == "redis_cluster":
        url = _local_cluster_url()
    if url is None:
        msg = f"{_ENV[kind]} is not set, so the {kind} backend tests cannot run"
        if kind == "redis_cluster":
            msg += " (and redis-server, which would start a local cluster, is not installed)"
        if os.environ.get("SUO_REQUIRE_SERVICES") == "1":
            pytest.fail(msg + " (SUO_REQUIRE_SERVICES=1 says the server must be there)")
        pytest.skip(msg)
    return url


def store_url(kind: str, *, directory: str | None = None) -> tuple[str, dict[str, Any]]:
    """A fresh URL and the options that isolate it, for ``open_store(url, **options)``.

    Another process can open the same store with them. ``sqlite-file`` needs
    the ``directory`` to put the file in; PostgreSQL gets a schema and Redis a
    key prefix of its own (drop them with :func:`drop_store`).
    """
    token = uuid.uuid4().hex[:10]
    if kind == "memory":
        return "memory://", {}
    if kind == "sqlite":
        return "sqlite://", {}
    if kind == "sqlite-file":
        if directory is None:
            raise ValueError("the sqlite-file backend needs a directory for its file")
        return f"sqlite:///{directory}/suo-{token}.db", {}
    if kind == "postgres":
        return require_service("postgres"), {"schema": f"suo_t_{token}"}
    if kind in ("redis", "redis_cluster"):
        return require_service(kind), {"prefix": f"suo-t-{token}"}
    raise ValueError(f"unknown backend kind {kind!r}; use one of {BACKENDS}")


def drop_store(kind: str, store: Any) -> None:
    """Remove what :func:`store_url` isolated (schema, key prefix) and close the store."""
    try:
        if kind == "postgres":
            store.drop_schema()
        elif kind in ("redis", "redis_cluster"):
            store.drop_all()
    finally:
        store.close()


def _local_cluster_url() -> str | None:
    """The URL of this process's local test cluster, started on first use; None without redis-server."""
    import shutil

    if shutil.which("redis-server") is None:
        return None
    from suo.testing.redis_cluster import shared_cluster

    return shared_cluster().url


@contextlib.contextmanager
def isolated_store(kind: str, **options: Any) -> Iterator[Any]:
    """Yield a fresh, empty store of ``kind`` (one of :data:`BACKENDS`), then drop it."""
    from suo.storage import open_store

    folder: contextlib.AbstractContextManager[str | None] = (
        tempfile.TemporaryDirectory(prefix="suo-test-")
        if kind == "sqlite-file"
        else contextlib.nullcontext()
    )
    with folder as directory:
        url, own = store_url(kind, directory=directory)
        store = open_store(url, **own, **options)
        try:
            yield store
        finally:
            drop_store(kind, store)


def backend_params(kinds: tuple[str, ...] = BACKENDS) -> list[Any]:
    """``pytest.param`` per backend id, marked ``postgres`` / ``redis`` where a server is needed.

    Use as ``@pytest.fixture(params=backend_params())``.
    """
    marks = {
        "postgres": [pytest.mark.postgres],
        "redis": [pytest.mark.redis],
        "redis_cluster": [pytest.mark.redis_cluster],
    }
    return [pytest.param(kind, id=kind, marks=marks.get(kind, [])) for kind in kinds]
