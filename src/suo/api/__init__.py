"""The management API: links, live codes, QR images, stats, explain, moderation, SOP.

An ASGI application on FastAPI, mounted at ``/api/v1`` by ``suo serve --api``
or inside your own app. Visits never go through it: the redirect path stays
the raw adapter (:mod:`suo.web`).

Keys and scopes live in :mod:`suo.api.keys` (no web framework needed);
:func:`create_app` needs ``pip install 'suo[api]'``.

Example:
    >>> import suo
    >>> from suo.api import create_app, mint_key
    >>> s = suo.Shortener("memory://", base_url="https://s.example/")
    >>> key, record, digest = mint_key(["links:write"])
    >>> s.store.save_key(record, digest)
    >>> app = create_app(s)
    >>> from suo.testing import ASGIClient
    >>> r = ASGIClient(app).post("/links", json={"url": "https://example.com/", "alias": "hi"},
    ...                          headers={"Authorization": f"Bearer {key}"})
    >>> r.status_code, r.json()["short_url"]
    (201, 'https://s.example/hi')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from suo.api.keys import SCOPES, ApiKey, KeyStore, check_key, hash_key, mint_key, parse_key

if TYPE_CHECKING:
    from suo.api.app import create_app

__all__ = [
    "SCOPES",
    "ApiKey",
    "KeyStore",
    "check_key",
    "create_app",
    "hash_key",
    "mint_key",
    "parse_key",
]


def __getattr__(name: str) -> Any:
    # The app needs FastAPI (an extra); keys do not.
    if name == "create_app":
        from suo.api.app import create_app

        return create_app
    raise AttributeError(f"module 'suo.api' has no attribute {name!r}")
