"""The ASGI adapter: serve a Shortener's links from any ASGI server.

Resolving a visit is synchronous: it reads the link and writes the click to
the store. On a network store (PostgreSQL, Redis) or a SQLite file that is a
round trip of 0.1-2 ms, and doing it on the event loop would stall every other
connection of the worker meanwhile. So by default :class:`ASGIApp` runs each
resolve in a bounded thread pool of its own (``max_threads``, 16 by default):
the loop keeps accepting and answering while up to ``max_threads`` resolves
wait on the engine, and further requests queue instead of opening ever more
connections. The store's connection pool should be at least that large
(suo's PostgreSQL pool allows 30). SQLite takes one writer at a time, so its
pool has one thread: more would only queue on the database lock. The
in-process memory store answers in microseconds, less than a thread hop
costs, so it is resolved inline. ``benchmarks/bench_serve.py`` measures both
ways.

With ``native=True`` visits are answered with ``await Shortener.aresolve(...)``
on the event loop instead: the store's async side (:mod:`suo.storage.aio`)
needs no thread on PostgreSQL and Redis. It is opt-in because the sync
clients in the pool served more requests per second here (docs/async.md).

Example:
    >>> import asyncio, suo
    >>> from suo.web import ASGIApp
    >>> s = suo.Shortener("memory://")
    >>> _ = s.shorten("https://example.com/", alias="ex")
    >>> sent = []
    >>> async def receive(): return {"type": "http.request", "body": b""}
    >>> async def send(message): sent.append(message)
    >>> scope = {"type": "http", "method": "GET", "path": "/ex", "headers": [], "client": ("127.0.0.1", 5000)}
    >>> asyncio.run(ASGIApp(s)(scope, receive, send))
    >>> sent[0]["status"], dict(sent[0]["headers"])[b"location"]
    (302, b'https://example.com/')
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from attrs import evolve

from suo.console import is_console
from suo.console import respond as console_respond
from suo.errors import ConfigurationError
from suo.web.core import MAX_FORM, Request, Responder, Response
from suo.web.proxies import TrustedProxies

if TYPE_CHECKING:
    from suo.shortener.service import Shortener

__all__ = ["ASGIApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _is_in_process(shortener: Shortener) -> bool:
    # Any store that declares it (Store.in_process), not only the memory store.
    from suo.storage import Store

    store = shortener.store
    return isinstance(store, Store) and store.in_process


def _default_threads(shortener: Shortener) -> int:
    # SQLite takes one writer at a time and every visit writes: more threads
    # only queue on the database lock (the p99 grew sixfold in bench_serve), so one thread
    # keeps the loop free and the writes in line. Servers take many at once.
    return 1 if getattr(shortener.store, "dialect", None) == "sqlite" else 16


async def _read_body(receive: Receive, limit: int) -> bytes:
    """Up to ``limit`` bytes of the request body (the rest is left unread)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        message = await receive()
        if message.get("type") != "http.request":
            break
        chunk = bytes(message.get("body") or b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)[:limit]


# Header pairs as ASGI wants them (lower-case latin-1 bytes), memoised: a
# redirect's headers are the same few pairs but for Location, and encoding
# them anew cost about a tenth of an in-process click. Bounded: cleared when full.
_ENCODED: dict[tuple[str, str], tuple[bytes, bytes]] = {}
_ENCODED_MAX = 4096


def _encode_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """``(name, value)`` pairs as lower-case latin-1 bytes (memoised per pair).

    Example:
        >>> _encode_headers([("Location", "https://example.com/"), ("Content-Length", "0")])
        [(b'location', b'https://example.com/'), (b'content-length', b'0')]
    """
    out = []
    cache = _ENCODED
    for pair in headers:
        encoded = cache.get(pair)
        if encoded is None:
            encoded = (pair[0].lower().encode("latin-1"), pair[1].encode("latin-1"))
            if len(cache) >= _ENCODED_MAX:
                cache.clear()
            cache[pair] = encoded
        out.append(encoded)
    return out


# The request headers suo reads; every other header is skipped undecoded.
_WANTED = {
    b"user-agent": "user-agent",
    b"accept-language": "accept-language",
    b"x-forwarded-for": "x-forwarded-for",
    b"referer": "referer",
    b"content-type": "content-type",  # a password form's POST
    b"host": "host",  # which short domain
}


def _wanted_headers(items: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The headers a visit reads, as a dict; repeated headers joined by ``", "``.

    Example:
        >>> _wanted_headers([(b"user-agent", b"curl/8"), (b"cookie", b"x"), (b"Referer", b"r")])
        {'user-agent': 'curl/8', 'referer': 'r'}
    """
    out: dict[str, str] = {}
    for raw_name, raw_value in items:
        name = _WANTED.get(raw_name) or _WANTED.get(bytes(raw_name).lower())
        if name is None:
            continue
        value = bytes(raw_value).decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


class ASGIApp:
    """An ASGI 3 application answering visits to a Shortener's links.

    Mount it in Starlette / FastAPI (``app.mount("/s", ASGIApp(s))``) or run it
    with any ASGI server (``uvicorn``; ``suo serve`` does that). It reads
    ``path`` below ``root_path``; see :mod:`suo.web.core` for the routes and
    headers. ``lifespan`` events are answered; on shutdown the thread pool is
    drained (the Shortener's store is left open: it belongs to the caller).

    Args:
        shortener: the :class:`~suo.shortener.Shortener` whose links are served.
        trusted_proxies: addresses / CIDR blocks of your reverse proxies whose
            ``X-Forwarded-For`` is believed (``"unix"`` for a Unix-socket peer).
            Empty (default): the client is the socket peer.
        referrer_policy: the ``Referrer-Policy`` sent with redirects.
        offload: run each resolve in the thread pool (``True``), on the event
            loop (``False``), or decide by store (``None``, default: inline for
            a store whose ``in_process`` is true, like the memory store; the
            pool for everything else). The pool runs
            on the asyncio loop (uvicorn, hypercorn's asyncio worker, daphne).
        max_threads: the size of the pool, i.e. how many resolves may wait on
            the store at once (default: 1 for SQLite, 16 for everything else).
        api: another ASGI app to answer every path under ``api_prefix``,
            typically the management API (:func:`suo.api.create_app`); every
            other path keeps this adapter's own fast path. The API app gets
            ``root_path`` extended by the prefix (the ASGI mount convention,
            as Starlette's ``Mount``), so its OpenAPI document, problem
            ``instance`` fields and relative links say ``/api/v1/...``.
            Lifespan events are answered here and not passed on. With an
            ``api``, ``/console`` serves the operator console too
            (:mod:`suo.console`: static files that call the API).
        api_prefix: where ``api`` is mounted (default ``/api/v1``; no trailing slash).
        native: answer visits with ``await Shortener.aresolve`` on the event loop
            (``True``: no thread on PostgreSQL and Redis, see
            :mod:`suo.storage.aio`), or with ``resolve`` as ``offload`` says
            (``False``, the default: the sync clients in the pool cost less
            CPU per visit, see docs/async.md). QR codes and other paths
            always go the ``offload`` way.

    Example:
        >>> import suo
        >>> ASGIApp(suo.Shortener("memory://")).offload
        False
        >>> app = ASGIApp(suo.Shortener("sqlite://"))
        >>> app.offload, app.max_threads, app.native
        (True, 1, False)
    """

    def __init__(
        self,
        shortener: Shortener,
        *,
        trusted_proxies: Iterable[str] | TrustedProxies = (),
        referrer_policy: str = "strict-origin-when-cross-origin",
        offload: bool | None = None,
        max_threads: int | None = None,
        api: Callable[[Scope, Receive, Send], Awaitable[None]] | None = None,
        api_prefix: str = "/api/v1",
        native: bool = False,
    ) -> None:
        prefix = "/" + api_prefix.strip("/")
        if api is not None and prefix == "/":
            raise ConfigurationError(
                f"api_prefix must name a path below the root, like /api/v1; got {api_prefix!r}"
            )
        if max_threads is None:
            max_threads = _default_threads(shortener)
        if max_threads < 1:
            raise ConfigurationError(f"max_threads must be at least 1, got {max_threads}")
        self.shortener = shortener
        self.responder = Responder(
            shortener, trusted_proxies=trusted_proxies, referrer_policy=referrer_policy
        )
        self.offload: bool = (not _is_in_process(shortener)) if offload is None else offload
        self.native = native
        self.max_threads = max_threads
        self.api = api
        self.api_prefix = prefix
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    # -- plumbing -----------------------------------------------------------

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.max_threads, thread_name_prefix="suo-resolve"
                )
            return self._executor

    def close(self) -> None:
        """Wait for running resolves and stop the thread pool (it restarts on demand)."""
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    @staticmethod
    def request_from(scope: Scope) -> Request:
        """Read the fields suo uses from an ASGI ``http`` scope."""
        path = str(scope.get("path") or "/")
        root = str(scope.get("root_path") or "")
        if root and path.startswith(root):  # ASGI: path includes root_path
            path = path[len(root) :] or "/"
        headers = _wanted_headers(scope.get("headers") or ())
        client = scope.get("client")
        raw = scope.get("query_string") or b""
        query = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
        return Request(
            method=str(scope.get("method") or "GET"),
            path=path,
            user_agent=headers.get("user-agent", ""),
            accept_language=headers.get("accept-language"),
            forwarded_for=headers.get("x-forwarded-for"),
            peer=str(client[0]) if client else None,
            referrer=headers.get("referer"),
            query=query or None,
            content_type=headers.get("content-type"),
            host=headers.get("host"),
        )

    async def handle(self, scope: Scope, receive: Receive | None = None) -> Response:
        """The :class:`~suo.web.core.Response` for an ``http`` scope.

        With ``receive``, a ``POST`` body (a password form) is read, at most
        :data:`~suo.web.core.MAX_FORM` + 1 bytes of it.
        """
        request = self.request_from(scope)
        if request.method == "POST" and receive is not None:
            request = evolve(request, body=await _read_body(receive, MAX_FORM + 1))
        if self.native:
            code = self.responder.visit_code(request)
            if code is not None:
                return await self.responder.avisit(code, request)
        if not self.offload:
            return self.responder.handle(request)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool(), self.responder.handle, request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            if kind == "websocket":
                await receive()
                await send({"type": "websocket.close", "code": 1003})
            return
        if self.api is not None and self._is_api(scope):
            root = str(scope.get("root_path") or "")
            await self.api(dict(scope, root_path=root + self.api_prefix), receive, send)
            return
        if self.api is not None and is_console(self._local_path(scope)):
            status, headers, body = console_respond(
                str(scope.get("method") or "GET"),
                self._local_path(scope),
                api_prefix=self.api_prefix,
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        response = await self.handle(scope, receive)
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": _encode_headers(response.headers),
            }
        )
        await send({"type": "http.response.body", "body": response.body})

    @staticmethod
    def _local_path(scope: Scope) -> str:
        """An ``http`` scope's path below its ``root_path``."""
        path = str(scope.get("path") or "/")
        root = str(scope.get("root_path") or "")
        if root and path.startswith(root):
            path = path[len(root) :]
        return path

    def _is_api(self, scope: Scope) -> bool:
        """Whether an ``http`` scope's path is ``api_prefix`` or below it."""
        path = self._local_path(scope)
        prefix = self.api_prefix
        return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncio.get_running_loop().run_in_executor(None, self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def __repr__(self) -> str:
        return f"ASGIApp({self.shortener!r}, offload={self.offload}, native={self.native})"
