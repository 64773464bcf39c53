"""Fixtures for the management API tests: the app over a store of every backend.

API keys are stored only by the memory backend on this branch; on a backend
without ``save_key`` the API tests skip (the keys branch adds SQL and Redis).
"""

from __future__ import annotations

from typing import Any

import pytest

import suo

from .helpers import NOW, Api


@pytest.fixture
def shortener(store: Any) -> suo.Shortener:
    """A Shortener over the backend's store, its clock fixed at :data:`NOW`."""
    if not hasattr(store, "save_key"):
        pytest.skip("keys on this backend land with the keys branch")
    return suo.Shortener(store, base_url="https://s.example/", clock=lambda: NOW)


@pytest.fixture
def api(shortener: suo.Shortener) -> Api:
    """The management API over :func:`shortener` (no rate limit)."""
    return Api(shortener, rate_limit=None)
