"""open_store: schemes, errors that say what to do, pluggable backends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

import suo
from suo.errors import ConfigurationError, MissingDependency, SuoError
from suo.storage import BACKENDS, open_store, register_backend
from suo.storage.memory import MemoryStore
from suo.testing.backends import require_service


def test_memory_and_sqlite_urls(tmp_path: Any) -> None:
    assert type(open_store("memory://")).__name__ == "MemoryStore"
    mem_sql = open_store("sqlite://")
    assert type(mem_sql).__name__ == "SQLStore"
    assert mem_sql.dialect == "sqlite"
    path = tmp_path / "x.db"
    open_store(f"sqlite:///{path}").close()
    assert path.exists()


@pytest.mark.postgres
def test_postgres_url_forms() -> None:
    url = require_service("postgres")
    bare = url.replace("postgresql+psycopg://", "postgresql://")
    for u in (url, bare):
        store = open_store(u, schema="suo_t_openstore")
        try:
            assert store.dialect == "postgresql"
        finally:
            store.drop_schema()
            store.close()


@pytest.mark.redis
def test_redis_url_with_prefix_in_query() -> None:
    url = require_service("redis")
    store = open_store(url + "?prefix=suo-t-q")
    try:
        assert store.prefix == "suo-t-q"
    finally:
        store.drop_all()
        store.close()


def test_a_store_object_passes_through() -> None:
    store = MemoryStore()
    assert open_store(store) is store


@pytest.mark.parametrize("url", ["mysql://localhost/db", "ftp://x", "nothing", "mongodb://h/db"])
def test_unknown_scheme_is_a_suo_error_naming_the_choices(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        open_store(url)
    assert isinstance(info.value, SuoError)
    assert "memory" in str(info.value)
    assert "redis" in str(info.value)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="no options"):
        open_store("memory://", colour="red")
    with pytest.raises(ConfigurationError, match="unknown SQL store options"):
        open_store("sqlite://", colour="red")


def test_register_backend() -> None:
    register_backend("testmem", "suo.storage.memory:MemoryStore")
    try:
        assert isinstance(open_store("testmem://"), MemoryStore)
        with pytest.raises(ConfigurationError, match="module:Class"):
            register_backend("bad", "nocolon")
    finally:
        BACKENDS.pop("testmem")


@pytest.mark.parametrize(
    ("url", "blocked", "extra"),
    [("sqlite://", "sqlalchemy", "suo[sql]"), ("redis://127.0.0.1:1/0", "redis", "suo[redis]")],
)
def test_missing_extra_names_the_pip_install(url: str, blocked: str, extra: str) -> None:
    # A fresh interpreter where the driver cannot be imported, as on a bare install.
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules[{blocked!r}] = None
        import suo
        try:
            suo.open_store({url!r})
        except suo.errors.MissingDependency as exc:
            assert isinstance(exc, ImportError)
            print("MISSING:", exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"pip install '{extra}'" in out.stdout


def test_missing_dependency_is_in_the_hierarchy() -> None:
    assert issubclass(MissingDependency, suo.errors.ConfigurationError)
    assert issubclass(MissingDependency, ImportError)
