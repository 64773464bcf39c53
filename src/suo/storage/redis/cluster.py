"""The Redis store on a Redis Cluster (redis-py's ``RedisCluster``).

``redis+cluster://host:port`` (``rediss+cluster://`` for TLS) names any one
node of the cluster; the client asks it for the slot map and then talks to
every master directly. The key layout is the single-node store's: every key
of one link, one live code, one community carries the same hash tag, so each
atomic step (a visit, a claim, a delete) is one command or one Lua script in
one slot. Operations that span links (a listing, a tag index) go slot by slot.

Options (keyword arguments of :func:`suo.open_store`, or the URL's query:
``?prefix=app&socket_timeout=0.5&retries=1``): ``prefix`` (key namespace), ``socket_timeout`` (seconds per
command, default 5), ``connect_timeout`` (default 3) and ``retries`` (how many
times redis-py retries a command after a connection error or a moved slot,
refreshing the slot map each time; default 2). A call to an unreachable node
fails with :class:`~suo.errors.StorageUnavailable` after at most about
``(retries + 1) * socket_timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from suo.errors import ConfigurationError, MissingDependency, StorageUnavailable, SuoError
from suo.storage.redis import RedisStore

__all__ = ["RedisClusterStore"]

_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


_MIN_REDIS_PY = (6, 1)
"""Transactions in Cluster pipelines (one slot's MULTI/EXEC), which API keys and
live codes use, arrived in redis-py 6.1."""


def _check_redis_py(version: str) -> None:
    """Raise :class:`~suo.errors.MissingDependency` for a redis-py too old for Cluster.

    Examples:
        >>> _check_redis_py("6.1.0")
        >>> _check_redis_py("5.2.1")
        Traceback (most recent call last):
        ...
        suo.errors.MissingDependency: the Redis Cluster store needs redis-py >= 6.1 (installed: 5.2.1): pip install -U 'suo[redis]' 'redis>=6.1'
    """
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    if parts < _MIN_REDIS_PY:
        raise MissingDependency(
            f"the Redis Cluster store needs redis-py >= 6.1 (installed: {version}): "
            "pip install -U 'suo[redis]' 'redis>=6.1'"
        )


def client_url(url: str) -> str:
    """The ``redis://`` (or ``rediss://``) URL redis-py's ``RedisCluster`` reads.

    Examples:
        >>> client_url("redis+cluster://127.0.0.1:7000?prefix=app")
        'redis://127.0.0.1:7000'
        >>> client_url("rediss+cluster://:pw@h:7000/0")
        'rediss://:pw@h:7000/0'
        >>> client_url("redis+cluster://h:7000/2")
        Traceback (most recent call last):
        ...
        suo.errors.ConfigurationError: Redis Cluster has only database 0, got '/2' in 'redis+cluster://h:7000/2'; drop the path or use /0
    """
    parts = urlsplit(url)
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise ConfigurationError(
            f"a Redis Cluster URL starts with redis+cluster:// or rediss+cluster://, got {url!r}"
        )
    if parts.path not in ("", "/", "/0"):
        raise ConfigurationError(
            f"Redis Cluster has only database 0, got {parts.path!r} in {url!r}; "
            "drop the path or use /0"
        )
    if not parts.hostname:
        raise ConfigurationError(f"Redis Cluster URL {url!r} names no host")
    return urlunsplit((scheme, parts.netloc, parts.path, "", ""))


class RedisClusterStore(RedisStore):
    """All suo data in a Redis Cluster: ``redis+cluster://host:port`` (any node).

    Examples:
        >>> import suo
        >>> suo.open_store("redis+cluster://127.0.0.1:7000/3")
        Traceback (most recent call last):
        ...
        suo.errors.ConfigurationError: Redis Cluster has only database 0, got '/3' in 'redis+cluster://127.0.0.1:7000/3'; drop the path or use /0
    """

    # A pipeline on a cluster is split by node and its parts run one after the
    # other: concurrent visits would wait in line for it. Each visit goes alone
    # (suo.shortener.batching sees no hit_many and leaves this store be).
    hit_many = None  # type: ignore[assignment]

    def __init__(self, url: str, *, retries: int | None = None, **options: Any) -> None:
        if retries is None:
            # ?retries=1 in the URL, like ?socket_timeout=, for `suo serve --store`.
            text = (parse_qs(urlsplit(url).query).get("retries") or ["2"])[0]
            retries = int(text) if text.isdigit() else -1
            if retries < 0:
                raise ConfigurationError(
                    f"retries in the Redis Cluster URL must be a whole number >= 0, got {text!r}"
                )
        if not isinstance(retries, int) or retries < 0:
            raise ConfigurationError(f"retries must be a whole number >= 0, got {retries!r}")
        client_url(url)  # a bad URL fails before any connection
        _check_redis_py(redis.__version__)
        self._retries = retries
        super().__init__(url, **options)

    def _connect(self, url: str, *, socket_timeout: float, connect_timeout: float) -> Any:
        return RedisCluster.from_url(
            client_url(url),
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            decode_responses=True,
            health_check_interval=30,
            retry=Retry(ExponentialWithJitterBackoff(base=0.01, cap=0.5), self._retries),
        )

    def _engine_error(self, e: Exception) -> SuoError | None:
        error = super()._engine_error(e)
        if isinstance(error, StorageUnavailable):
            # A command that timed out may still be answered later, on a connection
            # redis-py could hand out again (a pipeline's, say): drop every
            # connection, so no later call reads a stale reply. They reopen lazily.
            with contextlib.suppress(Exception):
                self._r.disconnect_connection_pools()
        return error

    def _mget(self, keys: list[str]) -> list[str | None]:
        # One MGET per slot, sent together (redis-py groups them by node).
        return list(self._r.mget_nonatomic(keys))
