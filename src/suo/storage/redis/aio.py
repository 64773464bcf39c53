"""The async side of the Redis store: its own code on ``redis.asyncio`` (see :mod:`suo.storage.aio`).

The twin is a copy of the store whose client and Lua scripts are
``redis.asyncio`` objects behind a :class:`~suo.storage.aio.Bridged` face, so
every method, key layout and script is the sync store's own.
"""

from __future__ import annotations

import copy
from typing import Any

import redis

from suo.shortener.model import Link
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

    # The link read of every visit as a coroutine on the client: the same key and
    # decoding as RedisLinks.get_link, without a greenlet hop (which costs about
    # as much as the call itself). ``hit`` runs the store's own method (its
    # deadline and outage handling included) through the bridge.
    async def get_link(code: str) -> Link | None:
        data = await aclient.get(store._key(code, "link"))
        return None if data is None else Link.from_dict(loads(data))

    return twin, spawn, close, {"get_link": get_link}
