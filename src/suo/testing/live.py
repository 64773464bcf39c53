"""Conformance tests of :class:`~suo.shortener.LiveStore` (need a ``store`` fixture)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from suo.decision import DecisionKind
from suo.shortener import LiveEvent, LiveSlot, LiveStore, LiveTarget
from suo.shortener.service import Shortener
from suo.testing.helpers import race

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _slot(code: str, id_: int, payload: str, **kw: Any) -> LiveSlot:
    target = LiveTarget(
        payload,
        cap=kw.pop("cap", None),
        expires_at=kw.pop("expires_at", None),
        weight=kw.pop("weight", 1),
    )
    return LiveSlot(code=code, id=id_, target=target, added_at=T0, **kw)


def _shortener(store: Any) -> Shortener:
    return Shortener(store, base_url="https://s.example/", clock=lambda: T0, cache_ttl=0)


class LiveStoreSuite:
    """Every backend must pass these unchanged."""

    def test_store_implements_the_protocol(self, store: Any) -> None:
        assert isinstance(store, LiveStore)

    def test_add_and_list_roundtrip(self, store: Any) -> None:
        slots = [
            _slot(
                "lc", 7, "https://weixin.qq.com/g/AAA", cap=200, expires_at=T0 + timedelta(days=7)
            ),
            _slot("lc", 3, "福利群 第二期 WIFI:T:WPA;S:咖啡;;", weight=5),
            _slot("lc", 12, "https://example.com/landing?x=1", cap=1, used=1, epoch=2),
        ]
        store.add_live_targets("lc", slots)
        assert store.live_targets("lc") == sorted(slots, key=lambda s: s.id)
        assert store.live_targets("other") == []
        store.add_live_targets("other", [_slot("other", 1, "x")])
        assert [s.id for s in store.live_targets("lc")] == [3, 7, 12]

    def test_claim_respects_cap_retirement_and_expiry(self, store: Any) -> None:
        store.add_live_targets(
            "c",
            [
                _slot("c", 1, "capped", cap=2),
                _slot("c", 2, "expiring", expires_at=T0 + timedelta(minutes=1)),
                _slot("c", 3, "unlimited"),
            ],
        )
        assert [store.claim_live_target("c", 1, now=T0) for _ in range(3)] == [1, 2, None]
        assert store.claim_live_target("c", 2, now=T0) == 1
        assert store.claim_live_target("c", 2, now=T0 + timedelta(minutes=1)) is None
        assert store.claim_live_target("c", 2, now=T0 + timedelta(seconds=59)) == 2
        assert [store.claim_live_target("c", 3, now=T0) for _ in range(5)] == [1, 2, 3, 4, 5]
        assert store.retire_live_target("c", 3) is True
        assert store.claim_live_target("c", 3, now=T0) is None
        assert store.claim_live_target("c", 99, now=T0) is None
        assert store.claim_live_target("nope", 1, now=T0) is None
        used = {s.id: (s.used, s.retired) for s in store.live_targets("c")}
        assert used == {1: (2, False), 2: (2, False), 3: (5, True)}

    def test_update_keeps_or_resets_the_fill(self, store: Any) -> None:
        store.add_live_targets("u", [_slot("u", 1, "old", cap=3), _slot("u", 2, "other")])
        store.claim_live_target("u", 1, now=T0)
        store.claim_live_target("u", 1, now=T0)
        new = LiveTarget("new 新", cap=5, expires_at=T0 + timedelta(days=1), weight=3)
        kept = store.update_live_target("u", 1, new, reset=False)
        assert kept is not None
        assert (kept.target, kept.used, kept.epoch, kept.id) == (new, 2, 0, 1)
        reset = store.update_live_target("u", 1, LiveTarget("newer", cap=2), reset=True)
        assert reset is not None
        assert (reset.payload, reset.cap, reset.expires_at, reset.used, reset.epoch) == (
            "newer", 2, None, 0, 1,
        )  # fmt: skip
        assert store.live_targets("u")[0] == reset
        assert store.update_live_target("u", 9, new, reset=False) is None
        assert store.retire_live_target("u", 2) is True
        assert store.retire_live_target("u", 2) is False
        assert store.retire_live_target("u", 9) is False
        assert store.update_live_target("u", 2, new, reset=True) is None
        assert store.live_targets("u")[1].payload == "other"

    def test_event_is_recorded_once_under_a_race(self, store: Any) -> None:
        def record(i: int) -> bool:
            event = LiveEvent(
                kind="full", code="ev", at=T0 + timedelta(seconds=i), key="t1.full", seq=5
            )
            return bool(store.record_live_event(event))

        assert sorted(race(16, record)) == [False] * 15 + [True]
        later = LiveEvent(
            kind="expiring",
            code="ev",
            at=T0 + timedelta(hours=1),
            key="t1.expiring",
            seq=9,
            target_id=1,
            payload="支付",
            used=3,
            cap=4,
            expires_at=T0 + timedelta(hours=5),
        )
        assert store.record_live_event(later) is True
        events = store.live_events("ev")
        assert [e.key for e in events] == ["t1.full", "t1.expiring"]
        assert events[1] == later
        earlier = LiveEvent(kind="empty", code="ev", at=T0 + timedelta(days=1), key="e", seq=1)
        assert store.record_live_event(earlier) is True
        assert [e.key for e in store.live_events("ev")] == ["e", "t1.full", "t1.expiring"]
        assert store.live_events("none") == []

    def test_delete_live_forgets_only_that_code(self, store: Any) -> None:
        for code in ("d1", "d2"):
            store.add_live_targets(code, [_slot(code, 1, "p")])
            store.record_live_event(LiveEvent(kind="empty", code=code, at=T0, key="k"))
        store.delete_live("d1")
        assert store.live_targets("d1") == []
        assert store.live_events("d1") == []
        assert len(store.live_targets("d2")) == 1
        assert len(store.live_events("d2")) == 1
        store.delete_live("never-existed")

    # -- through the Shortener ------------------------------------------------------

    def test_caps_hold_under_40_concurrent_scans(self, store: Any) -> None:
        """A live code with caps 5, 3 and 4 under 40 concurrent scans serves exactly 12."""
        s = _shortener(store)
        link = s.shorten_live(
            [
                LiveTarget("https://weixin.qq.com/g/five", cap=5),
                LiveTarget("https://weixin.qq.com/g/three", cap=3),
                LiveTarget("https://weixin.qq.com/g/four", cap=4),
            ],
            alias="caps",
        )
        results = race(40, lambda i: s.resolve(link.code))
        errors = [r for r in results if isinstance(r, Exception)]
        assert errors == []
        kinds = Counter(r.kind for r in results)
        assert kinds == {DecisionKind.PAGE: 12, DecisionKind.EXHAUSTED: 28}
        served = Counter(r.target.payload for r in results if r.kind is DecisionKind.PAGE)
        assert served == {
            "https://weixin.qq.com/g/five": 5,
            "https://weixin.qq.com/g/three": 3,
            "https://weixin.qq.com/g/four": 4,
        }
        assert [(t.used, t.cap) for t in s.live("caps").targets()] == [(5, 5), (3, 3), (4, 4)]
        stats = s.stats("caps")
        assert (stats.clicks, stats.visits) == (12, 40)
        events = Counter(e.kind for e in s.live("caps").events())
        assert events == {"nearly_full": 3, "full": 3, "empty": 1}

    @pytest.mark.parametrize("strategy", ["round_robin", "weighted"])
    def test_other_strategies_hold_caps_under_races(self, store: Any, strategy: str) -> None:
        s = _shortener(store)
        s.shorten_live(
            [
                LiveTarget("https://weixin.qq.com/g/a", cap=4, weight=1),
                LiveTarget("https://weixin.qq.com/g/b", cap=2, weight=5),
                LiveTarget("https://weixin.qq.com/g/c", cap=3, weight=2),
            ],
            alias="st",
            strategy=strategy,
        )
        results = race(20, lambda i: s.resolve("st"))
        assert [r for r in results if isinstance(r, Exception)] == []
        assert Counter(r.kind for r in results) == {
            DecisionKind.PAGE: 9,
            DecisionKind.EXHAUSTED: 11,
        }
        assert [t.used for t in s.live("st").targets()] == [4, 2, 3]

    def test_round_robin_spreads_evenly_under_a_race(self, store: Any) -> None:
        s = _shortener(store)
        s.shorten_live(["https://example.com/a", "https://example.com/b", "https://example.com/c"],
                       alias="rr", strategy="round_robin")  # fmt: skip
        results = race(15, lambda i: s.resolve("rr"))
        assert Counter(r.location for r in results) == {
            "https://example.com/a": 5,
            "https://example.com/b": 5,
            "https://example.com/c": 5,
        }

    def test_bots_see_the_page_but_never_claim(self, store: Any) -> None:
        s = _shortener(store)
        s.shorten_live([LiveTarget("https://weixin.qq.com/g/only", cap=1)], alias="bot")
        bot = s.resolve("bot", user_agent=BOT)
        assert bot.kind is DecisionKind.PAGE
        assert bot.target.payload == "https://weixin.qq.com/g/only"
        assert s.live("bot").targets()[0].used == 0
        assert s.resolve("bot").kind is DecisionKind.PAGE
        assert s.resolve("bot", user_agent=BOT).kind is DecisionKind.EXHAUSTED
        assert s.resolve("bot").kind is DecisionKind.EXHAUSTED
        stats = s.stats("bot")
        assert (stats.clicks, stats.visits, stats.bots) == (1, 2, 2)

    def test_event_callbacks_fire_once_per_crossing_under_a_race(self, store: Any) -> None:
        s = _shortener(store)
        s.shorten_live([LiveTarget("https://weixin.qq.com/g/ten", cap=10)], alias="ev")
        seen: list[str] = []
        lock = threading.Lock()

        def on_event(event: LiveEvent) -> None:
            with lock:
                seen.append(event.kind)

        s.live("ev").on(None, on_event)
        race(16, lambda i: s.resolve("ev"))
        assert Counter(seen) == {"nearly_full": 1, "full": 1, "empty": 1}
        assert s.live("ev").check() == []  # nothing new: each crossing fires once
        assert Counter(seen) == {"nearly_full": 1, "full": 1, "empty": 1}
