"""The framework recipes in examples/ run, and answer with the adapters' headers."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

import suo


class SyncASGIClient:
    """httpx over ASGITransport, one event loop per call (starlette's TestClient wants httpx2)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                r = await c.request(method, url, **kw)
                await r.aread()
                return r

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def head(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("HEAD", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)


def same_security_headers(headers: dict[str, str]) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store, private, max-age=0"


def test_fastapi_mount(examples_path: Path, shortener: suo.Shortener, ua: SimpleNamespace) -> None:
    module = importlib.import_module("fastapi_app")
    client = SyncASGIClient(module.create_app(shortener))
    assert client.get("/").json() == {"shop": "open"}
    r = client.get("/s/sale", headers={"User-Agent": ua.desktop})
    assert r.status_code == 302
    assert r.headers["location"] == "https://shop.example.com/sale"
    same_security_headers(dict(r.headers))
    r = client.get("/s/sale", headers={"User-Agent": ua.wechat, "Accept-Language": "zh-CN"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["x-robots-tag"] == "noindex"
    assert r.headers["content-language"] == "zh-CN"
    r = client.head("/s/plain", headers={"User-Agent": ua.desktop})
    assert (r.status_code, r.content) == (302, b"")
    assert client.get("/s/plain.png").headers["content-type"] == "image/png"
    assert client.get("/s/nope").status_code == 404
    made = client.post("/links", params={"url": "https://example.com/new"}).json()
    r = client.get(f"/s/{made['code']}", headers={"User-Agent": ua.desktop})
    assert r.headers["location"] == "https://example.com/new"
    assert shortener.stats("sale").clicks == 1
    assert shortener.stats("plain").visits == 0


def test_starlette_view(examples_path: Path, shortener: suo.Shortener, ua: SimpleNamespace) -> None:
    module = importlib.import_module("starlette_app")
    client = SyncASGIClient(module.create_app(shortener, trusted_proxies=["127.0.0.1"]))
    r = client.get("/go/plain", headers={"User-Agent": ua.desktop})
    assert (r.status_code, r.headers["location"]) == (302, "https://example.com/plain")
    same_security_headers(dict(r.headers))
    r = client.get("/go/sale", headers={"User-Agent": ua.wechat, "Accept-Language": "zh-CN"})
    assert r.status_code == 200
    assert "content-security-policy" in r.headers
    r = client.head("/go/plain", headers={"User-Agent": ua.desktop})
    assert (r.status_code, r.content) == (302, b"")
    assert client.get("/go/nope").status_code == 404
    assert shortener.stats("plain").clicks == 1


def test_flask_mount_and_view(
    examples_path: Path, shortener: suo.Shortener, ua: SimpleNamespace
) -> None:
    module = importlib.import_module("flask_app")
    app = module.create_app(shortener)
    client = app.test_client()
    assert client.get("/").text == "shop open"
    for prefix in ("/s", "/go"):
        r = client.get(f"{prefix}/plain", headers={"User-Agent": ua.desktop})
        assert r.status_code == 302
        assert r.headers["Location"] == "https://example.com/plain"
        same_security_headers({k.lower(): v for k, v in r.headers.items()})
        r = client.get(
            f"{prefix}/sale", headers={"User-Agent": ua.wechat, "Accept-Language": "zh-CN"}
        )
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.headers["X-Robots-Tag"] == "noindex"
        r = client.head(f"{prefix}/plain", headers={"User-Agent": ua.desktop})
        assert (r.status_code, r.data) == (302, b"")
        assert client.get(f"{prefix}/nope").status_code == 404
    assert client.get("/s/plain.svg").headers["Content-Type"] == "image/svg+xml"
    assert shortener.stats("plain").clicks == 2


@pytest.fixture
def django_module(examples_path: Path, shortener: suo.Shortener) -> SimpleNamespace:
    module = importlib.import_module("django_app")
    module.configure("memory://")
    module.responder.cache_clear()
    from django.test import override_settings

    with override_settings(SUO_STORE=shortener.store, SUO_BASE_URL="https://s.example/"):
        yield module
        module.responder.cache_clear()


def test_django_view(
    django_module: SimpleNamespace, shortener: suo.Shortener, ua: SimpleNamespace
) -> None:
    from django.test import Client

    client = Client()
    r = client.get("/s/plain", headers={"User-Agent": ua.desktop})
    assert r.status_code == 302
    assert r["Location"] == "https://example.com/plain"
    same_security_headers({k.lower(): v for k, v in r.headers.items()})
    r = client.get("/s/sale", headers={"User-Agent": ua.wechat, "Accept-Language": "zh-CN"})
    assert r.status_code == 200
    assert r["Content-Language"] == "zh-CN"
    assert r["X-Robots-Tag"] == "noindex"
    assert r["Content-Security-Policy"].startswith("default-src 'none'")
    r = client.head("/s/plain", headers={"User-Agent": ua.desktop})
    assert (r.status_code, r.content) == (302, b"")
    assert client.get("/s/nope").status_code == 404
    assert client.get("/s/plain.png")["Content-Type"] == "image/png"
    assert shortener.stats("plain").clicks == 1
