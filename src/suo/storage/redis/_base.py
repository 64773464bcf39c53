"""Connection, key layout and error wrapping for the Redis store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import redis
from redis import exceptions as rexc

from suo.errors import ConfigurationError, StorageError, StorageUnavailable


class RedisBase:
    """Owns the client and the key prefix; domain mixins build keys with :meth:`_key`.

    Key layout: ``{prefix}:{<tag>}:<name>``. The part in braces is the Redis
    Cluster hash tag, so every key one operation touches (a link's record and
    its counters, say) lands in one slot and a Lua script may use them all.
    """

    url: str

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
        clean = url.split("?", 1)[0]
        try:
            self._r: redis.Redis = redis.Redis.from_url(
                clean,
                socket_timeout=socket_timeout,
                socket_connect_timeout=connect_timeout,
                decode_responses=True,
                health_check_interval=30,
            )
        except ValueError as e:
            raise ConfigurationError(f"cannot use Redis URL {url!r}: {e}") from e
        self._scripts: dict[str, Any] = {}
        with self._wrap():
            self._r.ping()

    def _key(self, tag: str, name: str) -> str:
        return f"{self.prefix}:{{{tag}}}:{name}"

    def _script(self, name: str, source: str) -> Any:
        script = self._scripts.get(name)
        if script is None:
            script = self._scripts[name] = self._r.register_script(source)
        return script

    @contextlib.contextmanager
    def _wrap(self) -> Iterator[None]:
        try:
            yield
        except (rexc.ConnectionError, rexc.TimeoutError) as e:
            raise StorageUnavailable(f"Redis unavailable ({self._safe_url}): {e}") from e
        except rexc.RedisError as e:
            raise StorageError(f"Redis error ({self._safe_url}): {e}") from e

    @property
    def _safe_url(self) -> str:
        parts = urlsplit(self.url)
        if parts.password:
            return self.url.replace(parts.password, "***")
        return self.url

    def drop_all(self) -> int:
        """Delete every key under this store's prefix; returns how many. For tests."""
        n = 0
        with self._wrap():
            for key in self._r.scan_iter(match=f"{self.prefix}:*", count=1000):
                n += int(self._r.delete(key))
        return n

    def close(self) -> None:
        """Close the connection pool."""
        self._r.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._safe_url!r}, prefix={self.prefix!r})"
