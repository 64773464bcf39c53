"""Fixtures for the web tests: a Shortener with a few links, user agents, adapter callers.

``make_client`` builds a caller for each adapter kind (WSGI, ASGI inline,
ASGI with the thread pool), so one test checks that all of them answer alike.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

import suo
from suo.web import ASGIApp, WSGIApp

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


WECHAT_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN"
)
DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


Called = tuple[str, dict[str, str], bytes]


def call_wsgi(
    app: Any,
    method: str = "GET",
    path: str = "/",
    *,
    headers: dict[str, str] | None = None,
    remote_addr: str = "198.51.100.7",
) -> Called:
    """Call a WSGI app with a minimal environ; return (status line, headers, body)."""
    from wsgiref.util import setup_testing_defaults

    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": remote_addr,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, hdrs: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append((status, hdrs))
        return lambda data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    status, hdrs = seen[0]
    joined: dict[str, str] = {}
    for k, v in hdrs:  # repeated headers joined with ", ", as httpx does
        joined[k.lower()] = f"{joined[k.lower()]}, {v}" if k.lower() in joined else v
    return status, joined, body


def call_asgi(
    app: Any,
    method: str = "GET",
    path: str = "/",
    *,
    headers: dict[str, str] | None = None,
    remote_addr: str = "198.51.100.7",
) -> Called:
    """One request through httpx's ASGITransport; (status line, headers, body)."""

    async def go() -> Called:
        transport = httpx.ASGITransport(app=app, client=(remote_addr, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            hdrs = {"user-agent": ""} | {k.lower(): v for k, v in (headers or {}).items()}
            r = await c.request(method, path, headers=hdrs)
        return f"{r.status_code} {r.reason_phrase}", dict(r.headers.items()), r.content

    return asyncio.run(go())


Caller = Callable[..., Called]


@pytest.fixture(params=["wsgi", "asgi", "asgi-offload", "asgi-native"])
def make_client(request: pytest.FixtureRequest) -> Callable[..., Caller]:
    """``make_client(shortener, **options)`` -> a caller for one adapter kind."""

    def make(shortener: suo.Shortener, **options: Any) -> Caller:
        if request.param == "wsgi":
            wapp = WSGIApp(shortener, **options)
            return lambda *a, **kw: call_wsgi(wapp, *a, **kw)
        if request.param == "asgi-native":  # visits through Shortener.aresolve
            options = {"native": True, **options}
        aapp = ASGIApp(shortener, offload=request.param == "asgi-offload", **options)
        request.addfinalizer(aapp.close)
        return lambda *a, **kw: call_asgi(aapp, *a, **kw)

    return make


@pytest.fixture
def ua() -> SimpleNamespace:
    """User agents: ``ua.wechat`` (WeChat on iPhone), ``ua.desktop`` (Chrome), ``ua.bot``."""
    return SimpleNamespace(wechat=WECHAT_IPHONE, desktop=DESKTOP_CHROME, bot=GOOGLEBOT)


@pytest.fixture
def shortener() -> Iterator[suo.Shortener]:
    """A memory-store Shortener with ``sale`` (anti-block), ``plain`` and ``club`` (WeChat only)."""
    s = suo.Shortener("memory://", base_url="https://s.example/")
    s.shorten("https://shop.example.com/sale", alias="sale", policy=suo.AccessPolicy.anti_block())
    s.shorten("https://example.com/plain", alias="plain")
    s.shorten(
        "https://club.example.com/", alias="club", policy=suo.AccessPolicy.only(suo.Platform.WECHAT)
    )
    yield s
    s.store.close()


@pytest.fixture
def examples_path() -> Iterator[Path]:
    """``examples/`` on sys.path, so the recipes import as modules."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        yield EXAMPLES
    finally:
        sys.path.remove(str(EXAMPLES))


# -- a real `suo serve` process -------------------------------------------------


def suo_command() -> list[str]:
    """The ``suo`` console script of this interpreter (or ``python -m suo.cli``)."""
    script = Path(sys.executable).with_name("suo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "suo.cli"]


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served(SimpleNamespace):
    """A running ``suo serve``: ``.proc``, ``.port``, ``.url``, ``.stop()`` -> (code, output)."""

    proc: subprocess.Popen[str]
    port: int
    url: str

    def stop(self, timeout: float = 20) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise
        return self.proc.returncode, out + err


def start_serve(store_url: str, *extra: str, timeout: float = 30) -> Served:
    """Start ``suo serve`` on a free loopback port and wait until /healthz answers."""
    import http.client
    import time

    port = free_port()
    proc = subprocess.Popen(
        [*suo_command(), "serve", "--store", store_url, "--host", "127.0.0.1",
         "--port", str(port), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    served = Served(proc=proc, port=port, url=f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            code, err = served.stop()
            raise AssertionError(f"suo serve exited with {code} before it was ready:\n{err}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return served
            conn.close()
        except OSError:
            pass
        time.sleep(0.1)
    served.stop()
    raise AssertionError(f"suo serve did not answer on port {port} within {timeout} s")


def suo_run(*args: str) -> str:
    """Run a ``suo`` subcommand; its stdout (fails the test on a non-zero exit)."""
    done = subprocess.run(
        [*suo_command(), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"suo {' '.join(args)} failed: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def suo_cli() -> Callable[..., str]:
    """``suo_cli("shorten", url, ...)`` runs the ``suo`` command and returns its stdout."""
    return suo_run


def _serve_fixture() -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(store_url: str, *extra: str) -> Served:
        server = start_serve(store_url, *extra)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.stop()


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """``serve(store_url, *options)`` starts ``suo serve``; stopped after the test."""
    yield from _serve_fixture()


@pytest.fixture(scope="module")
def serve_module() -> Iterator[Callable[..., Served]]:
    """Like ``serve``, but the servers live until the module's tests are done."""
    yield from _serve_fixture()
