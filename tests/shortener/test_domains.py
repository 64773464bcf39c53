"""Several short domains on every backend: by Host, per-domain settings, migration, web, CLI, API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import suo
from suo.antiblock.policy import AccessPolicy
from suo.decision import DecisionKind
from suo.errors import InvalidInput, NotFound
from suo.shortener.domains import domain_id
from suo.web.core import Request, Responder

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.49"


def _s(store: Any) -> suo.Shortener:
    return suo.Shortener(store, base_url="https://s.example/", cache_ttl=0)


def test_same_code_on_two_domains_resolves_by_host(store: Any) -> None:
    s = _s(store)
    old = s.shorten("https://example.com/old", alias="sale")  # made before any domain
    s.domains.add("go.brand-a.example")
    s.domains.add("s.brand-b.example", base_url="https://s.brand-b.example/x/")
    a = s.shorten("https://example.com/a", alias="sale", domain="go.brand-a.example")
    b = s.shorten("https://example.com/b", alias="sale", domain="S.Brand-B.example")
    assert (a.short_url, b.short_url) == (
        "https://go.brand-a.example/sale", "https://s.brand-b.example/x/sale",
    )  # fmt: skip
    assert len({old.code, a.code, b.code}) == 3
    by_host = {
        h: s.resolve("sale", host=h).location
        for h in ("s.example", "go.brand-a.example", "s.brand-b.example:443", "GO.BRAND-A.EXAMPLE.")
    }
    assert by_host == {
        "s.example": "https://example.com/old",  # the existing link: the default domain
        "go.brand-a.example": "https://example.com/a",
        "s.brand-b.example:443": "https://example.com/b",
        "GO.BRAND-A.EXAMPLE.": "https://example.com/a",
    }
    assert s.resolve("sale", host="unknown.example").kind is DecisionKind.NOT_FOUND
    # Clicks are counted per domain's link.
    assert (s.stats(a.code).clicks, s.stats(b.code).clicks, s.stats("sale").clicks) == (2, 1, 1)
    # Without host (Python callers) the stored code names the link.
    assert s.resolve(b.code).location == "https://example.com/b"
    assert "not a configured domain" in s.explain("sale", host="unknown.example").trace[0]


def test_default_domain_answers_unknown_hosts(store: Any) -> None:
    s = _s(store)
    s.shorten("https://example.com/", alias="x")
    s.domains.add("a.example")
    s.domains.add("main.example", default=True)
    assert s.resolve("x", host="whatever.example").location == "https://example.com/"
    assert s.get("x").short_url == "https://main.example/x"
    s.domains.add("a.example", default=True)  # one default at most
    assert [d.name for d in s.domains.list() if d.default] == ["a.example"]
    assert s.domains.remove("a.example")
    assert not s.domains.remove("a.example")
    assert s.resolve("x", host="whatever.example").kind is DecisionKind.NOT_FOUND


def test_per_domain_policy_404_and_expired_destinations(store: Any) -> None:
    s = _s(store)
    s.domains.add(
        "b.example", policy=AccessPolicy.anti_block(), not_found_url="https://b.example/home",
        expired_url="https://b.example/over",
    )  # fmt: skip
    s.shorten("https://example.com/", alias="p", domain="b.example")
    s.shorten("https://example.com/", alias="e", domain="b.example", expires_at=T0)
    s.shorten("https://example.com/", alias="own", domain="b.example", expires_at=T0,
              expired_url="https://example.com/own-over")  # fmt: skip
    assert s.resolve("p", host="b.example", user_agent=WECHAT).kind is DecisionKind.GUIDE
    assert s.resolve("p", host="b.example").kind is DecisionKind.REDIRECT
    assert s.resolve("nope", host="b.example").location == "https://b.example/home"
    late = T0 + timedelta(1)
    assert s.resolve("e", host="b.example", now=late).location == "https://b.example/over"
    assert s.resolve("own", host="b.example", now=late).location == "https://example.com/own-over"
    trace = s.explain("p", host="b.example", user_agent=WECHAT).trace
    assert trace[0] == "policy: the default of domain b.example"


def test_bad_domains(store: Any) -> None:
    s = _s(store)
    for bad in ("not a host", "", "a..b"):
        with pytest.raises(InvalidInput):
            s.domains.add(bad)
    with pytest.raises(NotFound):
        s.shorten("https://example.com/", domain="missing.example")
    assert s.domains.list() == []
    assert s.links().links == ()


def test_web_adapter_answers_by_host(store: Any) -> None:
    s = _s(store)
    s.shorten("https://example.com/main", alias="go")
    s.domains.add("b.example")
    s.shorten("https://example.com/b", alias="go", domain="b.example")
    r = Responder(s)
    assert (
        r.handle(Request("GET", "/go", host="b.example")).header("Location")
        == "https://example.com/b"
    )
    assert (
        r.handle(Request("GET", "/go", host="s.example")).header("Location")
        == "https://example.com/main"
    )
    assert r.handle(Request("GET", "/go", host="evil.example")).status == 404
    assert r.handle(Request("GET", "/go")).header("Location") == "https://example.com/main"
    qr = r.handle(Request("GET", "/go.svg", host="b.example"))
    assert qr.status == 200
    assert b"<svg" in qr.body


def test_migration_of_an_existing_store(backend: str, tmp_path: Any) -> None:
    """A store made before domains and A/B splits: old links are the default domain's."""
    from suo.testing.backends import drop_store, store_url

    url, options = store_url(backend, directory=str(tmp_path))
    store = suo.open_store(url, **options)
    try:
        s = _s(store)
        s.shorten("https://example.com/old", alias="old")
        s.resolve("old", ip="203.0.113.1")
        if type(store).__name__ == "SQLStore":
            # Make it look like the previous schema: no variant column, no new tables.
            with store._tx() as conn:
                t = store._table_name
                from suo.storage.sql.counters import counters, domains
                from suo.storage.sql.links import visits

                conn.exec_driver_sql(f"ALTER TABLE {t(visits)} DROP COLUMN variant")
                conn.exec_driver_sql(f"DROP TABLE {t(counters)}")
                conn.exec_driver_sql(f"DROP TABLE {t(domains)}")
            store.create_schema()
        s = _s(store)
        s.domains.add("new.example")
        assert s.resolve("old", host="s.example").location == "https://example.com/old"
        s.shorten(
            "https://example.com/",
            alias="ab",
            variants=[("https://a.example/", 1), ("https://b.example/", 1)],
        )
        s.resolve("ab", ip="203.0.113.2")
        assert [v.variant for v in s.visits("ab")] == ["A"]
        assert [v.variant for v in s.visits("old")] == [None, None]
        assert s.stats("old").clicks == 2
    finally:
        drop_store(backend, store)


def test_cli_domains(
    store: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from suo.cli import main

    s = _s(store)
    monkeypatch.setattr("suo.cli.links._shortener", lambda args: s)
    assert (
        main(["domains", "add", "go.brand.example", "--base-url", "https://go.brand.example/"]) == 0
    )
    assert (
        main(["shorten", "https://example.com/", "--alias", "x", "--domain", "go.brand.example"])
        == 0
    )
    out = capsys.readouterr().out
    assert "https://go.brand.example/x" in out
    assert main(["domains", "list", "--json"]) == 0
    assert [d["name"] for d in json.loads(capsys.readouterr().out)] == ["go.brand.example"]
    assert main(["explain", "x", "--host", "go.brand.example"]) == 0
    assert capsys.readouterr().out.startswith("redirect 302 https://example.com/")
    assert main(["domains", "remove", "go.brand.example"]) == 0
    assert main(["domains", "remove", "go.brand.example"]) == 1


def test_known_domains_ride_out_a_store_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    from suo.errors import StorageUnavailable
    from suo.shortener import domains as mod

    s = suo.Shortener("memory://", base_url="https://s.example/")
    s.domains.add("b.example")
    s.shorten("https://example.com/b", alias="go", domain="b.example")
    assert s.resolve("go", host="b.example").location == "https://example.com/b"

    def down() -> dict[str, Any]:
        raise StorageUnavailable("down")

    monkeypatch.setattr(s.store, "load_domains", down)
    monkeypatch.setattr(mod, "_CACHE_SECONDS", 0.0)  # the cached list is stale at once
    assert s.domains.route("go", "b.example")[0] == "go@" + s.domains.get("b.example").id
    fresh = suo.Shortener(s.store)  # nothing cached: the failure shows
    with pytest.raises(StorageUnavailable):
        fresh.domains.list()


def test_a_qualified_code_is_not_found_on_another_host() -> None:
    s = suo.Shortener("memory://", base_url="https://s.example/")
    s.domains.add("go.brand.example")
    b = s.shorten("https://example.com/b", alias="sale", domain="go.brand.example")
    assert s.resolve(b.code, host="s.example").kind is DecisionKind.NOT_FOUND
    assert s.resolve(b.code, host="go.brand.example").kind is DecisionKind.NOT_FOUND
    assert s.resolve("sale", host="go.brand.example").location == "https://example.com/b"


def test_pass_through_per_domain(store: Any) -> None:
    s = _s(store)
    s.domains.add("go.utm.example", pass_query=True)
    s.domains.add("go.plain.example")
    s.shorten("https://shop.example/p?ref=s", alias="d", domain="go.utm.example")
    s.shorten("https://shop.example/p?ref=s", alias="own", domain="go.utm.example",
              pass_query="override")  # fmt: skip
    s.shorten("https://shop.example/p?ref=s", alias="d", domain="go.plain.example")
    q = "utm_source=group12&ref=x"
    on = s.resolve("d", host="go.utm.example", query=q)
    assert on.location == "https://shop.example/p?ref=s&utm_source=group12"
    assert any("pass-through of go.utm.example" in line for line in on.trace)
    # A link's own setting wins over its domain's.
    own = s.resolve("own", host="go.utm.example", query=q)
    assert own.location == "https://shop.example/p?utm_source=group12&ref=x"
    off = s.resolve("d", host="go.plain.example", query=q)
    assert off.location == "https://shop.example/p?ref=s"
    # The UTM values are on the visit events either way.
    utms = [v.utm.get("utm_source") for v in s.visits("d@" + s.domains.get("go.plain.example").id)]
    assert utms == ["group12"]
    assert s.domains.get("go.utm.example").pass_query == "merge"
    with pytest.raises(InvalidInput, match="pass_query"):
        s.domains.add("go.bad.example", pass_query="sometimes")


def test_click_ids_per_domain(store: Any) -> None:
    s = _s(store)
    s.shorten("https://shop.example/main", alias="m")
    assert s.resolve("m").click_id is None
    s.domains.add("go.track.example", click_ids=True)
    s.domains.add("go.quiet.example")
    s.shorten("https://shop.example/t", alias="t", domain="go.track.example")
    s.shorten("https://shop.example/q", alias="q", domain="go.quiet.example")
    s.shorten("https://shop.example/o", alias="o", domain="go.track.example", click_ids=False)
    tracked = s.resolve("t", host="go.track.example")
    assert tracked.click_id is not None
    assert tracked.location == f"https://shop.example/t?suo_cid={tracked.click_id}"
    assert s.resolve("q", host="go.quiet.example").click_id is None
    assert s.resolve("o", host="go.track.example").click_id is None  # the link's own setting
    assert s.resolve("m").click_id is None  # the Shortener's own domain: off
    assert s.domains.get("go.track.example").click_ids is True
    # Another Shortener on the same store learns it from the stored domains.
    other = _s(store)
    assert other.resolve("t", host="go.track.example").click_id is not None
    assert s.domains.remove("go.track.example")
    assert s.resolve("t@" + domain_id("go.track.example")).click_id is None
