"""Helpers of the management API tests: the app, keys, user agents, a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import suo
from suo.api import create_app, mint_key
from suo.testing import ASGIClient

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


class Api:
    """The app for one Shortener, and keys to call it with."""

    def __init__(self, s: suo.Shortener, **options: Any) -> None:
        self.s = s
        self.app = create_app(s, **options)
        self.client = ASGIClient(self.app)
        self._keys: dict[tuple[str, ...], str] = {}

    def key(self, *scopes: str) -> dict[str, str]:
        """An Authorization header for a key with ``scopes`` (minted once per set)."""
        scopes = scopes or ("admin",)
        if scopes not in self._keys:
            key, record, digest = mint_key(list(scopes), now=NOW)
            self.s.store.save_key(record, digest)
            self._keys[scopes] = key
        return {"Authorization": f"Bearer {self._keys[scopes]}"}

    def call(self, method: str, url: str, *scopes: str, **kw: Any) -> Any:
        """One request with a key of ``scopes`` (default ``admin``)."""
        headers = {**self.key(*scopes), **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)

    def request_put(self, url: str, *scopes: str, **kw: Any) -> Any:
        """``PUT url`` with a key of ``scopes`` (default ``admin``)."""
        return self.call("PUT", url, *scopes, **kw)
