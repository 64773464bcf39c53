"""HTTP pieces every route shares: problem details, auth with scopes, rate limits.

Kept apart from :mod:`suo.api.app` so routes import them without importing
the app that includes the routes.
"""

from __future__ import annotations

import math
import time
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer

from suo.api.keys import KeyStore, check_key, parse_key
from suo.errors import (
    AliasTaken,
    ConfigurationError,
    InvalidAlias,
    InvalidInput,
    InvalidURL,
    MissingDependency,
    NotFound,
    QRDecodeError,
    StorageError,
    StorageIntegrityError,
    SuoError,
)
from suo.shortener.service import Shortener

__all__ = ["PROBLEM", "Limiter", "Problem", "problem", "require", "shortener_of", "status_of"]

PROBLEM = "application/problem+json"


class Problem(Exception):
    """An HTTP error to answer as RFC 9457 problem details."""

    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """An ``application/problem+json`` response (RFC 9457)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


# SuoError class -> (status, title); the first match in MRO order wins.
_STATUS: list[tuple[type[BaseException], int, str]] = [
    (AliasTaken, 409, "Alias taken"),
    (NotFound, 404, "Not found"),
    (InvalidURL, 422, "Invalid URL"),
    (InvalidAlias, 422, "Invalid alias"),
    (QRDecodeError, 422, "No readable QR code"),
    (InvalidInput, 422, "Invalid input"),
    (StorageIntegrityError, 409, "Conflict"),
    (StorageError, 503, "Storage unavailable"),
    (ConfigurationError, 500, "Server misconfigured"),
]


def status_of(exc: SuoError) -> tuple[int, str]:
    """The HTTP status and title a library error maps to."""
    for cls, status, title in _STATUS:
        if isinstance(exc, cls):
            return status, title
    return 400, "Bad request"


class Limiter:
    """Per-key rate limits on the ``limits`` library (memory or Redis storage)."""

    def __init__(self, rate: str, storage_uri: str) -> None:
        try:
            from limits import parse
            from limits.storage import storage_from_string
            from limits.strategies import MovingWindowRateLimiter
        except ImportError as exc:
            raise MissingDependency("rate limits need 'limits': pip install 'suo[api]'") from exc
        try:
            self.item = parse(rate)
        except ValueError as exc:
            raise ConfigurationError(
                f"rate limit {rate!r} is not understood; write it like '1000/minute' or '20/second'"
            ) from exc
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def hit(self, key: str) -> float | None:
        """``None`` if allowed, else seconds until a request is allowed again."""
        if self.limiter.hit(self.item, "suo-api", key):
            return None
        reset, _remaining = self.limiter.get_window_stats(self.item, "suo-api", key)
        return max(1.0, reset - time.time())


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


# Declared for the OpenAPI document only (``securitySchemes`` and each
# operation's ``security``, whose list names the scope); ``check`` reads the header.
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description="An API key as 'Authorization: Bearer suo_...'. Each operation's "
    "security requirement names the scope it needs; a key with 'admin' may do everything.",
)


def require(scope: str) -> Any:
    """A FastAPI dependency: a valid key with ``scope`` (or ``admin``), within its rate.

    401 without a key or with an unknown, revoked or expired one; 403 when the
    key lacks the scope; 429 with ``Retry-After`` past the key's rate limit.
    The OpenAPI document names ``scope`` in the operation's ``security``
    (``[{"apiKey": [scope]}]``).
    """

    def check(request: Request, _declared: Annotated[Any, Depends(_BEARER)]) -> str:
        key = _bearer(request)
        unauthorized = {"WWW-Authenticate": 'Bearer realm="suo"'}
        if key is None:
            raise Problem(401, "Unauthorized",
                          "send an API key as 'Authorization: Bearer <key>' (mint one with 'suo keys create')",
                          unauthorized)  # fmt: skip
        shortener: Shortener = request.app.state.shortener
        prefix = parse_key(key)
        store: KeyStore = shortener.store  # type: ignore[assignment]  # checked by create_app
        found = None if prefix is None else store.get_key(prefix)
        if found is None or not check_key(key, found[1]):
            raise Problem(401, "Unauthorized", "the API key is not valid", unauthorized)
        record, _digest = found
        if not record.active(shortener.clock()):
            raise Problem(401, "Unauthorized", f"the API key {record.prefix} is revoked or expired",
                          unauthorized)  # fmt: skip
        if not record.allows(scope):
            raise Problem(403, "Forbidden",
                          f"the API key {record.prefix} lacks the scope {scope!r} "
                          f"(it has {', '.join(record.scopes)})")  # fmt: skip
        limiter: Limiter | None = request.app.state.limiter
        if limiter is not None:
            wait = limiter.hit(record.prefix)
            if wait is not None:
                raise Problem(429, "Too many requests",
                              f"the API key {record.prefix} is over its rate limit; retry in {math.ceil(wait)} s",
                              {"Retry-After": str(math.ceil(wait))})  # fmt: skip
        return record.prefix

    return Security(check, scopes=[scope])


def shortener_of(request: Request) -> Shortener:
    """The Shortener the app was made for (a FastAPI dependency)."""
    s: Shortener = request.app.state.shortener
    return s
