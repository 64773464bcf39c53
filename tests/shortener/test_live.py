"""Live codes (活码): targets, strategies, landing pages, management and events.

Backend atomicity is in the conformance suite (suo.testing.live); these tests
pin the domain rules, mostly on the memory store (the reference model), and
compare the SQL backend with it under random operation sequences.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import suo
from suo.antiblock.policy import AccessPolicy
from suo.decision import DecisionKind
from suo.errors import (
    AliasTaken,
    ConfigurationError,
    InvalidInput,
    InvalidURL,
    NotFound,
    QRDecodeError,
)
from suo.shortener import LiveTarget, live, qr
from suo.shortener.live import LiveEvent, LiveSlot, is_scan_only, is_wechat_group
from suo.testing import ManualClock
from suo.testing.aio import DRIVERS, driven
from suo.testing.backends import isolated_store

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN"
)
BOT_UA = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
G = "https://weixin.qq.com/g/"


Clock = ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture(params=DRIVERS)
def s(request: pytest.FixtureRequest, clock: Clock) -> Iterator[suo.Shortener]:
    # Every test runs through resolve() and, again, through aresolve() & co.
    with driven(
        request.param, "memory://", base_url="https://s.example/", clock=clock, cache_ttl=0
    ) as sh:
        yield sh


def _svg_payload(body: str) -> str:
    """Decode the QR code inlined in a landing page, by rasterising the SVG."""
    import resvg_py

    match = re.search(r"<svg.*?</svg>", body, re.DOTALL)
    assert match is not None, "no inline SVG in the page"
    png = bytes(resvg_py.svg_to_bytes(svg_string=match.group(0), zoom=3, background="#fff"))
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("RGB"))
    return str(code.text)


# -- LiveTarget -------------------------------------------------------------------


def test_target_defaults_and_normalisation() -> None:
    t = LiveTarget("https://例子.测试/活动")
    assert t.payload == "https://xn--fsqu00a.xn--0zwm56d/%E6%B4%BB%E5%8A%A8"
    assert (t.cap, t.expires_at, t.weight) == (None, None, 1)
    assert LiveTarget("  WIFI:T:WPA;S:cafe;;").payload == "  WIFI:T:WPA;S:cafe;;"  # text is kept
    assert LiveTarget.from_dict(LiveTarget("x", cap=3, weight=2).to_dict()) == LiveTarget(
        "x", cap=3, weight=2
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"payload": ""}, InvalidInput, "non-empty"),
        ({"payload": "   "}, InvalidInput, "non-empty"),
        ({"payload": 5}, InvalidInput, "non-empty"),
        ({"payload": "x" * 1025}, InvalidInput, "at most 1024"),
        ({"payload": "a\x00b"}, InvalidInput, "control"),
        ({"payload": "javascript:alert(1)"}, InvalidInput, "javascript"),
        ({"payload": " DATA:text/html,<b>"}, InvalidInput, "DATA"),
        ({"payload": "https://exa mple.com/"}, InvalidURL, "exa mple"),
        ({"payload": "x", "cap": 0}, InvalidInput, "cap"),
        ({"payload": "x", "cap": True}, InvalidInput, "cap"),
        ({"payload": "x", "cap": 2.0}, InvalidInput, "cap"),
        ({"payload": "x", "weight": 0}, InvalidInput, "weight"),
        ({"payload": "x", "weight": None}, InvalidInput, "weight"),
        ({"payload": "x", "expires_at": datetime(2026, 1, 1)}, InvalidInput, "aware"),
        ({"payload": "x", "expires_at": "tomorrow"}, InvalidInput, "aware"),
    ],
)
def test_target_validation(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        LiveTarget(**kwargs)


@pytest.mark.parametrize(
    ("payload", "scan"),
    [
        (G + "AQYAAHxb", True),
        ("https://weixin.qq.com/r/abc", True),
        ("https://WEIXIN.qq.com./g/abc", True),
        ("https://weixin.qq.com/", False),
        ("https://u.wechat.com/MFabc", True),
        ("https://work.weixin.qq.com/gm/abc", True),
        ("https://qm.qq.com/cgi-bin/qm/qr?k=abc", True),
        ("https://jq.qq.com/?_wv=1027&k=abc", True),
        ("https://qr.alipay.com/abc", True),
        ("https://qr.dingtalk.com/action/joingroup?code=x", True),
        ("https://example.com/g/abc", False),
        ("http://shop.example/sale", False),
        ("WIFI:T:WPA;S:cafe;P:pw;;", True),
        ("BEGIN:VCARD\nFN:张三\nEND:VCARD", True),
        ("wxp://f2f0abc", True),
        ("纯文本", True),
    ],
)
def test_scan_only_rule(payload: str, scan: bool) -> None:
    assert is_scan_only(payload) is scan


def test_wechat_groups_get_seven_days(s: suo.Shortener, clock: Clock) -> None:
    s.shorten_live(
        [G + "a", LiveTarget(G + "b", expires_at=T0 + timedelta(days=2)), "https://x.example/"],
        alias="w",
    )
    exp = [t.expires_at for t in s.live("w").targets()]
    assert exp == [T0 + timedelta(days=7), T0 + timedelta(days=2), None]
    assert is_wechat_group(G + "a")
    assert not is_wechat_group("https://u.wechat.com/x")
    clock.now = T0 + timedelta(days=3)
    added = s.live("w").add(G + "c")
    assert added.expires_at == T0 + timedelta(days=10)


def test_target_from_image() -> None:
    png = qr.render(G + "from-image")
    assert isinstance(png, bytes)
    t = LiveTarget.from_image(png, cap=200)
    assert (t.payload, t.cap) == (G + "from-image", 200)
    two = Image.new("RGB", (900, 450), "white")
    for i, p in enumerate([G + "one", G + "two"]):
        img = qr.render(p, scale=5)
        assert isinstance(img, bytes)
        two.paste(Image.open(io.BytesIO(img)), (i * 450, 0))
    buf = io.BytesIO()
    two.save(buf, "PNG")
    with pytest.raises(QRDecodeError, match="2 different QR codes"):
        LiveTarget.from_image(buf.getvalue())
    with pytest.raises(QRDecodeError, match="empty"):
        LiveTarget.from_image(b"")


# -- creating -------------------------------------------------------------------


def test_shorten_live_makes_a_live_link(s: suo.Shortener) -> None:
    link = s.shorten_live(
        ["WIFI:T:WPA;S:x;;", G + "a"], alias="club", title="读书会", tags=["spring"]
    )
    assert (link.code, link.live, link.title, link.tags) == (
        "club",
        "fill_first",
        "读书会",
        ("spring",),
    )
    assert link.target == G + "a"  # the first http(s) payload
    assert s.get("club") == link
    gen = s.shorten_live(["just text"], strategy="weighted")
    assert gen.live == "weighted"
    assert gen.target == s.short_url(gen.code)  # no URL among the targets
    assert len(gen.code) >= 6
    assert [t.payload for t in s.live(gen.code).targets()] == ["just text"]


def test_shorten_live_refuses_bad_calls(s: suo.Shortener) -> None:
    with pytest.raises(InvalidInput, match="strategy must be one of"):
        s.shorten_live([G + "a"], strategy="random")
    with pytest.raises(InvalidInput, match="at least one target"):
        s.shorten_live([])
    with pytest.raises(InvalidInput, match="LiveTarget or a payload"):
        s.shorten_live([42])  # type: ignore[list-item]
    s.shorten("https://example.com/", alias="taken")
    with pytest.raises(AliasTaken):
        s.shorten_live([G + "a"], alias="taken")
    assert s.get("taken").live is None


def test_recreated_code_starts_clean(s: suo.Shortener) -> None:
    s.shorten_live([LiveTarget(G + "old", cap=1)], alias="again")
    s.resolve("again")
    assert s.live("again").delete() is True
    with pytest.raises(NotFound):
        s.live("again").targets()
    s.shorten_live([G + "new"], alias="again")
    [t] = s.live("again").targets()
    assert (t.payload, t.used) == (G + "new", 0)
    assert s.live("again").events() == []


def test_store_without_live_support_is_refused() -> None:
    class LinksOnly:
        def __init__(self) -> None:
            self.inner = suo.open_store("memory://")

        def __getattr__(self, name: str) -> Any:
            if "live" in name:
                raise AttributeError(name)
            return getattr(self.inner, name)

    from suo.storage.memory import MemoryStore

    store = MemoryStore()
    sh = suo.Shortener(store)
    sh.store = LinksOnly()  # type: ignore[assignment]
    with pytest.raises(ConfigurationError, match="LiveStore"):
        sh.shorten_live([G + "a"])


# -- resolving ------------------------------------------------------------------


def test_landing_page(s: suo.Shortener) -> None:
    s.shorten_live([G + "AQYAAHxb"], alias="page", title='<script>alert("x")</script>')
    d = s.resolve("page", accept_language="zh-CN,zh;q=0.9")
    assert (d.kind, d.status, d.location) == (DecisionKind.PAGE, 200, None)
    assert d.target == LiveTarget(G + "AQYAAHxb", expires_at=T0 + timedelta(days=7))
    body = d.body
    assert body is not None
    assert '<meta name="robots" content="noindex,nofollow">' in body
    assert '<html lang="zh-CN">' in body
    assert "<script>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "长按二维码识别" in body
    # the transparent <img> over the SVG (for in-app long-press) holds the same code
    [src] = re.findall(r'<img class="press" alt="二维码" src="data:image/png;base64,([^"]+)"', body)
    assert qr.read(base64.b64decode(src)) == [G + "AQYAAHxb"]
    assert not re.search(r"(src|href)=\"https?:", body)  # self-contained
    assert _svg_payload(body) == G + "AQYAAHxb"
    assert d.headers["Cache-Control"] == "no-store"
    assert "noindex" in d.headers["X-Robots-Tag"]
    en = s.resolve("page", accept_language="en-US")
    assert en.body is not None
    assert '<html lang="en">' in en.body
    assert "Long-press the code to join" in en.body


def test_text_payload_page_decodes(s: suo.Shortener) -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:客服 & <小助手>\nEND:VCARD"
    s.shorten_live([text], alias="card")
    d = s.resolve("card")
    assert d.kind is DecisionKind.PAGE
    assert d.body is not None
    assert "<小助手>" not in d.body  # nothing of the payload is echoed unescaped
    assert _svg_payload(d.body) == text.replace("\n", "\n")


def test_plain_web_page_redirects(s: suo.Shortener) -> None:
    s.shorten_live([LiveTarget("https://shop.example/a", cap=1), G + "b"], alias="mix")
    s.update("mix", redirect_status=307)
    d = s.resolve("mix")
    assert (d.kind, d.status, d.location) == (DecisionKind.REDIRECT, 307, "https://shop.example/a")
    assert d.target == LiveTarget("https://shop.example/a", cap=1)
    assert s.resolve("mix").kind is DecisionKind.PAGE


def test_fill_first_order_and_exhaustion(s: suo.Shortener) -> None:
    s.shorten_live([LiveTarget(G + "a", cap=2), LiveTarget(G + "b", cap=1)], alias="ff")
    got = [s.resolve("ff") for _ in range(4)]
    assert [d.target.payload if d.target else None for d in got] == [
        G + "a",
        G + "a",
        G + "b",
        None,
    ]
    last = got[-1]
    assert (last.kind, last.status) == (DecisionKind.EXHAUSTED, 410)
    assert last.body is not None
    assert "noindex" in last.body
    assert "No places left" in last.body
    stats = s.stats("ff")
    assert (stats.clicks, stats.visits) == (3, 4)


def test_expired_targets_are_skipped(s: suo.Shortener, clock: Clock) -> None:
    s.shorten_live(
        [G + "week", LiveTarget("https://x.example/", expires_at=T0 + timedelta(days=8))],
        alias="exp",
    )
    assert s.resolve("exp").target.payload == G + "week"
    late = T0 + timedelta(days=7)
    assert s.resolve("exp", now=late).location == "https://x.example/"
    assert s.resolve("exp", now=T0 + timedelta(days=8)).kind is DecisionKind.EXHAUSTED
    assert s.live("exp").status(now=late).expired == 1


def test_round_robin_rotates(s: suo.Shortener) -> None:
    s.shorten_live(["https://a.example/", "https://b.example/", "https://c.example/"],
                   alias="rr", strategy="round_robin")  # fmt: skip
    got = [s.resolve("rr").location for _ in range(7)]
    assert got == ["https://a.example/", "https://b.example/", "https://c.example/"] * 2 + [
        "https://a.example/"
    ]
    s.live("rr").retire(2)
    got = [s.resolve("rr").location for _ in range(4)]
    assert sorted(Counter(got).values()) == [2, 2]
    assert "https://b.example/" not in got


def test_weighted_follows_weights(s: suo.Shortener) -> None:
    s.shorten_live(
        [
            LiveTarget("https://light.example/", weight=1),
            LiveTarget("https://heavy.example/", weight=3),
        ],
        alias="wt",
        strategy="weighted",
    )
    got = Counter(s.resolve("wt").location for _ in range(2000))
    share = got["https://heavy.example/"] / 2000
    assert 0.70 < share < 0.80  # 0.75 expected; 5 sigma is about 0.05
    bot = s.resolve("wt", user_agent=BOT_UA)
    assert bot.location == "https://heavy.example/"  # bots see the heaviest


def test_weighted_falls_back_when_the_pick_is_full(s: suo.Shortener) -> None:
    s.shorten_live(
        [
            LiveTarget("https://a.example/", cap=1, weight=100),
            LiveTarget("https://b.example/", weight=1),
        ],
        alias="wf",
        strategy="weighted",
    )
    got = Counter(s.resolve("wf").location for _ in range(50))
    assert got == {"https://a.example/": 1, "https://b.example/": 49}


def test_policy_applies_first(s: suo.Shortener) -> None:
    s.shorten_live([LiveTarget(G + "p", cap=1)], alias="pol", policy=AccessPolicy.anti_block())
    d = s.resolve("pol", user_agent=WECHAT_UA)
    assert d.kind is DecisionKind.GUIDE
    assert s.live("pol").targets()[0].used == 0  # a guide page claims no slot
    assert s.resolve("pol").kind is DecisionKind.PAGE
    assert s.live("pol").targets()[0].used == 1


def test_explain_records_nothing(s: suo.Shortener) -> None:
    s.shorten_live([LiveTarget(G + "e", cap=1)], alias="ex")
    d = s.explain("ex")
    assert d.kind is DecisionKind.PAGE
    assert d.target.payload == G + "e"
    assert s.live("ex").targets()[0].used == 0
    assert s.stats("ex").visits == 0


def test_link_level_max_clicks_still_caps(s: suo.Shortener) -> None:
    s.shorten_live([G + "m"], alias="mc")
    s.update("mc", max_clicks=2)
    kinds = [s.resolve("mc").kind for _ in range(3)]
    assert kinds == [DecisionKind.PAGE, DecisionKind.PAGE, DecisionKind.EXHAUSTED]
    assert s.live("mc").targets()[0].used == 2


# -- managing -----------------------------------------------------------------


def test_manage_targets(s: suo.Shortener, clock: Clock) -> None:
    s.shorten_live([LiveTarget(G + "a", cap=2)], alias="m")
    lc = s.live("m")
    b = lc.add(LiveTarget("https://b.example/", cap=5))
    assert (b.id, b.used, b.added_at) == (2, 0, T0)
    s.resolve("m")
    s.resolve("m")
    s.resolve("m")
    [a, b] = lc.targets()
    assert (a.used, a.fill, a.remaining, a.state(T0)) == (2, 1.0, 0, "full")
    assert (b.used, b.fill, b.remaining, b.state(T0)) == (1, 0.2, 4, "active")
    # A new QR code of the same group keeps its fill and place...
    kept = lc.replace(a.id, LiveTarget(G + "a2", cap=3))
    assert (kept.id, kept.payload, kept.used, kept.epoch) == (a.id, G + "a2", 2, 0)
    assert s.resolve("m").target.payload == G + "a2"
    # ...a new group in the same place starts empty.
    fresh = lc.replace(a.id, G + "a3", reset=True)
    assert (fresh.used, fresh.epoch, fresh.expires_at) == (0, 1, T0 + timedelta(days=7))
    assert lc.retire(a.id) is True
    assert lc.retire(a.id) is False
    with pytest.raises(NotFound, match="no active target"):
        lc.replace(a.id, G + "x")
    assert [t.id for t in lc.targets()] == [b.id]
    assert [t.state() for t in lc.targets(include_retired=True)] == ["retired", "active"]
    status = lc.status()
    assert (status.active, status.full, status.retired, status.served, status.remaining) == (
        1, 0, 1, 1, 4,
    )  # fmt: skip
    assert status.exhausted is False
    unlimited = lc.add("https://c.example/")
    assert lc.status().remaining is None
    assert unlimited.remaining is None
    assert unlimited.fill is None


def test_add_image(s: suo.Shortener) -> None:
    s.shorten_live([G + "a"], alias="img")
    png = qr.render(G + "uploaded", scale=4)
    assert isinstance(png, bytes)
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").rotate(20, expand=True, fillcolor="white").save(
        jpeg, "JPEG", quality=40
    )
    slot = s.live("img").add_image(jpeg.getvalue(), cap=200)
    assert (slot.payload, slot.cap, slot.expires_at) == (
        G + "uploaded",
        200,
        T0 + timedelta(days=7),
    )


def test_live_code_on_plain_or_missing_links(s: suo.Shortener) -> None:
    s.shorten("https://example.com/", alias="plain")
    with pytest.raises(InvalidInput, match="not a live code"):
        s.live("plain").targets()
    with pytest.raises(NotFound):
        s.live("missing").add(G + "x")
    with pytest.raises(NotFound):
        s.live("missing").status()


def test_qr_and_notebook_repr(s: suo.Shortener) -> None:
    s.shorten_live([G + "a"], alias="nb")
    lc = s.live("nb")
    png = lc.qr()
    assert isinstance(png, bytes)
    assert qr.read(png) == ["https://s.example/nb"]
    [code] = zxingcpp.read_barcodes(
        Image.open(
            io.BytesIO(
                bytes(
                    __import__("resvg_py").svg_to_bytes(
                        svg_string=lc._repr_svg_(), zoom=2, background="#fff"
                    )
                )
            )
        ).convert("RGB")
    )
    assert code.text == "https://s.example/nb"
    assert repr(lc) == "LiveCode('https://s.example/nb')"


# -- events -------------------------------------------------------------------


def test_fill_events_fire_once_per_crossing(s: suo.Shortener) -> None:
    s.shorten_live([LiveTarget(G + "t", cap=20), LiveTarget(G + "u", cap=1)], alias="ev")
    lc = s.live("ev")
    seen: list[LiveEvent] = []
    lc.on(None, seen.append)
    for _ in range(17):
        s.resolve("ev")
    assert seen == []
    s.resolve("ev")  # 18 of 20: 90 %
    assert [(e.kind, e.used, e.cap, e.target_id) for e in seen] == [("nearly_full", 18, 20, 1)]
    s.resolve("ev")
    s.resolve("ev")
    assert [e.kind for e in seen] == ["nearly_full", "full"]
    s.resolve("ev")  # the last place of the last target: full, and the pool is empty
    assert [e.kind for e in seen[2:]] == ["nearly_full", "full", "empty"]
    s.resolve("ev")
    s.resolve("ev")
    assert len(seen) == 5  # exhausted visits do not fire "empty" again
    assert lc.check() == []
    assert [e.key for e in lc.events()] == [e.key for e in seen]
    # A reset re-arms the crossing; a raised cap re-arms "empty".
    lc.replace(2, LiveTarget(G + "u2", cap=1), reset=True)
    s.resolve("ev")
    assert [e.kind for e in seen[5:]] == ["nearly_full", "full", "empty"]


def test_check_fires_expiry_events_once(s: suo.Shortener, clock: Clock) -> None:
    s.shorten_live(
        [G + "a", LiveTarget("https://b.example/", expires_at=T0 + timedelta(days=30))], alias="x"
    )
    lc = s.live("x")
    kinds: list[str] = []
    lc.on("expiring", lambda e: kinds.append(f"expiring:{e.target_id}"))
    lc.on("expired", lambda e: kinds.append(f"expired:{e.target_id}"))
    assert lc.check() == []
    clock.now = T0 + timedelta(days=6, hours=1)  # within 24 h of the 7-day expiry
    assert [e.kind for e in lc.check()] == ["expiring"]
    assert lc.check() == []
    clock.now = T0 + timedelta(days=7)
    assert [e.kind for e in lc.check()] == ["expired"]
    assert kinds == ["expiring:1", "expired:1"]
    # A replacement with a new expiry is a new crossing.
    lc.replace(1, G + "a-new")
    clock.now = T0 + timedelta(days=13, hours=2)
    assert [e.kind for e in lc.check()] == ["expiring"]
    assert [e.kind for e in lc.events(since=T0 + timedelta(days=7))] == ["expired", "expiring"]


def test_visit_fires_expiring_and_empty_on_expiry(s: suo.Shortener) -> None:
    s.shorten_live([G + "only"], alias="vx")
    seen: list[str] = []
    s.live("vx").on(None, lambda e: seen.append(e.kind))
    s.resolve("vx", now=T0 + timedelta(days=6, hours=12))
    assert seen == ["expiring"]
    s.resolve("vx", now=T0 + timedelta(days=6, hours=13))
    assert s.resolve("vx", now=T0 + timedelta(days=7)).kind is DecisionKind.EXHAUSTED
    assert seen == ["expiring", "empty"]


def test_subscriptions(s: suo.Shortener, caplog: pytest.LogCaptureFixture) -> None:
    s.shorten_live([LiveTarget(G + "a", cap=1)], alias="s1")
    s.shorten_live([LiveTarget(G + "b", cap=1)], alias="s2")
    everything: list[str] = []
    stop = s.on("full", lambda e: everything.append(f"{e.code}:{e.kind}"))

    def broken(_e: LiveEvent) -> None:
        raise RuntimeError("bot is down")

    s.live("s1").on("full", broken)
    with caplog.at_level(logging.ERROR, logger="suo.live"):
        assert s.resolve("s1").kind is DecisionKind.PAGE  # a failing callback spoils nothing
    assert "bot is down" in caplog.text
    stop()
    s.resolve("s2")
    assert everything == ["s1:full"]
    # Hooks belong to the Shortener instance: another one on the same store has none.
    other = suo.Shortener(s.store)
    other.shorten_live([LiveTarget(G + "c", cap=1)], alias="s3")
    other.resolve("s3")
    assert everything == ["s1:full"]
    assert s.event_hooks is not other.event_hooks
    with pytest.raises(InvalidInput, match="event kind"):
        s.live("s1").on("overflow", print)
    with pytest.raises(InvalidInput, match="callable"):
        s.live("s1").on("full", "not callable")  # type: ignore[arg-type]


# -- properties ---------------------------------------------------------------------


@given(
    caps=st.lists(st.one_of(st.none(), st.integers(1, 6)), min_size=1, max_size=5),
    visits=st.integers(0, 30),
    strategy=st.sampled_from(live.STRATEGIES),
)
@settings(max_examples=60)
def test_no_target_over_its_cap_and_nothing_lost(
    caps: list[int | None], visits: int, strategy: str
) -> None:
    sh = suo.Shortener("memory://", clock=lambda: T0, cache_ttl=0)
    sh.shorten_live(
        [LiveTarget(f"https://t{i}.example/", cap=c) for i, c in enumerate(caps)],
        alias="p",
        strategy=strategy,
    )
    kinds = [sh.resolve("p").kind for _ in range(visits)]
    slots = sh.live("p").targets()
    assert all(t.cap is None or t.used <= t.cap for t in slots)
    served = kinds.count(DecisionKind.REDIRECT)
    assert served == sum(t.used for t in slots)
    total = None if None in caps else sum(c for c in caps if c is not None)
    assert served == (visits if total is None else min(visits, total))
    assert kinds == sorted(kinds, key=lambda k: k is DecisionKind.EXHAUSTED)
    if strategy == "fill_first":
        # fill_first fills in order: every target before the last used one is full
        used = [t.used for t in slots]
        last = max((i for i, u in enumerate(used) if u), default=-1)
        assert all(slots[i].remaining == 0 for i in range(last))


_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(1, 4), st.integers(0, 3)),
        st.tuples(st.just("claim"), st.integers(1, 6), st.integers(0, 3)),
        st.tuples(st.just("retire"), st.integers(1, 6), st.integers(0, 0)),
        st.tuples(st.just("replace"), st.integers(1, 6), st.integers(0, 1)),
        st.tuples(st.just("turn"), st.integers(0, 0), st.integers(0, 0)),
        st.tuples(st.just("event"), st.integers(0, 3), st.integers(0, 0)),
    ),
    max_size=25,
)


@pytest.mark.parametrize(
    "kind",
    [
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ],
)
def test_backends_agree_with_the_memory_model(kind: str) -> None:
    """Random operation sequences give the same answers on a backend and on memory."""
    with isolated_store(kind) as real:

        @given(ops=_OPS)
        @settings(max_examples=25)
        def run(ops: list[tuple[str, int, int]]) -> None:
            code = uuid.uuid4().hex[:12]  # one server store, a fresh live code per example
            with isolated_store("memory") as model:
                next_id = 1
                for op, a, b in ops:
                    if op == "add":
                        slot = LiveSlot(
                            code=code,
                            id=next_id,
                            target=LiveTarget(
                                f"p{next_id}", cap=a, expires_at=T0 + timedelta(days=b)
                            ),
                            added_at=T0,
                        )
                        next_id += 1
                        results = [x.add_live_targets(code, [slot]) for x in (model, real)]
                    elif op == "claim":
                        now = T0 + timedelta(days=b, hours=12)
                        results = [x.claim_live_target(code, a, now=now) for x in (model, real)]
                    elif op == "retire":
                        results = [x.retire_live_target(code, a) for x in (model, real)]
                    elif op == "replace":
                        new = LiveTarget(f"r{a}", cap=a + 1)
                        results = [
                            x.update_live_target(code, a, new, reset=bool(b)) for x in (model, real)
                        ]
                    elif op == "turn":
                        results = [x.next_sequence(f"live-turn:{code}") for x in (model, real)]
                    else:
                        ev = LiveEvent(kind="full", code=code, at=T0, key=f"k{a}", seq=a)
                        results = [x.record_live_event(ev) for x in (model, real)]
                    assert results[0] == results[1], (op, a, b)
                    assert model.live_targets(code) == real.live_targets(code)
                assert model.live_events(code) == real.live_events(code)

        run()


def test_known_events_cost_no_round_trips(
    s: suo.Shortener, monkeypatch: pytest.MonkeyPatch
) -> None:
    s.shorten_live([LiveTarget(G + "z", cap=1)], alias="rt")
    s.resolve("rt")
    calls: list[str] = []
    real = s.store.record_live_event  # type: ignore[attr-defined]

    def counting(event: LiveEvent) -> bool:
        calls.append(event.key)
        return bool(real(event))

    monkeypatch.setattr(s.store, "record_live_event", counting)
    for _ in range(5):
        assert s.resolve("rt").kind is DecisionKind.EXHAUSTED
    assert calls == []  # "empty" was recorded by the filling visit; nobody asks again
    s.live("rt").add(LiveTarget(G + "y", cap=1))
    s.resolve("rt")  # new crossings are asked about once each
    assert [k.split(".")[-1] for k in calls[:2]] == ["nearly_full", "full"]
    assert calls[2].startswith("empty.")  # the pool changed, so a new "empty"
    assert len(calls) == 3


def test_a_pages_subclass_brands_the_live_code_pages() -> None:
    class Branded(suo.antiblock.Pages):
        def landing(self, payload: str, *, title: str | None = None, lang: str) -> str:
            return f"<!doctype html><html lang='{lang}'><title>Brand</title>{payload}</html>"

        def exhausted(self, *, lang: str) -> str:
            return "<!doctype html><title>Brand: come back tomorrow</title>"

    s = suo.Shortener("memory://", pages=Branded())
    s.shorten_live([LiveTarget(G + "brand", cap=1)], alias="b")
    page = s.resolve("b", accept_language="en")
    assert page.kind is DecisionKind.PAGE
    assert page.body == f"<!doctype html><html lang='en'><title>Brand</title>{G}brand</html>"
    assert page.lang == "en"
    full = s.resolve("b")
    assert full.kind is DecisionKind.EXHAUSTED
    assert full.status == 410
    assert full.body == "<!doctype html><title>Brand: come back tomorrow</title>"


def test_the_default_landing_page_is_the_pages_landing() -> None:
    s = suo.Shortener("memory://")
    s.shorten_live([G + "same"], alias="same", title="Club")
    d = s.resolve("same", accept_language="zh-CN")
    assert d.body == suo.antiblock.Pages().landing(G + "same", title="Club", lang="zh")
    assert d.headers["Cache-Control"] == "no-store"


def test_shortener_and_store_close_with_with(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with suo.Shortener(url) as s:
        s.shorten("https://example.com/", alias="w")
        engine = s.store._engine  # type: ignore[attr-defined]
        assert engine.pool.checkedin() >= 1
    assert engine.pool.checkedin() == 0  # disposed: no pooled connection left
    store = suo.open_store("memory://")
    with suo.Shortener(store) as s2:
        s2.shorten("https://example.com/", alias="kept")
    assert suo.Shortener(store).get("kept").code == "kept"  # a store passed in stays open
