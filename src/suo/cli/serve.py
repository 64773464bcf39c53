"""``suo serve``: answer visits to short links over HTTP, on uvicorn.

uvicorn (the ``serve`` extra) is a maintained, production-grade ASGI server;
suo only hands it :class:`suo.web.ASGIApp`. On SIGTERM or Ctrl-C uvicorn stops
accepting connections, lets requests in flight finish (up to
``--graceful-timeout`` seconds), then suo closes the store and exits 0. Each
request is written to the access log (the ``uvicorn.access`` logger, on
stdout; the server's own messages go to stderr) unless ``--no-access-log``.

Example:
    $ suo shorten https://example.com/spring --policy anti-block --store sqlite:///links.db
    aZ3kP9q	http://127.0.0.1:8080/aZ3kP9q
    $ suo serve --store sqlite:///links.db --port 8080 --base-url https://s.example/

With ``--api`` the management API (:mod:`suo.api`, the ``api`` extra) answers
every path under ``/api/v1`` (``--api-prefix``), rate-limited per key
(``--rate-limit``); every other path stays on the raw redirect adapter, so no
web framework runs per click.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
from types import FrameType
from typing import Any

from suo.errors import MissingDependency

__all__ = ["build_app", "cmd_serve", "register"]


def build_app(args: argparse.Namespace) -> Any:
    """The :class:`~suo.web.ASGIApp` the options describe (the store is opened here)."""
    from suo.cli import default_store_url
    from suo.shortener import Shortener
    from suo.web import ASGIApp

    with_api = bool(getattr(args, "api", False))
    if with_api:
        _check_api_extra()
    base_url = args.base_url or f"http://{_url_host(args.host)}:{args.port}/"
    shortener = Shortener(
        args.store or default_store_url(), base_url=base_url, cache_ttl=args.cache_ttl
    )
    try:
        return ASGIApp(
            shortener,
            trusted_proxies=args.trusted_proxy or (),
            max_threads=args.threads,
            api=_api_app(shortener, getattr(args, "rate_limit", None)) if with_api else None,
            api_prefix=getattr(args, "api_prefix", None) or "/api/v1",
        )
    except BaseException:
        shortener.store.close()
        raise


def _check_api_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import limits  # noqa: F401
    except ImportError:
        raise MissingDependency("suo serve --api needs FastAPI: pip install 'suo[api]'") from None


def _api_app(shortener: Any, rate_limit: str | None) -> Any:
    """The management API app for ``--api``; ``rate_limit`` ``"off"`` turns limits off."""
    from suo.api.app import DEFAULT_RATE_LIMIT, create_app

    rate = rate_limit or DEFAULT_RATE_LIMIT
    return create_app(shortener, rate_limit=None if rate.strip().lower() == "off" else rate)


def _redact(url: str) -> str:
    """A store URL with any password masked, for the log."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return n


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server until SIGTERM / SIGINT; 0 after a graceful shutdown."""
    try:
        import uvicorn
    except ImportError:
        raise MissingDependency("suo serve needs uvicorn: pip install 'suo[serve]'") from None
    if getattr(args, "workers", 1) != 1:
        from suo.cli.serve_workers import serve_workers

        return serve_workers(args)
    app = build_app(args)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        root_path=args.root_path,
        # suo reads X-Forwarded-For itself, only from --trusted-proxy peers.
        proxy_headers=False,
        server_header=False,
        access_log=not args.no_access_log,
        log_level=args.log_level,
        lifespan="on",
        timeout_graceful_shutdown=args.graceful_timeout,
    )
    server = uvicorn.Server(config)
    stopped: list[int] = []

    def note_signal(sig: int, frame: FrameType | None) -> None:
        # uvicorn re-raises the signal it shut down for once its own handler is
        # gone; this one takes it, so the store is closed and the exit is clean.
        stopped.append(sig)

    if args.base_url is None and args.host in ("0.0.0.0", "::", ""):  # noqa: S104 - a comparison
        print(
            f"suo: warning: short URLs and QR codes will say {app.shortener.base_url}; "
            "pass --base-url https://your.short.domain/ to print your public address",
            file=sys.stderr,
        )
    previous = {s: signal.signal(s, note_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    print(
        f"suo: serving {_redact(getattr(app.shortener.store, 'url', '?'))} "
        f"on http://{_url_host(args.host)}:{args.port}{args.root_path} "
        f"(short URLs: {app.shortener.base_url})"
        + (f"; API at {args.root_path}{app.api_prefix}" if app.api is not None else ""),
        file=sys.stderr,
        flush=True,
    )
    try:
        server.run()
    finally:
        app.close()
        app.shortener.store.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        print("suo: error: the server did not start (see the log above)", file=sys.stderr)
        return 1
    print("suo: stopped", file=sys.stderr, flush=True)
    return 0


def register(sub: Any) -> None:
    """Add the ``serve`` subcommand to the ``suo`` parser."""
    from suo.cli import add_store_option

    p = sub.add_parser(
        "serve",
        help="serve the short links over HTTP (uvicorn)",
        description="Answer visits to short links: redirects, guide pages, QR images.",
    )
    add_store_option(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    p.add_argument(
        "--base-url",
        default=None,
        help="public prefix of short URLs, used in QR codes (default http://HOST:PORT/)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="CIDR",
        help="a reverse proxy whose X-Forwarded-For is believed: an address, a CIDR "
        "block, or 'unix' (repeat for more; default: trust nobody)",
    )
    p.add_argument("--root-path", default="", help="path prefix the proxy strips, e.g. /s")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="resolves that may wait on the store at once (default: 1 for SQLite, else 16)",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="worker processes answering on the port, each with its own store "
        "connections (default 1; needs a shared store: SQLite file, PostgreSQL, Redis)",
    )
    p.add_argument(
        "--cache-ttl",
        type=float,
        default=10.0,
        help="seconds a link stays in the read cache (0: off; default 10)",
    )
    p.add_argument(
        "--graceful-timeout",
        type=float,
        default=10.0,
        help="seconds requests in flight get to finish on shutdown (default 10)",
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
    )
    p.add_argument("--no-access-log", action="store_true", help="do not log each request")
    p.add_argument(
        "--api",
        action="store_true",
        help="also serve the management API under --api-prefix (needs suo[api])",
    )
    p.add_argument(
        "--api-prefix",
        default="/api/v1",
        metavar="PATH",
        help="where --api answers (default /api/v1; its OpenAPI document is PATH/openapi.json)",
    )
    p.add_argument(
        "--rate-limit",
        default=None,
        metavar="RATE",
        help="requests per API key, e.g. 1000/minute or 20/second; 'off' for none "
        "(default 1000/minute; counted in Redis when the store is Redis)",
    )
    p.set_defaults(func=cmd_serve)
