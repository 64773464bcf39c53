"""WSGIApp: PEP 3333 conformance (wsgiref's validator), a real WSGI server, mounting."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.validate import validator

import pytest

import suo
from suo.web import WSGIApp


def environ(path: str, method: str = "GET", **extra: Any) -> dict[str, Any]:
    from wsgiref.util import setup_testing_defaults

    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        **extra,
    }
    setup_testing_defaults(env)
    return env


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/plain"), ("HEAD", "/plain"), ("GET", "/sale"), ("GET", "/nope"),
     ("GET", "/plain.png"), ("POST", "/plain"), ("GET", "/healthz")],
)  # fmt: skip
def test_pep3333_validator_accepts_every_answer(
    shortener: suo.Shortener, ua: SimpleNamespace, method: str, path: str
) -> None:
    app = validator(WSGIApp(shortener))
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    result = app(environ(path, method, HTTP_USER_AGENT=ua.wechat), start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # type: ignore[attr-defined]
    assert statuses
    assert (body == b"") is (method == "HEAD" or statuses[0].startswith("302"))


def test_path_info_is_utf8_bytes_as_latin1(shortener: suo.Shortener) -> None:
    app = WSGIApp(shortener)
    raw = "/你好".encode().decode("latin-1")  # what a PEP 3333 server puts in PATH_INFO
    assert app.request_from(environ(raw)).path == "/你好"
    bad = b"/\xff\xfe".decode("latin-1")  # not UTF-8: kept, and answered 404
    assert app.handle(environ(bad)).status == 404


def test_request_from_reads_the_environ() -> None:
    req = WSGIApp.request_from(
        {
            "REQUEST_METHOD": "head",
            "PATH_INFO": "/x",
            "HTTP_USER_AGENT": "UA",
            "HTTP_ACCEPT_LANGUAGE": "zh-CN",
            "HTTP_X_FORWARDED_FOR": "1.2.3.4",
            "REMOTE_ADDR": "10.0.0.1",
        }
    )
    # The method is kept as sent: methods are case-sensitive, "head" is not HEAD.
    assert (req.method, req.path, req.user_agent, req.accept_language) == (
        "head",
        "/x",
        "UA",
        "zh-CN",
    )
    assert (req.forwarded_for, req.peer) == ("1.2.3.4", "10.0.0.1")
    empty = WSGIApp.request_from({})
    assert (empty.method, empty.path, empty.user_agent, empty.peer) == ("GET", "/", "", None)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def wsgiref_server(shortener: suo.Shortener) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, WSGIApp(shortener), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_over_a_real_wsgi_server(
    wsgiref_server: int, shortener: suo.Shortener, ua: SimpleNamespace
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", wsgiref_server, timeout=5)
    try:
        conn.request("GET", "/plain", headers={"User-Agent": ua.desktop})
        r = conn.getresponse()
        r.read()
        assert r.status == 302
        assert r.getheader("Location") == "https://example.com/plain"
        assert r.getheader("X-Content-Type-Options") == "nosniff"
        conn.request("HEAD", "/sale", headers={"User-Agent": ua.wechat})
        r = conn.getresponse()
        assert r.status == 200
        assert r.read() == b""
        assert int(r.getheader("Content-Length") or 0) > 0
    finally:
        conn.close()
    assert shortener.stats("plain").clicks == 1
    assert shortener.stats("sale").visits == 0
