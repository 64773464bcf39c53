"""The Redis backend's Lua scripts ship as package files, read once, registered once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import suo.storage.redis
from suo.storage.redis import RedisStore
from suo.storage.redis._base import lua_scripts
from suo.testing.backends import drop_store, store_url

REDIS_SRC = Path(suo.storage.redis.__file__).parent


def _names_used() -> set[str]:
    found: set[str] = set()
    for path in REDIS_SRC.glob("*.py"):
        found |= set(re.findall(r'_script\("([a-z_]+)"\)', path.read_text(encoding="utf-8")))
    return found


def test_every_script_used_is_shipped_and_every_shipped_script_is_used() -> None:
    assert _names_used() == set(lua_scripts())
    assert len(lua_scripts()) >= 14
    assert all("redis.call" in source for source in lua_scripts().values())


def test_the_files_are_read_once() -> None:
    assert lua_scripts() is lua_scripts()


def test_no_inline_lua_is_left_in_the_python_modules() -> None:
    for path in REDIS_SRC.glob("*.py"):
        assert "redis.call(" not in path.read_text(encoding="utf-8"), path.name


@pytest.fixture
def redis_store() -> Iterator[RedisStore]:
    url, options = store_url("redis")
    store = RedisStore(url, **options)
    try:
        yield store
    finally:
        drop_store("redis", store)


@pytest.mark.redis
def test_scripts_are_registered_once_per_client(redis_store: RedisStore) -> None:
    first = redis_store._script("link_hit")
    assert redis_store._script("link_hit") is first
    assert first.sha == redis_store._r.script_load(lua_scripts()["link_hit"])
    url, options = store_url("redis")
    with RedisStore(url, **options) as other:
        assert other._script("link_hit") is not first  # each client has its own
