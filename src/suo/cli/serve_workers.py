"""``suo serve --workers N``: N worker processes answering on one port.

The parent process checks the store (opening it once creates the schema, so
the workers do not race to), closes it, and hands uvicorn the documented app
factory :func:`suo.web.app_from_env` with the options as ``SUO_*`` environment
variables. uvicorn starts each worker as a fresh process (``spawn``), and the
factory opens that worker's own store connections: no connection, pool or
engine crosses a fork. The kernel spreads connections over the workers, which
share the listening socket. On SIGTERM / Ctrl-C uvicorn stops the workers,
each finishes its requests in flight and closes its store (the app's lifespan
shutdown).

A store that lives in one process (``memory://``, ``sqlite://``) is refused:
each worker would keep links and counts of its own.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from suo.errors import MissingDependency

__all__ = ["serve_workers", "worker_environment"]


def worker_environment(args: argparse.Namespace, store_url: str) -> dict[str, str]:
    """The ``SUO_*`` variables :func:`suo.web.app_from_env` reads, from ``suo serve`` options.

    Example:
        >>> ns = argparse.Namespace(base_url=None, host="127.0.0.1", port=8080, cache_ttl=10.0,
        ...     threads=None, trusted_proxy=None, api=False, api_prefix="/api/v1",
        ...     rate_limit=None, workers=2)
        >>> env = worker_environment(ns, "sqlite:///links.db")
        >>> env["SUO_STORE"], env["SUO_BASE_URL"], env["SUO_WORKERS"]
        ('sqlite:///links.db', 'http://127.0.0.1:8080/', '2')
    """
    env = {
        "SUO_STORE": store_url,
        "SUO_BASE_URL": args.base_url or f"http://{_url_host(args.host)}:{args.port}/",
        "SUO_CACHE_TTL": str(args.cache_ttl),
        "SUO_TRUSTED_PROXIES": ",".join(args.trusted_proxy or ()),
        "SUO_API": "1" if getattr(args, "api", False) else "0",
        "SUO_API_PREFIX": getattr(args, "api_prefix", None) or "/api/v1",
        "SUO_WORKERS": str(args.workers),
    }
    if args.threads is not None:
        env["SUO_THREADS"] = str(args.threads)
    if getattr(args, "rate_limit", None):
        env["SUO_RATE_LIMIT"] = str(args.rate_limit)
    return env


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _redact(url: str) -> str:
    """A store URL with any password masked, for the log."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def serve_workers(args: argparse.Namespace) -> int:
    """Run ``args.workers`` uvicorn worker processes until SIGTERM / SIGINT; 0 when stopped."""
    import uvicorn

    from suo.cli import default_store_url
    from suo.storage import open_store
    from suo.web.factory import check_shared_store

    url = args.store or default_store_url()
    check_shared_store(url, args.workers)
    if getattr(args, "api", False):
        try:
            import fastapi  # noqa: F401
            import limits  # noqa: F401
        except ImportError:
            raise MissingDependency(
                "suo serve --api needs FastAPI: pip install 'suo[api]'"
            ) from None
    open_store(url).close()  # fail fast on a bad URL; create the schema once, here
    os.environ.update(worker_environment(args, url))
    print(
        f"suo: serving {_redact(url)} on http://{_url_host(args.host)}:{args.port}"
        f"{args.root_path} with {args.workers} worker processes",
        file=sys.stderr,
        flush=True,
    )
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "root_path": args.root_path,
        "proxy_headers": False,
        "server_header": False,
        "access_log": not args.no_access_log,
        "log_level": args.log_level,
        "lifespan": "on",
        "timeout_graceful_shutdown": args.graceful_timeout,
    }
    uvicorn.run("suo.web.factory:app_from_env", factory=True, workers=args.workers, **options)
    print("suo: stopped", file=sys.stderr, flush=True)
    return 0
