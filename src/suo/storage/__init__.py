"""Stores: one object per engine that implements every domain's protocol.

:func:`open_store` picks a backend by URL scheme through a small lazy
registry (``scheme -> "module:Class"``): a backend's module, and so its
engine driver, is imported only when a URL asks for it. Third parties add
schemes through the ``suo.stores`` entry-point group.

=================================  ==================================  =============
URL                                engine                              extra
=================================  ==================================  =============
``memory://``                      Python dicts, in this process       (core)
``sqlite://``                      SQLite in memory                    ``suo[sql]``
``sqlite:///path/to/suo.db``       SQLite file                         ``suo[sql]``
``postgresql+psycopg://u@h/db``    PostgreSQL through psycopg 3        ``suo[postgres]``
``redis://host:6379/0``            Redis (also ``rediss://``)          ``suo[redis]``
``redis+cluster://host:7000``      Redis Cluster (``rediss+cluster``)  ``suo[redis]``
=================================  ==================================  =============

Stores are context managers: ``with`` closes their connections on exit.

Examples:
    >>> import suo
    >>> with suo.open_store("memory://") as store:
    ...     type(store).__name__
    'MemoryStore'
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import urlsplit

from suo.errors import ConfigurationError, MissingDependency
from suo.storage.base import Store

if TYPE_CHECKING:
    from suo.storage._protocol import SuoStore

__all__ = ["BACKENDS", "Store", "SuoStore", "open_store", "register_backend"]

BACKENDS: dict[str, str] = {
    "memory": "suo.storage.memory:MemoryStore",
    "sqlite": "suo.storage.sql:SQLStore",
    "sqlite+pysqlite": "suo.storage.sql:SQLStore",
    "postgresql": "suo.storage.sql:SQLStore",
    "postgresql+psycopg": "suo.storage.sql:SQLStore",
    "postgres": "suo.storage.sql:SQLStore",
    "redis": "suo.storage.redis:RedisStore",
    "rediss": "suo.storage.redis:RedisStore",
    "redis+cluster": "suo.storage.redis.cluster:RedisClusterStore",
    "rediss+cluster": "suo.storage.redis.cluster:RedisClusterStore",
}
"""Known schemes and the class that serves each (``"module:Class"``)."""

_EXTRA_FOR_MODULE = {
    "suo.storage.sql": ("sqlalchemy", "suo[sql]"),
    "suo.storage.redis": ("redis", "suo[redis]"),
    "suo.storage.redis.cluster": ("redis", "suo[redis]"),
}


def register_backend(scheme: str, target: str) -> None:
    """Serve URLs with ``scheme`` by ``target`` (``"package.module:Class"``).

    The class is called as ``Class(url, **options)``.
    """
    if ":" not in target:
        raise ConfigurationError(f"backend target must look like 'module:Class', got {target!r}")
    BACKENDS[scheme.lower()] = target


def _load(target: str) -> type[Any]:
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = _EXTRA_FOR_MODULE.get(module_name)
        if hint is not None and exc.name is not None and exc.name.split(".")[0] in hint[0]:
            raise MissingDependency(
                f"{module_name} needs the {hint[0]!r} package: pip install '{hint[1]}'"
            ) from exc
        raise
    cls: type[Any] = getattr(module, attr)
    return cls


def _entry_point_backends() -> dict[str, str]:
    return {ep.name.lower(): ep.value for ep in entry_points(group="suo.stores")}


S = TypeVar("S", bound=Store)


@overload
def open_store(url: str, **options: Any) -> SuoStore: ...


@overload
def open_store(url: S, **options: Any) -> S: ...


def open_store(url: str | Store, **options: Any) -> Any:
    """Open the store that ``url`` names.

    The store is a context manager: ``with open_store(url) as store:`` closes
    its connections on exit.

    Args:
        url: a store URL (see the table above), or a store object, returned as is.
        **options: passed to the backend (``prefix=`` for Redis keys,
            ``schema=`` for a PostgreSQL schema, timeouts...).

    Raises:
        ConfigurationError: the scheme is unknown or the URL malformed.
        MissingDependency: the backend's extra is not installed; the message
            names the ``pip install`` to run.
        StorageUnavailable: the engine cannot be reached.

    Examples:
        >>> import suo
        >>> suo.open_store("sqlite://").url
        'sqlite://'
        >>> with suo.open_store("sqlite://") as store:
        ...     store.next_sequence("n")
        1
    """
    if not isinstance(url, str):
        return url
    scheme = urlsplit(url).scheme.lower()
    if not scheme:
        raise ConfigurationError(
            f"store URL {url!r} has no scheme; use one of: "
            + ", ".join(f"{s}://" for s in sorted(BACKENDS))
        )
    target = BACKENDS.get(scheme) or _entry_point_backends().get(scheme)
    if target is None:
        raise ConfigurationError(
            f"unknown store scheme {scheme!r} in {url!r}; known: "
            + ", ".join(sorted(BACKENDS))
            + " (third-party backends register under the 'suo.stores' entry point)"
        )
    return _load(target)(url, **options)


def __getattr__(name: str) -> Any:
    # SuoStore is built from the domain protocols, whose packages import this
    # module: load it on first use.
    if name == "SuoStore":
        from suo.storage._protocol import SuoStore

        return SuoStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from suo._exports import publish  # noqa: E402  (after __all__, which it reads)

publish(globals(), __all__)
