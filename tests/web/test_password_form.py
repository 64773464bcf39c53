"""The password form over HTTP: WSGI and ASGI adapters, POST body only, 303, 413/415, 429."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import pytest

import suo
from suo.shortener.passwords import THROTTLE
from suo.web import ASGIApp, WSGIApp
from suo.web.core import MAX_FORM

Call = Callable[..., tuple[int, dict[str, str], bytes]]
FORM = "application/x-www-form-urlencoded"


def _wsgi(app: WSGIApp) -> Call:
    def call(method: str, path: str, body: bytes = b"", ctype: str = FORM, query: str = "",
             ip: str = "198.51.100.4") -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        seen: list[Any] = []
        env = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "REMOTE_ADDR": ip, "CONTENT_TYPE": ctype, "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body), "HTTP_ACCEPT_LANGUAGE": "en",
        }  # fmt: skip
        out = b"".join(app(env, lambda status, headers: seen.append((status, headers))))
        status, headers = seen[0]
        return int(status.split()[0]), {k.lower(): v for k, v in headers}, out

    return call


def _asgi(app: ASGIApp) -> Call:
    def call(method: str, path: str, body: bytes = b"", ctype: str = FORM, query: str = "",
             ip: str = "198.51.100.4") -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        sent: list[dict[str, Any]] = []
        # The body arrives in two chunks, as servers may deliver it.
        chunks = [body[: len(body) // 2], body[len(body) // 2 :]]

        async def receive() -> dict[str, Any]:
            chunk = chunks.pop(0) if chunks else b""
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http", "method": method, "path": path,
            "query_string": query.encode(), "client": (ip, 5000),
            "headers": [(b"content-type", ctype.encode()), (b"accept-language", b"en")],
        }  # fmt: skip
        asyncio.run(app(scope, receive, send))
        headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
        return sent[0]["status"], headers, sent[1]["body"]

    return call


@pytest.fixture(params=["wsgi", "asgi"])
def setup(request: pytest.FixtureRequest) -> tuple[suo.Shortener, Call]:
    s = suo.Shortener("memory://")
    s.shorten("https://example.com/vip", alias="vip", password="open sesame", redirect_status=308)
    s.shorten("https://example.com/", alias="plain")
    call = _wsgi(WSGIApp(s)) if request.param == "wsgi" else _asgi(ASGIApp(s))
    return s, call


def test_get_shows_the_form_and_post_opens_the_link(setup: tuple[suo.Shortener, Call]) -> None:
    s, call = setup
    status, headers, body = call("GET", "/vip", query="utm_source=g1")
    assert status == 401
    assert b'method="post"' in body
    assert b'name="password"' in body
    assert "form-action 'self'" in headers["content-security-policy"]
    assert headers["x-robots-tag"].startswith("noindex")
    status, headers, _ = call("POST", "/vip", body=b"password=wrong")
    assert status == 401
    status, headers, _ = call("POST", "/vip", body=b"password=open+sesame", query="utm_source=g1")
    # 303 even though the link says 308: the browser must not re-send the form.
    assert (status, headers["location"]) == (303, "https://example.com/vip")
    st = s.stats("vip")
    assert (st.clicks, st.by_outcome) == (1, {"password": 2, "redirect": 1})
    assert [v.utm for v in s.visits("vip")][-1] == {"utm_source": "g1"}


def test_password_in_the_query_string_is_ignored(setup: tuple[suo.Shortener, Call]) -> None:
    s, call = setup
    assert call("GET", "/vip", query="password=open+sesame")[0] == 401
    assert call("POST", "/vip", query="password=open+sesame")[0] == 401
    assert s.stats("vip").clicks == 0


def test_bad_forms(setup: tuple[suo.Shortener, Call]) -> None:
    s, call = setup
    assert (
        call("POST", "/vip", body=b'{"password": "open sesame"}', ctype="application/json")[0]
        == 415
    )
    big = b"password=open+sesame&pad=" + b"x" * MAX_FORM
    assert call("POST", "/vip", body=big)[0] == 413
    assert call("POST", "/vip", body=b"&".join([b"a=1"] * 20))[0] == 400
    # A link without a password still refuses POST, as before.
    status, headers, _ = call("POST", "/plain", body=b"password=x")
    assert (status, headers["allow"]) == (405, "GET, HEAD")
    assert s.stats("vip").clicks == 0
    assert s.stats("plain").visits == 0


def test_too_many_wrong_tries_get_429(setup: tuple[suo.Shortener, Call]) -> None:
    s, call = setup
    for _ in range(THROTTLE.per_client):
        assert call("POST", "/vip", body=b"password=guess")[0] == 401
    status, headers, body = call("POST", "/vip", body=b"password=open+sesame")
    assert status == 429
    assert 0 < int(headers["retry-after"]) <= THROTTLE.window
    assert b"Too many" in body
    # Another client is let in.
    assert call("POST", "/vip", body=b"password=open+sesame", ip="198.51.100.99")[0] == 303
    assert s.stats("vip").clicks == 1


def test_served_app_reads_the_form_too() -> None:
    """``suo serve``'s app (create_app) passes the body on as ASGIApp does."""
    from suo.web.factory import create_app

    app = create_app("memory://", worker_header=True)
    app.shortener.shorten("https://example.com/vip", alias="vip", password="pw")
    status, headers, _ = _asgi(app)("POST", "/vip", body=b"password=pw")
    assert (status, headers["location"]) == (303, "https://example.com/vip")
    assert "x-suo-worker" in headers
