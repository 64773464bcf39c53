"""Conformance tests of the visit-event part of :class:`~suo.shortener.LinkStore`.

Every backend keeps visits as events: the exact totals in the engine, the
events themselves, hourly rollups, uniques, retention and daily salts. These
tests need a ``store`` fixture and run unchanged on every backend.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from suo.shortener.model import Link, Visit
from suo.shortener.service import Shortener
from suo.testing.helpers import race

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _link(code: str, **kw: Any) -> Link:
    return Link(code=code, target="https://example.com/", created_at=T0, **kw)


def _visit(code: str, minutes: int, **kw: Any) -> Visit:
    return Visit(T0 + timedelta(minutes=minutes), code=code, **kw)


class VisitStoreSuite:
    """Visits as events, on every backend."""

    def test_events_round_trip_in_time_order(self, store: Any) -> None:
        store.create_link(_link("ev"))
        full = _visit(
            "ev",
            5,
            platform="wechat",
            os="ios",
            outcome="guide",
            language="zh-cn",
            referrer="mp.weixin.qq.com",
            target="7",
            utm={"utm_source": "群发", "utm_campaign": "双12"},
            visitor="0123456789abcdef",
        )
        store.hit("ev", _visit("ev", 1), count=True, cap=None)
        store.hit("ev", full, count=False, cap=None)
        store.hit("ev", _visit("ev", 9, bot=True, platform="bot"), count=False, cap=None)
        events = list(store.visits("ev"))
        assert [e.at for e in events] == [T0 + timedelta(minutes=m) for m in (1, 5, 9)]
        assert events[1] == full
        assert events[1].utm == {"utm_source": "群发", "utm_campaign": "双12"}
        assert events[2].bot is True
        assert list(store.visits("ev", start=T0 + timedelta(minutes=5))) == events[1:]
        assert list(store.visits("ev", end=T0 + timedelta(minutes=5))) == events[:1]
        assert list(store.visits("nothing")) == []

    def test_a_capped_visit_is_an_exhausted_event(self, store: Any) -> None:
        store.create_link(_link("cap1", max_clicks=1))
        assert store.hit("cap1", _visit("cap1", 0), count=True, cap=1) == 1
        assert store.hit("cap1", _visit("cap1", 1), count=True, cap=1) is None
        assert [e.outcome for e in store.visits("cap1")] == ["redirect", "exhausted"]
        assert store.link_stats("cap1").by_outcome == {"redirect": 1, "exhausted": 1}

    def test_counts_tracking_stores_no_event(self, store: Any) -> None:
        store.create_link(_link("quiet"))
        for i in range(3):
            store.hit(
                "quiet", _visit("quiet", i, visitor=f"v{i}"), count=True, cap=None, event=False
            )
        stats = store.link_stats("quiet")
        assert (stats.clicks, stats.visits, stats.uniques) == (3, 3, 0)
        assert list(store.visits("quiet")) == []
        assert store.visit_counts(["quiet"], start=T0, end=T0 + timedelta(hours=1), by=None) == []

    def test_stats_breakdowns_and_uniques(self, store: Any) -> None:
        store.create_link(_link("st"))
        plan = [
            ("wechat", "ios", "guide", None, "a"),
            ("wechat", "android", "guide", None, "a"),
            ("browser", "ios", "redirect", None, "b"),
            ("browser", "windows", "redirect", None, None),
            ("qq", "android", "page", "3", "c"),
        ]
        for i, (platform, os_, outcome, target, visitor) in enumerate(plan):
            store.hit(
                "st",
                _visit("st", i * 300, platform=platform, os=os_, outcome=outcome,
                       target=target, visitor=visitor),
                count=outcome != "guide",
                cap=None,
            )  # fmt: skip
        store.hit(
            "st", _visit("st", 3, bot=True, platform="bot", visitor="zz"), count=False, cap=None
        )
        s = store.link_stats("st")
        assert (s.clicks, s.visits, s.bots, s.uniques) == (3, 5, 1, 3)
        assert s.by_platform == {"wechat": 2, "browser": 2, "qq": 1}
        assert s.by_os == {"ios": 2, "android": 2, "windows": 1}
        assert s.by_outcome == {"guide": 2, "redirect": 2, "page": 1}
        assert s.by_target == {"3": 1}
        assert s.by_day == {"2026-11-25": 3, "2026-11-26": 2}
        assert s.first_visit == T0
        assert s.last_visit == T0 + timedelta(minutes=1200)

    def test_hourly_counts_by_field(self, store: Any) -> None:
        store.create_link(_link("h1"))
        store.create_link(_link("h2"))
        for m, code, platform in [(0, "h1", "wechat"), (10, "h1", "qq"), (65, "h1", "wechat"),
                                  (70, "h2", "wechat"), (200, "h2", "qq")]:  # fmt: skip
            store.hit(
                code, _visit(code, m, platform=platform, referrer="t.cn"), count=True, cap=None
            )
        store.hit("h1", _visit("h1", 1, bot=True), count=False, cap=None)
        h = timedelta(hours=1)
        total = sorted(store.visit_counts(["h1"], start=T0, end=T0 + 5 * h, by=None))
        assert total == [(T0, None, 2), (T0 + h, None, 1)]
        both = sorted(store.visit_counts(["h1", "h2"], start=T0, end=T0 + 5 * h, by="platform"))
        assert both == [
            (T0, "qq", 1), (T0, "wechat", 1), (T0 + h, "wechat", 2), (T0 + 3 * h, "qq", 1)
        ]  # fmt: skip
        window = store.visit_counts(["h1", "h2"], start=T0 + h, end=T0 + 2 * h, by="referrer")
        assert window == [(T0 + h, "t.cn", 2)]
        missing = sorted(store.visit_counts(["h1"], start=T0, end=T0 + h, by="target"))
        assert missing == [(T0, None, 2)]

    def test_purge_removes_events_and_keeps_totals(self, store: Any) -> None:
        store.create_link(_link("p1"))
        store.create_link(_link("p2"))
        for i in range(4):
            store.hit("p1", _visit("p1", i * 60, visitor=f"u{i}"), count=True, cap=None)
            store.hit("p2", _visit("p2", i * 60), count=True, cap=None)
        cut = T0 + timedelta(minutes=120)
        assert store.purge_visits(before=cut, code="p1") == 2
        assert [e.at for e in store.visits("p1")] == [cut, cut + timedelta(hours=1)]
        assert len(list(store.visits("p2"))) == 4
        stats = store.link_stats("p1")
        assert (stats.clicks, stats.visits, stats.uniques) == (4, 4, 4)
        hours = store.visit_counts(["p1"], start=T0, end=T0 + timedelta(hours=4), by=None)
        assert sum(n for _h, _k, n in hours) == 4
        assert store.purge_visits(before=cut) == 2  # p2's two old ones
        assert store.purge_visits(before=cut) == 0

    def test_daily_salt_is_shared_and_old_ones_go(self, store: Any) -> None:
        salts = race(8, lambda i: store.daily_salt("2026-11-20"))
        assert len(set(salts)) == 1
        assert isinstance(salts[0], bytes)
        assert len(salts[0]) >= 16
        assert store.daily_salt("2026-11-21") != salts[0]
        store.daily_salt("2026-11-24")  # two days later than the 21st: the 20th is gone
        assert store.daily_salt("2026-11-20") != salts[0]

    def test_link_row_does_not_grow_with_visits(self, store: Any) -> None:
        store.create_link(_link("grow"))
        before = store.get_link("grow")
        for i in range(50):
            store.hit("grow", _visit("grow", i, platform="wechat"), count=True, cap=None)
        assert store.get_link("grow") == before

    def test_delete_drops_events(self, store: Any) -> None:
        store.create_link(_link("gone"))
        store.hit("gone", _visit("gone", 0), count=True, cap=None)
        assert store.delete_link("gone") is True
        assert list(store.visits("gone")) == []
        store.create_link(_link("gone"))
        assert store.link_stats("gone").visits == 0
        assert store.visit_counts(["gone"], start=T0, end=T0 + timedelta(hours=1), by=None) == []

    # -- through the Shortener ------------------------------------------------------

    def test_resolve_records_events_with_no_raw_ip(self, store: Any) -> None:
        clock = [T0]
        s = Shortener(store, clock=lambda: clock[0], cache_ttl=0)
        s.shorten("https://example.com/", alias="tr")
        ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.44"
        for ip in ("203.0.113.9", "203.0.113.9", "2001:db8::1"):
            s.resolve("tr", user_agent=ua, ip=ip, accept_language="zh-CN,zh;q=0.9",
                      referrer="https://mp.weixin.qq.com/s/secret-path?x=1",
                      query="utm_source=moments&utm_medium=post&other=1")  # fmt: skip
        events = list(s.visits("tr"))
        assert len(events) == 3
        assert {e.referrer for e in events} == {"mp.weixin.qq.com"}
        assert {e.language for e in events} == {"zh-cn"}
        assert events[0].utm == {"utm_source": "moments", "utm_medium": "post"}
        assert events[0].visitor == events[1].visitor != events[2].visitor
        assert s.stats("tr").uniques == 2
        dump = repr([e.to_dict() for e in events]) + repr(s.stats("tr"))
        assert "203.0.113.9" not in dump
        assert "2001:db8::1" not in dump
        assert "secret-path" not in dump
        clock[0] = T0 + timedelta(days=1)  # a new day, a new salt: a new id
        s.resolve("tr", user_agent=ua, ip="203.0.113.9")
        assert list(s.visits("tr"))[-1].visitor != events[0].visitor

    def test_exact_caps_with_events_under_a_race(self, store: Any) -> None:
        s = Shortener(store, cache_ttl=0)
        s.shorten("https://example.com/", alias="race", max_clicks=5)
        kinds = race(24, lambda i: s.resolve("race", ip=f"198.51.100.{i}").kind.value)
        assert Counter(kinds) == {"redirect": 5, "exhausted": 19}
        stats = s.stats("race")
        assert stats.clicks == 5
        assert stats.by_outcome == {"redirect": 5, "exhausted": 19}
        assert len(list(s.visits("race"))) == 24
