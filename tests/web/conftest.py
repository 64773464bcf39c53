"""Fixtures for the web tests: a Shortener with a few links, user agents, adapter callers.

``make_client`` builds a caller for each adapter kind (WSGI, ASGI inline,
ASGI with the thread pool), so one test checks that all of them answer alike.
"""

from __future__ import annotations

import asyncio
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

    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
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
    return status, {k.lower(): v for k, v in hdrs}, body


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


@pytest.fixture(params=["wsgi", "asgi", "asgi-offload"])
def make_client(request: pytest.FixtureRequest) -> Callable[..., Caller]:
    """``make_client(shortener, **options)`` -> a caller for one adapter kind."""

    def make(shortener: suo.Shortener, **options: Any) -> Caller:
        if request.param == "wsgi":
            wapp = WSGIApp(shortener, **options)
            return lambda *a, **kw: call_wsgi(wapp, *a, **kw)
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
