"""The native async path: aresolve & co. on every backend, against the sync path.

The behaviour tests of resolve/explain run through both drivers already
(tests/shortener/test_service.py, test_live.py, test_visits.py use
``suo.testing.aio.driven``); here: the two drivers agree visit for visit
(hypothesis), caps stay exact under concurrent async and sync visits on
PostgreSQL and Redis, and engine failures on the async side are StorageErrors.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import suo
from suo.antiblock import AccessPolicy
from suo.decision import Decision, DecisionKind
from suo.errors import ConfigurationError, StorageUnavailable
from suo.shortener import LiveTarget, Shortener
from suo.storage import open_store
from suo.storage.aio import AsyncLinkStore, AsyncStore, async_side, close_sides
from suo.storage.sql import SQLStore
from suo.testing import ManualClock
from suo.testing.backends import isolated_store

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
G = "https://weixin.qq.com/g/"


def _run(coro: Any, *stores: Any) -> Any:
    """Run ``coro`` in a new loop; close the async sides of ``stores`` in it before it ends."""

    async def main() -> Any:
        try:
            return await coro
        finally:
            for store in stores:
                await close_sides(store)

    return asyncio.run(main())


# -- the async side of each store -------------------------------------------------


def test_async_side_is_native_except_on_sqlite_and_cluster(store: Any, backend: str) -> None:
    async def main() -> tuple[AsyncStore, int, int]:
        side = store.aio
        assert side is async_side(store)  # one per store and loop
        return side, await side.next_sequence("aio"), await side.next_sequence("aio")

    side, first, second = _run(main(), store)
    assert (first, second) == (1, 2)
    # Redis Cluster's client has no bridged twin yet: its calls run in a thread.
    expected = {
        "memory": "direct",
        "sqlite": "thread",
        "sqlite-file": "thread",
        "redis_cluster": "thread",
    }
    assert side.mode == expected.get(backend, "greenlet")
    assert side.native is (side.mode != "thread")
    assert isinstance(side, AsyncLinkStore)


def test_each_event_loop_gets_its_own_side(store: Any) -> None:
    async def side() -> AsyncStore:
        s: AsyncStore = store.aio
        await s.get_link("none")
        return s

    first, second = _run(side(), store), _run(side(), store)
    assert first is not second


def test_unknown_store_method_is_an_attribute_error(store: Any) -> None:
    async def main() -> None:
        store.aio.no_such_method  # noqa: B018

    with pytest.raises(AttributeError):
        _run(main(), store)


def test_async_side_needs_a_running_loop(store: Any) -> None:
    with pytest.raises(RuntimeError):
        store.aio  # noqa: B018


# -- resolve and aresolve agree ----------------------------------------------------

CODES = ("plain", "capped", "rr", "ff", "guard", "gone")
VISIT = st.tuples(
    st.sampled_from(CODES),
    st.sampled_from((DESKTOP, WECHAT, BOT, "")),
    st.sampled_from((None, "zh-CN,zh;q=0.9", "en-US")),
    st.booleans(),  # explain instead of resolve
    st.integers(min_value=0, max_value=3),  # hours later
)


def _setup(s: Shortener) -> None:
    s.shorten("https://example.com/plain", alias="plain")
    s.shorten("https://example.com/capped", alias="capped", max_clicks=2)
    s.shorten(
        "https://example.com/guard", alias="guard", policy=AccessPolicy.anti_block(), max_clicks=3
    )
    s.shorten_live(
        [LiveTarget(G + "a", cap=1), LiveTarget("https://b.example/", cap=2)],
        strategy="round_robin",
        alias="rr",
    )
    s.shorten_live(
        [LiveTarget(G + "c", cap=1, expires_at=T0 + timedelta(hours=2)), "https://d.example/"],
        alias="ff",
    )


def _view(d: Decision) -> tuple[Any, ...]:
    return (d.kind, d.status, d.location, d.target, d.body, dict(d.headers), d.lang, d.trace)


def _compare(kind: str, visits: list[tuple[str, str, str | None, bool, int]]) -> None:
    with isolated_store(kind) as one, isolated_store(kind) as two:
        clock_a, clock_b = ManualClock(T0), ManualClock(T0)
        a, b = Shortener(one, clock=clock_a), Shortener(two, clock=clock_b)
        _setup(a)
        _setup(b)

        async def drive() -> list[Decision]:
            got = []
            for code, ua, lang, dry, hours in visits:
                clock_b.now = T0 + timedelta(hours=hours)
                if dry:
                    got.append(await b.aexplain(code, user_agent=ua, accept_language=lang))
                else:
                    got.append(await b.aresolve(code, user_agent=ua, accept_language=lang))
            return got

        sync_got = []
        for code, ua, lang, dry, hours in visits:
            clock_a.now = T0 + timedelta(hours=hours)
            if dry:
                sync_got.append(a.explain(code, user_agent=ua, accept_language=lang))
            else:
                sync_got.append(a.resolve(code, user_agent=ua, accept_language=lang))
        async_got = _run(drive(), two)
        assert [_view(d) for d in async_got] == [_view(d) for d in sync_got]
        for code in CODES[:-1]:
            sa, sb = a.stats(code), b.stats(code)
            assert (sa.clicks, sa.visits, sa.bots, sa.by_outcome, sa.by_target) == (
                sb.clicks, sb.visits, sb.bots, sb.by_outcome, sb.by_target,
            )  # fmt: skip
        assert [e.kind for e in a.live("rr").events()] == [e.kind for e in b.live("rr").events()]


@settings(max_examples=40)
@given(visits=st.lists(VISIT, max_size=14))
def test_resolve_and_aresolve_agree_on_memory(visits: list[Any]) -> None:
    _compare("memory", visits)


@settings(max_examples=10)
@given(visits=st.lists(VISIT, max_size=10))
def test_resolve_and_aresolve_agree_on_sqlite(visits: list[Any]) -> None:
    _compare("sqlite", visits)


FIXED = [
    ("capped", DESKTOP, None, False, 0),
    ("capped", BOT, "en-US", False, 0),
    ("capped", DESKTOP, None, True, 0),
    ("capped", DESKTOP, None, False, 0),
    ("capped", DESKTOP, "zh-CN,zh;q=0.9", False, 1),
    ("guard", WECHAT, "zh-CN,zh;q=0.9", False, 1),
    ("guard", DESKTOP, None, False, 1),
    ("rr", DESKTOP, None, False, 1),
    ("rr", DESKTOP, None, True, 1),
    ("rr", DESKTOP, None, False, 1),
    ("rr", DESKTOP, None, False, 1),
    ("rr", DESKTOP, "en-US", False, 1),
    ("ff", WECHAT, None, False, 1),
    ("ff", DESKTOP, None, False, 3),
    ("gone", DESKTOP, None, False, 3),
    ("plain", BOT, None, True, 3),
]


@pytest.mark.parametrize("kind", ["postgres", "redis"], ids=["postgres", "redis"])
def test_resolve_and_aresolve_agree_on_servers(kind: str) -> None:
    _compare(kind, FIXED)


# -- caps stay exact under concurrency ----------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ],
)
def test_caps_exact_under_24_concurrent_aresolves_and_sync_resolves(kind: str) -> None:
    with isolated_store(kind) as store:
        s = Shortener(store, cache_ttl=0)
        s.shorten("https://example.com/", alias="cap", max_clicks=10)
        s.shorten_live([LiveTarget(G + "x", cap=3), LiveTarget(G + "y", cap=4)], alias="live")

        async def storm(code: str) -> list[Decision]:
            loop = asyncio.get_running_loop()
            with ThreadPoolExecutor(max_workers=8) as pool:
                sync = [loop.run_in_executor(pool, lambda: s.resolve(code)) for _ in range(8)]
                tasks = [s.aresolve(code, user_agent=DESKTOP) for _ in range(24)]
                return list(await asyncio.gather(*tasks, *sync))

        got = _run(storm("cap"), store)
        assert sum(d.kind is DecisionKind.REDIRECT for d in got) == 10
        assert sum(d.kind is DecisionKind.EXHAUSTED for d in got) == 22
        assert s.stats("cap").clicks == 10
        assert s.stats("cap").visits == 32

        got = _run(storm("live"), store)
        served = [d.target.payload for d in got if d.kind is DecisionKind.PAGE]
        assert sorted(served) == [G + "x"] * 3 + [G + "y"] * 4
        assert [t.used for t in s.live("live").targets()] == [3, 4]


# -- engine failures on the async side are StorageErrors -----------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_postgres_on_the_async_side_is_storage_unavailable() -> None:
    port = _free_port()  # nothing listens there
    store = SQLStore(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
        create_schema=False,
        connect_timeout=1,
    )
    s = Shortener(store)
    t0 = time.monotonic()
    with pytest.raises(StorageUnavailable) as info:
        _run(s.aresolve("anything"))
    assert time.monotonic() - t0 < 10
    assert info.value.__cause__ is not None
    with pytest.raises(StorageUnavailable):
        _run(s.ashorten("https://example.com/"))
    store.close()


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


def test_redis_killed_under_aresolve_is_storage_unavailable(
    private_redis: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, proc = private_redis
    store = open_store(f"redis://127.0.0.1:{port}/0", socket_timeout=1, connect_timeout=1)
    s = Shortener(store, cache_ttl=0)
    link = s.shorten("https://example.com/")

    async def visits() -> tuple[str | None, BaseException]:
        first = await s.aresolve(link.code)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        t0 = time.monotonic()
        try:
            await s.aresolve(link.code)
        except StorageUnavailable as exc:
            assert time.monotonic() - t0 < 10
            return first.location, exc
        raise AssertionError("aresolve answered with its Redis gone")

    location, exc = _run(visits())  # the dead connection is dropped, not closed
    assert location == "https://example.com/"
    assert exc.__cause__ is not None
    store.close()


def test_redis_that_stops_answering_times_out_on_the_async_side(
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
            _run(s.aresolve(link.code), store)
        assert time.monotonic() - t0 < 10
    finally:
        proc.send_signal(signal.SIGCONT)
    store.close()


# -- lifecycle and the rest of the async methods -------------------------------------


def test_async_with_closes_a_store_it_opened(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/a.db"

    async def main() -> tuple[Any, Any]:
        async with Shortener(url) as s:
            link = await s.ashorten("https://example.com/", alias="w", tags=["t"])
            assert (await s.aget("w")).target == link.target
            assert (await s.aresolve("w")).location == "https://example.com/"
            updated = await s.aupdate("w", target="https://example.org/")
            assert updated.target == "https://example.org/"
            assert [x.code for x in (await s.alinks(tag="t")).links] == ["w"]
            assert [v.outcome for v in await s.avisits("w")] == ["redirect"]
            assert (await s.astats("w")).clicks == 1
            assert await s.adelete("w") is True
            assert await s.adelete("w") is False
            return s, s.store

    s, store = _run(main())
    from suo.storage import aio

    assert store not in aio._SIDES
    assert s.store is store


def test_a_store_passed_in_stays_open_after_aclose(store: Any) -> None:
    async def main() -> None:
        s = Shortener(store)
        await s.ashorten("https://example.com/", alias="k")
        await s.aclose()

    _run(main(), store)
    assert Shortener(store).get("k").code == "k"


def test_live_codes_need_a_live_store_on_the_async_side_too() -> None:
    class Plain:
        """A LinkStore without the LiveStore half (delegates to memory)."""

        def __init__(self) -> None:
            self._m = suo.open_store("memory://")
            self.in_process = True

        def __getattr__(self, name: str) -> Any:
            if "live" in name:
                raise AttributeError(name)
            return getattr(self._m, name)

    inner = suo.open_store("memory://")
    Shortener(inner).shorten_live(["https://a.example/"], alias="lv")
    plain = Plain()
    plain._m = inner
    s = Shortener(plain)
    with pytest.raises(ConfigurationError, match="LiveStore"):
        _run(s.aresolve("lv"))


CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def test_aresolve_serves_link_options_like_resolve(store: Any) -> None:
    # Password, A/B, pass-through, expired destination and domains (issue 15)
    # answer the same through aresolve as through resolve.
    s = suo.Shortener(store)
    s.shorten("https://shop.example/q?ref=s", alias="pq", pass_query=True)
    s.shorten(
        "https://shop.example/old", alias="ex", expires_at=datetime(2020, 1, 1, tzinfo=UTC),
        expired_url="https://shop.example/over",
    )  # fmt: skip
    s.shorten(
        "https://a.example/",
        alias="ab",
        variants=[("https://a.example/", 1), ("https://b.example/", 1)],
    )
    s.domains.add("go.one.example")
    s.domains.add("go.two.example")
    s.shorten("https://one.example/", alias="sale", domain="go.one.example")
    s.shorten("https://two.example/", alias="sale", domain="go.two.example")

    async def visits() -> list[Decision]:
        try:
            await s.ashorten("https://shop.example/p", alias="pw", password="open sesame")
            return await answers()
        finally:
            await close_sides(store)

    async def answers() -> list[Decision]:
        return [
            await s.aresolve("pw", ip="203.0.113.9"),
            await s.aresolve("pw", ip="203.0.113.9", password="nope"),
            await s.aresolve("pw", ip="203.0.113.9", password="open sesame"),
            await s.aresolve("pq", query="utm_source=g12"),
            await s.aresolve("ex"),
            await s.aresolve("ab", ip="198.51.100.1", user_agent=CHROME),
            await s.aresolve("ab", ip="198.51.100.1", user_agent=CHROME),
            await s.aresolve("sale", host="go.one.example"),
            await s.aresolve("sale", host="go.two.example"),
            await s.aresolve("sale", host="unknown.example"),
            await s.aexplain("ab", ip="198.51.100.2", user_agent=CHROME),
        ]

    d = asyncio.run(visits())
    assert [x.kind for x in d[:3]] == [
        DecisionKind.PASSWORD, DecisionKind.PASSWORD, DecisionKind.REDIRECT,
    ]  # fmt: skip
    assert d[2].location == "https://shop.example/p"
    assert s.stats("pw").clicks == 1
    assert d[3].location == "https://shop.example/q?ref=s&utm_source=g12"
    assert (d[4].kind, d[4].location) == (DecisionKind.REDIRECT, "https://shop.example/over")
    assert d[5].location in ("https://a.example/", "https://b.example/")
    assert d[6].location == d[5].location  # sticky for a repeat visitor
    assert [x.location for x in d[7:9]] == ["https://one.example/", "https://two.example/"]
    assert d[9].kind is DecisionKind.NOT_FOUND
    assert any("variant" in line for line in d[10].trace)
    assert s.stats("ab").clicks == 2
