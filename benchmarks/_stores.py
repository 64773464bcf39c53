"""Stores for benchmarks: every backend reachable here, each isolated and dropped after."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

from suo.storage import open_store

PG = os.environ.get("SUO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("SUO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextlib.contextmanager
def bench_store(kind: str) -> Iterator[Any]:
    """Yield a fresh store of ``kind``: memory, sqlite (file), postgres, redis."""
    token = uuid.uuid4().hex[:8]
    if kind == "memory":
        yield open_store("memory://")
    elif kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(f"sqlite:///{tmp}/bench.db")
            yield store
            store.close()
    elif kind == "postgres":
        store = open_store(PG, schema=f"suo_bench_{token}")
        try:
            yield store
        finally:
            store.drop_schema()
            store.close()
    elif kind == "redis":
        store = open_store(REDIS, prefix=f"suo-bench-{token}")
        try:
            yield store
        finally:
            store.drop_all()
            store.close()
    else:
        raise ValueError(kind)


def available(kinds: tuple[str, ...] = ("memory", "sqlite", "postgres", "redis")) -> list[str]:
    """The kinds whose server answers (others are reported as skipped)."""
    out = []
    for kind in kinds:
        try:
            with bench_store(kind):
                out.append(kind)
        except Exception as exc:
            print(f"(skipping {kind}: {type(exc).__name__}: {exc})")
    return out
