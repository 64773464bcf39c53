"""WSGIApp and ASGIApp answer the same requests with the same status, headers and body."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

import suo
from suo.shortener import qr
from suo.testing import ManualClock

Caller = Callable[..., tuple[str, dict[str, str], bytes]]


@pytest.fixture
def client(make_client: Callable[..., Caller], shortener: suo.Shortener) -> Caller:
    return make_client(shortener)


SECURITY = {"x-content-type-options": "nosniff"}


def assert_page_headers(headers: dict[str, str], *, lang: str) -> None:
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["x-robots-tag"].startswith("noindex")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "no-store" in headers["cache-control"]
    assert headers["content-language"] == lang
    csp = headers["content-security-policy"].split(", ")[0]  # suo's own (first) policy
    assert csp.startswith("default-src 'none'")
    assert "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp


def test_desktop_redirect_counts_a_click(
    client: Caller, shortener: suo.Shortener, ua: SimpleNamespace
) -> None:
    status, headers, body = client("GET", "/sale", headers={"User-Agent": ua.desktop})
    assert status == "302 Found"
    assert headers["location"] == "https://shop.example.com/sale"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store, private, max-age=0"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["content-length"] == "0"
    assert body == b""
    assert shortener.stats("sale").clicks == 1


def test_wechat_gets_the_zh_guide_page(
    client: Caller, shortener: suo.Shortener, ua: SimpleNamespace
) -> None:
    status, headers, body = client(
        "GET", "/sale", headers={"User-Agent": ua.wechat, "Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert status == "200 OK"
    assert_page_headers(headers, lang="zh-CN")
    assert "location" not in headers
    page = body.decode("utf-8")
    assert page == shortener.explain("sale", user_agent=ua.wechat, accept_language="zh-CN").body
    assert int(headers["content-length"]) == len(body)
    st = shortener.stats("sale")
    assert (st.clicks, st.visits) == (0, 1)


def test_english_guide_page(client: Caller, ua: SimpleNamespace) -> None:
    _, headers, _ = client(
        "GET", "/sale", headers={"User-Agent": ua.wechat, "Accept-Language": "en-US"}
    )
    assert headers["content-language"] == "en"


def test_deny_page_is_403(client: Caller, ua: SimpleNamespace) -> None:
    status, headers, body = client("GET", "/club", headers={"User-Agent": ua.desktop})
    assert status.startswith("403")
    assert_page_headers(headers, lang="en")
    assert body


def test_head_has_headers_but_no_body_and_counts_nothing(
    client: Caller, shortener: suo.Shortener, ua: SimpleNamespace
) -> None:
    status, headers, body = client("HEAD", "/plain", headers={"User-Agent": ua.desktop})
    assert status == "302 Found"
    assert headers["location"] == "https://example.com/plain"
    assert body == b""
    g_status, g_headers, g_body = client("GET", "/sale", headers={"User-Agent": ua.wechat})
    h_status, h_headers, h_body = client("HEAD", "/sale", headers={"User-Agent": ua.wechat})
    assert h_status == g_status == "200 OK"
    assert h_body == b""
    assert h_headers == g_headers
    assert int(h_headers["content-length"]) == len(g_body) > 0
    assert shortener.stats("plain").visits == 0
    assert shortener.stats("sale").visits == 1  # the GET only


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    ("path", "lang", "accept"),
    [
        ("/nope", "en", "en"),
        ("/nope", "zh-CN", "zh-CN"),
        ("/", "en", "en"),
        ("/wp-login.php", "en", "en"),
        ("/a/b", "en", "en"),
        ("/sale/", "en", "en"),
        ("/" + "x" * 65, "en", "en"),
        ("/%00", "en", "en"),
        ("/%E4%BD%A0", "zh-CN", "zh"),
        ("/nope.png", "en", "en"),
        ("/nope.svg", "en", "en"),
    ],
)
def test_unknown_paths_get_the_404_page(
    client: Caller, method: str, path: str, lang: str, accept: str
) -> None:
    status, headers, body = client(method, path, headers={"Accept-Language": accept})
    assert status == "404 Not Found"
    assert_page_headers(headers, lang=lang)
    assert (body == b"") is (method == "HEAD")


def test_404_page_language(client: Caller) -> None:
    _, _, zh = client("GET", "/nope", headers={"Accept-Language": "zh-CN"})
    _, _, en = client("GET", "/nope", headers={"Accept-Language": "en"})
    assert zh != en
    # The anti-block page set supplies the pages (see suo.antiblock.pages).
    from suo.antiblock.pages import status_page

    assert zh.decode() == status_page("not_found", lang="zh")
    assert en.decode() == status_page("not_found", lang="en")
    assert '<html lang="zh-CN">' in zh.decode()
    assert "noindex" in zh.decode()


def Clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))


def test_expired_and_exhausted_are_410(
    make_client: Callable[..., Caller], ua: SimpleNamespace
) -> None:
    clock = Clock()
    s = suo.Shortener("memory://", clock=clock, cache_ttl=0)
    s.shorten("https://example.com/", alias="soon", expires_at=clock.now + timedelta(hours=1))
    s.shorten("https://example.com/", alias="once", max_clicks=1)
    client = make_client(s)
    hdrs = {"User-Agent": ua.desktop, "Accept-Language": "zh-CN"}
    assert client("GET", "/soon", headers=hdrs)[0] == "302 Found"
    clock.now += timedelta(hours=2)
    status, headers, body = client("GET", "/soon", headers=hdrs)
    assert status == "410 Gone"
    assert_page_headers(headers, lang="zh-CN")
    assert body
    assert client("GET", "/once", headers=hdrs)[0] == "302 Found"
    status, headers, _ = client("GET", "/once", headers=hdrs)
    assert status == "410 Gone"
    assert "no-store" in headers["cache-control"]
    assert client("HEAD", "/once", headers=hdrs)[0] == "410 Gone"
    assert s.stats("once").clicks == 1


@pytest.mark.parametrize("code", [301, 303, 307, 308])
def test_redirect_status_per_link(
    make_client: Callable[..., Caller], code: int, ua: SimpleNamespace
) -> None:
    s = suo.Shortener("memory://")
    s.shorten("https://example.com/p", alias="p", redirect_status=code)
    status, headers, _ = make_client(s)("GET", "/p", headers={"User-Agent": ua.desktop})
    assert status.startswith(str(code))
    assert headers["location"] == "https://example.com/p"
    # A 301 is cached forever by browsers unless told otherwise: never let it.
    assert headers["cache-control"] == "no-store, private, max-age=0"


def test_bots_are_redirected_but_not_counted(
    client: Caller, shortener: suo.Shortener, ua: SimpleNamespace
) -> None:
    status, _, _ = client("GET", "/plain", headers={"User-Agent": ua.bot})
    assert status == "302 Found"
    st = shortener.stats("plain")
    assert (st.clicks, st.bots) == (0, 1)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_are_405(client: Caller, shortener: suo.Shortener, method: str) -> None:
    status, headers, _ = client(method, "/plain")
    assert status == "405 Method Not Allowed"
    assert headers["allow"] == "GET, HEAD"
    assert shortener.stats("plain").visits == 0


def test_healthz(client: Caller) -> None:
    status, headers, body = client("GET", "/healthz")
    assert (status, body) == ("200 OK", b"ok\n")
    assert headers["content-type"].startswith("text/plain")


def test_qr_svg_and_png(client: Caller, shortener: suo.Shortener) -> None:
    status, headers, svg = client("GET", "/plain.svg")
    assert status == "200 OK"
    assert headers["content-type"] == "image/svg+xml"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"].startswith("default-src 'none'")
    assert headers["cache-control"] == "public, max-age=300"
    assert b"<svg" in svg
    status, headers, png = client("GET", "/plain.png")
    assert status == "200 OK"
    assert headers["content-type"] == "image/png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int(headers["content-length"]) == len(png)
    assert qr.read(png) == ["https://s.example/plain"]
    status, headers, body = client("HEAD", "/plain.png")
    assert (status, body) == ("200 OK", b"")
    assert int(headers["content-length"]) == len(png)
    assert shortener.stats("plain").visits == 0  # a QR image is not a visit


def test_store_failure_is_503(make_client: Callable[..., Caller]) -> None:
    from suo.errors import StorageUnavailable
    from suo.storage.memory import MemoryStore

    class DownStore(MemoryStore):
        def get_link(self, code: str) -> Any:
            raise StorageUnavailable("connection refused (test)")

    s = suo.Shortener(DownStore(), cache_ttl=0)
    status, headers, body = make_client(s)("GET", "/plain")
    assert status == "503 Service Unavailable"
    assert headers["retry-after"] == "5"
    assert "no-store" in headers["cache-control"]
    assert b"unavailable" in body


def test_client_ip_from_trusted_proxy_only(make_client: Callable[..., Caller]) -> None:
    seen: list[str | None] = []

    class Recording(suo.Shortener):
        def resolve(self, code: str, **kw: Any) -> suo.Decision:
            seen.append(kw.get("ip"))
            return super().resolve(code, **kw)

        async def aresolve(self, code: str, **kw: Any) -> suo.Decision:
            seen.append(kw.get("ip"))
            return await super().aresolve(code, **kw)

    s = Recording("memory://")
    s.shorten("https://example.com/", alias="x")
    client = make_client(s, trusted_proxies=["127.0.0.1", "10.0.0.0/8"])
    spoof = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}
    client("GET", "/x", headers=spoof, remote_addr="127.0.0.1")
    client("GET", "/x", headers=spoof, remote_addr="198.51.100.20")  # not a proxy of ours
    client("GET", "/x", headers={}, remote_addr="10.0.0.3")
    client(
        "GET", "/x", headers={"X-Forwarded-For": "203.0.113.50, 10.0.0.9"}, remote_addr="10.0.0.3"
    )
    assert seen == ["203.0.113.9", "198.51.100.20", "10.0.0.3", "203.0.113.50"]


def test_no_trusted_proxies_means_the_socket(make_client: Callable[..., Caller]) -> None:
    seen: list[str | None] = []

    class Recording(suo.Shortener):
        def resolve(self, code: str, **kw: Any) -> suo.Decision:
            seen.append(kw.get("ip"))
            return super().resolve(code, **kw)

        async def aresolve(self, code: str, **kw: Any) -> suo.Decision:
            seen.append(kw.get("ip"))
            return await super().aresolve(code, **kw)

    s = Recording("memory://")
    make_client(s)("GET", "/x", headers={"X-Forwarded-For": "6.6.6.6"}, remote_addr="127.0.0.1")
    assert seen == ["127.0.0.1"]


def test_accept_language_and_user_agent_reach_resolve(make_client: Callable[..., Caller]) -> None:
    seen: list[dict[str, Any]] = []

    class Recording(suo.Shortener):
        def resolve(self, code: str, **kw: Any) -> suo.Decision:
            seen.append(kw)
            return super().resolve(code, **kw)

        async def aresolve(self, code: str, **kw: Any) -> suo.Decision:
            seen.append(kw)
            return await super().aresolve(code, **kw)

    make_client(Recording("memory://"))(
        "GET", "/x", headers={"User-Agent": "UA/1", "Accept-Language": "zh-TW"}
    )
    assert seen[0]["user_agent"] == "UA/1"
    assert seen[0]["accept_language"] == "zh-TW"


def test_the_event_keeps_the_referrer_host_and_utm_but_no_ip(
    make_client: Callable[..., Caller], ua: SimpleNamespace
) -> None:
    s = suo.Shortener("memory://")
    s.shorten("https://example.com/", alias="x")
    client = make_client(s, trusted_proxies=["10.0.0.0/8"])
    status, _, _ = client(
        "GET",
        "/x?utm_source=wechat&utm_campaign=spring%20sale&token=secret-token",
        headers={
            "User-Agent": ua.wechat,
            "Referer": "https://mp.weixin.qq.com/s/private-article?from=timeline",
            "X-Forwarded-For": "203.0.113.77",
            "Accept-Language": "zh-CN,zh;q=0.9",
        },
        remote_addr="10.1.2.3",
    )
    assert status.startswith("302")
    (event,) = list(s.visits("x"))
    assert event.referrer == "mp.weixin.qq.com"
    assert dict(event.utm) == {"utm_source": "wechat", "utm_campaign": "spring sale"}
    assert (event.platform, event.language) == ("wechat", "zh-cn")
    assert event.visitor is not None
    assert len(event.visitor) == 16
    text = repr(event.to_dict())
    for leak in ("203.0.113.77", "10.1.2.3", "private-article", "timeline", "secret-token"):
        assert leak not in text
    # The visitor id is the client's (after the trusted proxy), not the proxy's:
    # the same client through another proxy is the same visitor today.
    client("GET", "/x", headers={"User-Agent": ua.wechat, "X-Forwarded-For": "203.0.113.77"},
           remote_addr="10.9.9.9")  # fmt: skip
    client("GET", "/x", headers={"User-Agent": ua.wechat}, remote_addr="10.1.2.3")
    visitors = [v.visitor for v in s.visits("x")]
    assert visitors[1] == visitors[0]
    assert visitors[2] != visitors[0]
    assert s.stats("x").uniques == 2


def test_head_records_no_event(make_client: Callable[..., Caller]) -> None:
    s = suo.Shortener("memory://")
    s.shorten("https://example.com/", alias="x")
    client = make_client(s)
    status, headers, _ = client(
        "HEAD", "/x?utm_source=head", headers={"Referer": "https://h.example/"}
    )
    assert (status[:3], headers["location"]) == ("302", "https://example.com/")
    assert list(s.visits("x")) == []


def test_live_code_landing_page_and_redirect(
    make_client: Callable[..., Caller], ua: SimpleNamespace
) -> None:
    s = suo.Shortener("memory://", base_url="https://s.example/")
    s.shorten_live(
        [suo.LiveTarget("https://weixin.qq.com/g/AbCdEf", cap=1), "https://example.com/full"],
        alias="group",
        title="Welfare group",
    )
    client = make_client(s)
    hdrs = {"User-Agent": ua.desktop, "Accept-Language": "zh-CN"}
    # HEAD shows the landing page's headers without taking the one slot.
    assert client("HEAD", "/group", headers=hdrs)[0] == "200 OK"
    # A group invite only works from a scanner: the landing page shows its QR code.
    status, headers, body = client("GET", "/group", headers=hdrs)
    assert status == "200 OK"
    assert_page_headers(headers, lang="zh-CN")
    assert b"<svg" in body
    # The suo hash policy and the page's own policy are both sent (comma-joined here).
    assert headers["content-security-policy"].count("default-src 'none'") == 2
    # The first target took its one visitor: the next goes to the web page.
    status, headers, _ = client("GET", "/group", headers=hdrs)
    assert status == "302 Found"
    assert headers["location"] == "https://example.com/full"
    assert headers["cache-control"] == "no-store, private, max-age=0"
