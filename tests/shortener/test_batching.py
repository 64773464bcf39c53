"""Group commit of visits (suo.shortener.batching): same answers, fewer store calls."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import suo
from suo.decision import DecisionKind
from suo.errors import ConfigurationError, NotFound, StorageUnavailable
from suo.shortener.batching import BatchHitStore, HitBatcher, HitCall
from suo.shortener.model import Link, Visit
from suo.storage.memory import MemoryStore
from suo.testing.backends import isolated_store
from suo.testing.servers import private_redis

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
BATCHING = ["sqlite-file", "postgres", "redis"]


@pytest.fixture(params=BATCHING)
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    with isolated_store(request.param) as s:
        yield s


# -- which stores batch -----------------------------------------------------------------


def test_which_stores_can_batch() -> None:
    assert not isinstance(MemoryStore(), BatchHitStore)  # in-process: nothing to share
    assert suo.Shortener("memory://").batcher is None
    s = suo.Shortener("sqlite://")
    assert isinstance(s.batcher, HitBatcher)
    assert s._recorder.hit == s.batcher.hit
    plain = suo.Shortener("sqlite://", batch_visits=False)
    assert plain.batcher is None
    assert plain._recorder.hit == plain.store.hit


def test_a_redis_cluster_store_does_not_batch() -> None:
    pytest.importorskip("redis")
    from suo.storage.redis.cluster import RedisClusterStore

    assert RedisClusterStore.hit_many is None  # a pipeline there runs node by node


def test_bad_batcher_settings_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="hit_many"):
        HitBatcher(MemoryStore())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_batch"):
        HitBatcher(_GatedStore(), max_batch=0)


# -- hit_many answers what hit answers --------------------------------------------------

_call = st.tuples(
    st.sampled_from(["capped", "open", "missing"]),
    st.booleans(),  # bot
    st.booleans(),  # count
    st.booleans(),  # event
)


def _answer(fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:
        return type(exc)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(calls=st.lists(_call, min_size=1, max_size=12))
def test_hit_many_answers_as_hit_does_one_by_one(
    store: Any, calls: list[tuple[str, bool, bool, bool]]
) -> None:
    """Two twin links per name: one gets hit_many, the other the same calls one by one."""
    run = uuid.uuid4().hex[:6]
    for side in ("m", "s"):
        store.create_link(Link(code=f"capped-{side}{run}", target="https://e.com/", created_at=T0,
                               max_clicks=3))  # fmt: skip
        store.create_link(Link(code=f"open-{side}{run}", target="https://e.com/", created_at=T0))
    visits = [
        (name, Visit(at=T0 + timedelta(seconds=i), bot=bot, platform="bot" if bot else "wechat"),
         count and not bot, event)
        for i, (name, bot, count, event) in enumerate(calls)
    ]  # fmt: skip
    many = store.hit_many(
        [HitCall(f"{n}-m{run}", v, count, 3 if n == "capped" else None, event)
         for n, v, count, event in visits]
    )  # fmt: skip
    alone = [
        _answer(lambda n=n, v=v, c=count, e=event: store.hit(
            f"{n}-s{run}", v, count=c, cap=3 if n == "capped" else None, event=e))
        for n, v, count, event in visits
    ]  # fmt: skip
    assert [type(a) if isinstance(a, Exception) else a for a in many] == alone
    for name in ("capped", "open"):
        m, s = store.link_stats(f"{name}-m{run}"), store.link_stats(f"{name}-s{run}")
        assert (m.clicks, m.visits, m.bots, m.by_outcome) == (s.clicks, s.visits, s.bots,
                                                              s.by_outcome)  # fmt: skip


def test_one_bad_visit_costs_only_itself(store: Any) -> None:
    store.create_link(Link(code="ok", target="https://e.com/", created_at=T0))
    bad = Visit(at=T0, utm={"utm_source": object()})  # type: ignore[dict-item]
    answers = store.hit_many(
        [
            HitCall("ok", Visit(at=T0), True, None),
            HitCall("ok", bad, True, None),
            HitCall("gone", Visit(at=T0), True, None),
            HitCall("ok", Visit(at=T0), True, None),
        ]
    )
    assert answers[0] == 1
    assert isinstance(answers[1], TypeError)  # what hit raises for it
    assert isinstance(answers[2], NotFound)
    assert answers[3] == 2
    assert store.link_stats("ok").clicks == 2
    assert store.hit_many([]) == []


def test_late_visits_in_a_batch_are_refused_and_not_recorded(store: Any) -> None:
    store.create_link(Link(code="late", target="https://e.com/", created_at=T0))
    answers = store.hit_many(
        [
            HitCall("late", Visit(at=T0), True, None, True, time.time() - 1),
            HitCall("late", Visit(at=T0), True, None, True, None),
        ]
    )
    assert isinstance(answers[0], StorageUnavailable)
    assert answers[1] == 1
    assert store.link_stats("late").visits == 1


# -- the batcher: one store call for the visits that waited -----------------------------


class _GatedStore(MemoryStore):
    """hit_many waits at a gate, so a test can line visits up behind it."""

    def __init__(self, fail: BaseException | None = None) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.sizes: list[int] = []
        self.fail = fail

    def hit_many(self, calls: Sequence[HitCall]) -> list[int | Exception | None]:
        self.entered.set()
        self.gate.wait(10)
        self.sizes.append(len(calls))
        if self.fail is not None:
            raise self.fail
        return [self.hit(c.code, c.visit, count=c.count, cap=c.cap) for c in calls]


def _line_up(batcher: HitBatcher, store: _GatedStore, n: int, code: str = "a") -> list[Any]:
    answers: list[Any] = [None] * n

    def visit(i: int) -> None:
        try:
            answers[i] = batcher.hit(code, Visit(at=T0), count=True, cap=5)
        except BaseException as exc:
            answers[i] = exc

    first = threading.Thread(target=visit, args=(0,))
    first.start()
    assert store.entered.wait(10)  # the first visit is on the wire, alone
    rest = [threading.Thread(target=visit, args=(i,)) for i in range(1, n)]
    for t in rest:
        t.start()
    deadline = time.monotonic() + 10
    while len(batcher._queue) < n - 1:  # the others wait behind it
        assert time.monotonic() < deadline
        time.sleep(0.001)
    store.gate.set()
    for t in [first, *rest]:
        t.join(10)
        assert not t.is_alive(), "a visit hung"
    return answers


def test_visits_that_arrive_during_a_write_share_the_next_one() -> None:
    store = _GatedStore()
    store.create_link(Link(code="a", target="https://e.com/", created_at=T0))
    batcher = HitBatcher(store)
    answers = _line_up(batcher, store, 10)
    assert store.sizes == [1, 9]  # the first alone at once, then the nine together
    assert (batcher.calls, batcher.visits) == (2, 10)
    assert sorted(a for a in answers if a is not None) == [1, 2, 3, 4, 5]
    assert answers.count(None) == 5  # over the cap of 5: refused, exactly
    assert store.link_stats("a").clicks == 5


def test_a_batch_holds_at_most_max_batch_visits() -> None:
    store = _GatedStore()
    store.create_link(Link(code="a", target="https://e.com/", created_at=T0))
    batcher = HitBatcher(store, max_batch=4)
    _line_up(batcher, store, 10)
    assert store.sizes == [1, 4, 4, 1]


@pytest.mark.parametrize("fail", [StorageUnavailable("down"), RuntimeError("bug")])
def test_a_failed_store_call_reaches_every_visit_and_none_hangs(fail: BaseException) -> None:
    store = _GatedStore(fail=fail)
    store.create_link(Link(code="a", target="https://e.com/", created_at=T0))
    batcher = HitBatcher(store)
    answers = _line_up(batcher, store, 6)
    assert [type(a) for a in answers] == [type(fail)] * 6
    # Each call's leading visit raises the store's exception, the others a copy each.
    assert sum(a is fail for a in answers) == len(store.sizes) == 2
    assert len({id(a) for a in answers if a is not fail}) == 4
    assert {str(a) for a in answers} == {str(fail)}
    assert batcher._leader is None  # the next visit leads a new call
    store.fail = None
    assert batcher.hit("a", Visit(at=T0), count=True, cap=None) == 1


def test_an_interrupt_in_the_store_call_stays_in_its_own_thread() -> None:
    """Ctrl-C while the leader's thread is in the store: the leader gets it, the
    visits it carried hear that they were not written."""
    fail = KeyboardInterrupt()
    store = _GatedStore(fail=fail)
    store.create_link(Link(code="a", target="https://e.com/", created_at=T0))
    batcher = HitBatcher(store)
    answers = _line_up(batcher, store, 6)
    assert sum(a is fail for a in answers) == len(store.sizes) == 2  # the two leaders
    others = [a for a in answers if a is not fail]
    assert [type(a) for a in others] == [StorageUnavailable] * 4
    assert batcher._leader is None
    store.fail = None
    assert batcher.hit("a", Visit(at=T0), count=True, cap=None) == 1


def test_a_store_that_answers_the_wrong_number_of_visits_fails_loudly() -> None:
    class Short(MemoryStore):
        def hit_many(self, calls: Sequence[HitCall]) -> list[int | Exception | None]:
            return []

    with pytest.raises(RuntimeError, match="0 answers for 1"):
        HitBatcher(Short()).hit("a", Visit(at=T0), count=True, cap=None)  # type: ignore[arg-type]


# -- end to end, on the real engines ----------------------------------------------------


@pytest.mark.parametrize("kind", BATCHING)
def test_caps_stay_exact_under_concurrent_resolves_and_visits_share_calls(kind: str) -> None:
    with isolated_store(kind) as store:
        s = suo.Shortener(store)
        s.shorten("https://example.com/cap", alias="cap", max_clicks=150)
        assert s.batcher is not None
        barrier = threading.Barrier(24)
        kinds: Counter[DecisionKind] = Counter()
        lock = threading.Lock()

        def visitor(i: int) -> None:
            barrier.wait()
            for j in range(17):
                d = s.resolve("cap", user_agent="Mozilla/5.0", ip=f"10.0.{i}.{j}")
                with lock:
                    kinds[d.kind] += 1

        threads = [threading.Thread(target=visitor, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sum(kinds.values()) == 24 * 17
        assert kinds[DecisionKind.REDIRECT] == 150
        assert kinds[DecisionKind.EXHAUSTED] == 24 * 17 - 150
        stats = s.stats("cap")
        assert (stats.clicks, stats.visits) == (150, 24 * 17)
        assert s.batcher.visits == 24 * 17
        assert s.batcher.calls < s.batcher.visits  # some visits shared a call


def test_a_killed_redis_fails_every_waiting_visit_fast_then_batching_resumes() -> None:
    pytest.importorskip("redis")
    with private_redis() as server:
        store = server.store(socket_timeout=0.5)
        s = suo.Shortener(store, outage_retry_every=0.2)
        s.shorten("https://example.com/", alias="k")
        assert s.resolve("k").kind is DecisionKind.REDIRECT  # cached from now on
        server.freeze()
        results: list[Any] = []
        lock = threading.Lock()

        def visit() -> None:
            t0 = time.monotonic()
            d = s.resolve("k")
            with lock:
                results.append((d.kind, time.monotonic() - t0))

        threads = [threading.Thread(target=visit) for _ in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
            assert not t.is_alive(), "a visit hung behind a frozen Redis"
        # A cached link rides out the outage: every visitor redirected, visits buffered.
        assert [k for k, _ in results] == [DecisionKind.REDIRECT] * 12
        assert max(took for _, took in results) < 10  # bounded by the timeouts, not a hang
        assert s.outage.status().down
        server.thaw()
        server.wait_until_answering()
        deadline = time.monotonic() + 20
        while s.outage.status().down or s.outage.status().buffered:
            assert time.monotonic() < deadline, s.outage.status()
            s.resolve("k")
            time.sleep(0.05)
        assert s._recorder.hit == s.batcher.hit  # the batcher is back in the click path
        total = s.stats("k")
        assert total.visits == total.clicks >= 13
        store.close()


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_aresolve_writes_alone_beside_the_batcher(kind: str) -> None:
    import asyncio

    with isolated_store(kind) as store:
        s = suo.Shortener(store)
        s.shorten("https://example.com/", alias="t")

        async def main() -> list[DecisionKind]:
            decisions = await asyncio.gather(*(s.aresolve("t") for _ in range(8)))
            return [d.kind for d in decisions]

        assert asyncio.run(main()) == [DecisionKind.REDIRECT] * 8
        assert s.batcher is not None
        assert s.batcher.visits == 0  # aresolve awaits the store: a batch waits on threads
        assert s.resolve("t").kind is DecisionKind.REDIRECT  # threads still batch
        assert s.batcher.visits == 1
        assert s.stats("t").clicks == 9


def test_errors_keep_their_kind_through_the_batcher(store: Any) -> None:
    s = suo.Shortener(store, cache_ttl=0)
    s.shorten("https://example.com/", alias="e")
    assert s.batcher is not None
    with pytest.raises(NotFound):
        s.batcher.hit("no-such-code", Visit(at=T0), count=True, cap=None)


def test_a_visit_interrupted_while_waiting_strands_no_one() -> None:
    """Ctrl-C in a notebook while the main thread waits behind a write."""
    import signal

    store = _GatedStore()
    store.create_link(Link(code="a", target="https://e.com/", created_at=T0))
    batcher = HitBatcher(store)
    answers: list[Any] = []

    def visit() -> None:
        answers.append(batcher.hit("a", Visit(at=T0), count=True, cap=None))

    leader = threading.Thread(target=visit)
    leader.start()
    assert store.entered.wait(10)
    main = threading.main_thread().ident
    assert main is not None

    def interrupt_then_queue_another() -> None:
        deadline = time.monotonic() + 10
        while not batcher._queue:  # the main thread is waiting behind the write
            assert time.monotonic() < deadline
            time.sleep(0.001)
        signal.pthread_kill(main, signal.SIGINT)
        while batcher._queue:  # it left the queue
            assert time.monotonic() < deadline
            time.sleep(0.001)
        behind.start()
        while not batcher._queue:
            time.sleep(0.001)
        store.gate.set()

    behind = threading.Thread(target=visit)
    helper = threading.Thread(target=interrupt_then_queue_another)
    # Python's own Ctrl-C handler, whatever an earlier test (a server) left installed.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        helper.start()
        with pytest.raises(KeyboardInterrupt):
            batcher.hit("a", Visit(at=T0), count=True, cap=None)
    finally:
        signal.signal(signal.SIGINT, previous)
    helper.join(10)
    leader.join(10)
    behind.join(10)
    assert not behind.is_alive(), "the visit behind the interrupted one was stranded"
    assert sorted(answers) == [1, 2]
    assert store.link_stats("a").clicks == 2  # the interrupted visit was not written
    assert batcher._leader is None
