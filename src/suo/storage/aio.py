"""The async side of a store: the same methods, awaited, without a thread where the engine allows.

``async_side(store)`` (or ``store.aio`` on a built-in store) returns an
:class:`AsyncStore` for the running event loop, made on first use, so sync
users never pay for it. Every method of the store can be awaited on it, under
the same name, with the same arguments, results and errors:

* **memory**: the sync method is called directly (it never waits on I/O);
* **PostgreSQL**: the store's own code runs on an async SQLAlchemy engine
  (``postgresql+psycopg``, psycopg's asyncio connection) through SQLAlchemy's
  greenlet bridge: one implementation of every statement, no thread;
* **Redis**: the store's own code runs on ``redis.asyncio`` with the same Lua
  scripts, bridged the same way with ``greenlet``: no thread;
* **SQLite** (and any store suo does not know): the sync method runs in a
  worker thread (``asyncio.to_thread``): SQLite's driver has no async API and
  its calls are short local file I/O.

``AsyncStore.native`` says which: ``True`` when no thread is used.

Engine errors come out as the same :class:`~suo.errors.StorageError`
subclasses as on the sync side, with the engine's exception chained: the
bridged code is the store's own wrapped methods.

Why a greenlet bridge rather than a second copy of each backend: the SQL and
Redis stores hold the exact statements, scripts and key layouts that make
clicks and caps exact; running that very code on an async client keeps one
source of truth (SQLAlchemy's ``AsyncSession`` works the same way).

Example:
    >>> import asyncio
    >>> from suo.storage.memory import MemoryStore
    >>> store = MemoryStore()
    >>> async def main():
    ...     side = store.aio
    ...     return side.native, await side.next_sequence("demo"), await side.next_sequence("demo")
    >>> asyncio.run(main())
    (True, 1, 2)
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from suo.errors import MissingDependency, SuoError

if TYPE_CHECKING:
    from datetime import datetime

    from suo.shortener.live.values import LiveEvent, LiveSlot
    from suo.shortener.model import Link, Stats, Visit

__all__ = ["AsyncLinkStore", "AsyncStore", "async_side", "close_sides", "native_async"]

T = TypeVar("T")


@runtime_checkable
class AsyncLinkStore(Protocol):
    """What ``Shortener.aresolve`` awaits: the resolve path's store calls, async.

    Each method means what the :class:`~suo.shortener.LinkStore` /
    :class:`~suo.shortener.LiveStore` method of the same name means.
    """

    native: bool
    """``True`` when the calls run on the event loop (no worker thread)."""

    async def get_link(self, code: str) -> Link | None: ...

    async def hit(
        self, code: str, visit: Visit, *, count: bool, cap: int | None, event: bool = True
    ) -> int | None: ...

    async def link_stats(self, code: str) -> Stats: ...

    async def daily_salt(self, day: str) -> bytes: ...

    async def next_sequence(self, name: str) -> int: ...

    async def live_targets(self, code: str) -> list[LiveSlot]: ...

    async def claim_live_target(
        self, code: str, target_id: int, *, now: datetime
    ) -> int | None: ...

    async def release_live_target(self, code: str, target_id: int) -> None: ...

    async def record_live_event(self, event: LiveEvent) -> bool: ...

    async def aclose(self) -> None: ...


class AsyncStore:
    """The async side of one store in one event loop (see the module docs).

    Any method of the store is available awaited: ``await side.get_link(code)``.
    """

    native: bool
    """``True`` when calls run on the event loop (no worker thread)."""

    mode: str
    """``"direct"`` (in-process), ``"greenlet"`` (async client) or ``"thread"``."""

    def __init__(
        self,
        store: Any,
        mode: str,
        *,
        target: Any = None,
        spawn: Callable[..., Awaitable[Any]] | None = None,
        closer: Callable[[], Awaitable[None]] | None = None,
        hot: dict[str, Callable[..., Awaitable[Any]]] | None = None,
    ) -> None:
        self.store = store
        self.mode = mode
        self.native = mode != "thread"
        self._target = store if target is None else target
        self._spawn = spawn
        self._closer = closer
        # Coroutine versions of the resolve path's hottest calls, where a backend
        # has them (PostgreSQL, Redis: get_link straight on the async client, no greenlet).
        self._hot = hot or {}

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self._target, name)  # AttributeError for an unknown name
        if not callable(method):
            raise AttributeError(f"{name!r} is not a store method")
        mode, spawn, target = self.mode, self._spawn, self._target
        # The method is looked up at each call (a test may patch the store's), and a
        # lazy iterator (visits) is read to the end where the engine is at hand.
        if mode == "direct":

            async def call(*args: Any, **kwargs: Any) -> Any:
                result = getattr(target, name)(*args, **kwargs)
                return list(result) if isinstance(result, Iterator) else result

        elif mode == "thread":

            async def call(*args: Any, **kwargs: Any) -> Any:
                return await asyncio.to_thread(_eager(getattr(target, name)), *args, **kwargs)

        elif name in self._hot:
            hot = self._hot[name]
            wrap = getattr(self.store, "_engine_error", None)

            async def call(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await hot(*args, **kwargs)
                except SuoError:
                    raise
                except Exception as exc:
                    error = None if wrap is None else wrap(exc)
                    if error is None:
                        raise
                    raise error from exc

        else:
            assert spawn is not None
            wrap = getattr(self.store, "_engine_error", None)

            async def call(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await spawn(_eager(getattr(target, name)), *args, **kwargs)
                except SuoError:
                    raise
                except Exception as exc:
                    error = None if wrap is None else wrap(exc)
                    if error is None:
                        raise
                    raise error from exc

        call.__name__ = name
        self.__dict__[name] = call  # later look-ups skip __getattr__
        return call

    @property
    def target(self) -> Any:
        """What the calls run on: the store, or its async twin (mode ``"greenlet"``)."""
        return self._target

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` run the way this side runs store methods.

        ``fn`` may call the methods of :attr:`target` as plain sync calls: on a
        greenlet side each one is awaited on this loop, so several of them
        (a whole ``Shortener.shorten``) need no thread.
        """
        if self.mode == "direct":
            return fn(*args)
        if self.mode == "thread":
            return await asyncio.to_thread(fn, *args)
        assert self._spawn is not None
        try:
            result: T = await self._spawn(fn, *args)
        except SuoError:
            raise
        except Exception as exc:
            wrap = getattr(self.store, "_engine_error", None)
            error = None if wrap is None else wrap(exc)
            if error is None:
                raise
            raise error from exc
        return result

    async def aclose(self) -> None:
        """Release the async client's connections (the sync store stays open)."""
        closer, self._closer = self._closer, None
        if closer is not None:
            await closer()

    def __repr__(self) -> str:
        return f"AsyncStore({self.store!r}, mode={self.mode!r})"


def _eager(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        return list(result) if isinstance(result, Iterator) else result

    return call


# -- one AsyncStore per (store, event loop) ------------------------------------

_SIDES: weakref.WeakKeyDictionary[Any, weakref.WeakKeyDictionary[Any, AsyncStore]] = (
    weakref.WeakKeyDictionary()
)


def async_side(store: Any) -> AsyncStore:
    """The :class:`AsyncStore` of ``store`` for the running event loop, made on first use.

    An async client belongs to the loop it was made in, so each loop gets its
    own (a process normally has one).

    Raises:
        RuntimeError: called outside a running event loop.
        MissingDependency: the backend's async driver is not installed.
    """
    loop = asyncio.get_running_loop()
    by_loop = _SIDES.get(store)
    if by_loop is None:
        by_loop = _SIDES.setdefault(store, weakref.WeakKeyDictionary())
    side = by_loop.get(loop)
    if side is None:
        side = by_loop[loop] = _make_side(store)
    return side


async def close_sides(store: Any) -> None:
    """Close the async sides of ``store`` made in the running loop (others are dropped)."""
    by_loop = _SIDES.pop(store, None)
    if not by_loop:
        return
    loop = asyncio.get_running_loop()
    side = by_loop.get(loop)
    if side is not None:
        await side.aclose()


def native_async(store: Any) -> bool:
    """Whether ``store``'s async side will run without a thread (without making it).

    Example:
        >>> import suo
        >>> native_async(suo.open_store("memory://")), native_async(suo.open_store("sqlite://"))
        (True, False)
    """
    if getattr(store, "in_process", False) is True:
        return True
    if getattr(store, "dialect", None) == "postgresql":
        return True
    client = getattr(store, "_r", None)
    if client is not None:
        import redis

        return type(client) is redis.Redis
    return False


def _twin_builder(store: Any) -> Callable[[Any], tuple[Any, ...] | None] | None:
    """The ``async_twin`` function of the store's backend package, if it has one.

    A backend package (``suo.storage.redis``, ``suo.storage.sql``, or a third
    party's) may ship an ``aio`` module with ``async_twin(store)`` returning
    ``(twin, spawn, close[, hot])`` or ``None``; without one, calls run in a thread.
    """
    module = type(store).__module__  # the package itself when defined in its __init__
    for name in (f"{module}.aio", f"{module.rsplit('.', 1)[0]}.aio"):
        if name == __name__:
            continue
        try:
            found = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        builder = getattr(found, "async_twin", None)
        if callable(builder):
            return builder  # type: ignore[no-any-return]
    return None


def _make_side(store: Any) -> AsyncStore:
    if getattr(store, "in_process", False) is True:
        return AsyncStore(store, "direct")
    builder = _twin_builder(store)
    made = builder(store) if builder is not None else None
    if made is None:
        return AsyncStore(store, "thread")
    target, spawn, closer, *hot = made
    return AsyncStore(
        store, "greenlet", target=target, spawn=spawn, closer=closer, hot=hot[0] if hot else None
    )


# -- the greenlet bridge for redis.asyncio --------------------------------------


def _greenlet() -> Any:
    try:
        import greenlet
    except ImportError as exc:  # pragma: no cover - greenlet comes with the extras
        raise MissingDependency(
            "the async Redis path needs the 'greenlet' package: pip install 'suo[redis]'"
        ) from exc
    return greenlet


_CHILD: Any = None


def _child_class() -> Any:
    global _CHILD
    if _CHILD is None:
        greenlet = _greenlet()

        class _Child(greenlet.greenlet):  # type: ignore[misc,name-defined]
            driver: Any

        _CHILD = _Child
    return _CHILD


def await_(awaitable: Awaitable[Any]) -> Any:
    """Wait for ``awaitable`` from sync code run by :func:`spawn` (in the loop's thread)."""
    current = _greenlet().getcurrent()
    if not isinstance(current, _child_class()):
        raise RuntimeError("await_() called outside suo.storage.aio.spawn()")
    return current.driver.switch(awaitable)


async def spawn(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run the sync ``fn`` in a greenlet; each :func:`await_` in it is awaited here."""
    child = _child_class()(fn, _greenlet().getcurrent())
    child.driver = _greenlet().getcurrent()
    result = child.switch(*args, **kwargs)
    while not child.dead:
        try:
            value = await result
        except BaseException:
            result = child.throw(*sys.exc_info())
        else:
            result = child.switch(value)
    return result


class Bridged:
    """A sync-looking face of an async object: each awaitable result is :func:`await_`-ed.

    Used for ``redis.asyncio`` clients, pipelines and scripts, so the Redis
    store's sync code runs unchanged on them inside :func:`spawn`.
    """

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._obj, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            return _settle(attr(*args, **kwargs))

        return call

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _settle(self._obj(*args, **kwargs))


def _settle(result: Any) -> Any:
    # A redis.asyncio pipeline is awaitable too: it must stay a (bridged) pipeline.
    if type(result).__name__ in ("Pipeline", "ClusterPipeline"):
        return Bridged(result)
    if hasattr(result, "__await__"):
        return await_(result)
    if hasattr(result, "__aiter__"):
        return iter(await_(_drain(result)))
    return result


async def _drain(items: Any) -> list[Any]:
    return [item async for item in items]
