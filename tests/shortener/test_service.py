"""The Shortener on every backend: shorten, resolve, update, delete, stats, listing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import suo
from suo.antiblock import AccessPolicy
from suo.decision import DecisionKind
from suo.errors import AliasTaken, InvalidAlias, InvalidInput, InvalidURL, NotFound
from suo.shortener import HashCodes, SequenceCodes, Shortener
from suo.testing import ManualClock
from suo.testing.aio import DRIVERS, driven

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


Clock = ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture(params=DRIVERS)
def s(request: pytest.FixtureRequest, store: Any, clock: Clock) -> Iterator[Shortener]:
    # Every test runs through resolve() and, again, through aresolve() & co.
    with driven(request.param, store, clock=clock, base_url="https://s.example") as sh:
        yield sh


def test_shorten_and_resolve(s: Shortener) -> None:
    link = s.shorten("https://Example.com/path?q=1#frag", tags=["a"])
    assert link.target == "https://example.com/path?q=1#frag"
    assert link.created_at == T0
    assert len(link.code) == 7
    assert s.short_url(link.code) == f"https://s.example/{link.code}"
    d = s.resolve(link.code, user_agent=DESKTOP)
    assert d.kind is DecisionKind.REDIRECT
    assert d.status == 302
    assert d.location == d.target == link.target
    assert d.link == link
    assert s.get(link.code) == link


def test_unknown_code_is_not_found(s: Shortener) -> None:
    d = s.resolve("nope")
    assert (d.kind, d.status, d.location) == (DecisionKind.NOT_FOUND, 404, None)
    with pytest.raises(NotFound, match="nope"):
        s.get("nope")
    with pytest.raises(NotFound):
        s.stats("nope")
    with pytest.raises(KeyError):  # NotFound is a KeyError too
        s.update("nope", target="https://x.example/")


def test_expiry_is_judged_by_now(s: Shortener) -> None:
    link = s.shorten("https://example.com/", expires_at=T0 + timedelta(hours=1))
    assert s.resolve(link.code, now=T0 + timedelta(minutes=59)).kind is DecisionKind.REDIRECT
    d = s.resolve(link.code, now=T0 + timedelta(hours=1))
    assert (d.kind, d.status) == (DecisionKind.EXPIRED, 410)
    assert s.resolve(link.code, now=T0 + timedelta(days=9)).kind is DecisionKind.EXPIRED
    assert s.stats(link.code).clicks == 1


def test_expiry_uses_the_injected_clock(s: Shortener, clock: Clock) -> None:
    link = s.shorten("https://example.com/", expires_at=T0 + timedelta(hours=1))
    clock.now = T0 + timedelta(hours=2)
    assert s.resolve(link.code).kind is DecisionKind.EXPIRED


def test_naive_datetimes_are_refused(s: Shortener) -> None:
    with pytest.raises(InvalidInput, match="aware"):
        s.shorten("https://example.com/", expires_at=datetime(2030, 1, 1))
    link = s.shorten("https://example.com/")
    with pytest.raises(InvalidInput, match="aware"):
        s.resolve(link.code, now=datetime(2030, 1, 1))


def test_max_clicks_then_exhausted_and_bots_do_not_count(s: Shortener) -> None:
    link = s.shorten("https://example.com/", max_clicks=2)
    assert s.resolve(link.code, user_agent=BOT).kind is DecisionKind.REDIRECT
    kinds = [s.resolve(link.code, user_agent=DESKTOP).kind for _ in range(4)]
    assert kinds == [DecisionKind.REDIRECT] * 2 + [DecisionKind.EXHAUSTED] * 2
    # no cloaking: a bot sees what people see once the cap is used up
    assert s.resolve(link.code, user_agent=BOT).kind is DecisionKind.EXHAUSTED
    st = s.stats(link.code)
    assert (st.clicks, st.visits, st.bots) == (2, 4, 2)


def test_alias_rules(s: Shortener) -> None:
    s.shorten("https://example.com/", alias="spring")
    with pytest.raises(AliasTaken) as info:
        s.shorten("https://example.org/", alias="spring")
    assert info.value.alias == "spring"
    assert "spring" in str(info.value)
    with pytest.raises(InvalidAlias):
        s.shorten("https://example.com/", alias="bad alias")
    with pytest.raises(InvalidAlias):
        s.shorten("https://example.com/", alias="admin")


def test_invalid_urls_are_refused_and_nothing_is_stored(s: Shortener) -> None:
    for bad in ["javascript:alert(1)", "ftp://example.com/", "not a url", ""]:
        with pytest.raises(InvalidURL):
            s.shorten(bad, alias="x1")
    assert s.links().links == ()


def test_update_changes_target_and_keeps_counts(s: Shortener) -> None:
    link = s.shorten("https://example.com/old", alias="u", tags=["t1"])
    s.resolve("u", user_agent=DESKTOP)
    updated = s.update("u", target="https://example.com/new", tags=["t2"], max_clicks=5)
    assert updated.target == "https://example.com/new"
    assert updated.created_at == link.created_at
    assert s.resolve("u", user_agent=DESKTOP).location == "https://example.com/new"
    assert s.stats("u").clicks == 2
    assert [lk.code for lk in s.links(tag="t2").links] == ["u"]
    assert s.links(tag="t1").links == ()
    assert s.update("u", max_clicks=None).max_clicks is None
    with pytest.raises(InvalidURL):
        s.update("u", target="javascript:alert(1)")
    assert s.get("u").target == "https://example.com/new"


def test_delete_is_seen_at_once_through_the_cache(s: Shortener) -> None:
    link = s.shorten("https://example.com/")
    assert s.resolve(link.code).kind is DecisionKind.REDIRECT  # now cached
    assert s.delete(link.code) is True
    assert s.resolve(link.code).kind is DecisionKind.NOT_FOUND
    assert s.delete(link.code) is False


def test_links_paging_by_tag(s: Shortener) -> None:
    made = [
        s.shorten(f"https://example.com/{i}", alias=f"p{i:02d}", tags=["camp"]) for i in range(7)
    ]
    s.shorten("https://example.com/other", alias="zz")
    page = s.links(tag="camp", limit=3)
    seen = list(page.links)
    while page.next:
        page = s.links(tag="camp", after=page.next, limit=3)
        seen.extend(page.links)
    assert [lk.code for lk in seen] == [lk.code for lk in made]
    assert len(s.links(limit=100).links) == 8
    with pytest.raises(InvalidInput):
        s.links(limit=0)


def test_shorten_many_is_all_or_nothing(s: Shortener) -> None:
    links = s.shorten_many(
        ["https://a.example/", {"url": "https://b.example/", "alias": "bee", "tags": ["x"]}]
    )
    assert [lk.target for lk in links] == ["https://a.example/", "https://b.example/"]
    assert s.get("bee").tags == ("x",)
    with pytest.raises(AliasTaken):
        s.shorten_many(["https://c.example/", {"url": "https://d.example/", "alias": "bee"}])
    assert [lk.target for lk in s.links().links if lk.target == "https://c.example/"] == []
    with pytest.raises(InvalidURL):
        s.shorten_many(["https://ok.example/", "javascript:alert(1)"])
    assert len(s.links().links) == 2
    with pytest.raises(InvalidInput, match="bad keys"):
        s.shorten_many([{"url": "https://a.example/", "colour": "red"}])


def test_shorten_many_bulk(s: Shortener) -> None:
    links = s.shorten_many(f"https://example.com/{i}" for i in range(300))
    assert len({lk.code for lk in links}) == 300
    assert all(s.get(lk.code) == lk for lk in links[::37])


def test_sequence_codes_on_every_backend(store: Any) -> None:
    s = Shortener(store, codes=SequenceCodes(key=b"k", length=6))
    codes = [s.shorten(f"https://example.com/{i}").code for i in range(20)]
    assert len(set(codes)) == 20
    assert all(len(c) == 6 for c in codes)


def test_hash_codes_deduplicate(store: Any) -> None:
    s = Shortener(store, codes=HashCodes())
    a = s.shorten("https://example.com/same")
    b = s.shorten("https://example.com/same")
    c = s.shorten("https://example.com/other")
    assert a.code == b.code != c.code


def test_policy_is_stored_with_the_link(s: Shortener) -> None:
    link = s.shorten("https://example.com/", policy=AccessPolicy.anti_block())
    assert s.get(link.code).policy == AccessPolicy.anti_block()
    wechat = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN"
    d = s.resolve(link.code, user_agent=wechat, accept_language="zh-CN")
    assert (d.kind, d.status) == (DecisionKind.GUIDE, 200)
    assert d.body is not None
    assert "noindex" in d.body
    assert s.resolve(link.code, user_agent=DESKTOP).kind is DecisionKind.REDIRECT
    st = s.stats(link.code)
    assert st.by_platform == {"wechat": 1, "browser": 1}
    assert st.clicks == 1


def test_default_policy_and_explain_record_nothing(store: Any) -> None:
    s = Shortener(store, policy=AccessPolicy.only(suo.Platform.WECHAT))
    link = s.shorten("https://example.com/")
    d = s.explain(link.code, user_agent=DESKTOP)
    assert (d.kind, d.status) == (DecisionKind.DENY, 403)
    assert s.stats(link.code).visits == 0
    assert s.resolve(link.code, user_agent=DESKTOP).kind is DecisionKind.DENY
    assert s.stats(link.code).visits == 1


def test_redirect_status_per_link(s: Shortener) -> None:
    link = s.shorten("https://example.com/", redirect_status=301)
    assert s.resolve(link.code).status == 301
    with pytest.raises(InvalidInput):
        s.shorten("https://example.com/", redirect_status=200)


def test_links_carry_their_short_url_and_show_their_qr(s: Shortener) -> None:
    from suo.shortener import qr

    link = s.shorten("https://example.com/", alias="qrme")
    assert link.short_url == "https://s.example/qrme"
    assert s.get("qrme").short_url == link.short_url
    assert s.links().links[0].short_url == link.short_url
    assert link == s.store.get_link("qrme")  # the short URL is not part of equality
    svg = link._repr_svg_()
    assert svg == qr.svg_inline("https://s.example/qrme")
    assert svg.startswith("<svg")


def test_url_policy_reaches_every_write(store: Any) -> None:
    from suo.shortener import URLPolicy

    strict = Shortener(store)
    with pytest.raises(InvalidURL) as info:
        strict.shorten("http://10.0.0.1/admin")
    assert info.value.reason is not None
    intranet = Shortener(store, url_policy=URLPolicy(allow_private_hosts=True))
    link = intranet.shorten("http://10.0.0.1/admin")
    assert intranet.shorten_many(["http://192.168.1.1/"])[0].target == "http://192.168.1.1/"
    assert intranet.update(link.code, target="http://10.0.0.2/").target == "http://10.0.0.2/"
    with pytest.raises(InvalidURL):
        strict.update(link.code, target="http://10.0.0.3/")


def test_delete_of_a_live_code_drops_its_targets(s: Shortener) -> None:
    link = s.shorten_live(["https://example.com/a", "https://example.com/b"], alias="lv")
    assert link.short_url == "https://s.example/lv"
    assert s.store.live_targets("lv")
    assert s.delete("lv") is True
    assert s.store.live_targets("lv") == []


QQ_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; V2232A Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/6.2 TBS/046613 "
    "Mobile Safari/537.36 V1_AND_SQ_8.9.80_4614_YYB_D QQ/8.9.80.12440 NetType/WIFI"
)


def test_custom_pages_are_used_for_guide_deny_and_status(store: Any) -> None:
    from suo.antiblock.pages import Pages
    from suo.web.core import Request, Responder

    class Branded(Pages):
        def deny(self, client: Any, *, lang: str) -> str:
            return "<!doctype html><title>Members only</title>"

        def status(self, kind: str, *, lang: str) -> str:
            return f"<!doctype html><title>branded {kind}</title>"

    s = Shortener(store, pages=Branded(), policy=AccessPolicy.only(suo.Platform.WECHAT))
    link = s.shorten("https://example.com/")
    assert (
        s.resolve(link.code, user_agent=DESKTOP).body
        == "<!doctype html><title>Members only</title>"
    )
    resp = Responder(s).handle(Request("GET", "/nope", user_agent=DESKTOP))
    assert resp.status == 404
    assert resp.body == b"<!doctype html><title>branded not_found</title>"


def test_try_browser_step_reaches_the_guide_page(s: Shortener) -> None:
    plain = s.shorten("https://example.com/p", policy=AccessPolicy.anti_block())
    eager = s.shorten("https://example.com/p", policy=AccessPolicy.anti_block(try_browser=True))
    plain_body = s.resolve(plain.code, user_agent=QQ_ANDROID).body
    eager_body = s.resolve(eager.code, user_agent=QQ_ANDROID).body
    assert plain_body is not None
    assert eager_body is not None
    assert "intent://" not in plain_body
    assert "intent://" in eager_body


@pytest.mark.parametrize(
    ("ua", "accept_language", "lang"),
    [
        (
            "Mozilla/5.0 (iPhone) MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN",
            None,
            "zh",
        ),
        (
            "Mozilla/5.0 (iPhone) MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/en",
            None,
            "en",
        ),
        (
            "Mozilla/5.0 (iPhone) MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN",
            "en-US",
            "en",
        ),
        (QQ_ANDROID, None, "zh"),
        (QQ_ANDROID, "fr-FR", "zh"),
    ],
)
def test_guide_language_without_a_usable_header(
    s: Shortener, ua: str, accept_language: str | None, lang: str
) -> None:
    link = s.shorten("https://example.com/", policy=AccessPolicy.anti_block())
    d = s.resolve(link.code, user_agent=ua, accept_language=accept_language)
    assert d.kind is DecisionKind.GUIDE
    assert d.body is not None
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}"' in d.body


def test_deny_page_for_a_desktop_browser_defaults_to_english(s: Shortener) -> None:
    link = s.shorten("https://example.com/", policy=AccessPolicy.only(suo.Platform.WECHAT))
    body = s.resolve(link.code, user_agent=DESKTOP).body
    assert body is not None
    assert '<html lang="en"' in body


def test_live_code_cap_refusals_use_up_neither_clicks_nor_slots(store: Any) -> None:
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from suo.shortener import LiveTarget

    s = Shortener(store)
    s.shorten_live([LiveTarget("https://example.com/g1", cap=1)], alias="capped-live")
    s.update("capped-live", max_clicks=5)
    with ThreadPoolExecutor(max_workers=10) as pool:
        kinds = Counter(d.kind for d in pool.map(lambda _: s.resolve("capped-live"), range(30)))
    assert kinds == {DecisionKind.REDIRECT: 1, DecisionKind.EXHAUSTED: 29}
    assert s.stats("capped-live").clicks == 1
    s.live("capped-live").add(LiveTarget("https://example.com/g2", cap=10))
    assert s.resolve("capped-live").location == "https://example.com/g2"
    assert s.stats("capped-live").clicks == 2


def test_visit_day_is_the_utc_day_whatever_the_zone() -> None:
    from zoneinfo import ZoneInfo

    from suo.shortener.model import Visit

    shanghai = ZoneInfo("Asia/Shanghai")
    assert Visit(datetime(2026, 11, 26, 7, 30, tzinfo=shanghai)).day == "2026-11-25"
    assert Visit(datetime(2026, 11, 26, 8, 30, tzinfo=shanghai)).day == "2026-11-26"
    assert Visit(datetime(2026, 11, 25, 23, 59, tzinfo=UTC)).day == "2026-11-25"
