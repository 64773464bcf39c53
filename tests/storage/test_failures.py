"""Engine failures: clear StorageError subclasses, cause chained, within seconds."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from suo.errors import StorageError, StorageUnavailable
from suo.shortener import Shortener
from suo.storage import open_store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_postgres_fails_fast() -> None:
    port = _free_port()  # nothing listens there
    t0 = time.monotonic()
    with pytest.raises(StorageUnavailable) as info:
        open_store(f"postgresql+psycopg://postgres@127.0.0.1:{port}/test", connect_timeout=2)
    assert time.monotonic() - t0 < 10
    assert info.value.__cause__ is not None
    assert "unavailable" in str(info.value)


def test_unreachable_redis_fails_fast() -> None:
    port = _free_port()
    t0 = time.monotonic()
    with pytest.raises(StorageUnavailable) as info:
        open_store(f"redis://127.0.0.1:{port}/0", connect_timeout=1)
    assert time.monotonic() - t0 < 10
    assert info.value.__cause__ is not None
    assert isinstance(info.value, ConnectionError)


def test_password_is_not_echoed() -> None:
    port = _free_port()
    with pytest.raises(StorageUnavailable) as info:
        open_store(f"postgresql+psycopg://u:hunter2@127.0.0.1:{port}/test", connect_timeout=1)
    assert "hunter2" not in str(info.value)


def test_unwritable_sqlite_path_is_a_storage_error(tmp_path: object) -> None:
    with pytest.raises(StorageError):
        open_store("sqlite:////proc/definitely/not/here.db")


@pytest.fixture
def private_redis() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("SUO_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is not installed but SUO_REQUIRE_SERVICES=1")
        pytest.skip("redis-server is not installed; cannot start a private Redis to kill")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def test_redis_killed_mid_use_raises_storage_unavailable(
    private_redis: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, proc = private_redis
    # No read cache: a cached link would keep redirecting (tests/shortener/test_outage.py).
    store = open_store(f"redis://127.0.0.1:{port}/0", socket_timeout=1, connect_timeout=1)
    s = Shortener(store, cache_ttl=0)
    link = s.shorten("https://example.com/")
    assert s.resolve(link.code).location == "https://example.com/"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    t0 = time.monotonic()
    with pytest.raises(StorageUnavailable) as info:
        s.resolve(link.code)
    assert time.monotonic() - t0 < 10
    assert info.value.__cause__ is not None


def test_redis_that_stops_answering_times_out(
    private_redis: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, proc = private_redis
    store = open_store(f"redis://127.0.0.1:{port}/0", socket_timeout=1, connect_timeout=1)
    s = Shortener(store, cache_ttl=0)
    link = s.shorten("https://example.com/")
    proc.send_signal(signal.SIGSTOP)  # alive but silent: only a timeout can save us
    try:
        t0 = time.monotonic()
        with pytest.raises(StorageUnavailable):
            s.resolve(link.code)
        assert time.monotonic() - t0 < 10
    finally:
        proc.send_signal(signal.SIGCONT)
