"""No raw IP address (nor a referrer's path) is stored anywhere, on any backend.

Resolves carry distinctive IPs and referrers; then every table, key or
attribute the store holds is read back as text and searched for them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from suo.shortener import LiveTarget, Shortener

IPS = ("203.0.113.77", "2001:db8::7a7a", "198.51.100.123")
SECRET_PATH = "s/very-secret-article-path"


def _everything(store: Any) -> str:
    kind = type(store).__name__
    if kind == "MemoryStore":
        return repr(vars(store))
    if kind == "SQLStore":
        out = []
        with store._engine.connect() as conn:
            names = sa.inspect(conn).get_table_names(schema=store.schema)
            for name in names:
                table = sa.Table(name, sa.MetaData(), schema=store.schema, autoload_with=conn)
                out += [repr(tuple(row)) for row in conn.execute(sa.select(table))]
        return "\n".join(out)
    import redis

    if kind == "RedisClusterStore":
        from redis.cluster import RedisCluster

        from suo.storage.redis.cluster import client_url

        r: Any = RedisCluster.from_url(client_url(store.url))  # raw bytes: HLLs are binary
    else:
        r = redis.Redis.from_url(store.url.split("?", 1)[0])
    out = []
    for key in r.scan_iter(match=f"{store.prefix}:*".encode(), count=1000):
        t = r.type(key).decode()
        if t == "string":
            out.append(repr(r.get(key)))
        elif t == "hash":
            out.append(repr(r.hgetall(key)))
        elif t == "list":
            out.append(repr(r.lrange(key, 0, -1)))
        elif t == "zset":
            out.append(repr(r.zrange(key, 0, -1, withscores=True)))
        elif t == "set":
            out.append(repr(r.smembers(key)))
        out.append(repr(key))
    r.close()
    return "\n".join(out)


def test_no_raw_ip_or_referrer_path_in_the_store(store: Any) -> None:
    s = Shortener(store, cache_ttl=0)
    s.shorten("https://example.com/", alias="plain", max_clicks=2)
    s.shorten_live([LiveTarget("https://weixin.qq.com/g/AAA", cap=2)], alias="live")
    for ip in IPS:
        for code in ("plain", "live"):
            s.resolve(code, user_agent="Mozilla/5.0 MicroMessenger/8.0.44", ip=ip,
                      referrer=f"https://mp.weixin.qq.com/{SECRET_PATH}?from={ip}",
                      query=f"utm_source=wechat&client={ip}")  # fmt: skip
    dump = _everything(store)
    assert "mp.weixin.qq.com" in dump  # the dump reaches the events
    for ip in IPS:
        assert ip not in dump
    assert SECRET_PATH not in dump
    assert len(list(s.visits("plain"))) == 3
