"""Click ids, track, funnels and variant comparison through a Shortener.

The held-out stream test generates visits and conversions with a seeded
random generator, writes down what each visitor did, and checks the funnel
against counts made from that record alone (not from suo).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

import suo
from suo.antiblock import AccessPolicy
from suo.errors import ConfigurationError, InvalidInput, NotFound, UnknownClickId
from suo.shortener.conversions import add_click_id, clean_conversion
from suo.shortener.funnel import (
    build_funnel,
    clicks_needed,
    compare,
    two_proportion_z,
    wilson,
)
from suo.testing import ManualClock

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
UA = {
    "wechat": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Version/4.0 Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.49.2600(0x28003133)",
    "qq": "Mozilla/5.0 (Linux; Android 13; V2148A Build/TP1A.220624.014; wv) AppleWebKit/537.36"
    " (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/6.2 TBS/046613"
    " Mobile Safari/537.36 V1_AND_SQ_8.9.80_4614_YYB_D QQ/8.9.80.12440 NetType/WIFI",
    "browser": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0.0.0 Safari/537.36",
    "bot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
}


@pytest.fixture
def s(store: Any) -> suo.Shortener:
    return suo.Shortener(store, clock=ManualClock(T0), cache_ttl=0)


def test_user_agents_detect_as_named() -> None:
    for name, ua in UA.items():
        assert suo.antiblock.detect(ua).platform.value == name


def test_funnel_over_a_held_out_stream_matches_per_platform(s: suo.Shortener) -> None:
    rng = random.Random(16)
    s.shorten("https://shop.example/sale?from=qr", alias="sale", click_ids=True)
    expected: dict[str, Counter[str]] = {p: Counter() for p in ("wechat", "qq", "browser")}
    rows: list[tuple[str, str, str | None]] = []
    for i in range(90):
        platform = rng.choice(["wechat", "qq", "browser", "bot"])
        d = s.resolve("sale", user_agent=UA[platform], now=T0 + timedelta(minutes=i))
        if platform == "bot":
            assert d.click_id is None
            continue
        assert d.click_id is not None
        expected[platform]["click"] += 1
        joined = rng.random() < 0.5
        bought = rng.random() < 0.4
        if joined:
            rows.append((d.click_id, "join", None))
        if bought:
            rows.append((d.click_id, "purchase", f"o-{i}"))
            # A retried webhook: the same order again changes nothing.
            rows.append((d.click_id, "purchase", f"o-{i}"))
        expected[platform]["join"] += joined
        expected[platform]["purchase"] += joined and bought
        expected[platform]["bought"] += bought
    rng.shuffle(rows)  # reports arrive in any order
    for cid, event, ext in rows:
        s.track(cid, event, external_id=ext, value="1.5" if ext else None)
    funnel = s.funnel("sale", by="platform")
    total = sum(expected.values(), Counter())
    assert funnel.counts() == {
        "click": total["click"],
        "join": total["join"],
        "purchase": total["purchase"],
    }
    for platform, want in expected.items():
        steps = funnel.groups[platform]
        assert [x.count for x in steps] == [want["click"], want["join"], want["purchase"]]
        assert steps[1].rate == pytest.approx(want["join"] / want["click"])
        low, high = wilson(want["join"], want["click"])
        assert (steps[1].low, steps[1].high) == pytest.approx((low, high))
        if want["join"]:
            assert steps[2].rate == pytest.approx(want["purchase"] / want["join"])
    # Without the ordered join step, every purchase counts.
    direct = s.funnel("sale", steps=("click", "purchase"), by="platform")
    for platform, want in expected.items():
        assert direct.groups[platform][1].count == want["bought"]
    # A window of click times.
    late = s.funnel("sale", start=T0 + timedelta(minutes=45))
    assert late.steps[0].count == sum(
        1 for v in s.visits("sale", start=T0 + timedelta(minutes=45)) if not v.bot
    )


def test_guide_pages_and_caps_get_no_click_id(s: suo.Shortener) -> None:
    s.shorten("https://shop.example/", alias="g", click_ids=True, policy=AccessPolicy.anti_block())
    guide = s.resolve("g", user_agent=UA["wechat"])
    assert guide.kind.value == "guide"
    assert guide.click_id is None
    s.shorten("https://shop.example/", alias="cap", click_ids=True, max_clicks=1)
    assert s.resolve("cap").click_id is not None
    over = s.resolve("cap")
    assert over.kind.value == "exhausted"
    assert over.click_id is None
    # explain records nothing, so it hands out no id either
    s.shorten("https://shop.example/", alias="ex", click_ids=True)
    assert s.explain("ex").click_id is None
    assert s.funnel("cap").steps[0].count == 1


def test_defaults_tags_and_parameter_name(store: Any) -> None:
    s = suo.Shortener(store, click_id_tags=["ads"], click_param="cid", cache_ttl=0)
    s.shorten("https://shop.example/a#x", alias="ads1", tags=["ads"])
    s.shorten("https://shop.example/b", alias="plain1")
    s.shorten("https://shop.example/c", alias="off1", tags=["ads"], click_ids=False)
    d = s.resolve("ads1")
    assert d.location == f"https://shop.example/a?cid={d.click_id}#x"
    assert s.resolve("plain1").click_id is None
    assert s.resolve("off1").click_id is None
    s.update("plain1", click_ids=True)
    assert s.resolve("plain1").click_id is not None
    s.update("plain1", click_ids=None)  # back to the Shortener's default: none
    assert s.resolve("plain1").click_id is None
    with pytest.raises(InvalidInput, match="click_param"):
        suo.Shortener(store, click_param="a b")


def test_live_code_hand_out_gets_an_id_and_attributes_the_join(store: Any) -> None:
    s = suo.Shortener(store, clock=ManualClock(T0), cache_ttl=0, click_ids=True)
    s.shorten_live(
        [
            suo.shortener.LiveTarget("https://join.example/g1", cap=1),
            suo.shortener.LiveTarget("https://join.example/g2", cap=1),
        ],
        alias="grp",
    )
    a = s.resolve("grp")
    b = s.resolve("grp")
    assert a.click_id is not None
    assert b.click_id is not None
    assert a.location is not None
    assert parse_qs(urlsplit(a.location).query)["suo_cid"] == [a.click_id]
    s.track(b.click_id, "join", external_id="member-7")
    ta = store.visit_by_click(a.click_id).target
    tb = store.visit_by_click(b.click_id).target
    assert ta is not None
    assert tb is not None
    assert ta != tb  # the visits that handed out the two group QR codes
    f = s.funnel("grp", steps=("click", "join"), by="target")
    served = {k: [x.count for x in v] for k, v in f.groups.items()}
    assert served == {ta: [1, 0], tb: [1, 1]}
    # The pool is full: no hand-out, no id.
    assert s.resolve("grp").click_id is None


def test_a_click_of_a_deleted_link_is_unknown_after_the_code_is_reused(store: Any) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 9, tzinfo=UTC))
    s = suo.Shortener(store, click_ids=True, cache_ttl=0, clock=clock)
    s.shorten("https://shop.example/old", alias="reused")
    old = s.resolve("reused").click_id
    assert old is not None
    s.delete("reused")
    clock.advance(timedelta(seconds=1))
    s.shorten("https://shop.example/new", alias="reused")
    with pytest.raises(UnknownClickId):  # gone with its link, or kept (Redis) but stale
        s.track(old, "purchase", external_id="o-1")
    assert s.funnel("reused").steps[-1].count == 0


def test_track_validates_its_arguments(s: suo.Shortener) -> None:
    s.shorten("https://shop.example/", alias="v", click_ids=True)
    cid = s.resolve("v").click_id
    assert cid is not None
    for kwargs, match in (
        ({"currency": "CNY"}, "without a value"),
        ({"value": 1, "currency": "yuan"}, "ISO 4217"),
        ({"value": float("nan")}, "finite"),
        ({"value": True}, "number"),
        ({"value": "lots"}, "number"),
        ({"external_id": "a\nb"}, "control"),
        ({"at": datetime(2026, 12, 1)}, "at"),  # a naive time
    ):
        with pytest.raises(InvalidInput, match=match):
            s.track(cid, "purchase", **kwargs)
    with pytest.raises(InvalidInput, match="'click'"):
        s.track(cid, "click")
    with pytest.raises(InvalidInput, match="event"):
        s.track(cid, "a b")
    assert s.funnel("v").counts() == {"click": 1, "join": 0, "purchase": 0}
    # A deleted link's click ids are unknown.
    s.delete("v")
    with pytest.raises(UnknownClickId):
        s.track(cid, "join")


def test_funnel_arguments(s: suo.Shortener) -> None:
    s.shorten("https://shop.example/", alias="fa", tags=["camp"])
    with pytest.raises(InvalidInput, match="one of code"):
        s.funnel()
    with pytest.raises(NotFound):
        s.funnel("nope")
    with pytest.raises(InvalidInput, match="by must be"):
        s.funnel("fa", by="colour")
    with pytest.raises(InvalidInput, match="first step"):
        s.funnel("fa", steps=("join", "click"))
    with pytest.raises(InvalidInput, match="repeat"):
        s.funnel("fa", steps=("click", "join", "join"))
    assert s.funnel(tag="camp").counts() == {"click": 0, "join": 0, "purchase": 0}


def test_funnel_by_content_reads_the_content_tag(s: suo.Shortener) -> None:
    for code, tags in (("c1", ["content:post-1"]), ("c2", ["content:post-2"]), ("c3", [])):
        s.shorten(f"https://shop.example/{code}", alias=code, tags=[*tags, "camp2"], click_ids=True)
    ids = {
        code: [s.resolve(code).click_id for _ in range(n)]
        for code, n in (("c1", 3), ("c2", 2), ("c3", 1))
    }
    s.track(str(ids["c1"][0]), "join")
    s.track(str(ids["c2"][1]), "join")
    f = s.funnel(tag="camp2", steps=("click", "join"), by="content")
    assert {k: [x.count for x in v] for k, v in f.groups.items()} == {
        "post-1": [3, 1],
        "post-2": [2, 1],
        None: [1, 0],
    }
    assert list(f.groups) == ["post-1", "post-2", None]


def test_compare_variants_by_another_field(s: suo.Shortener) -> None:
    s.shorten("https://shop.example/", alias="ab", click_ids=True)
    for platform, clicks, buys in (("wechat", 40, 30), ("browser", 40, 5)):
        for i in range(clicks):
            cid = s.resolve("ab", user_agent=UA[platform]).click_id
            assert cid is not None
            if i < buys:
                s.track(cid, "purchase")
    result = s.compare_variants("ab", by="platform")
    assert result.winner == "wechat"
    assert result.clicks == {"browser": 40, "wechat": 40}
    assert result.conversions == {"browser": 5, "wechat": 30}
    assert "z-test" in result.message
    with pytest.raises(InvalidInput, match="at least two"):
        s.compare_variants("ab")  # no A/B variants on these visits


# -- the statistics, against values computed by hand ---------------------------------


def test_wilson_hand_computed() -> None:
    # p = 0.3, n = 100, z = 1.959964, z^2 = 3.841459: denominator 1.0384146,
    # centre 0.3 + 0.0192073 = 0.3192073,
    # margin 1.959964 * sqrt(0.0021 + 0.0000960365) = 0.0918477
    low, high = wilson(30, 100)
    assert low == pytest.approx((0.3192073 - 0.0918477) / 1.0384146, abs=1e-6)
    assert high == pytest.approx((0.3192073 + 0.0918477) / 1.0384146, abs=1e-6)
    assert wilson(0, 10)[0] == 0.0
    assert wilson(10, 10)[1] == 1.0
    assert wilson(0, 0) == (0.0, 1.0)


def test_z_test_hand_computed() -> None:
    # 60/500 vs 40/500: pooled 0.1, se = sqrt(0.1 * 0.9 * 2 / 500) = 0.018974
    z, p = two_proportion_z(60, 500, 40, 500)
    assert z == pytest.approx(0.04 / 0.0189737, rel=1e-5)
    # z = 2.10819; normal table: Phi(2.10) = 0.98214, Phi(2.11) = 0.98257, so
    # Phi(z) = 0.98249 by interpolation and p = 2 * (1 - 0.98249) = 0.03502
    assert p == pytest.approx(0.03502, abs=2e-5)
    assert two_proportion_z(0, 10, 0, 10) == (0.0, 1.0)
    assert two_proportion_z(1, 0, 1, 10) == (0.0, 1.0)


def test_sample_size_hand_computed() -> None:
    # 10% vs 15%: (1.95996 * sqrt(2 * .125 * .875) + .84162 * sqrt(.09 + .1275))^2 / .05^2
    assert clicks_needed(0.10, 0.15) == 686
    assert clicks_needed(0.2, 0.2) is None
    assert (clicks_needed(0.5, 0.6) or 0) < (clicks_needed(0.5, 0.55) or 0)


def test_compare_says_not_enough_data_with_how_many() -> None:
    r = compare({"A": 100, "B": 100}, {"A": 12, "B": 10})
    assert r.winner is None
    need = clicks_needed(0.12, 0.10)
    assert need is not None
    assert r.more_clicks == 2 * (need - 100)
    assert r.message.startswith("not enough data yet")
    assert r.to_dict()["alpha"] == 0.05
    same = compare({"A": 50, "B": 50}, {"A": 5, "B": 5})
    assert same.winner is None
    assert same.more_clicks is None
    with pytest.raises(InvalidInput):
        compare({"A": 5}, {"A": 1})
    with pytest.raises(InvalidInput, match="more conversions"):
        compare({"A": 5, "B": 5}, {"A": 6})


@given(
    k1=st.integers(0, 200),
    extra1=st.integers(0, 200),
    k2=st.integers(0, 200),
    extra2=st.integers(0, 200),
)
def test_compare_properties(k1: int, extra1: int, k2: int, extra2: int) -> None:
    n1, n2 = k1 + extra1, k2 + extra2
    if not n1 or not n2:
        return
    r = compare({"A": n1, "B": n2}, {"A": k1, "B": k2})
    z, p = two_proportion_z(k1, n1, k2, n2)
    assert 0.0 <= p <= 1.0
    # Symmetric: swapping the groups flips z and keeps p.
    assert two_proportion_z(k2, n2, k1, n1) == pytest.approx((-z, p))
    if r.winner is not None:
        assert r.p_value < 0.05
        other = "B" if r.winner == "A" else "A"
        assert r.rates[r.winner] > r.rates[other]  # type: ignore[operator]
    else:
        assert r.p_value >= 0.05


@given(st.integers(0, 500), st.integers(0, 500))
def test_wilson_contains_the_rate(k: int, extra: int) -> None:
    n = k + extra
    low, high = wilson(k, n)
    assert 0.0 <= low <= high <= 1.0
    if n:
        assert low <= k / n <= high


@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.sampled_from(["join", "purchase", "signup"])), max_size=40
    ),
    st.integers(10, 20),
)
def test_funnel_steps_shrink(reports: list[tuple[int, str]], clicks: int) -> None:
    visits = [suo.shortener.Visit(T0, code="a", click_id=f"cid-{i:04d}") for i in range(clicks)]
    convs = [
        suo.shortener.conversions.Conversion(f"cid-{i:04d}", event, T0, visits[i])
        for i, event in reports
    ]
    f = build_funnel(visits, convs)
    counts = [x.count for x in f.steps]
    assert counts[0] == clicks
    assert counts == sorted(counts, reverse=True)
    joined = {i for i, e in reports if e == "join"}
    both = joined & {i for i, e in reports if e == "purchase"}
    assert counts[1:] == [len(joined), len(both)]


def test_conversion_helpers() -> None:
    assert clean_conversion("join", 3, None, None) == ("join", Decimal(3), None, None)
    assert clean_conversion("buy", 0.1, "usd", None)[1:3] == (Decimal("0.1"), "USD")
    assert add_click_id("https://a.example/?", "abc") == "https://a.example/?suo_cid=abc"
    assert add_click_id("https://a.example/?x=1&", "abc") == "https://a.example/?x=1&suo_cid=abc"


def test_a_store_without_conversions_is_a_clear_error() -> None:
    from suo.storage.memory.links import MemoryLinks

    s = suo.Shortener(MemoryLinks())
    with pytest.raises(ConfigurationError, match="ConversionStore"):
        s.shorten("https://a.example/", click_ids=True)
    s.shorten("https://a.example/", alias="fine")
    assert s.resolve("fine").click_id is None
    with pytest.raises(ConfigurationError, match="ConversionStore"):
        s.update("fine", click_ids=True)
    with pytest.raises(ConfigurationError, match="ConversionStore"):
        s.track("AAAAAAAAAAAAAAAAAAAAAA", "join")


def test_click_ids_are_fresh_url_safe_and_never_look_like_an_option() -> None:
    from suo.shortener.conversions import new_click_id

    ids = [new_click_id() for _ in range(3000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 22 and i[0] != "-" for i in ids)
    assert set("".join(ids)) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
