"""ASGIApp answering visits with ``await Shortener.aresolve`` (no thread pool) on network stores."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest

import suo
from suo.storage.aio import close_sides
from suo.storage.sql import SQLStore
from suo.testing.backends import isolated_store
from suo.web import ASGIApp

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def test_native_is_opt_in(store: Any) -> None:
    assert ASGIApp(suo.Shortener(store)).native is False
    assert ASGIApp(suo.Shortener(store), native=True).native is True


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ],
)
def test_concurrent_visits_are_served_on_the_loop_with_exact_caps(kind: str) -> None:
    with isolated_store(kind) as store:
        s = suo.Shortener(store, cache_ttl=0)
        s.shorten("https://example.com/", alias="n", max_clicks=12)
        app = ASGIApp(s, native=True)

        async def storm() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
            try:
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                    heads = [c.head("/n", headers={"user-agent": UA}) for _ in range(4)]
                    gets = [c.get("/n", headers={"user-agent": UA}) for _ in range(30)]
                    return list(await asyncio.gather(*gets, *heads))
            finally:
                await close_sides(store)

        got = asyncio.run(storm())
        statuses = [r.status_code for r in got[:30]]
        assert statuses.count(302) == 12
        assert statuses.count(410) == 18
        assert all(r.content == b"" for r in got[30:])  # HEAD: no body, nothing counted
        assert s.stats("n").clicks == 12
        assert s.stats("n").visits == 30
        assert app._executor is None  # no thread pool was started for visits
        assert (
            asyncio.run(_get(app, "/n.svg")).headers["content-type"].startswith("image/svg")
        )  # QR codes go the pool's way
        app.close()


async def _get(app: ASGIApp, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        return await c.get(path)


def test_a_failed_store_is_a_503_on_the_native_path_too() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])  # nothing listens there
    store = SQLStore(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
        create_schema=False,
        connect_timeout=1,
    )
    app = ASGIApp(suo.Shortener(store), native=True)
    r = asyncio.run(_get(app, "/abc"))
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert b"Traceback" not in r.content
    store.close()
