"""Stores for benchmarks: every backend reachable here, each isolated and dropped after."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from suo.testing.backends import isolated_store

# The benchmarks use the test servers' addresses, defaulting to local ones.
os.environ.setdefault("SUO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
os.environ.setdefault("SUO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG = os.environ["SUO_TEST_POSTGRES_URL"]
REDIS = os.environ["SUO_TEST_REDIS_URL"]

_KINDS = {"memory": "memory", "sqlite": "sqlite-file", "postgres": "postgres", "redis": "redis"}


@contextlib.contextmanager
def bench_store(kind: str) -> Iterator[Any]:
    """Yield a fresh store of ``kind``: memory, sqlite (a file), postgres, redis."""
    with isolated_store(_KINDS[kind]) as store:
        yield store


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
