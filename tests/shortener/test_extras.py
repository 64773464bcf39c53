"""Issue 15 on every backend: expired destination, query pass-through, password links, A/B splits."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import suo
from suo.decision import DecisionKind
from suo.errors import InvalidInput, InvalidURL
from suo.shortener.passthrough import merge_query
from suo.shortener.passwords import THROTTLE, hash_password, verify_password
from suo.shortener.variants import cycle

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _shortener(store: Any) -> suo.Shortener:
    return suo.Shortener(store, base_url="https://s.example/", cache_ttl=0)


# -- 1. expired / exhausted destination ---------------------------------------------


def test_expired_link_redirects_to_its_expired_url(store: Any) -> None:
    s = _shortener(store)
    s.shorten(
        "https://example.com/sale", alias="sale", expires_at=T0,
        expired_url="https://example.com/sale-over",
    )  # fmt: skip
    d = s.resolve("sale", now=T0 + timedelta(seconds=1))
    assert (d.kind, d.status, d.location) == (
        DecisionKind.REDIRECT, 302, "https://example.com/sale-over",
    )  # fmt: skip
    assert "expired_url" in " ".join(s.explain("sale", now=T0 + timedelta(seconds=1)).trace)
    # Before expiry it is an ordinary link.
    assert s.resolve("sale", now=T0 - timedelta(hours=1)).location == "https://example.com/sale"


def test_exhausted_link_redirects_to_its_expired_url_and_counts_no_click(store: Any) -> None:
    s = _shortener(store)
    s.shorten(
        "https://example.com/", alias="one", max_clicks=1, expired_url="https://example.com/x"
    )
    assert s.resolve("one").location == "https://example.com/"
    d = s.resolve("one")
    assert (d.kind, d.location) == (DecisionKind.REDIRECT, "https://example.com/x")
    assert s.stats("one").clicks == 1
    assert s.stats("one").by_outcome.get("exhausted") == 1


def test_without_expired_url_the_410_page_stays(store: Any) -> None:
    s = _shortener(store)
    s.shorten("https://example.com/", alias="old", expires_at=T0)
    assert s.resolve("old", now=T0).status == 410


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.com/", "https://a\r\nb/"])
def test_expired_url_is_judged_like_a_target(bad: str) -> None:
    s = suo.Shortener("memory://")
    with pytest.raises(InvalidURL):
        s.shorten("https://example.com/", expired_url=bad)
    assert s.links().links == ()


# -- 2. query pass-through -------------------------------------------------------------


def test_utm_source_passes_through_only_when_enabled(store: Any) -> None:
    s = _shortener(store)
    s.shorten("https://shop.example/p?ref=s", alias="on", pass_query=True)
    s.shorten("https://shop.example/p?ref=s", alias="off")
    on = s.resolve("on", query="utm_source=group12&ref=x", ip="203.0.113.9")
    off = s.resolve("off", query="utm_source=group12&ref=x", ip="203.0.113.9")
    assert on.location == "https://shop.example/p?ref=s&utm_source=group12"
    assert off.location == "https://shop.example/p?ref=s"
    # UTM values are recorded on the visit event either way.
    assert [v.utm["utm_source"] for v in s.visits("on")] == ["group12"]
    assert [v.utm["utm_source"] for v in s.visits("off")] == ["group12"]
    assert any("pass-through" in line for line in s.explain("on", query="a=1").trace)


def test_override_lets_the_visitor_win(store: Any) -> None:
    s = _shortener(store)
    s.shorten("https://shop.example/p?ref=s&k=1", alias="o", pass_query="override")
    assert s.resolve("o", query="ref=x").location == "https://shop.example/p?k=1&ref=x"


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@given(params=st.lists(st.tuples(_text.filter(bool), _text), max_size=6))
@settings(max_examples=200)
def test_merge_round_trips_and_never_splits_a_header(params: list[tuple[str, str]]) -> None:
    from urllib.parse import quote, urlencode

    query = urlencode(params, quote_via=quote)
    target = "https://shop.example/p?ref=s#frag"
    out = merge_query(target, query)
    assert "\r" not in out
    assert "\n" not in out
    assert out.isascii()
    parts = urlsplit(out)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (
        "https", "shop.example", "/p", "frag",
    )  # fmt: skip
    got = parse_qsl(parts.query, keep_blank_values=True)
    assert got[0] == ("ref", "s")
    want = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "ref"]
    assert got[1:] == want


@given(value=_text)
@settings(max_examples=100)
def test_location_header_has_no_crlf(value: str) -> None:
    from urllib.parse import quote

    from suo.web.core import Request, Responder

    s = suo.Shortener("memory://")
    s.shorten("https://shop.example/", alias="p", pass_query=True)
    r = Responder(s).handle(
        Request("GET", "/p", query="x=" + quote(value) + "&y=%0d%0aSet-Cookie:1")
    )
    location = r.header("Location") or ""
    assert "\r" not in location
    assert "\n" not in location
    assert dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))["x"] == value


# -- 3. password links ---------------------------------------------------------------


def _walk(obj: Any, seen: set[int]) -> list[str]:
    """Every string and bytes reachable from ``obj``, ``repr=False`` fields included."""
    import attrs

    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, str | bytes):
        return [repr(obj)]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in (*_walk(k, seen), *_walk(v, seen))]
    if isinstance(obj, list | tuple | set | frozenset):
        return [s for v in obj for s in _walk(v, seen)]
    if attrs.has(type(obj)):
        return [s for f in attrs.fields(type(obj)) for s in _walk(getattr(obj, f.name), seen)]
    if hasattr(obj, "__dict__") and type(obj).__module__.startswith("suo"):
        return _walk(vars(obj), seen)
    return [repr(obj)]


def _everything_in(store: Any) -> str:
    """Every byte the store holds, as text (dicts walked, SQL rows, Redis keys and values)."""
    kind = type(store).__name__
    if kind == "MemoryStore":
        return "\n".join(_walk(vars(store), set()))
    if kind == "SQLStore":
        import sqlalchemy as sa

        from suo.storage.sql import METADATA

        out = []
        with store._tx() as conn:
            for table in METADATA.sorted_tables:
                out += [repr(tuple(row)) for row in conn.execute(sa.select(table))]
        return "\n".join(out)
    r = store._r  # a single server or a cluster client: scan_iter walks every node
    out = []
    for key in r.scan_iter(match=f"{store.prefix}:*"):
        kind_ = r.type(key)
        value: Any
        if kind_ == "string" and key.endswith(":u"):
            value = "<HyperLogLog registers: hashes, binary>"  # (the uniques sketch)
        elif kind_ == "string":
            value = r.get(key)
        elif kind_ == "hash":
            value = r.hgetall(key)
        elif kind_ == "list":
            value = r.lrange(key, 0, -1)
        elif kind_ == "set":
            value = r.smembers(key)
        else:
            value = r.zrange(key, 0, -1, withscores=True)
        out.append(f"{key!r} {value!r}")
    return "\n".join(out)


def test_password_flow_and_plaintext_nowhere(store: Any) -> None:
    s = _shortener(store)
    secret = "Plain-Text-Secret-8731"
    link = s.shorten("https://example.com/vip", alias="vip", password=secret, title="VIP")
    assert secret not in repr(link)
    assert secret not in json.dumps(link.to_dict())
    # No password: the form, 401, no click.
    d = s.resolve("vip", ip="198.51.100.1", accept_language="en")
    assert (d.kind, d.status) == (DecisionKind.PASSWORD, 401)
    assert d.body is not None
    assert 'method="post"' in d.body
    assert "noindex" in d.body
    assert s.stats("vip").clicks == 0
    # A wrong one: the form again, no click.
    d = s.resolve("vip", password="nope", ip="198.51.100.1")
    assert (d.kind, d.status) == (DecisionKind.PASSWORD, 401)
    assert s.stats("vip").clicks == 0
    # The right one: a redirect and one click.
    d = s.resolve("vip", password=secret, ip="198.51.100.1")
    assert (d.kind, d.location) == (DecisionKind.REDIRECT, "https://example.com/vip")
    assert s.stats("vip").clicks == 1
    assert s.stats("vip").by_outcome == {"password": 2, "redirect": 1}
    # explain says why, and counts nothing.
    assert "password: correct" in s.explain("vip", password=secret).trace
    assert secret not in _everything_in(store)
    assert "scrypt$" in _everything_in(store)


def test_wrong_tries_are_throttled_per_client(store: Any) -> None:
    s = _shortener(store)
    s.shorten("https://example.com/", alias="vip", password="right")
    for _ in range(THROTTLE.per_client):
        assert s.resolve("vip", password="wrong", ip="198.51.100.7").status == 401
    d = s.resolve("vip", password="right", ip="198.51.100.7")
    assert (d.kind, d.status) == (DecisionKind.THROTTLED, 429)
    assert 0 < int(d.headers["Retry-After"]) <= THROTTLE.window
    assert (d.body is not None and "Too many" in d.body) or "过多" in (d.body or "")
    # Another client is not throttled by that one.
    assert s.resolve("vip", password="right", ip="198.51.100.8").status == 302
    assert s.stats("vip").clicks == 1
    # Right passwords give their try back: a returning visitor is never throttled.
    for _ in range(THROTTLE.per_client + 2):
        assert s.resolve("vip", password="right", ip="198.51.100.8").status == 302
    # explain is no free oracle: its wrong tries count like real ones.
    s.shorten("https://example.com/", alias="vip2", password="right")
    for _ in range(THROTTLE.per_client):
        assert s.explain("vip2", password="wrong", ip="198.51.100.9").status == 401
    assert s.explain("vip2", password="right", ip="198.51.100.9").status == 429
    assert s.resolve("vip2", password="right", ip="198.51.100.9").status == 429


def test_concurrent_wrong_tries_cannot_slip_under_the_limit(store: Any) -> None:
    s = _shortener(store)
    s.shorten("https://example.com/", alias="race", password="right")

    def guess(i: int) -> int:
        return s.resolve("race", password=f"guess{i}", ip="198.51.100.7").status

    with ThreadPoolExecutor(16) as pool:
        statuses = Counter(pool.map(guess, range(24)))
    assert statuses == {401: THROTTLE.per_client, 429: 24 - THROTTLE.per_client}


def test_throttle_window_ends() -> None:
    now = [T0]
    s = suo.Shortener("memory://", clock=lambda: now[0])
    s.shorten("https://example.com/", alias="vip", password="right")
    for _ in range(THROTTLE.per_client):
        s.resolve("vip", password="wrong", ip="198.51.100.7")
    assert s.resolve("vip", password="right", ip="198.51.100.7").status == 429
    now[0] = T0 + timedelta(seconds=THROTTLE.window + 1)
    assert s.resolve("vip", password="right", ip="198.51.100.7").status == 302


def test_password_hash_round_trip() -> None:
    h = hash_password("pässwörd")
    assert verify_password("pässwörd", h)
    assert not verify_password("passwörd", h)
    assert h != hash_password("pässwörd")  # salted
    with pytest.raises(InvalidInput):
        hash_password("")
    with pytest.raises(InvalidInput):
        suo.Shortener("memory://").shorten("https://example.com/", password=h)


def test_update_sets_and_removes_a_password() -> None:
    s = suo.Shortener("memory://")
    s.shorten("https://example.com/", alias="p")
    s.update("p", password="x1")
    assert s.resolve("p").status == 401
    s.update("p", expired_url="https://example.com/gone")  # keeps the password
    assert s.resolve("p").status == 401
    s.update("p", password=None)
    assert s.resolve("p").status == 302


# -- 4. A/B split ----------------------------------------------------------------------


def test_seventy_thirty_over_2000_visitors_and_sticky(store: Any) -> None:
    s = _shortener(store)
    s.shorten(
        "https://example.com/", alias="ab",
        variants=[("https://example.com/a", 70), ("https://example.com/b", 30)],
    )  # fmt: skip
    seen: dict[str, str] = {}
    for i in range(2000):
        ip = f"10.{i // 250}.{i % 250}.1"
        loc = s.resolve("ab", ip=ip, user_agent="Mozilla/5.0", now=T0).location
        assert loc is not None
        seen[ip] = loc
    shares = Counter(seen.values())
    assert abs(shares["https://example.com/a"] / 2000 - 0.70) <= 0.05
    assert abs(shares["https://example.com/a"] - 1400) < 2  # exact up to the cycle bound
    # A repeat visitor gets the same variant, again and again.
    for ip in ("10.0.0.1", "10.3.17.1", "10.7.249.1"):
        for _ in range(3):
            assert s.resolve("ab", ip=ip, user_agent="Mozilla/5.0", now=T0).location == seen[ip]
    assert "sticky" in s.explain("ab", ip="10.0.0.1", user_agent="Mozilla/5.0", now=T0).trace[0]
    # The variant is on the visit event (and the by_target breakdown).
    names = Counter(v.variant for v in s.visits("ab"))
    assert set(names) == {"A", "B"}
    assert sum(names.values()) == 2009
    assert s.stats("ab").by_target == {"A": names["A"], "B": names["B"]}


def test_the_round_robin_counter_expires_so_a_deleted_links_counter_goes(store: Any) -> None:
    from suo.shortener.extras import AB_COUNTER_TTL, _stamp

    s = _shortener(store)
    s.shorten(
        "https://example.com/", alias="ab",
        variants=[("https://example.com/a", 1), ("https://example.com/b", 1)],
    )  # fmt: skip
    for i in range(3):
        s.resolve("ab", ip=f"10.9.0.{i}", now=T0)
    key = f"ab:{_stamp(s.store.get_link('ab'))}:n"
    assert s.store.count(key, now=T0) == (3, pytest.approx(AB_COUNTER_TTL, abs=1))
    s.delete("ab")
    if "Redis" not in type(s.store).__name__:  # Redis expires it by its own clock (TTL above)
        later = T0 + timedelta(seconds=AB_COUNTER_TTL + 1)
        assert s.store.count(key, now=later) == (0, 0.0)


def test_split_ends_with_the_winner(store: Any) -> None:
    s = _shortener(store)
    s.shorten(
        "https://example.com/", alias="ab", variants_until=T0, winner=1,
        variants=[("https://example.com/a", 1), ("https://example.com/b", 1)],
    )  # fmt: skip
    before = {s.resolve("ab", ip=f"10.0.0.{i}", now=T0 - timedelta(1)).location for i in range(4)}
    assert before == {"https://example.com/a", "https://example.com/b"}
    after = {s.resolve("ab", ip=f"10.0.1.{i}", now=T0).location for i in range(4)}
    assert after == {"https://example.com/b"}
    assert "split ended" in s.explain("ab", now=T0).trace[0]


@pytest.mark.parametrize(
    ("variants", "error"),
    [
        ([("https://example.com/a", 1)], InvalidInput),
        ([("https://example.com/a", 0), ("https://example.com/b", 1)], InvalidInput),
        ([("https://example.com/a", 9000), ("https://example.com/b", 9000)], InvalidInput),
        ([("javascript:x", 1), ("https://example.com/b", 1)], InvalidURL),
    ],
)
def test_bad_splits_are_refused(variants: Any, error: type[Exception]) -> None:
    s = suo.Shortener("memory://")
    with pytest.raises(error):
        s.shorten("https://example.com/", variants=variants)
    assert s.links().links == ()


@given(
    weights=st.lists(st.integers(1, 100), min_size=2, max_size=10),
    n=st.integers(1, 3000),
)
def test_cycle_share_stays_within_the_bound(weights: list[int], n: int) -> None:
    """After any N new visitors, each variant is within len(weights) of N * w / total."""
    order = cycle(tuple(weights))
    total = sum(weights)
    full, rest = divmod(n, total)
    counts = Counter(order[:rest])
    for i, w in enumerate(weights):
        got = full * w + counts[i]
        assert abs(got - n * w / total) < len(weights)


def test_without_ip_the_user_agent_names_the_visitor() -> None:
    s = suo.Shortener("memory://")
    s.shorten(
        "https://example.com/",
        alias="ab",
        variants=[("https://a.example/", 70), ("https://b.example/", 30)],
    )
    got = {f"UA/{i}": s.resolve("ab", user_agent=f"UA/{i}").location for i in range(2000)}
    assert Counter(got.values())["https://a.example/"] == 1400
    assert all(s.resolve("ab", user_agent=ua).location == loc for ua, loc in list(got.items())[:50])
    # Nobody to remember: the counter alone deals, still 70/30.
    bare = Counter(s.resolve("ab").location for _ in range(100))
    assert bare["https://a.example/"] == 70


def test_the_visitor_cannot_set_the_click_id_through_pass_through() -> None:
    s = suo.Shortener("memory://", base_url="https://s.example/", click_ids=True)
    s.shorten("https://shop.example/p", alias="p", pass_query="override")
    d = s.resolve("p", query="suo_cid=attackerchosen1&x=1")
    assert d.click_id is not None
    assert d.location == f"https://shop.example/p?suo_cid={d.click_id}&x=1"
