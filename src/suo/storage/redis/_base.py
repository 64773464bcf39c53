"""Connection, key layout and error wrapping for the Redis store."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import redis
from redis import exceptions as rexc

from suo.errors import ConfigurationError, StorageError, StorageUnavailable, SuoError
from suo.storage._common import EngineStore, engine_errors

# Every exception redis-py raises: RedisClusterException and two others derive
# from Exception, not RedisError.
_REDIS_ERRORS = (
    rexc.RedisError,
    rexc.RedisClusterException,
    rexc.ChildDeadlockedError,
    rexc.IncorrectPolicyType,
)
# The server (or the cluster) cannot be reached or cannot serve right now.
_UNAVAILABLE = (
    rexc.ConnectionError,
    rexc.TimeoutError,
    rexc.ClusterDownError,
    rexc.RedisClusterUnreachableError,
    rexc.SlotNotCoveredError,
    # A Cluster mid-failover: a slot is migrating, or a write reached a replica.
    rexc.TryAgainError,
    rexc.ReadOnlyError,
)


@functools.cache
def lua_scripts() -> dict[str, str]:
    """The Lua scripts shipped in ``suo/storage/redis/lua/``, by file stem; read once.

    Examples:
        >>> from suo.storage.redis._base import lua_scripts
        >>> "link_hit" in lua_scripts()
        True
    """
    folder = resources.files("suo.storage.redis").joinpath("lua")
    return {
        entry.name.removesuffix(".lua"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".lua")
    }


def _seconds(query: dict[str, list[str]], name: str, default: float) -> float:
    """A timeout from the URL's query string (``?socket_timeout=0.5``), else ``default``."""
    if name not in query:
        return default
    text = query[name][0]
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 3600:
        raise ConfigurationError(
            f"{name} in the Redis URL must be a number of seconds above 0, got {text!r}"
        )
    return value


class RedisBase(EngineStore):
    """Owns the client and the key prefix; domain mixins subclass it and build keys with :meth:`_key`.

    Every public method of a subclass is wrapped at class creation (see
    :class:`~suo.storage._common.EngineStore`): redis-py errors come out as
    :class:`~suo.errors.StorageError` subclasses.

    Key layout: ``{prefix}:{<tag>}:<name>``. The part in braces is the Redis
    Cluster hash tag, so every key one operation touches (a link's record and
    its counters, say) lands in one slot and a Lua script may use them all.
    """

    @engine_errors
    def __init__(
        self,
        *,
        url: str,
        prefix: str | None = None,
        socket_timeout: float = 5.0,
        connect_timeout: float = 3.0,
        **options: Any,
    ) -> None:
        if options:
            raise ConfigurationError(f"unknown Redis store options: {sorted(options)}")
        self.url = url
        query = parse_qs(urlsplit(url).query)
        prefix = prefix or (query.get("prefix") or ["suo"])[0]
        if "{" in prefix or "}" in prefix or not prefix:
            raise ConfigurationError(
                f"Redis key prefix must be non-empty, without braces: {prefix!r}"
            )
        self.prefix = prefix
        # ?socket_timeout=0.5&connect_timeout=1 in the URL, for `suo serve --store`.
        socket_timeout = _seconds(query, "socket_timeout", socket_timeout)
        connect_timeout = _seconds(query, "connect_timeout", connect_timeout)
        self.socket_timeout = socket_timeout
        """Seconds a command may take; a visit not run by then is refused (``hit``)."""
        clean = url.split("?", 1)[0]
        try:
            # Any, on purpose and in this one place: redis-py's stubs do not follow
            # decode_responses=True (every reply is typed bytes | str | Awaitable),
            # so a typed client would need a cast at each of the mixins' calls.
            self._r: Any = self._connect(
                clean, socket_timeout=socket_timeout, connect_timeout=connect_timeout
            )
        except ValueError as e:
            raise ConfigurationError(f"cannot use Redis URL {url!r}: {e}") from e
        # Registered once per client (no round trip: redis-py sends EVALSHA and
        # loads a script the server does not know yet).
        self._scripts: dict[str, Any] = {
            name: self._r.register_script(source) for name, source in lua_scripts().items()
        }
        self._r.ping()

    def _connect(self, url: str, *, socket_timeout: float, connect_timeout: float) -> Any:
        """The redis-py client for ``url`` (without its query); the Cluster store overrides it."""
        return redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            decode_responses=True,
            health_check_interval=30,
        )

    def _mget(self, keys: list[str]) -> list[str | None]:
        """``GET`` of each key, in order: one ``MGET`` here; per slot on a Cluster."""
        return list(self._r.mget(keys))

    def _key(self, tag: str, name: str) -> str:
        return f"{self.prefix}:{{{tag}}}:{name}"

    def _script(self, name: str) -> Any:
        """The registered script ``lua/<name>.lua``."""
        return self._scripts[name]

    def _engine_error(self, e: Exception) -> SuoError | None:
        if isinstance(e, _UNAVAILABLE):
            return StorageUnavailable(f"Redis unavailable ({self._safe_url}): {e}")
        if isinstance(e, _REDIS_ERRORS):
            return StorageError(f"Redis error ({self._safe_url}): {e}")
        return None

    @property
    def _safe_url(self) -> str:
        parts = urlsplit(self.url)
        if parts.password:
            return self.url.replace(parts.password, "***")
        return self.url

    @engine_errors
    def drop_all(self) -> int:
        """Delete every key under this store's prefix; returns how many. For tests."""
        n = 0
        for key in self._r.scan_iter(match=f"{self.prefix}:*", count=1000):
            n += int(self._r.delete(key))
        return n

    @engine_errors
    def close(self) -> None:
        """Close the connection pool."""
        self._r.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._safe_url!r}, prefix={self.prefix!r})"
