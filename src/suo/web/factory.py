"""An app factory for running suo's link server under any ASGI server, one store per process.

``suo serve`` is one way to run :class:`~suo.web.ASGIApp`; people who run their
own server (several worker processes, a process manager, a container
platform) point it at a factory instead. A factory is called once **in each
worker process**, after that process started, so every worker opens its own
store connections: nothing is shared across a ``fork``.

Configuration comes from environment variables (everything else from the
store URL, e.g. ``?pool_size=8`` for PostgreSQL or ``?prefix=campaign`` for
Redis):

============================  ===============================================
``SUO_STORE``                 the store URL (required: a process-local store,
                              ``memory://`` or ``sqlite://``, is refused when
                              ``SUO_WORKERS`` says more than one process)
``SUO_BASE_URL``              public prefix of short URLs (QR codes)
``SUO_CACHE_TTL``             seconds a link stays in the read cache (10)
``SUO_THREADS``               resolves waiting on the store at once, per worker
``SUO_TRUSTED_PROXIES``       comma-separated proxies whose X-Forwarded-For counts
``SUO_API``                   ``1``: mount the management API (``suo[api]``)
``SUO_API_PREFIX``            where the API answers (``/api/v1``)
``SUO_RATE_LIMIT``            API requests per key (``1000/minute``; ``off``)
``SUO_WORKERS``               how many processes share the store (a check only)
``SUO_WORKER_HEADER``         ``1``: add ``X-Suo-Worker: <pid>`` to every answer
                              (debugging a multi-process deployment; it
                              reveals a process id, so leave it off in production)
============================  ===============================================

Run it with the server of your choice::

    SUO_STORE=redis://127.0.0.1:6379/0 granian --interface asgi --workers 4 \\
        --factory suo.web:app_from_env
    SUO_STORE=postgresql+psycopg://suo@db/suo uvicorn --factory suo.web:app_from_env --workers 4
    SUO_STORE=sqlite:///links.db gunicorn -k uvicorn.workers.UvicornWorker -w 4 \\
        'suo.web:app_from_env()'

The app closes its store when the server sends the ASGI lifespan shutdown.

Example:
    >>> from suo.web import app_from_env
    >>> app = app_from_env({"SUO_STORE": "memory://", "SUO_BASE_URL": "https://s.example/"})
    >>> app.shortener.base_url, app.offload
    ('https://s.example/', False)
    >>> app.close()
    >>> app_from_env({"SUO_STORE": "memory://", "SUO_WORKERS": "2"})
    Traceback (most recent call last):
    ...
    suo.errors.ConfigurationError: store 'memory://' lives inside one process, so 2 worker processes would each have their own links and counts; use a shared store (sqlite:///file.db, postgresql+psycopg://..., redis://...) or one worker
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from suo.errors import ConfigurationError, MissingDependency
from suo.web.asgi import ASGIApp, Receive, Scope
from suo.web.core import Response

if TYPE_CHECKING:
    from suo.shortener.store import LinkStore

__all__ = ["ServedApp", "app_from_env", "check_shared_store", "create_app"]

_PROCESS_LOCAL = ("memory://", "sqlite://", "sqlite:///:memory:", "sqlite+pysqlite://")


def check_shared_store(url: str, workers: int) -> None:
    """Refuse a store that lives in one process when ``workers`` processes would serve it.

    Raises:
        ConfigurationError: ``workers`` > 1 and ``url`` is ``memory://`` or an
            in-memory SQLite database.

    Example:
        >>> check_shared_store("sqlite:///links.db", 4)
        >>> check_shared_store("memory://", 1)
    """
    bare = url.strip().split("?", 1)[0].lower()
    if workers > 1 and (bare.startswith("memory:") or bare in _PROCESS_LOCAL):
        raise ConfigurationError(
            f"store {url!r} lives inside one process, so {workers} worker processes "
            "would each have their own links and counts; use a shared store "
            "(sqlite:///file.db, postgresql+psycopg://..., redis://...) or one worker"
        )


class ServedApp(ASGIApp):
    """An :class:`~suo.web.ASGIApp` that owns its store: lifespan shutdown closes it.

    What :func:`create_app` returns. ``worker_header`` adds ``X-Suo-Worker``
    (the process id) to every link answer.
    """

    def __init__(self, shortener: Any, *, worker_header: bool = False, **options: Any) -> None:
        super().__init__(shortener, **options)
        self.worker_header = worker_header
        self._pid_header = ("X-Suo-Worker", str(os.getpid()))

    async def handle(self, scope: Scope, receive: Receive | None = None) -> Response:
        """The link answer, with ``X-Suo-Worker`` when asked for."""
        response = await super().handle(scope, receive)
        if self.worker_header:
            return Response(response.status, (*response.headers, self._pid_header), response.body)
        return response

    def close(self) -> None:
        """Stop the thread pool, then close the store (the server is shutting down)."""
        super().close()
        self.shortener.store.close()


def create_app(
    store: str | LinkStore,
    *,
    base_url: str | None = None,
    cache_ttl: float = 10.0,
    trusted_proxies: Iterable[str] = (),
    max_threads: int | None = None,
    api: bool = False,
    api_prefix: str = "/api/v1",
    rate_limit: str | None = None,
    worker_header: bool = False,
    **store_options: Any,
) -> ServedApp:
    """Open ``store`` and return the link server for it, as ``suo serve`` configures it.

    Call it in the process that serves (a factory runs in each worker).

    Args:
        store: a store URL or an open store (which the app then owns and closes).
        base_url: public prefix of short URLs (default ``http://127.0.0.1:8080/``).
        cache_ttl: seconds a link stays in the read cache (0: off).
        trusted_proxies: proxies whose ``X-Forwarded-For`` is believed.
        max_threads: resolves that may wait on the store at once (default: 1 for
            SQLite, 16 otherwise); keep the PostgreSQL pool at least this large.
        api: also serve the management API under ``api_prefix`` (``suo[api]``).
        api_prefix: where the API answers.
        rate_limit: API requests per key (``"off"`` for none).
        worker_header: add ``X-Suo-Worker: <pid>`` to link answers.
        **store_options: passed to :func:`suo.open_store` with a URL.

    Raises:
        MissingDependency: ``api=True`` without the ``api`` extra.

    Example:
        >>> app = create_app("sqlite://", base_url="https://s.example/", worker_header=True)
        >>> _ = app.shortener.shorten("https://example.com/", alias="ex")
        >>> from suo.testing import ASGIClient
        >>> r = ASGIClient(app).get("/ex")
        >>> import os
        >>> r.status_code, r.headers["location"], r.headers["x-suo-worker"] == str(os.getpid())
        (302, 'https://example.com/', True)
        >>> app.close()
    """
    from suo.shortener import Shortener
    from suo.storage import open_store

    opened = open_store(store, **store_options) if isinstance(store, str) else store
    try:
        shortener = Shortener(
            opened, base_url=base_url or "http://127.0.0.1:8080/", cache_ttl=cache_ttl
        )
        mounted: Any = None
        if api:
            mounted = _api_app(shortener, rate_limit)
        return ServedApp(
            shortener,
            trusted_proxies=tuple(trusted_proxies),
            max_threads=max_threads,
            api=mounted,
            api_prefix=api_prefix,
            worker_header=worker_header,
        )
    except BaseException:
        opened.close()
        raise


def _api_app(shortener: Any, rate_limit: str | None) -> Any:
    try:
        import fastapi  # noqa: F401
        import limits  # noqa: F401
    except ImportError:
        raise MissingDependency(
            "the management API needs FastAPI: pip install 'suo[api]'"
        ) from None
    from suo.api.app import DEFAULT_RATE_LIMIT
    from suo.api.app import create_app as create_api

    rate = rate_limit or DEFAULT_RATE_LIMIT
    return create_api(shortener, rate_limit=None if rate.strip().lower() == "off" else rate)


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigurationError(f"{name} must be 1 or 0, got {value!r}")


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float]) -> Any:
    value = env.get(name, "").strip()
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a {kind.__name__}, got {value!r}") from None


def app_from_env(environ: Mapping[str, str] | None = None) -> ServedApp:
    """The link server configured by ``SUO_*`` environment variables (see the module doc).

    Use it as a factory: ``uvicorn --factory suo.web:app_from_env``.

    Raises:
        ConfigurationError: ``SUO_STORE`` is missing, a value is malformed, or
            a process-local store is asked to serve several workers.
    """
    env = os.environ if environ is None else environ
    url = env.get("SUO_STORE", "").strip()
    if not url:
        raise ConfigurationError(
            "SUO_STORE is not set: give the store URL, e.g. "
            "SUO_STORE=sqlite:///links.db or SUO_STORE=redis://127.0.0.1:6379/0"
        )
    workers = _number(env, "SUO_WORKERS", int) or 1
    check_shared_store(url, workers)
    ttl = _number(env, "SUO_CACHE_TTL", float)
    proxies = [p.strip() for p in env.get("SUO_TRUSTED_PROXIES", "").split(",") if p.strip()]
    return create_app(
        url,
        base_url=env.get("SUO_BASE_URL") or None,
        cache_ttl=10.0 if ttl is None else ttl,
        trusted_proxies=proxies,
        max_threads=_number(env, "SUO_THREADS", int),
        api=_flag(env, "SUO_API"),
        api_prefix=env.get("SUO_API_PREFIX") or "/api/v1",
        rate_limit=env.get("SUO_RATE_LIMIT") or None,
        worker_header=_flag(env, "SUO_WORKER_HEADER"),
    )
