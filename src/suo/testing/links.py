"""Conformance tests of :class:`~suo.shortener.store.LinkStore` (need a ``store`` fixture)."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from suo.antiblock.policy import AccessPolicy
from suo.decision import DecisionKind
from suo.errors import AliasTaken, NotFound, StorageUnavailable
from suo.shortener.model import Link, Visit
from suo.shortener.service import Shortener
from suo.testing.helpers import race

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _link(code: str, target: str = "https://example.com/", **kw: Any) -> Link:
    return Link(code=code, target=target, created_at=T0, **kw)


class LinkStoreSuite:
    """Every backend must pass these unchanged."""

    def test_create_get_roundtrip(self, store: Any) -> None:
        link = _link(
            "abc",
            "https://example.com/x?q=1",
            expires_at=T0 + timedelta(days=1),
            max_clicks=5,
            tags=("a", "b"),
            policy=AccessPolicy.anti_block(),
            redirect_status=301,
            title="标题",
        )
        store.create_link(link)
        assert store.get_link("abc") == link
        assert store.get_link("missing") is None

    def test_codes_are_case_sensitive(self, store: Any) -> None:
        store.create_link(_link("Abc", "https://a.example/"))
        store.create_link(_link("abc", "https://b.example/"))
        assert store.get_link("Abc").target == "https://a.example/"
        assert store.get_link("abc").target == "https://b.example/"

    def test_duplicate_code_raises_alias_taken(self, store: Any) -> None:
        store.create_link(_link("dup"))
        with pytest.raises(AliasTaken):
            store.create_link(_link("dup", "https://other.example/"))
        assert store.get_link("dup").target == "https://example.com/"

    def test_create_links_is_all_or_nothing(self, store: Any) -> None:
        store.create_link(_link("taken"))
        batch = [_link("n1", tags=("t",)), _link("taken"), _link("n2")]
        with pytest.raises(AliasTaken) as info:
            store.create_links(batch)
        assert info.value.alias == "taken"
        assert store.get_link("n1") is None
        assert store.get_link("n2") is None
        assert store.list_links(tag="t", after=None, limit=10) == []
        with pytest.raises(AliasTaken):
            store.create_links([_link("x1"), _link("x1")])
        assert store.get_link("x1") is None
        store.create_links([_link("ok1"), _link("ok2")])
        assert store.get_link("ok2") is not None

    def test_replace_and_delete(self, store: Any) -> None:
        store.create_link(_link("r", tags=("old",)))
        new = _link("r", "https://new.example/", tags=("new",))
        assert store.replace_link(new) is True
        assert store.get_link("r") == new
        assert [lk.code for lk in store.list_links(tag="new", after=None, limit=5)] == ["r"]
        assert store.list_links(tag="old", after=None, limit=5) == []
        assert store.replace_link(_link("nope")) is False
        assert store.delete_link("r") is True
        assert store.delete_link("r") is False
        assert store.get_link("r") is None
        assert store.list_links(tag="new", after=None, limit=5) == []

    def test_list_links_pages_in_code_order(self, store: Any) -> None:
        codes = [f"c{i:02d}" for i in range(12)]
        store.create_links(
            [_link(c, tags=("even",) if i % 2 == 0 else ()) for i, c in enumerate(codes)]
        )
        page1 = store.list_links(tag=None, after=None, limit=5)
        assert [lk.code for lk in page1] == codes[:5]
        page2 = store.list_links(tag=None, after=page1[-1].code, limit=5)
        assert [lk.code for lk in page2] == codes[5:10]
        evens = store.list_links(tag="even", after="c03", limit=100)
        assert [lk.code for lk in evens] == ["c04", "c06", "c08", "c10"]

    def test_hit_counts_and_breakdowns(self, store: Any) -> None:
        store.create_link(_link("h"))
        day2 = T0 + timedelta(days=1)
        assert store.hit("h", Visit(at=T0, platform="wechat", os="ios"), count=True, cap=None) == 1
        assert (
            store.hit("h", Visit(at=day2, platform="browser", os="android"), count=True, cap=None)
            == 2
        )
        assert (
            store.hit(
                "h",
                Visit(at=day2, platform="wechat", os="ios", outcome="guide"),
                count=False,
                cap=None,
            )
            == 2
        )
        assert store.hit("h", Visit(at=day2, platform="bot", bot=True), count=False, cap=None) == 2
        stats = store.link_stats("h")
        assert (stats.clicks, stats.visits, stats.bots) == (2, 3, 1)
        assert stats.first_visit == T0
        assert stats.last_visit == day2
        assert dict(stats.by_platform) == {"wechat": 2, "browser": 1}
        assert dict(stats.by_os) == {"ios": 2, "android": 1}
        assert dict(stats.by_day) == {"2026-11-25": 1, "2026-11-26": 2}
        assert store.link_stats("unknown").clicks == 0

    def test_hit_respects_cap(self, store: Any) -> None:
        store.create_link(_link("cap", max_clicks=2))
        results = [store.hit("cap", Visit(at=T0), count=True, cap=2) for _ in range(4)]
        assert results == [1, 2, None, None]
        stats = store.link_stats("cap")
        assert stats.clicks == 2
        assert stats.visits == 4

    def test_hit_on_a_missing_code_raises_and_records_nothing(self, store: Any) -> None:
        with pytest.raises(NotFound):
            store.hit("ghost", Visit(at=T0), count=True, cap=None)
        with pytest.raises(NotFound):
            store.hit("ghost", Visit(at=T0, bot=True), count=False, cap=None)
        store.create_link(_link("ghost"))
        assert store.link_stats("ghost").clicks == 0
        assert store.link_stats("ghost").bots == 0

    def test_hit_after_its_deadline_records_nothing(self, store: Any) -> None:
        store.create_link(_link("late", max_clicks=5))
        assert store.hit("late", Visit(at=T0), count=True, cap=5, deadline=time.time() + 60) == 1
        for bot in (False, True):
            with pytest.raises(StorageUnavailable):
                store.hit(
                    "late", Visit(at=T0, bot=bot), count=not bot, cap=5, deadline=time.time() - 1
                )
        stats = store.link_stats("late")
        assert (stats.clicks, stats.visits, stats.bots) == (1, 1, 0)
        assert len(list(store.visits("late"))) == 1
        assert store.hit("late", Visit(at=T0), count=True, cap=5, deadline=math.inf) == 2

    def test_stale_cache_after_delete_answers_not_found(self, store: Any) -> None:
        server = Shortener(store, cache_ttl=60)
        admin = Shortener(store)
        admin.shorten("https://example.com/old", alias="stale")
        assert server.resolve("stale").kind is DecisionKind.REDIRECT  # now cached
        admin.delete("stale")
        assert server.resolve("stale").kind is DecisionKind.NOT_FOUND
        admin.shorten("https://example.com/new", alias="stale", max_clicks=1)
        assert admin.stats("stale").clicks == 0
        assert server.resolve("stale").location == "https://example.com/new"

    def test_delete_drops_counters(self, store: Any) -> None:
        store.create_link(_link("d"))
        store.hit("d", Visit(at=T0), count=True, cap=None)
        store.delete_link("d")
        store.create_link(_link("d"))
        assert store.link_stats("d").clicks == 0

    def test_next_sequence_is_atomic(self, store: Any) -> None:
        results = race(16, lambda i: store.next_sequence("s"))
        assert sorted(results) == list(range(1, 17))
        assert store.next_sequence("other") == 1

    def test_alias_race_has_one_winner(self, store: Any) -> None:
        shortener = Shortener(store, cache_ttl=0)
        results = race(16, lambda i: shortener.shorten(f"https://example.com/{i}", alias="race"))
        winners = [r for r in results if isinstance(r, Link)]
        losers = [r for r in results if isinstance(r, AliasTaken)]
        assert len(winners) == 1
        assert len(losers) == 15
        assert store.get_link("race").target == winners[0].target

    def test_click_caprace(self, store: Any) -> None:
        shortener = Shortener(store)
        shortener.shorten("https://example.com/", alias="capped", max_clicks=3)
        shortener.resolve("capped", now=T0 - timedelta(days=1), user_agent="Googlebot/2.1")
        kinds = Counter(
            r.kind if not isinstance(r, Exception) else r
            for r in race(24, lambda i: shortener.resolve("capped"))
        )
        assert kinds == {DecisionKind.REDIRECT: 3, DecisionKind.EXHAUSTED: 21}
        assert store.link_stats("capped").clicks == 3
