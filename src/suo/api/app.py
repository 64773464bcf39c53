"""The management API application: auth, scopes, rate limits, problem details.

Built on FastAPI: it generates the OpenAPI 3.1 document from the typed
request and response models (the same models validate every request), it is
a Starlette app, so it mounts inside any ASGI app (FastAPI, Starlette,
Litestar, Django's ASGI) or under ``suo serve --api``, and it is the most
used typed Python API framework, so plugin authors already know it.

Every route lives in :mod:`suo.api.routes`; each only translates HTTP to the
library (``Shortener``, ``LiveCode``, ``Moderator``...) and back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from suo.api.keys import KeyStore
from suo.errors import (
    ConfigurationError,
    MissingDependency,
    SuoError,
)

try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise MissingDependency("the management API needs FastAPI: pip install 'suo[api]'") from exc

from suo.api.deps import Limiter, Problem, problem, status_of
from suo.api.problems import install as document_problems
from suo.api.routes import ROUTERS
from suo.shortener.service import Shortener

__all__ = ["DEFAULT_RATE_LIMIT", "MAX_BODY", "MAX_UPLOAD", "create_app"]

log = logging.getLogger("suo.api")

DEFAULT_RATE_LIMIT = "1000/minute"
"""Requests per key: enough for a small deployment (``suo serve --rate-limit``)."""

MAX_BODY = 1 << 20
"""Largest JSON body accepted (1 MiB)."""

MAX_UPLOAD = 8 << 20
"""Largest multipart upload accepted (8 MiB: a phone screenshot is 1-3 MiB)."""


class _BodyLimit:
    """Refuse request bodies over a size cap with 413, before the route reads them."""

    def __init__(self, app: Any, *, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1")
        cap = self.max_upload if ctype.startswith("multipart/") else self.max_body
        length = headers.get(b"content-length")
        too_big = problem(
            413,
            "Payload too large",
            f"the request body is over {cap} bytes; send less "
            + ("(one image per upload, at most 8 MiB)" if cap == self.max_upload else "(split it)"),
        )
        if length is not None and length.isdigit() and int(length) > cap:
            await too_big(scope, receive, send)
            return
        seen = 0

        async def counting() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise Problem(413, "Payload too large", f"the request body is over {cap} bytes")
            return message

        await self.app(scope, counting, send)


def _limiter_uri(shortener: Shortener) -> str:
    url = getattr(shortener.store, "url", "")
    if isinstance(url, str) and url.startswith(("redis://", "rediss://")):
        return url.split("?", 1)[0]  # shared by every worker and process
    return "memory://"


def create_app(
    shortener: Shortener,
    *,
    rate_limit: str | None = DEFAULT_RATE_LIMIT,
    limiter_storage: str | None = None,
    max_body: int = MAX_BODY,
    max_upload: int = MAX_UPLOAD,
) -> Any:
    """The management API for ``shortener`` as an ASGI app (FastAPI).

    Mount it under ``/api/v1`` (``suo serve --api`` does): its OpenAPI
    document is then ``/api/v1/openapi.json``.

    Args:
        shortener: the library object every route calls.
        rate_limit: requests per key (``limits`` notation, ``"1000/minute"``);
            ``None`` turns limits off.
        limiter_storage: where counts live (``limits`` storage URI); default
            the store's Redis when the store is Redis, else this process's memory.
        max_body / max_upload: size caps of JSON bodies and multipart uploads.

    Raises:
        ConfigurationError: the store keeps no API keys, or a bad rate limit.
        MissingDependency: FastAPI or ``limits`` is missing.
    """
    if not isinstance(shortener.store, KeyStore):
        raise ConfigurationError(
            f"{shortener.store!r} keeps no API keys (the KeyStore protocol); use a suo store"
        )
    from suo import __version__

    app = FastAPI(
        title="suo management API",
        version=__version__,
        summary="Links, live codes, QR codes, stats, explain, moderation and SOP calendars.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.shortener = shortener
    app.state.limiter = (
        None
        if rate_limit is None
        else Limiter(rate_limit, limiter_storage or _limiter_uri(shortener))
    )
    app.state.max_upload = max_upload
    _install_handlers(app)

    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(_BodyLimit, max_body=max_body, max_upload=max_upload)
    document_problems(app)  # the OpenAPI document says errors are problem+json
    return app


def _install_handlers(app: FastAPI) -> None:
    async def suo_error(request: Request, exc: SuoError) -> JSONResponse:
        status, title = status_of(exc)
        headers = {"Retry-After": "5"} if status == 503 else None
        if status >= 500:
            log.error("suo API %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem(status, title, str(exc), instance=request.url.path, headers=headers,
                       error=type(exc).__name__)  # fmt: skip

    async def http_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, instance=request.url.path,
                       headers=exc.headers)  # fmt: skip

    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['where']}: {e['problem']}" for e in errors) or "invalid request"
        return problem(422, "Invalid request", detail, instance=request.url.path, errors=errors)

    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        cause = exc.__cause__
        if isinstance(cause, Problem):
            # FastAPI turns any error while reading a body into a 400; the body
            # cap's 413 (a chunked body over the limit) is the real answer.
            return problem(cause.status, cause.title, cause.detail, instance=request.url.path,
                           headers=cause.headers)  # fmt: skip
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Starlette names only the first route's methods
            headers = {**(headers or {}), "Allow": _allowed(request)}
        return problem(exc.status_code, detail, detail, instance=request.url.path,
                       headers=headers)  # fmt: skip

    async def crash(request: Request, exc: Exception) -> JSONResponse:
        # Never a traceback to the client; the log gets the exception.
        log.exception("suo API %s %s failed", request.method, request.url.path)
        return problem(500, "Internal error", "the server failed; the error was logged",
                       instance=request.url.path)  # fmt: skip

    app.add_exception_handler(SuoError, suo_error)  # type: ignore[arg-type]
    app.add_exception_handler(Problem, http_problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, crash)


def _allowed(request: Request) -> str:
    """Every method some route answers at the request's path, for ``Allow`` (RFC 9110)."""
    from starlette.routing import Match, Route

    methods: set[str] = set()
    for route in request.app.routes:
        if (
            isinstance(route, Route)
            and route.methods
            and route.matches(request.scope)[0] != Match.NONE
        ):
            methods |= route.methods
    return ", ".join(sorted(methods))
