"""The async side of the Redis store: its own code on ``redis.asyncio`` (see :mod:`suo.storage.aio`).

The twin is a copy of the store whose client and Lua scripts are
``redis.asyncio`` objects behind a :class:`~suo.storage.aio.Bridged` face, so
every method, key layout and script is the sync store's own.
"""

from __future__ import annotations

import copy
from typing import Any

import redis

from suo.errors import NotFound
from suo.shortener.model import Link, Visit
from suo.storage._common import loads
from suo.storage.aio import Bridged, spawn
from suo.storage.redis._base import lua_scripts


def async_twin(store: Any) -> tuple[Any, ...] | None:
    """``(twin, spawn, close, hot)`` for a plain Redis client; ``None`` for others (a thread then)."""
    client = store._r
    if type(client) is not redis.Redis:
        return None
    import redis.asyncio as aredis

    kw = client.connection_pool.connection_kwargs
    aclient = aredis.Redis.from_url(
        store.url.split("?", 1)[0],
        socket_timeout=kw.get("socket_timeout"),
        socket_connect_timeout=kw.get("socket_connect_timeout"),
        decode_responses=True,
        health_check_interval=30,
    )
    twin = copy.copy(store)
    twin._r = Bridged(aclient)
    twin._scripts = {
        name: Bridged(aclient.register_script(source)) for name, source in lua_scripts().items()
    }
    close = getattr(aclient, "aclose", None) or aclient.close
    hit_script = aclient.register_script(lua_scripts()["link_hit"])

    # The resolve path's two calls of every visit, as coroutines on the client:
    # the same key, script and reply handling as RedisLinks.get_link / .hit,
    # without a greenlet hop (which costs about as much as the call itself).
    async def get_link(code: str) -> Link | None:
        data = await aclient.get(store._key(code, "link"))
        return None if data is None else Link.from_dict(loads(data))

    async def hit(
        code: str, visit: Visit, *, count: bool, cap: int | None, event: bool = True
    ) -> int | None:
        keys, args = store._hit_call(code, visit, count, cap, event)
        result = int(await hit_script(keys=keys, args=args))
        if result == -2:
            raise NotFound(f"no link with code {code!r}")
        return None if result < 0 else result

    return twin, spawn, close, {"get_link": get_link, "hit": hit}
