"""Store outages: cached links keep redirecting, visits are buffered, caps fail closed.

Every test here starts its own ``redis-server`` on a free loopback port,
freezes it with SIGSTOP (alive, silent: only a timeout notices), and kills it
by pid. The store is opened with a short socket timeout so each test is
bounded to a few seconds.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import suo
from suo.decision import DecisionKind
from suo.errors import StorageUnavailable
from suo.shortener.model import Link, Visit
from suo.shortener.outage import Outage
from suo.storage import open_store
from suo.storage.memory import MemoryStore
from suo.testing.servers import PrivateRedis, private_redis
from suo.web import WSGIApp

TIMEOUT = 0.25
"""The private store's socket timeout (seconds)."""


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("SUO_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is not installed but SUO_REQUIRE_SERVICES=1")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with private_redis() as server:
        yield server


def _wait_for_server(server: PrivateRedis) -> None:
    """After SIGCONT: until the server answers again (it runs what was queued first)."""
    probe = server.store()
    try:
        for _ in range(50):
            try:
                probe.next_sequence("probe")
                return
            except StorageUnavailable:
                time.sleep(0.05)
        pytest.fail("the private redis-server did not come back")
    finally:
        probe.close()


def _shortener(store: Any, **kw: Any) -> suo.Shortener:
    kw.setdefault("cache_ttl", 0.3)
    kw.setdefault("outage_retry_every", 0.5)
    return suo.Shortener(store, **kw)


def test_cached_link_keeps_redirecting_while_redis_is_frozen(redis_server: PrivateRedis) -> None:
    store = redis_server.store()
    s = _shortener(store)
    s.shorten("https://example.com/open", alias="open")
    s.shorten("https://example.com/capped", alias="capped", max_clicks=100)
    s.shorten_live(["https://example.com/live1"], alias="live")
    for code in ("open", "capped", "live"):
        assert s.resolve(code).kind is DecisionKind.REDIRECT  # read once: now in memory
    redis_server.freeze()
    try:
        time.sleep(0.4)  # past cache_ttl: only the outage's copy is left
        answers = [s.resolve("open", ip="203.0.113.9") for _ in range(50)]
        assert {a.kind for a in answers} == {DecisionKind.REDIRECT}
        assert {a.location for a in answers} == {"https://example.com/open"}
        for code in ("capped", "live", "never-seen"):
            with pytest.raises(StorageUnavailable):
                s.resolve(code)
        status = s.outage.status()
        assert status.down
        assert status.since is not None
        assert (status.answered, status.buffered, status.dropped) == (50, 50, 0)
        assert status.refused == 3
    finally:
        redis_server.thaw()
    _wait_for_server(redis_server)
    time.sleep(0.6)  # the next call may try the store again
    assert s.resolve("open").kind is DecisionKind.REDIRECT
    s.outage.flush()
    status = s.outage.status()
    assert not status.down
    assert (status.buffered, status.flushed, status.dropped) == (0, 50, 0)
    # Every visit counted exactly once: the ones that timed out in the frozen
    # server ran after their deadline and were refused; the buffer wrote them.
    assert s.stats("open").clicks == 1 + 50 + 1
    assert s.stats("capped").clicks == 1
    assert s.stats("live").clicks == 1
    assert len(list(s.visits("open"))) == 52  # the buffered ones with their own times
    store.close()


def test_a_live_code_still_in_the_read_cache_fails_fast(redis_server: PrivateRedis) -> None:
    store = redis_server.store()
    s = _shortener(store, cache_ttl=60, outage_retry_every=60)
    s.shorten("https://example.com/a", alias="a")
    s.shorten_live(["https://example.com/live1"], alias="live")
    s.resolve("a")
    s.resolve("live")
    redis_server.freeze()
    try:
        assert s.resolve("a").kind is DecisionKind.REDIRECT  # notices the outage
        for _ in range(3):
            with pytest.raises(StorageUnavailable, match="live codes need the store"):
                s.resolve("live")
        assert s.outage.status().refused == 3
        # HEAD (explain) answers from memory too, and records nothing.
        assert s.explain("a").kind is DecisionKind.REDIRECT
        assert s.outage.status().buffered == 1
    finally:
        redis_server.thaw()
    _wait_for_server(redis_server)
    s.outage.recovered()  # as the next successful call would
    assert s.resolve("live").location == "https://example.com/live1"
    assert s.stats("live").clicks == 2
    store.close()


def test_an_outage_of_1000_requests_logs_fewer_than_10_lines(
    redis_server: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    store = redis_server.store()
    s = _shortener(store, cache_ttl=60)
    s.shorten("https://example.com/a", alias="a")
    s.shorten("https://example.com/c", alias="c", max_clicks=5)
    app = WSGIApp(s)
    seen: list[tuple[str, dict[str, str], bytes]] = []

    def get(path: str) -> None:
        out: list[Any] = []
        body = app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": path, "REMOTE_ADDR": "127.0.0.1"},
            lambda status, headers: out.extend((status, dict(headers))),
        )
        seen.append((out[0], out[1], b"".join(body)))

    get("/a")
    get("/c")
    caplog.set_level(logging.DEBUG)
    redis_server.freeze()
    try:
        for i in range(1000):
            get(("/a", "/c", "/unknown")[i % 3])
    finally:
        redis_server.thaw()
    _wait_for_server(redis_server)
    # Steady traffic: one request per retry_every tries the store again.
    give_up = time.monotonic() + 10
    while s.outage.status().down and time.monotonic() < give_up:
        get("/a")
        time.sleep(0.002)  # paced, so the buffer (10,000) never fills while waiting
    assert not s.outage.status().down
    s.outage.flush()
    answers = seen[2:1002]
    redirects = [a for a in answers if a[0].startswith("302")]
    refused = [a for a in answers if a[0].startswith("503")]
    assert len(redirects) == 334
    assert len(refused) == 666
    _status, headers, body = refused[0]
    assert headers["Retry-After"] == "5"
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 503
    assert "Traceback" not in problem["detail"]
    lines = [r for r in caplog.records if r.levelno >= logging.DEBUG]
    assert len(lines) < 10, [r.getMessage() for r in lines]
    assert not any(r.exc_info for r in lines)
    down = [r for r in lines if "unavailable" in r.getMessage()]
    back = [r for r in lines if "is back" in r.getMessage()]
    assert len(down) == 1
    assert len(back) == 1
    after = len(seen) - 1002  # requests between SIGCONT and the store's return
    assert f"{334 + after - 1} requests answered" in back[0].getMessage()
    assert "666 refused" in back[0].getMessage()
    assert s.stats("a").clicks == 1 + 334 + after
    assert s.stats("c").clicks == 1
    store.close()


def test_a_visitor_answered_503_is_not_counted(redis_server: PrivateRedis) -> None:
    store = redis_server.store()
    s = _shortener(store, cache_ttl=60)
    s.shorten("https://example.com/c", alias="c", max_clicks=100)
    app = WSGIApp(s)
    env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/c", "REMOTE_ADDR": "127.0.0.1"}
    statuses: list[str] = []
    app(env, lambda status, headers: statuses.append(status))
    redis_server.freeze()
    try:
        # The link is cached, so the hit is the first command: it reaches the
        # frozen server and waits there while the client gives up.
        app(env, lambda status, headers: statuses.append(status))
        time.sleep(3 * TIMEOUT)  # frozen for longer than the socket timeout
    finally:
        redis_server.thaw()
    _wait_for_server(redis_server)
    assert statuses == ["302 Found", "503 Service Unavailable"]
    assert s.stats("c").clicks == 1
    assert s.stats("c").visits == 1
    store.close()


def test_without_a_deadline_the_late_write_would_land(redis_server: PrivateRedis) -> None:
    # The control: what test_a_visitor_answered_503_is_not_counted guards against.
    store = redis_server.store()
    s = _shortener(store, cache_ttl=60)
    s.shorten("https://example.com/c", alias="c", max_clicks=100)
    s.resolve("c")  # the server knows the script now: EVALSHA will run it
    redis_server.freeze()
    try:
        with pytest.raises(StorageUnavailable):
            store.hit("c", Visit(datetime.now(UTC)), count=True, cap=100, deadline=math.inf)
        time.sleep(3 * TIMEOUT)
    finally:
        redis_server.thaw()
    _wait_for_server(redis_server)
    assert s.stats("c").clicks == 2  # counted although the caller saw a failure
    store.close()


def test_store_back_flushes_in_chunks_on_later_calls(redis_server: PrivateRedis) -> None:
    store = redis_server.store()
    s = _shortener(store, cache_ttl=60, outage_buffer=150)
    s.shorten("https://example.com/a", alias="a")
    s.resolve("a")
    redis_server.freeze()
    try:
        for _ in range(200):
            assert s.resolve("a").kind is DecisionKind.REDIRECT
    finally:
        redis_server.thaw()
    status = s.outage.status()
    assert (status.buffered, status.dropped, status.answered) == (150, 50, 200)
    _wait_for_server(redis_server)
    time.sleep(0.6)
    s.resolve("a")  # the probe: the store is back, the first chunk is written
    status = s.outage.status()
    assert not status.down
    assert status.flushed == 100
    assert status.buffered == 50
    s.resolve("a")  # the next call writes the rest
    assert s.outage.status().buffered == 0
    assert s.stats("a").clicks == 1 + 150 + 2
    store.close()


def test_timeouts_from_the_url(redis_server: PrivateRedis) -> None:
    store = open_store(f"{redis_server.url}?socket_timeout=0.2&connect_timeout=0.3&prefix=t")
    assert store.socket_timeout == 0.2
    assert store.prefix == "t"
    store.close()
    with pytest.raises(suo.errors.ConfigurationError, match="socket_timeout"):
        open_store(f"{redis_server.url}?socket_timeout=soon")


# -- the buffer on its own --------------------------------------------------------


T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


@given(size=st.integers(0, 30), visits=st.integers(0, 60), gone=st.integers(0, 5))
def test_buffer_keeps_at_most_its_size_and_counts_every_visit(
    size: int, visits: int, gone: int
) -> None:
    store = MemoryStore()
    store.create_link(Link(code="a", target="https://example.com/", created_at=T0))
    swapped: list[Any] = []
    outage = Outage(store, swapped.append, buffer_size=size, retry_every=0)
    recorder = type("Recorder", (), {"claims": True})()
    down = StorageUnavailable("down (test)")
    for i in range(visits):
        code = "gone" if i < gone else "a"
        assert (
            outage.record(
                recorder, code, Visit(T0), count=True, cap=None, live=False, event=True, exc=down
            )
            == 0
        )
    with pytest.raises(StorageUnavailable):
        outage.record(recorder, "a", Visit(T0), count=True, cap=3, live=False, event=True, exc=down)
    status = outage.status()
    assert status.down
    assert status.outages == 1
    assert status.answered == visits
    assert status.buffered == min(size, visits)
    assert status.dropped == visits - status.buffered
    assert status.refused == 1
    outage.recovered()
    outage.flush()
    kept_gone = min(gone, status.buffered)
    after = outage.status()
    assert not after.down
    assert after.buffered == 0
    assert after.flushed == status.buffered - kept_gone
    assert after.dropped + after.flushed == visits  # every visit written or counted as dropped
    assert store.link_stats("a").clicks == after.flushed
    assert swapped[-1] is None  # the usual hit is back once the buffer is empty


def test_click_id_link_redirects_without_an_id_while_redis_is_frozen(
    redis_server: PrivateRedis,
) -> None:
    # An id that was never recorded could not be tracked: the visitor is
    # redirected without one, and the visit is buffered like any other.
    store = redis_server.store()
    s = _shortener(store)
    s.shorten("https://example.com/shop", alias="shop", click_ids=True)
    first = s.resolve("shop")
    assert first.click_id is not None
    assert "suo_cid=" in (first.location or "")
    redis_server.freeze()
    try:
        time.sleep(0.4)
        answers = [s.resolve("shop") for _ in range(3)]
        assert [a.kind for a in answers] == [DecisionKind.REDIRECT] * 3
        assert [a.click_id for a in answers] == [None] * 3
        assert {a.location for a in answers} == {"https://example.com/shop"}
    finally:
        redis_server.thaw()
    _wait_for_server(redis_server)
    time.sleep(0.6)
    again = s.resolve("shop")
    assert again.click_id is not None
    s.outage.flush()
    assert s.stats("shop").clicks == 1 + 3 + 1
    store.close()
