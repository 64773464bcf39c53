"""`suo shorten` then `suo serve`, end to end over real HTTP on loopback."""

from __future__ import annotations

import http.client
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import suo.cli


@pytest.fixture
def served(
    tmp_path: Path, suo_cli: Callable[..., str], serve: Callable[..., Any]
) -> SimpleNamespace:
    store = f"sqlite:///{tmp_path / 'links.db'}"
    code = suo_cli(
        "shorten", "https://example.com/landing", "--policy", "anti-block", "--store", store
    ).split("\t")[0]  # CODE<TAB>SHORT_URL
    assert re.fullmatch(r"[A-Za-z0-9]{5,12}", code), code
    return SimpleNamespace(server=serve(store), code=code, store=store)


def request(
    server: Any, method: str, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


def test_serve_end_to_end(
    served: SimpleNamespace, ua: SimpleNamespace, suo_cli: Callable[..., str]
) -> None:
    server, code = served.server, served.code

    status, headers, body = request(server, "GET", f"/{code}", {"User-Agent": ua.desktop})
    assert status == 302
    assert headers["location"] == "https://example.com/landing"
    assert headers["x-content-type-options"] == "nosniff"
    assert "no-store" in headers["cache-control"]
    assert "server" not in headers  # no banner

    status, headers, body = request(
        server, "GET", f"/{code}", {"User-Agent": ua.wechat, "Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert headers["content-language"] == "zh-CN"
    assert headers["x-robots-tag"] == "noindex"
    page = body.decode("utf-8")
    assert re.search(r"[\u4e00-\u9fff]", page), "the guide page should be in Chinese"
    assert "example.com/landing" in page

    status, headers, body = request(server, "HEAD", f"/{code}", {"User-Agent": ua.wechat})
    assert status == 200
    assert body == b""
    assert int(headers["content-length"]) > 0

    status, headers, body = request(server, "GET", "/doesnotexist", {"User-Agent": ua.desktop})
    assert status == 404
    assert headers["x-content-type-options"] == "nosniff"

    status, headers, body = request(server, "GET", f"/{code}.png", {})
    assert (status, headers["content-type"]) == (200, "image/png")

    exit_code, log = server.stop()
    assert exit_code == 0, log
    assert f'"GET /{code} HTTP/1.1" 302' in log  # the access log
    assert f'"HEAD /{code} HTTP/1.1" 200' in log
    assert "suo: stopped" in log

    # The visits were stored: one counted click, one guide page; the HEAD counted nothing.
    stats = suo_cli("stats", code, "--store", served.store)
    assert "clicks: 1  visits: 2" in stats


def test_serve_rejects_a_bad_trusted_proxy(capsys: pytest.CaptureFixture[str]) -> None:
    assert suo.cli.main(["serve", "--store", "memory://", "--trusted-proxy", "not-an-ip"]) == 2
    assert "not an IP address or network" in capsys.readouterr().err


def test_serve_help_names_the_contract_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        suo.cli.main(["serve", "--help"])
    out = capsys.readouterr().out
    for option in ("--store", "--host", "--port", "--base-url", "--trusted-proxy"):
        assert option in out


def test_store_passwords_never_reach_the_log() -> None:
    from suo.cli.serve import _redact

    assert _redact("postgresql+psycopg://app:s3cret@db:5432/links") == (
        "postgresql+psycopg://app:***@db:5432/links"
    )
    assert _redact("redis://:hunter2@cache:6379/0") == "redis://:***@cache:6379/0"
    assert _redact("sqlite:///links.db") == "sqlite:///links.db"


def test_build_app_from_options() -> None:
    import argparse

    from suo.cli.serve import build_app

    args = argparse.Namespace(
        store="memory://", host="::1", port=9000, base_url=None, cache_ttl=0.0,
        trusted_proxy=["127.0.0.1"], threads=None,
    )  # fmt: skip
    app = build_app(args)
    assert app.shortener.base_url == "http://[::1]:9000/"
    assert app.responder.trusted_proxies.trusts("127.0.0.1")
    assert app.offload is False  # memory store: inline
