"""Conformance tests of :class:`~suo.shortener.conversions.ConversionStore` (need a ``store``).

Click records round trip by id; a conversion is kept once per
``(click_id, event, external_id)`` even when many callers race; conversions
are read by the link and the click's time; deleting a link forgets both.
The end-to-end tests go through a :class:`~suo.Shortener` on the store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suo.errors import UnknownClickId
from suo.shortener.conversions import Conversion, new_click_id
from suo.shortener.model import Link, Visit
from suo.shortener.service import Shortener
from suo.testing.helpers import ManualClock, race

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.49"
_BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def _link(code: str) -> Link:
    return Link(code=code, target="https://example.com/", created_at=T0)


def _click(code: str, minutes: int, **kw: Any) -> Visit:
    return Visit(T0 + timedelta(minutes=minutes), code=code, click_id=new_click_id(), **kw)


def _id(visit: Visit) -> str:
    assert visit.click_id is not None
    return visit.click_id


class ConversionStoreSuite:
    """Click ids and conversions, on every backend."""

    def test_click_round_trip(self, store: Any) -> None:
        store.create_link(_link("cc"))
        visit = _click(
            "cc", 3, platform="wechat", os="ios", referrer="mp.weixin.qq.com", target="2"
        )
        store.record_click(visit, ttl=3600)
        assert store.visit_by_click(visit.click_id) == visit
        assert store.visit_by_click(new_click_id()) is None

    def test_conversion_once_per_key(self, store: Any) -> None:
        store.create_link(_link("once"))
        visit = _click("once", 0)
        store.record_click(visit)
        cid = _id(visit)
        at = T0 + timedelta(hours=1)
        first = Conversion(cid, "purchase", at, visit, "o-1", Decimal("19.90"), "CNY")
        assert store.add_conversion(first) is True
        assert store.add_conversion(first) is False
        # Another time or value is still the same (click, event, external id).
        assert (
            store.add_conversion(Conversion(cid, "purchase", at + timedelta(1), visit, "o-1"))
            is False
        )
        assert store.add_conversion(Conversion(cid, "purchase", at, visit, "o-2")) is True
        assert store.add_conversion(Conversion(cid, "join", at, visit)) is True
        assert store.add_conversion(Conversion(cid, "join", at, visit)) is False
        found = store.conversions("once")
        assert [(c.event, c.external_id) for c in found] == [
            ("join", None),
            ("purchase", "o-1"),
            ("purchase", "o-2"),
        ]
        assert found[1] == first
        assert found[1].value == Decimal("19.90")
        assert found[1].currency == "CNY"

    def test_racing_reports_record_one(self, store: Any) -> None:
        store.create_link(_link("race"))
        visit = _click("race", 0)
        store.record_click(visit)
        conv = Conversion(_id(visit), "join", T0, visit, "member-9")
        results = race(8, lambda _i: store.add_conversion(conv))
        assert sorted(results) == [False] * 7 + [True]
        assert len(store.conversions("race")) == 1

    def test_conversions_by_click_time(self, store: Any) -> None:
        store.create_link(_link("win"))
        store.create_link(_link("other"))
        clicks = [_click("win", m) for m in (0, 30, 60)]
        for v in clicks:
            store.record_click(v)
            store.add_conversion(Conversion(_id(v), "join", T0 + timedelta(days=2), v))
        other = _click("other", 30)
        store.record_click(other)
        store.add_conversion(Conversion(_id(other), "join", T0, other))
        got = store.conversions(
            "win", start=T0 + timedelta(minutes=30), end=T0 + timedelta(hours=1)
        )
        assert [c.click_id for c in got] == [clicks[1].click_id]
        assert [c.click_id for c in store.conversions("win")] == [v.click_id for v in clicks]
        assert store.conversions("nothing") == []

    def test_delete_link_forgets_conversions(self, store: Any) -> None:
        store.create_link(_link("gone"))
        visit = _click("gone", 0)
        store.record_click(visit)
        store.add_conversion(Conversion(_id(visit), "join", T0, visit))
        assert store.delete_link("gone") is True
        assert store.conversions("gone") == []
        store.create_link(_link("gone"))
        assert store.conversions("gone") == []

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        reports=st.lists(
            st.tuples(
                st.integers(0, 2),  # which click
                st.sampled_from(["join", "signup", "purchase"]),
                st.one_of(st.none(), st.sampled_from(["o-1", "o-2"])),
            ),
            max_size=12,
        )
    )
    def test_stored_set_is_the_set_of_distinct_keys(self, store: Any, reports: list[Any]) -> None:
        code = "h" + new_click_id()[:10].replace("-", "x").replace("_", "y")
        store.create_link(_link(code))
        clicks = [_click(code, i) for i in range(3)]
        for v in clicks:
            store.record_click(v)
        model: set[tuple[str, str, str]] = set()
        for i, event, ext in reports:
            conv = Conversion(_id(clicks[i]), event, T0, clicks[i], ext)
            assert store.add_conversion(conv) is (conv.key not in model)
            model.add(conv.key)
        assert {c.key for c in store.conversions(code)} == model
        store.delete_link(code)

    # -- through a Shortener --------------------------------------------------

    def test_redirect_carries_a_click_id_that_resolves_back(self, store: Any) -> None:
        s = Shortener(store, clock=ManualClock(T0), cache_ttl=0)
        s.shorten("https://shop.example/p?x=1#buy", alias="cid", click_ids=True)
        d = s.resolve("cid", user_agent=_WECHAT, referrer="https://mp.weixin.qq.com/s/abc")
        assert d.click_id is not None
        assert len(d.click_id) >= 22
        assert d.location is not None
        parts = urlsplit(d.location)
        assert parse_qs(parts.query) == {"x": ["1"], "suo_cid": [d.click_id]}
        assert parts.fragment == "buy"
        visit = store.visit_by_click(d.click_id)
        assert (visit.code, visit.at, visit.platform, visit.outcome, visit.referrer) == (
            "cid",
            T0,
            "wechat",
            "redirect",
            "mp.weixin.qq.com",
        )
        other = s.resolve("cid", user_agent=_WECHAT)
        assert other.click_id != d.click_id
        # Bots get none, nor do links without click ids.
        assert s.resolve("cid", user_agent=_BOT).click_id is None
        s.shorten("https://shop.example/", alias="plain")
        plain = s.resolve("plain")
        assert plain.click_id is None
        assert plain.location == "https://shop.example/"

    def test_track_is_idempotent_and_unknown_ids_raise(self, store: Any) -> None:
        s = Shortener(store, clock=ManualClock(T0), cache_ttl=0, click_ids=True)
        s.shorten("https://shop.example/", alias="tr")
        cid = s.resolve("tr").click_id
        assert cid is not None
        assert s.track(cid, "purchase", value=9.9, currency="cny", external_id="o-1") is True
        assert s.track(cid, "purchase", value=9.9, currency="CNY", external_id="o-1") is False
        assert s.funnel("tr", steps=("click", "purchase")).counts() == {"click": 1, "purchase": 1}
        for bad in (new_click_id(), "not-a-click-id", "x"):
            with pytest.raises(UnknownClickId, match="no click"):
                s.track(bad, "join")
        assert len(store.conversions("tr")) == 1
