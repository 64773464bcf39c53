"""Connection-pool and PgBouncer options of the SQL store, from keywords or the URL query.

One worker process owns one SQLAlchemy pool. Its size is set per worker, so
the whole deployment holds at most ``workers x (pool_size + max_overflow)``
server connections; keep that below PostgreSQL's ``max_connections`` (minus
what other clients need), or put PgBouncer in front. Each option can be given
to :func:`suo.open_store` as a keyword or in the URL's query string, so a
server configured by one URL (``SUO_STORE``) can size its pool too::

    postgresql+psycopg://suo@db/suo?pool_size=8&max_overflow=4&pool_timeout=3
    postgresql+psycopg://suo@pgbouncer:6432/suo?pgbouncer=1&schema=campaigns

A keyword wins over the same option in the URL. suo takes its own options out
of the query before the URL reaches SQLAlchemy; everything else in the query
goes to the driver as before.

Examples:
    >>> o = pool_options("postgresql+psycopg://h/db?pool_size=4&pgbouncer=1&sslmode=require", {})
    >>> o.url, o.pool_size, o.max_overflow, o.pgbouncer
    ('postgresql+psycopg://h/db?sslmode=require', 4, 20, True)
    >>> pool_options("postgresql+psycopg://h/db?pool_size=0", {})
    Traceback (most recent call last):
    ...
    suo.errors.ConfigurationError: pool_size must be a whole number of at least 1, got '0' (in the URL or as open_store(pool_size=...))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from suo.errors import ConfigurationError

__all__ = ["PoolOptions", "pool_exhausted_message", "pool_options", "postgres_connect_args"]

DEFAULT_POOL_SIZE = 10
DEFAULT_MAX_OVERFLOW = 20

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
OWN_QUERY = ("pool_size", "max_overflow", "pool_timeout", "pgbouncer", "schema")
"""Query parameters suo reads itself (never passed to the driver)."""


@dataclass(frozen=True)
class PoolOptions:
    """The pool settings of one store (one per worker process).

    Attributes:
        url: the URL without suo's own query parameters.
        pool_size: connections kept open.
        max_overflow: connections opened beyond ``pool_size`` under load, closed after.
        pool_timeout: seconds a call waits for a free connection before
            :class:`~suo.errors.StorageUnavailable` (``None``: the store's default).
        pgbouncer: behind PgBouncer in transaction mode: no prepared
            statements (psycopg's ``prepare_threshold=None``) and no
            ``options`` startup parameter (set timeouts on the role instead).
        schema: the PostgreSQL schema from the URL (``None`` if not given).
    """

    url: str
    pool_size: int = DEFAULT_POOL_SIZE
    max_overflow: int = DEFAULT_MAX_OVERFLOW
    pool_timeout: float | None = None
    pgbouncer: bool = False
    schema: str | None = None


def _int(name: str, value: Any, minimum: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = minimum - 1
    if isinstance(value, bool) or n < minimum or str(value).strip() != str(n):
        raise ConfigurationError(
            f"{name} must be a whole number of at least {minimum}, got {value!r} "
            f"(in the URL or as open_store({name}=...))"
        )
    return n


def _float(name: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = -1.0
    if isinstance(value, bool) or not x > 0 or x != x or x == float("inf"):
        raise ConfigurationError(
            f"{name} must be a number of seconds above 0, got {value!r} "
            f"(in the URL or as open_store({name}=...))"
        )
    return x


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be 1/0 or true/false, got {value!r}")


def pool_options(url: str, kwargs: dict[str, Any]) -> PoolOptions:
    """Split suo's pool options off ``url``; ``kwargs`` (popped) override the query.

    Raises:
        ConfigurationError: an option is out of range or not a number.
    """
    parts = urlsplit(url)
    found: dict[str, Any] = {}
    rest: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in OWN_QUERY:
            found[key] = value
        else:
            rest.append((key, value))
    clean = urlunsplit(parts._replace(query=urlencode(rest))) if found else url
    for key in OWN_QUERY:
        if key in kwargs:
            value = kwargs.pop(key)
            if value is not None:
                found[key] = value
    schema = found.get("schema")
    if schema is not None and (not str(schema) or '"' in str(schema)):
        raise ConfigurationError(f"schema must be a name without quotes, got {schema!r}")
    return PoolOptions(
        url=clean,
        pool_size=_int("pool_size", found.get("pool_size", DEFAULT_POOL_SIZE), 1),
        max_overflow=_int("max_overflow", found.get("max_overflow", DEFAULT_MAX_OVERFLOW), 0),
        pool_timeout=(
            _float("pool_timeout", found["pool_timeout"]) if "pool_timeout" in found else None
        ),
        pgbouncer=_bool("pgbouncer", found.get("pgbouncer", False)),
        schema=None if schema is None else str(schema),
    )


def postgres_connect_args(
    pool: PoolOptions, connect_timeout: float, statement_timeout: float
) -> dict[str, Any]:
    """psycopg's connect arguments: timeouts, or PgBouncer transaction-mode settings.

    PgBouncer in transaction mode hands each transaction to any server
    connection, so a statement prepared on one is missing on the next:
    ``prepare_threshold=None`` turns psycopg's automatic prepared statements
    off. PgBouncer (before 1.20) also refuses the ``options`` startup
    parameter that carries suo's ``statement_timeout``; behind it, set the
    timeouts on the role instead (``ALTER ROLE suo SET statement_timeout = '10s'``).

    Examples:
        >>> postgres_connect_args(PoolOptions(url="", pgbouncer=True), 5, 10)
        {'connect_timeout': 5, 'prepare_threshold': None}
        >>> postgres_connect_args(PoolOptions(url=""), 5, 10)["options"]
        '-c statement_timeout=10000 -c lock_timeout=10000'
    """
    args: dict[str, Any] = {"connect_timeout": max(1, int(connect_timeout))}
    if pool.pgbouncer:
        args["prepare_threshold"] = None
    else:
        ms = int(statement_timeout * 1000)
        args["options"] = f"-c statement_timeout={ms} -c lock_timeout={ms}"
    return args


def pool_exhausted_message(pool: Any, url: str) -> str:
    """What a caller sees when no pooled connection freed up within ``pool_timeout``."""
    size = getattr(pool, "size", lambda: "?")()
    overflow = getattr(pool, "_max_overflow", "?")
    timeout = getattr(pool, "_timeout", "?")
    return (
        f"database unavailable ({url}): all {size}+{overflow} pooled connections stayed busy "
        f"for {timeout} s; raise pool_size / max_overflow (e.g. ?pool_size=20 in the URL), "
        "lower the server's --threads, or check for slow statements"
    )
