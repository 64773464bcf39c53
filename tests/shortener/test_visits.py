"""Visits as events through the Shortener, on every backend: series, tracking, retention."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import suo
from suo.antiblock import AccessPolicy
from suo.errors import InvalidInput, NotFound
from suo.shortener import LiveTarget, Shortener
from suo.shortener.visits import COLUMNS, Series, flat_row
from suo.testing import ManualClock
from suo.testing.aio import DRIVERS, driven

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture(params=DRIVERS)
def s(request: pytest.FixtureRequest, store: Any, clock: ManualClock) -> Iterator[Shortener]:
    # Every test runs through resolve() and, again, through aresolve() & co.
    with driven(request.param, store, clock=clock, cache_ttl=0) as sh:
        yield sh


def test_shanghai_days_are_not_utc_days(s: Shortener, clock: ManualClock) -> None:
    s.shorten("https://example.com/", alias="d")
    for at in (T0.replace(hour=15, minute=30), T0.replace(hour=16, minute=30)):
        s.resolve("d", now=at)  # 23:30 and 00:30 next day in Shanghai
    clock.advance(timedelta(days=1))
    utc_days = list(s.timeseries("d", interval="day").rows())
    assert utc_days == [(datetime(2026, 12, 1, tzinfo=UTC), None, 2)]
    sh_days = list(s.timeseries("d", interval="day", tz="Asia/Shanghai").rows())
    assert sh_days == [
        (datetime(2026, 12, 1, tzinfo=SHANGHAI), None, 1),
        (datetime(2026, 12, 2, tzinfo=SHANGHAI), None, 1),
    ]
    hours = list(s.timeseries("d", tz=SHANGHAI).rows())
    assert [(b.hour, n) for b, _k, n in hours] == [(23, 1), (0, 1)]
    assert all(b.tzinfo is SHANGHAI for b, _k, _n in hours)


def test_series_by_outcome_platform_and_target(s: Shortener, clock: ManualClock) -> None:
    s.shorten("https://example.com/", alias="ab", policy=AccessPolicy.anti_block())
    for ua in (WECHAT, WECHAT, DESKTOP, BOT):
        s.resolve("ab", user_agent=ua)
    s.shorten_live([LiveTarget("https://weixin.qq.com/g/A", cap=1),
                    LiveTarget("https://weixin.qq.com/g/B")], alias="lv")  # fmt: skip
    for _ in range(3):
        s.resolve("lv", user_agent=DESKTOP)
    clock.advance(timedelta(hours=1))
    outcome = Counter({k: n for _b, k, n in s.timeseries("ab", by="outcome").rows()})
    assert outcome == {"guide": 2, "redirect": 1}  # the bot is not a visit
    platform = {k: n for _b, k, n in s.timeseries("ab", by="platform").rows()}
    assert platform == {"wechat": 2, "browser": 1}
    slots = {t.payload: str(t.id) for t in s.live("lv").targets()}
    target = {k: n for _b, k, n in s.timeseries("lv", by="target").rows()}
    assert target == {slots["https://weixin.qq.com/g/A"]: 1, slots["https://weixin.qq.com/g/B"]: 2}
    stats = s.stats("lv")
    assert stats.by_target == target
    assert stats.by_outcome == {"page": 3}


def test_a_tag_is_a_campaign(s: Shortener, clock: ManualClock) -> None:
    for alias in ("c1", "c2"):
        s.shorten("https://example.com/", alias=alias, tags=["double12"])
    s.shorten("https://example.com/", alias="other")
    for alias in ("c1", "c2", "c2", "other"):
        s.resolve(alias, user_agent=WECHAT, ip="203.0.113.5")
    clock.advance(timedelta(minutes=1))
    assert s.timeseries(tag="double12").total() == 3
    stats = s.stats(tag="double12")
    assert (stats.code, stats.clicks, stats.uniques) == ("tag:double12", 3, 2)
    assert s.timeseries(tag="nothing-tagged").total() == 0


def test_counts_tracking_keeps_totals_only(store: Any, clock: ManualClock) -> None:
    quiet = Shortener(store, clock=clock, cache_ttl=0, tracking="counts")
    quiet.shorten("https://example.com/", alias="q")
    loud = quiet.shorten("https://example.com/", alias="loud", tracking="events")
    assert loud.tracking == "events"
    for code in ("q", "loud"):
        quiet.resolve(code, ip="203.0.113.1", query="utm_source=x")
    assert list(quiet.visits("q")) == []
    assert quiet.stats("q").clicks == 1
    assert quiet.stats("q").uniques == 0
    assert [v.utm for v in quiet.visits("loud")] == [{"utm_source": "x"}]
    quiet.update("q", tracking="events")
    quiet.resolve("q")
    assert len(list(quiet.visits("q"))) == 1


def test_purge_visits_through_the_shortener(s: Shortener, clock: ManualClock) -> None:
    s.shorten("https://example.com/", alias="p")
    for minutes in (0, 60, 120):
        s.resolve("p", now=T0 + timedelta(minutes=minutes))
    assert s.purge_visits(before=T0 + timedelta(minutes=61)) == 2
    assert [v.at for v in s.visits("p")] == [T0 + timedelta(minutes=120)]
    assert s.stats("p").clicks == 3
    with pytest.raises(InvalidInput, match="aware"):
        s.purge_visits(before=datetime(2026, 1, 1))


def test_bad_questions_say_what_to_ask(s: Shortener) -> None:
    s.shorten("https://example.com/", alias="x")
    with pytest.raises(InvalidInput, match="interval"):
        s.timeseries("x", interval="week")
    with pytest.raises(InvalidInput, match="by must be one of"):
        s.timeseries("x", by="ip")
    with pytest.raises(InvalidInput, match="exactly one"):
        s.timeseries()
    with pytest.raises(InvalidInput, match="time zone"):
        s.timeseries("x", tz="Mars/Olympus")
    with pytest.raises(InvalidInput, match="before end"):
        s.timeseries("x", start=T0, end=T0 - timedelta(hours=1))
    with pytest.raises(NotFound):
        s.visits("missing")
    with pytest.raises(NotFound):
        s.timeseries("missing")
    with pytest.raises(InvalidInput, match="tracking"):
        s.shorten("https://example.com/", tracking="everything")


def test_visits_stream_and_export_rows(s: Shortener) -> None:
    s.shorten("https://example.com/", alias="e")
    s.resolve("e", user_agent=WECHAT, ip="203.0.113.9", accept_language="zh-CN",
              referrer="https://mp.weixin.qq.com/s/x", query={"utm_campaign": "双12"})  # fmt: skip
    log = s.visits("e")
    row = flat_row(next(iter(log)))
    assert list(row) == list(COLUMNS)
    assert row["utm_campaign"] == "双12"
    assert row["referrer"] == "mp.weixin.qq.com"
    assert row["platform"] == "wechat"
    assert len(row["visitor"]) == 16
    assert "203.0.113.9" not in repr(row)


@settings(max_examples=25)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=3 * 24 * 60), min_size=1, max_size=40),
    zone=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata"]),
)
def test_buckets_add_up_in_any_zone(offsets: list[int], zone: str) -> None:
    s = Shortener("memory://", clock=lambda: T0 + timedelta(days=4))
    s.shorten("https://example.com/", alias="h")
    for m in offsets:
        s.resolve("h", now=T0 + timedelta(minutes=m))
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=4)
    hours = s.timeseries("h", start=start, end=end, tz=zone)
    days = s.timeseries("h", interval="day", start=start, end=end, tz=zone)
    assert hours.total() == days.total() == len(offsets) == s.stats("h").visits
    starts = [b for b, _k, _n in days.rows()]
    assert starts == sorted(set(starts))
    for b in starts:
        local = b.astimezone(ZoneInfo(zone))
        assert (local.hour, local.minute) == (0, 0)


def test_series_to_pandas_and_plot() -> None:
    series = Series.from_hours(
        [(T0, "wechat", 3), (T0, "qq", 1), (T0 + timedelta(hours=1), "wechat", 2)],
        interval="hour",
        by="platform",
        tz=UTC,
    )
    frame = series.to_pandas()
    assert list(frame.columns) == ["bucket", "key", "count"]
    assert int(frame["count"].sum()) == 6
    fig = series.plot()
    assert {line.get_label() for line in fig.axes[0].get_lines()} == {"wechat", "qq"}
    assert series._repr_svg_().lstrip().startswith("<?xml")


def test_the_contract_names_exist() -> None:
    s = suo.Shortener("memory://", tracking="counts")
    assert s.tracking == "counts"
    stats = suo.Stats(code="x")
    assert (stats.uniques, stats.by_outcome, stats.by_target) == (0, {}, {})
