"""A synchronous HTTP client for ASGI apps, for tests and docs (httpx, no server).

Starlette's ``TestClient`` now wants ``httpx2``; this is the same idea on
plain ``httpx``: each call runs the app on a fresh event loop through
``httpx.ASGITransport``.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["ASGIClient"]


class ASGIClient:
    """Call an ASGI app like a server would, one request at a time.

    Example:
        >>> import suo
        >>> from suo.web import ASGIApp
        >>> s = suo.Shortener("memory://")
        >>> _ = s.shorten("https://example.com/", alias="a")
        >>> r = ASGIClient(ASGIApp(s)).get("/a")
        >>> r.status_code, r.headers["location"]
        (302, 'https://example.com/')
    """

    def __init__(self, app: Any, *, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self.client = client

    def request(self, method: str, url: str, **kw: Any) -> Any:
        """Send one request; returns an ``httpx.Response`` (body read)."""
        import httpx

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=self.client)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                r = await c.request(method, url, **kw)
                await r.aread()
                return r

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> Any:
        """``GET url``."""
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        """``POST url``."""
        return self.request("POST", url, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        """``PATCH url``."""
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        """``DELETE url``."""
        return self.request("DELETE", url, **kw)

    def head(self, url: str, **kw: Any) -> Any:
        """``HEAD url``."""
        return self.request("HEAD", url, **kw)
