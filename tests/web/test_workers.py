"""Several worker processes on one port: `suo serve --workers 2` and the app factory under uvicorn.

Each test starts a real server process on a free loopback port, bounded in
time and requests, and stops it by its pid (the server stops its workers).
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import DESKTOP_CHROME, free_port, start_serve, suo_command

import suo
from suo.testing.backends import drop_store, store_url

CAP = 150
REQUESTS = 400
THREADS = 16


def get(port: int, path: str) -> tuple[int, str | None]:
    """One request on a fresh connection (so the kernel can hand it to any worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"User-Agent": DESKTOP_CHROME})
        r = conn.getresponse()
        r.read()
        return r.status, r.getheader("x-suo-worker")
    finally:
        conn.close()


def wait_for_workers(port: int, n: int, timeout: float = 60) -> set[str]:
    """Ask /healthz on fresh connections until ``n`` distinct workers have answered."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < n and time.monotonic() < deadline:
        try:
            status, pid = get(port, "/healthz")
        except OSError:
            status, pid = 0, None
        if status == 200 and pid:
            seen.add(pid)
        else:
            time.sleep(0.05)
    assert len(seen) == n, f"only {len(seen)} of {n} workers answered within {timeout} s"
    return seen


def children_of(pid: int) -> set[int]:
    """The pids whose parent is ``pid`` (from /proc)."""
    out: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after ')'
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


@pytest.fixture(
    params=[pytest.param("sqlite-file"), pytest.param("redis", marks=pytest.mark.redis)]
)
def shared_store(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    """A store URL that several processes can share (its isolation in the URL) and the store."""
    with tempfile.TemporaryDirectory(prefix="suo-workers-") as tmp:
        url, options = store_url(request.param, directory=tmp)
        if "prefix" in options:
            url = f"{url}?prefix={options['prefix']}"
        store = suo.open_store(url)
        try:
            yield url, store
        finally:
            drop_store(request.param.replace("sqlite-file", "sqlite"), store)


def test_two_workers_serve_one_port_and_clicks_stay_exact(
    shared_store: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, store = shared_store
    s = suo.Shortener(store)
    s.shorten("https://example.com/capped", alias="capped", max_clicks=CAP)
    s.shorten("https://example.com/free", alias="free")
    monkeypatch.setenv("SUO_WORKER_HEADER", "1")
    server = start_serve(url, "--workers", "2", "--no-access-log")
    try:
        wait_for_workers(server.port, 2)  # both started (the first may answer alone at first)
        with ThreadPoolExecutor(THREADS) as pool:
            answers = list(pool.map(lambda _: get(server.port, "/capped"), range(REQUESTS)))
            free = list(pool.map(lambda _: get(server.port, "/free"), range(100)))
        workers = children_of(server.proc.pid)
    finally:
        code, log = server.stop()
    assert code == 0, log
    statuses = Counter(status for status, _ in answers)
    assert statuses == {302: CAP, 410: REQUESTS - CAP}, statuses
    assert store.link_stats("capped").clicks == CAP
    assert [status for status, _ in free] == [302] * 100
    assert store.link_stats("free").clicks == 100
    served_by = {int(pid) for _, pid in answers + free if pid is not None}
    assert len(served_by) == 2, f"one port, two processes: {served_by}"
    assert server.proc.pid not in served_by  # the workers answer, not the supervisor
    assert served_by <= workers, (served_by, workers)
    assert "with 2 worker processes" in log


@pytest.mark.parametrize("url", ["memory://", "sqlite://"])
def test_a_process_local_store_is_refused_with_workers(url: str) -> None:
    done = subprocess.run(
        [*suo_command(), "serve", "--store", url, "--workers", "2", "--port", str(free_port())],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "lives inside one process" in done.stderr
    assert "use a shared store" in done.stderr


def test_workers_must_be_positive() -> None:
    done = subprocess.run(
        [*suo_command(), "serve", "--store", "memory://", "--workers", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--workers: must be a whole number of at least 1" in done.stderr


def test_the_factory_under_uvicorn_workers(tmp_path: Path) -> None:
    db = tmp_path / "links.db"
    s = suo.Shortener(f"sqlite:///{db}")
    s.shorten("https://example.com/factory", alias="f")
    s.store.close()
    port = free_port()
    env = dict(os.environ, SUO_STORE=f"sqlite:///{db}", SUO_WORKERS="2", SUO_WORKER_HEADER="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "suo.web:app_from_env", "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        seen: set[str] = set()
        statuses: set[int] = set()
        while time.monotonic() < deadline and len(seen) < 2:
            assert proc.poll() is None, proc.communicate()[0]
            try:
                status, pid = get(port, "/f")
            except OSError:
                time.sleep(0.1)
                continue
            statuses.add(status)
            if pid:
                seen.add(pid)
        assert statuses == {302}
        assert len(seen) == 2, seen
        workers = children_of(proc.pid)
        assert {int(p) for p in seen} <= workers
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out
    assert not any(Path(f"/proc/{pid}").exists() for pid in seen), "workers outlived the server"
    again = suo.open_store(f"sqlite:///{db}")
    try:
        assert again.link_stats("f").clicks >= 2
    finally:
        again.close()


def test_the_factory_refuses_a_missing_store() -> None:
    from suo.errors import ConfigurationError
    from suo.web import app_from_env

    with pytest.raises(ConfigurationError, match="SUO_STORE is not set"):
        app_from_env({})
    with pytest.raises(ConfigurationError, match="SUO_THREADS must be a int"):
        app_from_env({"SUO_STORE": "sqlite://", "SUO_THREADS": "many"})


def test_the_factory_reads_its_settings_from_the_environment() -> None:
    from suo.testing import ASGIClient
    from suo.web import ServedApp, app_from_env

    app = app_from_env(
        {
            "SUO_STORE": "sqlite://",
            "SUO_BASE_URL": "https://s.example/",
            "SUO_CACHE_TTL": "0",
            "SUO_THREADS": "3",
            "SUO_TRUSTED_PROXIES": "10.0.0.0/8, unix",
            "SUO_API": "1",
            "SUO_API_PREFIX": "/admin",
            "SUO_RATE_LIMIT": "off",
        }
    )
    store = app.shortener.store
    closed: list[bool] = []
    real_close = store.close
    store.close = lambda: (closed.append(True), real_close())[1]  # type: ignore[method-assign]
    try:
        assert isinstance(app, ServedApp)
        assert app.shortener.base_url == "https://s.example/"
        assert app.max_threads == 3
        assert app.api is not None
        assert app.api_prefix == "/admin"
        client = ASGIClient(app)
        assert client.get("/admin/openapi.json").status_code == 200
        app.shortener.shorten("https://example.com/x", alias="x")
        r = client.get("/x")
        assert r.status_code == 302
        assert "x-suo-worker" not in r.headers  # off unless asked for
    finally:
        app.close()
    assert closed == [True]  # the app owns its store: close() (lifespan shutdown) closes it


def test_the_factory_refuses_bad_flags() -> None:
    from suo.errors import ConfigurationError
    from suo.web import app_from_env

    with pytest.raises(ConfigurationError, match="SUO_API must be 1 or 0"):
        app_from_env({"SUO_STORE": "sqlite://", "SUO_API": "perhaps"})
    with pytest.raises(ConfigurationError, match="lives inside one process"):
        app_from_env({"SUO_STORE": "sqlite:///:memory:", "SUO_WORKERS": "3"})
