"""Redis Cluster: the URL scheme, per-slot operations, resumable deletes and injected failures.

The conformance suite and the hypothesis state machine run on the shared
``redis_cluster`` backend (tests/conftest.py). The fault tests here start
clusters of their own (they kill and freeze nodes) and stop them by pid.
"""

from __future__ import annotations

import shutil
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from redis import exceptions as rexc

from suo import Shortener, open_store
from suo.decision import DecisionKind
from suo.errors import ConfigurationError, StorageError, StorageUnavailable
from suo.shortener.live import LiveTarget
from suo.shortener.model import Link, Visit
from suo.storage import BACKENDS
from suo.storage.redis.cluster import RedisClusterStore, client_url
from suo.testing.backends import isolated_store
from suo.testing.redis_cluster import LocalRedisCluster

pytestmark = pytest.mark.redis_cluster

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WECHAT = "Mozilla/5.0 (iPhone) MicroMessenger/8.0.44"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
HANG_GUARD = 20.0
"""Seconds no call may take with the short timeouts below: a guard against hangs, not a benchmark."""
FAST = {"socket_timeout": 0.5, "connect_timeout": 0.5, "retries": 1}


def _need_redis_server() -> None:
    if shutil.which("redis-server") is None:
        import os

        if os.environ.get("SUO_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is not installed (SUO_REQUIRE_SERVICES=1 needs it)")
        pytest.skip("redis-server is not installed")


@pytest.fixture
def own_cluster() -> Iterator[LocalRedisCluster]:
    """A cluster of this test's own (3 masters, 1 replica each), stopped by pid afterwards."""
    _need_redis_server()
    with LocalRedisCluster(masters=3, replicas=1, node_timeout_ms=1000) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def freeze_cluster() -> Iterator[LocalRedisCluster]:
    """3 masters, no replicas, a 5 s node timeout: a node frozen for a second or two
    stays a master (no failover), so a test sees the freeze and then the same node again."""
    _need_redis_server()
    with LocalRedisCluster(masters=3, replicas=0, node_timeout_ms=5000) as cluster:
        yield cluster


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.monotonic()
    try:
        result: Any = call()
    except Exception as exc:  # the caller inspects what came back
        result = exc
    return time.monotonic() - start, result


def _link(code: str, tags: tuple[str, ...] = ()) -> Link:
    return Link(code=code, target=f"https://example.com/{code}", created_at=T0, tags=tags)


# -- URL and registry ------------------------------------------------------------------


def test_both_cluster_schemes_are_registered() -> None:
    assert BACKENDS["redis+cluster"] == BACKENDS["rediss+cluster"]
    assert BACKENDS["redis+cluster"].endswith(":RedisClusterStore")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis+cluster://127.0.0.1:7000", "redis://127.0.0.1:7000"),
        ("rediss+cluster://u:p@h.example:7000/0?prefix=x", "rediss://u:p@h.example:7000/0"),
        ("REDIS+CLUSTER://h:7000/", "redis://h:7000/"),
    ],
)
def test_client_url(url: str, expected: str) -> None:
    assert client_url(url) == expected


@given(
    tls=st.booleans(),
    host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,2}", fullmatch=True),
    port=st.integers(1, 65535),
    path=st.sampled_from(["", "/", "/0"]),
    prefix=st.none() | st.from_regex(r"[a-z0-9_-]{1,12}", fullmatch=True),
)
def test_client_url_keeps_the_address_and_drops_the_query(
    tls: bool, host: str, port: int, path: str, prefix: str | None
) -> None:
    query = "" if prefix is None else f"?prefix={prefix}"
    scheme = "rediss" if tls else "redis"
    out = urlsplit(client_url(f"{scheme}+cluster://{host}:{port}{path}{query}"))
    assert (out.scheme, out.hostname, out.port, out.path, out.query) == (
        scheme,
        host,
        port,
        path,
        "",
    )


@pytest.mark.parametrize(
    ("url", "options", "says"),
    [
        ("redis+cluster://127.0.0.1:7000/1", {}, "only database 0"),
        ("redis+cluster:///", {}, "names no host"),
        ("redis+cluster://127.0.0.1:7000", {"retries": -1}, "retries must be"),
        ("redis+cluster://127.0.0.1:7000?retries=x", {}, "retries in the Redis Cluster URL"),
        ("redis+cluster://127.0.0.1:7000?socket_timeout=0", {}, "socket_timeout in the"),
        ("redis+cluster://127.0.0.1:7000?prefix=a{b}", {}, "without braces"),
    ],
)
def test_bad_cluster_urls_and_options_fail_before_connecting(
    url: str, options: dict[str, Any], says: str
) -> None:
    with pytest.raises(ConfigurationError, match=says):
        open_store(url, **options)


def test_timeouts_and_retries_come_from_the_url_too(cluster_store: RedisClusterStore) -> None:
    url = cluster_store.url.split("?", 1)[0] + "?prefix=u&socket_timeout=0.5&retries=1"
    with open_store(url) as store:
        assert isinstance(store, RedisClusterStore)
        assert (store.prefix, store.socket_timeout, store._retries) == ("u", 0.5, 1)
        assert store._r.retry.get_retries() == 1
        assert store.get_link("nothing") is None


def test_a_wrong_port_is_storage_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    elapsed, result = _timed(
        lambda: open_store(f"redis+cluster://:hunter2@127.0.0.1:{port}", **FAST)
    )
    assert isinstance(result, StorageUnavailable), result
    assert "hunter2" not in str(result)
    assert isinstance(result.__cause__, rexc.RedisClusterException | rexc.ConnectionError)
    assert elapsed < HANG_GUARD


# -- every operation on the shared cluster ---------------------------------------------


@pytest.fixture
def cluster_store() -> Iterator[RedisClusterStore]:
    with isolated_store("redis_cluster") as store:
        assert isinstance(store, RedisClusterStore)
        yield store


def test_the_done_when_checklist_with_24_concurrent_resolves(
    cluster_store: RedisClusterStore,
) -> None:
    s = Shortener(cluster_store, cache_ttl=0)
    # Shorten: many codes, so they spread over all three masters' slots.
    links = [s.shorten(f"https://example.com/{i}", tags=("spring",)) for i in range(30)]
    nodes = {
        cluster_store._r.get_node_from_key(cluster_store._key(lk.code, "link")).name for lk in links
    }
    assert len(nodes) == 3
    # List by tag, across slots, in code order and in pages.
    codes = sorted(lk.code for lk in links)
    assert [
        lk.code for lk in cluster_store.list_links(tag="spring", after=None, limit=100)
    ] == codes
    page = cluster_store.list_links(tag="spring", after=codes[9], limit=5)
    assert [lk.code for lk in page] == codes[10:15]
    assert [lk.code for lk in cluster_store.list_links(tag=None, after=None, limit=100)] == codes
    # A capped link under 24 concurrent resolves: exactly 10 redirects.
    capped = s.shorten("https://example.com/capped", alias="capped", max_clicks=10)
    with ThreadPoolExecutor(24) as pool:
        kinds = list(pool.map(lambda _: s.resolve(capped.code, user_agent=BROWSER).kind, range(24)))
    assert kinds.count(DecisionKind.REDIRECT) == 10
    assert kinds.count(DecisionKind.EXHAUSTED) == 14
    assert s.stats(capped.code).clicks == 10
    # A live code: two targets of 5 each, 24 concurrent scans, no slot over-claimed.
    live = s.shorten_live(
        [
            LiveTarget("https://weixin.qq.com/g/A", cap=5),
            LiveTarget("https://weixin.qq.com/g/B", cap=5),
        ],
        alias="group",
    )
    with ThreadPoolExecutor(24) as pool:
        decisions = list(pool.map(lambda _: s.resolve(live.code, user_agent=WECHAT), range(24)))
    served = [d.target.payload for d in decisions if d.kind is not DecisionKind.EXHAUSTED]
    assert sorted(served) == ["https://weixin.qq.com/g/A"] * 5 + ["https://weixin.qq.com/g/B"] * 5
    slots = cluster_store.live_targets(live.code)
    assert [slot.used for slot in slots] == [5, 5]
    # Delete: the link, its counters, its tag entry and the live code's keys all go.
    assert s.delete(capped.code) is True
    assert s.delete(live.code) is True
    assert s.resolve(capped.code, user_agent=BROWSER).kind is DecisionKind.NOT_FOUND
    assert cluster_store.live_targets(live.code) == []
    leftover = [
        k
        for k in cluster_store._r.scan_iter(match=f"{cluster_store.prefix}:*", count=1000)
        if "{capped}" in k or "{group}" in k
    ]
    assert leftover == []
    # The same code can be claimed again and starts from zero.
    again = s.shorten("https://example.com/again", alias="capped")
    assert s.stats(again.code).clicks == 0


# -- a delete that fails midway finishes on retry -------------------------------------


def _freeze_during(cluster: LocalRedisCluster, port: int, call: Callable[[], Any]) -> Any:
    cluster.freeze(port)
    try:
        return _timed(call)
    finally:
        cluster.thaw(port)


def test_a_delete_cut_short_by_a_frozen_node_finishes_on_retry(
    freeze_cluster: LocalRedisCluster,
) -> None:
    store = open_store(freeze_cluster.url, prefix=f"t{uuid.uuid4().hex[:6]}", **FAST)
    try:
        # A link whose tag index lives on another master than the link itself.
        tag = next(
            f"tag{i}"
            for i in range(1000)
            if freeze_cluster.master_of_key(store._tag_key(f"tag{i}"))
            != freeze_cluster.master_of_key(store._key("doomed", "link"))
        )
        store.create_link(_link("doomed", tags=(tag,)))
        store.create_link(_link("kept", tags=(tag,)))
        for _ in range(3):
            store.hit("doomed", Visit(at=T0, platform="browser", os="linux"), count=True, cap=None)
        # Load the delete script on every master first (redis-py sends SCRIPT LOAD to all
        # of them), so the freeze hits the cleanup step and not the script's loading.
        store.create_link(_link("warm"))
        assert store.delete_link("warm") is True
        elapsed, result = _freeze_during(
            freeze_cluster,
            freeze_cluster.master_of_key(store._tag_key(tag)),
            lambda: store.delete_link("doomed"),
        )
        assert isinstance(result, StorageUnavailable), result
        assert elapsed < HANG_GUARD
        freeze_cluster.wait_ready(30)
        # Half-way: the link is gone for readers, its cleanup is recorded...
        assert store.get_link("doomed") is None
        assert store._r.exists(store._key("doomed", "gone")) == 1
        # ...and the retry finishes it: no event list, rollup or tag entry is left.
        assert store.delete_link("doomed") is True
        assert store.delete_link("doomed") is False
        keys = list(store._r.scan_iter(match=store.prefix + ":{doomed}:*"))
        assert keys == []
        assert [lk.code for lk in store.list_links(tag=tag, after=None, limit=10)] == ["kept"]
        # A new link under the same code starts from zero.
        store.create_link(_link("doomed"))
        assert store.link_stats("doomed").clicks == 0
    finally:
        store.drop_all()
        store.close()


def test_creating_a_code_whose_delete_was_cut_short_finishes_that_delete_first(
    freeze_cluster: LocalRedisCluster,
) -> None:
    store = open_store(freeze_cluster.url, prefix=f"t{uuid.uuid4().hex[:6]}", **FAST)
    try:
        tag = next(
            f"tag{i}"
            for i in range(1000)
            if freeze_cluster.master_of_key(store._tag_key(f"tag{i}"))
            != freeze_cluster.master_of_key(store._key("reborn", "link"))
        )
        store.create_link(_link("reborn", tags=(tag,)))
        store.hit("reborn", Visit(at=T0, platform="wechat", os="ios"), count=True, cap=None)
        store.create_link(_link("warm"))
        assert store.delete_link("warm") is True  # the delete script is loaded everywhere
        _, result = _freeze_during(
            freeze_cluster,
            freeze_cluster.master_of_key(store._tag_key(tag)),
            lambda: store.delete_link("reborn"),
        )
        assert isinstance(result, StorageUnavailable), result
        freeze_cluster.wait_ready(30)
        store.create_links([_link("reborn"), _link("other")])
        assert store.link_stats("reborn").clicks == 0
        assert list(store.visits("reborn")) == []
        assert store.visit_counts(["reborn"], start=T0, end=T0.replace(hour=10), by=None) == []
        assert store.list_links(tag=tag, after=None, limit=10) == []
    finally:
        store.drop_all()
        store.close()


# -- injected failures: every one comes back as a StorageError --------------------------


def test_a_frozen_master_gives_storage_unavailable_then_recovers(
    freeze_cluster: LocalRedisCluster,
) -> None:
    store = open_store(freeze_cluster.url, prefix=f"t{uuid.uuid4().hex[:6]}", **FAST)
    try:
        store.create_link(_link("ice"))
        port = freeze_cluster.master_of_key(store._key("ice", "link"))
        calls: list[Callable[[], Any]] = [
            lambda: store.get_link("ice"),
            lambda: store.hit("ice", Visit(at=T0), count=True, cap=None),
            lambda: store.link_stats("ice"),
            lambda: store.delete_link("ice"),
        ]
        freeze_cluster.freeze(port)
        try:
            for call in calls:
                elapsed, result = _timed(call)
                assert isinstance(result, StorageError), result
                assert isinstance(result.__cause__, Exception)
                assert not isinstance(result.__cause__, StorageError)
                assert elapsed < HANG_GUARD
        finally:
            freeze_cluster.thaw(port)
        freeze_cluster.wait_ready(30)
        deadline = time.monotonic() + 30
        while True:  # the client refreshes its slot map on its own
            elapsed, result = _timed(lambda: store.get_link("ice"))
            if isinstance(result, Link) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert isinstance(result, Link), result
    finally:
        store.drop_all()
        store.close()


def test_failover_a_killed_master_is_unavailable_then_its_replica_serves(
    own_cluster: LocalRedisCluster,
) -> None:
    store = open_store(own_cluster.url, prefix="t", **FAST)
    s = Shortener(store, cache_ttl=0)
    try:
        s.shorten("https://example.com/f", alias="fail", max_clicks=100)
        assert s.resolve("fail", user_agent=BROWSER).kind is DecisionKind.REDIRECT
        port = own_cluster.master_of_key(store._key("fail", "link"))
        assert port in own_cluster.masters_with_replicas()
        # Replication is asynchronous: without this, the kill can take the new link with
        # it and the promoted replica rightly answers "not found" (a failed CI run did).
        own_cluster.wait_replicated(port)
        own_cluster.kill(port)
        errors: list[BaseException] = []
        deadline = time.monotonic() + 60
        recovered = False
        while time.monotonic() < deadline:
            elapsed, result = _timed(lambda: s.resolve("fail", user_agent=BROWSER))
            assert elapsed < HANG_GUARD
            if isinstance(result, BaseException):
                assert isinstance(result, StorageUnavailable), repr(result)
                errors.append(result)
                time.sleep(0.1)
                continue
            assert result.kind is DecisionKind.REDIRECT
            recovered = True
            break
        assert errors, "the killed master's slots answered at once: nothing was injected"
        assert recovered, f"no recovery within 60 s; last error: {errors[-1]!r}"
        # The same store object, not reopened: the replica was promoted and serves the slot.
        assert own_cluster.master_of_key(store._key("fail", "link")) != port
        # The click before the kill had reached the replica (waited for above); the one
        # after the failover is counted too.
        assert s.stats("fail").clicks == 2
        assert s.delete("fail") is True
    finally:
        store.drop_all()
        store.close()


# -- tag indexes: never a half-made link in a listing ----------------------------------


@pytest.mark.parametrize("kind", ["redis", "redis_cluster"])
def test_tag_listing_skips_stale_index_entries_and_still_fills_the_page(kind: str) -> None:
    if kind == "redis":
        pytest.importorskip("redis")
    with isolated_store(kind) as store:
        for code in ("a1", "a3", "a5", "a6"):
            store.create_link(_link(code, tags=("t",)))
        store.create_link(_link("a4"))  # carries no tag...
        index = store._tag_key("t")
        store._r.zadd(index, {"a2": 0, "a4": 0})  # ...yet indexed, and a2 has no record
        listed = store.list_links(tag="t", after=None, limit=3)
        assert [lk.code for lk in listed] == ["a1", "a3", "a5"]
        listed = store.list_links(tag="t", after="a1", limit=3)
        assert [lk.code for lk in listed] == ["a3", "a5", "a6"]
        assert store.list_links(tag="t", after="a6", limit=3) == []


def _tag_on_another_master(cluster: LocalRedisCluster, store: Any, code: str) -> str:
    return next(
        f"tag{i}"
        for i in range(1000)
        if cluster.master_of_key(store._tag_key(f"tag{i}"))
        != cluster.master_of_key(store._key(code, "link"))
    )


def test_a_create_cut_short_shows_nothing_and_can_be_redone(
    freeze_cluster: LocalRedisCluster,
) -> None:
    store = open_store(freeze_cluster.url, prefix=f"t{uuid.uuid4().hex[:6]}", **FAST)
    try:
        tag = _tag_on_another_master(freeze_cluster, store, "half")
        store.create_link(_link("warm", tags=(tag,)))  # the create script is loaded everywhere
        _, result = _freeze_during(
            freeze_cluster,
            freeze_cluster.master_of_key(store._key("half", "link")),
            lambda: store.create_link(_link("half", tags=(tag,))),
        )
        assert isinstance(result, StorageUnavailable), result
        freeze_cluster.wait_ready(30)
        # The tag entry went in first. A command that timed out may still land when the
        # node resumes, so the record is there or not; either way the listing agrees.
        assert store._r.zscore(store._tag_key(tag), "half") is not None
        landed = store.get_link("half") is not None
        listed = [lk.code for lk in store.list_links(tag=tag, after=None, limit=10)]
        assert listed == (["half", "warm"] if landed else ["warm"])
        if not landed:
            store.create_link(_link("half", tags=(tag,)))
        assert [lk.code for lk in store.list_links(tag=tag, after=None, limit=10)] == [
            "half",
            "warm",
        ]
    finally:
        store.drop_all()
        store.close()


def test_a_replace_cut_short_lists_correctly_and_the_same_replace_completes_it(
    freeze_cluster: LocalRedisCluster,
) -> None:
    store = open_store(freeze_cluster.url, prefix=f"t{uuid.uuid4().hex[:6]}", **FAST)
    try:
        old = _tag_on_another_master(freeze_cluster, store, "moved")
        new = next(
            f"new{i}"
            for i in range(1000)
            if freeze_cluster.master_of_key(store._tag_key(f"new{i}"))
            != freeze_cluster.master_of_key(store._tag_key(old))
        )
        store.create_link(_link("moved", tags=(old,)))
        _, result = _freeze_during(
            freeze_cluster,
            freeze_cluster.master_of_key(store._tag_key(old)),
            lambda: store.replace_link(_link("moved", tags=(new,))),
        )
        freeze_cluster.wait_ready(30)
        if isinstance(result, BaseException):
            assert isinstance(result, StorageUnavailable), result
        # Whatever step the freeze cut, the listings agree with the record.
        record = store.get_link("moved")
        assert record is not None
        for tag in (old, new):
            listed = [lk.code for lk in store.list_links(tag=tag, after=None, limit=10)]
            assert listed == (["moved"] if tag in record.tags else [])
        assert store.replace_link(_link("moved", tags=(new,))) is True
        assert store._r.zscore(store._tag_key(old), "moved") is None
        assert [lk.code for lk in store.list_links(tag=new, after=None, limit=10)] == ["moved"]
    finally:
        store.drop_all()
        store.close()


def test_a_cached_link_keeps_redirecting_while_its_master_is_frozen(
    freeze_cluster: LocalRedisCluster,
) -> None:
    store = open_store(freeze_cluster.url, prefix=f"t{uuid.uuid4().hex[:6]}", **FAST)
    s = Shortener(store, cache_ttl=0.3, outage_retry_every=0.5)
    try:
        s.shorten("https://example.com/open", alias="open")
        s.shorten("https://example.com/capped", alias="capped", max_clicks=100)
        for code in ("open", "capped"):
            assert s.resolve(code, user_agent=BROWSER).kind is DecisionKind.REDIRECT
        port = freeze_cluster.master_of_key(store._key("open", "link"))
        capped_port = freeze_cluster.master_of_key(store._key("capped", "link"))
        freeze_cluster.freeze(port)
        try:
            time.sleep(0.4)  # past cache_ttl: only the outage's copy is left
            answers = [s.resolve("open", user_agent=BROWSER) for _ in range(10)]
            assert {a.kind for a in answers} == {DecisionKind.REDIRECT}
            assert {a.location for a in answers} == {"https://example.com/open"}
            if capped_port == port:  # a cap is never traded for availability
                with pytest.raises(StorageUnavailable):
                    s.resolve("capped", user_agent=BROWSER)
        finally:
            freeze_cluster.thaw(port)
        freeze_cluster.wait_ready(30)
        deadline = time.monotonic() + 30
        redirected = 0
        while True:  # the store is tried again every 0.5 s
            elapsed, result = _timed(lambda: s.resolve("open", user_agent=BROWSER))
            assert elapsed < HANG_GUARD
            if not isinstance(result, BaseException):
                assert result.kind is DecisionKind.REDIRECT
                redirected += 1
                if not s.outage.status().down:
                    break
            assert time.monotonic() < deadline, result
            time.sleep(0.2)
        s.outage.flush()
        status = s.outage.status()
        assert (status.buffered, status.dropped) == (0, 0)
        # Every redirect counted exactly once (the buffered ones were written after the
        # thaw), and none of the calls that timed out in the frozen master landed later.
        assert s.stats("open").clicks == 1 + 10 + redirected
    finally:
        store.drop_all()
        store.close()


def test_a_forked_child_exiting_does_not_stop_the_parents_cluster() -> None:
    _need_redis_server()
    import os

    with LocalRedisCluster(masters=3, replicas=0) as cluster:
        pid = os.fork()
        if pid == 0:  # the child: what a forked worker's exit handlers would do
            try:
                cluster.stop()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        assert all(n.alive for n in cluster.nodes)
        with open_store(cluster.url, prefix="fork") as store:
            assert store.get_link("x") is None
