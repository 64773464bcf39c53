"""Redis visit events beyond the conformance suite: paging, odd values, purge, layout.

The memory store is the reference model: the same hits go to both and the
answers must agree (uniques within the HyperLogLog's error).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from suo.shortener.model import Link, Visit
from suo.storage.memory import MemoryStore
from suo.storage.redis import RedisStore
from suo.testing.backends import isolated_store

pytestmark = pytest.mark.redis

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BY = (None, "platform", "os", "outcome", "target", "referrer", "language")


@pytest.fixture
def pair() -> Iterator[tuple[RedisStore, MemoryStore]]:
    with isolated_store("redis") as store:
        yield store, MemoryStore()


def _link(code: str, **kw: Any) -> Link:
    return Link(code=code, target="https://example.com/", created_at=T0, **kw)


def _both(pair: tuple[RedisStore, MemoryStore], method: str, *args: Any, **kw: Any) -> Any:
    real, model = pair
    a = getattr(real, method)(*args, **kw)
    b = getattr(model, method)(*args, **kw)
    if method == "visits":
        a, b = list(a), list(b)
    if method == "visit_counts":
        a, b = sorted(a, key=repr), sorted(b, key=repr)
    assert a == b, f"{method}{args}{kw}"
    return a


def _random_visit(rng: random.Random, code: str, minutes: int) -> Visit:
    return Visit(
        T0 + timedelta(minutes=rng.randrange(minutes), microseconds=rng.randrange(10**6)),
        rng.choice(["wechat", "qq", "browser"]),
        rng.choice(["ios", "android"]),
        rng.random() < 0.1,
        rng.choice(["redirect", "guide", "page"]),
        code,
        rng.choice([None, "zh-cn", "en-us"]),
        rng.choice([None, "t.cn", "mp.weixin.qq.com"]),
        rng.choice([None, None, "1", "2"]),
        rng.choice([None, {"utm_source": "群发"}]),
        rng.choice([None, "0123456789abcdef", "fedcba9876543210"]),
    )


def test_out_of_order_visits_come_back_in_time_order_in_pages(
    pair: tuple[RedisStore, MemoryStore],
) -> None:
    rng = random.Random(7)
    for store in pair:
        store.create_link(_link("ooo"))
    # 80 hours (more than one page of hour lists), arriving in random order.
    for _ in range(400):
        visit = _random_visit(rng, "ooo", 80 * 60)
        _both(pair, "hit", "ooo", visit, count=True, cap=None)
    _both(pair, "visits", "ooo")
    for _ in range(10):
        a = T0 + timedelta(minutes=rng.randrange(-60, 90 * 60), seconds=rng.randrange(60))
        b = a + timedelta(minutes=rng.randrange(1, 50 * 60))
        _both(pair, "visits", "ooo", start=a, end=b)
        _both(pair, "visits", "ooo", start=a)
        _both(pair, "visits", "ooo", end=b)


def test_hourly_counts_and_stats_agree_with_the_model(
    pair: tuple[RedisStore, MemoryStore],
) -> None:
    rng = random.Random(11)
    for store in pair:
        store.create_link(_link("c1"))
        store.create_link(_link("c2", max_clicks=50))
    for _ in range(300):
        code = rng.choice(["c1", "c2"])
        cap = 50 if code == "c2" else None
        _both(pair, "hit", code, _random_visit(rng, code, 3 * 24 * 60), count=True, cap=cap)
    shanghai = timezone(timedelta(hours=8))
    start = datetime(
        2026, 11, 25, 20, tzinfo=shanghai
    )  # 12:00 UTC, a day that started at 16:00 UTC
    for by in BY:
        for codes in (["c1"], ["c1", "c2"], ["nothing"]):
            _both(pair, "visit_counts", codes, start=T0, end=T0 + timedelta(days=4), by=by)
            _both(pair, "visit_counts", codes, start=start, end=start + timedelta(hours=30), by=by)
    for code in ("c1", "c2", "nothing"):
        _both(pair, "link_stats", code)


def test_values_the_compact_encoding_cannot_hold_round_trip(
    pair: tuple[RedisStore, MemoryStore],
) -> None:
    for store in pair:
        store.create_link(_link("odd", max_clicks=1))
    odd = [
        Visit(T0, outcome='we"ird\\', language="", referrer="a\x1fb", target="x|y", code="odd"),
        Visit(T0 + timedelta(seconds=1), utm={"utm_term": "é\x1f\"'"}, code="odd"),
        Visit(T0 + timedelta(seconds=2), referrer="host|with|bars", code="odd"),
    ]
    for visit in odd:
        _both(pair, "hit", "odd", visit, count=True, cap=1)  # the 2nd and 3rd are capped
    events = _both(pair, "visits", "odd")
    assert [e.outcome for e in events] == ['we"ird\\', "exhausted", "exhausted"]
    _both(pair, "visit_counts", ["odd"], start=T0, end=T0 + timedelta(hours=1), by="referrer")
    _both(pair, "visit_counts", ["odd"], start=T0, end=T0 + timedelta(hours=1), by="target")


def test_purge_cuts_inside_an_hour_and_across_links(
    pair: tuple[RedisStore, MemoryStore],
) -> None:
    rng = random.Random(3)
    codes = ["p1", "p2", "p3"]
    for store in pair:
        for code in codes:
            store.create_link(_link(code))
    for _ in range(300):
        code = rng.choice(codes)
        _both(pair, "hit", code, _random_visit(rng, code, 30 * 60), count=True, cap=None)
    cut = T0 + timedelta(hours=7, minutes=23, seconds=5, microseconds=17)
    _both(pair, "purge_visits", before=cut, code="p1")
    for code in codes:
        _both(pair, "visits", code)
    _both(pair, "purge_visits", before=cut + timedelta(hours=9, minutes=1))
    _both(pair, "purge_visits", before=cut + timedelta(hours=9, minutes=1))
    for code in codes:
        _both(pair, "visits", code)
        _both(pair, "link_stats", code)  # totals, rollups and uniques stay
        _both(pair, "visit_counts", [code], start=T0, end=T0 + timedelta(days=2), by="os")


def test_purge_of_every_link_stays_inside_its_prefix() -> None:
    with isolated_store("redis") as mine, isolated_store("redis") as other:
        for store in (mine, other):
            store.create_link(_link("pp"))
            store.hit("pp", Visit(T0), count=True, cap=None)
        assert mine.purge_visits(before=T0 + timedelta(days=1)) == 1
        assert len(list(other.visits("pp"))) == 1


def test_delete_leaves_no_key_of_the_link(pair: tuple[RedisStore, MemoryStore]) -> None:
    real, _model = pair
    rng = random.Random(5)
    real.create_link(_link("del", tags=["t"]))
    for _ in range(200):
        real.hit("del", _random_visit(rng, "del", 5 * 24 * 60), count=True, cap=None)
    assert len(list(real._r.scan_iter(match=real._key("del", "*"), count=1000))) > 20
    assert real.delete_link("del") is True
    assert list(real._r.scan_iter(match=real._key("del", "*"), count=1000)) == []
    with pytest.raises(Exception, match="no link"):
        real.hit("del", Visit(T0), count=True, cap=None)
    assert list(real._r.scan_iter(match=real._key("del", "*"), count=1000)) == []


def test_the_link_and_its_counters_do_not_grow_with_visits(
    pair: tuple[RedisStore, MemoryStore],
) -> None:
    real, _model = pair
    real.create_link(_link("fix"))
    link_before = real._r.get(real._key("fix", "link"))
    for i in range(300):
        visit = Visit(
            T0 + timedelta(hours=i), referrer=f"r{i}.example", language=f"l{i}", visitor=f"{i:016x}"
        )
        real.hit("fix", visit, count=True, cap=None)
    assert real._r.get(real._key("fix", "link")) == link_before
    assert set(real._r.hkeys(real._key("fix", "n"))) == {"clicks", "visits", "first", "last"}
    by = real._r.hkeys(real._key("fix", "by"))
    # One combination of platform, os, outcome and target, plus one field a day.
    assert sorted(f for f in by if not f.startswith("day:")) == ["v:browser|other|redirect|"]
    assert len(by) == 1 + 13  # 300 hours: 13 days


def test_uniques_are_close_to_exact(pair: tuple[RedisStore, MemoryStore]) -> None:
    real, model = pair
    for store in pair:
        store.create_link(_link("uu"))
    rng = random.Random(9)
    pipe_visits = [
        Visit(T0 + timedelta(seconds=i), visitor=f"{rng.randrange(3000):016x}") for i in range(4000)
    ]
    for visit in pipe_visits:
        real.hit("uu", visit, count=True, cap=None)
        model.hit("uu", visit, count=True, cap=None)
    exact = model.link_stats("uu").uniques
    assert abs(real.link_stats("uu").uniques - exact) <= 0.02 * exact


def test_a_counter_hash_from_before_clicks_started_at_zero_still_counts(
    pair: tuple[RedisStore, MemoryStore],
) -> None:
    real, _model = pair
    real.create_link(_link("old"))
    real._r.delete(real._key("old", "n"))  # as link_create left it before
    assert real.hit("old", Visit(T0, bot=True), count=False, cap=None) == 0
    assert real.hit("old", Visit(T0), count=True, cap=None) == 1
    assert real.link_stats("old").clicks == 1


def test_a_day_salt_expires_on_its_own(pair: tuple[RedisStore, MemoryStore]) -> None:
    real, _model = pair
    salt = real.daily_salt("2026-11-20")
    assert real.daily_salt("2026-11-20") == salt
    assert 0 < real._r.ttl(real._key("salt", "2026-11-20")) <= 3 * 24 * 3600


def test_the_link_record_is_the_same_after_10000_visits(
    pair: tuple[RedisStore, MemoryStore],
) -> None:
    r, _ = pair
    r.create_link(_link("same", max_clicks=5_000))
    key = r._key("same", "link")
    before = (r._r.get(key), r._r.memory_usage(key))
    pipe_visits = [
        Visit(T0 + timedelta(seconds=i), code="same", platform="wechat", visitor=f"v{i % 97}")
        for i in range(10_000)
    ]
    for i, visit in enumerate(pipe_visits):
        r.hit("same", visit, count=True, cap=5_000, event=i % 10 == 0)
    assert (r._r.get(key), r._r.memory_usage(key)) == before
    stats = r.link_stats("same")
    assert (stats.clicks, stats.visits) == (5_000, 10_000)
