"""Content-Language agrees with the page; only GET and HEAD (case-sensitive) are served."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import suo
from suo.antiblock import Action, Rule, When
from suo.testing import ManualClock
from suo.web import ASGIApp, WSGIApp

Caller = Callable[..., tuple[str, dict[str, str], bytes]]

WECHAT_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN"
)
DESKTOP_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
# WeChat without its Language/xx token: only "it is a Chinese app" says zh.
WECHAT_BARE = WECHAT_IPHONE.replace(" Language/zh_CN", "")
AGENTS = {
    "wechat": WECHAT_IPHONE,
    "wechat-bare": WECHAT_BARE,
    "browser": DESKTOP_CHROME,
    "bot": GOOGLEBOT,
}
# Every kind of answer: guide, deny, preview page, live-code page, redirect, 404 (known
# shape and junk path), 410 expired, 410 exhausted.
PATHS = ["/guide", "/members", "/live", "/plain", "/nope", "/wp-login.php", "/gone", "/once"]
HTML_LANG = re.compile(r'<html lang="([^"]+)"')


@pytest.fixture
def shortener() -> Iterator[suo.Shortener]:
    clock = ManualClock(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    s = suo.Shortener("memory://", clock=clock, cache_ttl=0)
    s.shorten("https://shop.example.com/", alias="guide", policy=suo.AccessPolicy.anti_block())
    members = suo.AccessPolicy(
        "members", (Rule(When(bot=True), Action.PREVIEW),), Action.DENY
    )  # bots get the preview page, people the deny page
    s.shorten("https://club.example.com/", alias="members", title="Club", policy=members)
    s.shorten_live(["https://weixin.qq.com/g/AQYAAH1"], alias="live", title="读书会")
    s.shorten("https://example.com/plain", alias="plain")
    s.shorten("https://example.com/", alias="gone", expires_at=clock.now + timedelta(hours=1))
    s.shorten("https://example.com/", alias="once", max_clicks=1)
    s.resolve("once", user_agent=DESKTOP_CHROME)
    clock.now += timedelta(hours=2)
    yield s
    s.store.close()


def expected_lang(agent: str, accept: str | None) -> str:
    if accept is not None:
        return "zh-CN" if accept.startswith("zh") else "en"
    return "zh-CN" if agent.startswith("wechat") else "en"


@pytest.mark.parametrize("accept", [None, "en-US,en;q=0.9", "zh-CN,zh;q=0.9"])
@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_content_language_is_the_pages_language(
    make_client: Callable[..., Caller], shortener: suo.Shortener, agent: str, accept: str | None
) -> None:
    client = make_client(shortener)
    headers = {"User-Agent": AGENTS[agent]} | ({"Accept-Language": accept} if accept else {})
    kinds: set[int] = set()
    for path in PATHS:
        status, got, body = client("GET", path, headers=headers)
        kinds.add(int(status.split()[0]))
        page = HTML_LANG.search(body.decode())
        if page is None:  # a redirect: no page, so no language either
            assert status.startswith("30"), (path, status)
            assert "content-language" not in got, path
            continue
        assert got.get("content-language") == page.group(1), (path, status)
        assert page.group(1) == expected_lang(agent, accept), (path, status)
        head_status, head, _ = client("HEAD", path, headers=headers)
        assert head.get("content-language") == page.group(1), (path, head_status)
    assert {200, 404, 410} <= kinds


def test_a_wechat_guide_page_without_accept_language_is_chinese_in_header_too(
    make_client: Callable[..., Caller], shortener: suo.Shortener
) -> None:
    status, headers, body = make_client(shortener)(
        "GET", "/guide", headers={"User-Agent": WECHAT_BARE}
    )
    assert status == "200 OK"
    assert '<html lang="zh-CN">' in body.decode()
    assert headers["content-language"] == "zh-CN"


def test_a_page_of_unknown_language_gets_no_content_language() -> None:
    from suo.decision import Decision, DecisionKind
    from suo.web import Responder

    r = Responder(suo.Shortener("memory://"))
    resp = r.respond(Decision(DecisionKind.PAGE, body="<p>mine</p>"), accept_language="zh-CN")
    assert resp.header("Content-Language") is None
    resp = r.respond(Decision(DecisionKind.PAGE, body="<p>mine</p>", lang="zh"))
    assert resp.header("Content-Language") == "zh-CN"


# -- methods ---------------------------------------------------------------------


def call_wsgi_raw(app: Any, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    """A WSGI request with the method exactly as given."""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "REMOTE_ADDR": "198.51.100.7",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": DESKTOP_CHROME, "wsgi.url_scheme": "http",
    }  # fmt: skip
    seen: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append((status, headers))
        return lambda data: None

    body = b"".join(app(environ, start_response))
    status, headers = seen[0]
    return status, {k.lower(): v for k, v in headers}, body


def call_asgi_raw(app: Any, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    """An ASGI request with the method exactly as given (httpx would upper-case it)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": [(b"user-agent", DESKTOP_CHROME.encode())],
        "client": ("198.51.100.7", 40000), "server": ("testserver", 80),
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return str(start["status"]), headers, body


@pytest.fixture(params=["wsgi", "asgi", "asgi-offload"])
def raw_client(request: pytest.FixtureRequest, shortener: suo.Shortener) -> Iterator[Caller]:
    if request.param == "wsgi":
        wapp = WSGIApp(shortener)
        yield lambda method, path: call_wsgi_raw(wapp, method, path)
        return
    aapp = ASGIApp(shortener, offload=request.param == "asgi-offload")
    yield lambda method, path: call_asgi_raw(aapp, method, path)
    aapp.close()


@pytest.mark.parametrize(
    ("method", "status"),
    [("get", 501), ("Get", 501), ("head", 501), ("BREW", 501), ("POST", 405), ("DELETE", 405)],
)
def test_only_upper_case_get_and_head_are_served(
    raw_client: Caller, shortener: suo.Shortener, method: str, status: int
) -> None:
    for path in ("/plain", "/guide", "/live"):
        got, headers, body = raw_client(method, path)
        assert int(got.split()[0]) == status, (method, path)
        assert "location" not in headers
        if status == 405:
            assert headers["allow"] == "GET, HEAD"
        assert body  # a short text that says what to use instead
    for code in ("plain", "guide", "live"):
        st = shortener.stats(code)
        assert (st.visits, st.clicks) == (0, 0), code
    # The same link, asked for with GET, is served and counted: the refusal above was the method.
    assert raw_client("GET", "/plain")[0].startswith("302")
    assert shortener.stats("plain").clicks == 1
