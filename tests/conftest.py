"""Fixtures shared by every test: stores on every backend, isolated per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from suo.testing.backends import backend_params, isolated_store

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("SUO_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session", autouse=True)
def _stop_local_redis_cluster() -> Iterator[None]:
    """Stop the Redis Cluster the ``redis_cluster`` backend started (by pid), at session end."""
    yield
    from suo.testing.redis_cluster import stop_shared_cluster

    stop_shared_cluster()


@pytest.fixture(params=backend_params())
def backend(request: pytest.FixtureRequest) -> str:
    """The backend id of the current parametrization."""
    return str(request.param)


@pytest.fixture
def store(backend: str) -> Iterator[Any]:
    """A fresh, empty store of every backend in turn."""
    with isolated_store(backend) as s:
        yield s
