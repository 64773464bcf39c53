"""ASGIApp: lifespan, mounting below a root path, and resolves off the event loop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

import suo
from suo.errors import ConfigurationError
from suo.storage.memory import MemoryStore
from suo.web import ASGIApp

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def scope(path: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "headers": [],
        "client": ("127.0.0.1", 1),
        **extra,
    }


async def run(app: ASGIApp, scope_: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(dict(message))

    await app(scope_, receive, send)
    return sent


def test_lifespan_startup_and_shutdown(shortener: suo.Shortener) -> None:
    app = ASGIApp(shortener, offload=True)
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def go() -> None:
        async def receive() -> dict[str, Any]:
            return incoming.pop(0)

        async def send(message: dict[str, Any]) -> None:
            sent.append(dict(message))

        await run(app, scope("/plain"))  # starts the pool
        assert app._executor is not None
        await app({"type": "lifespan"}, receive, send)

    asyncio.run(go())
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert app._executor is None  # drained and stopped


def test_websocket_is_refused(shortener: suo.Shortener) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(ASGIApp(shortener)({"type": "websocket", "path": "/x"}, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1003}]


def test_root_path_is_stripped(shortener: suo.Shortener) -> None:
    sent = asyncio.run(run(ASGIApp(shortener), scope("/s/plain", root_path="/s")))
    assert sent[0]["status"] == 302
    assert dict(sent[0]["headers"])[b"location"] == b"https://example.com/plain"


def test_repeated_headers_are_joined(shortener: suo.Shortener) -> None:
    req = ASGIApp.request_from(
        scope("/x", headers=[(b"x-forwarded-for", b"1.1.1.1"), (b"X-Forwarded-For", b"2.2.2.2")])
    )
    assert req.forwarded_for == "1.1.1.1, 2.2.2.2"
    assert ASGIApp.request_from({"type": "http", "path": "/x"}).peer is None


def test_offload_default_depends_on_the_store() -> None:
    assert ASGIApp(suo.Shortener("memory://")).offload is False
    assert ASGIApp(suo.Shortener("sqlite://")).offload is True
    assert ASGIApp(suo.Shortener("sqlite://"), offload=False).offload is False
    assert ASGIApp(suo.Shortener("sqlite://")).max_threads == 1
    assert ASGIApp(suo.Shortener("memory://")).max_threads == 16
    assert ASGIApp(suo.Shortener("sqlite://"), max_threads=3).max_threads == 3
    with pytest.raises(ConfigurationError, match="max_threads"):
        ASGIApp(suo.Shortener("memory://"), max_threads=0)


class RendezvousStore(MemoryStore):
    """Every get_link waits until ``parties`` of them are in flight at once.

    On the event loop the first one would wait forever (nothing else runs), so
    the barrier only opens when resolves really run side by side.
    """

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(parties, timeout=5)
        self.threads: set[str] = set()

    def get_link(self, code: str) -> Any:
        self.threads.add(threading.current_thread().name)
        self.barrier.wait()
        return super().get_link(code)


def test_offloaded_resolves_run_concurrently_off_the_loop() -> None:
    store = RendezvousStore(parties=4)
    s = suo.Shortener(store, cache_ttl=0)
    s.shorten("https://example.com/", alias="x")
    app = ASGIApp(s, offload=True, max_threads=4)

    async def go() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            tick = 0

            async def ticker() -> None:
                nonlocal tick
                while True:
                    await asyncio.sleep(0)
                    tick += 1

            t = asyncio.create_task(ticker())
            rs = await asyncio.gather(*(c.get("/x", headers={"user-agent": UA}) for _ in range(4)))
            t.cancel()
            assert tick > 0  # the loop kept running while resolves waited
            return [r.status_code for r in rs]

    try:
        assert asyncio.run(go()) == [302] * 4
    finally:
        app.close()
    assert all(name.startswith("suo-resolve") for name in store.threads)
    assert len(store.threads) == 4
    assert store.link_stats("x").clicks == 4


def test_inline_resolves_run_on_the_loop_thread() -> None:
    store = RendezvousStore(parties=1)
    s = suo.Shortener(store, cache_ttl=0)
    s.shorten("https://example.com/", alias="x")
    app = ASGIApp(s, offload=False)
    sent = asyncio.run(run(app, scope("/x")))
    assert sent[0]["status"] == 302
    assert store.threads == {threading.main_thread().name}


def test_graceful_shutdown_finishes_resolves_in_flight() -> None:
    """uvicorn stops accepting, the resolve that is waiting on the store completes."""
    import http.client
    import socket
    import time

    import uvicorn

    class SlowStore(MemoryStore):
        entered = threading.Event()

        def get_link(self, code: str) -> Any:
            SlowStore.entered.set()
            time.sleep(0.5)
            return super().get_link(code)

    s = suo.Shortener(SlowStore(), cache_ttl=0)
    s.shorten("https://example.com/slow", alias="slow")
    app = ASGIApp(s, offload=True)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    result: dict[str, Any] = {}

    def visit() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/slow", headers={"User-Agent": UA})
        r = conn.getresponse()
        result["status"], result["location"] = r.status, r.getheader("Location")
        conn.close()

    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        client = threading.Thread(target=visit)
        client.start()
        assert SlowStore.entered.wait(10)
        server.should_exit = True  # what SIGTERM does
        client.join(10)
        thread.join(10)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    assert result == {"status": 302, "location": "https://example.com/slow"}
    assert not thread.is_alive()
    assert app._executor is None  # lifespan shutdown drained the pool
