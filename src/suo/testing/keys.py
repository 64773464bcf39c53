"""Conformance tests of :class:`~suo.api.keys.KeyStore` (need a ``store`` fixture).

Besides the protocol's contract (round trip, one record per prefix, listing
order, revoke once), the suite checks that no key is ever stored: it reads
the whole store back as text with :meth:`KeyStoreSuite.store_text` and looks
for the key. That method knows suo's own backends; a third-party backend
overrides it to dump its own data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suo.api.keys import SCOPES, ApiKey, hash_key, mint_key
from suo.errors import StorageIntegrityError
from suo.testing.helpers import race

T0 = datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=UTC)

_NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
_KEYS = st.lists(
    st.tuples(
        st.integers(0, 5),  # created_at: T0 + n seconds (ties on purpose)
        _NAMES,
        st.lists(st.sampled_from(SCOPES), min_size=1, max_size=3, unique=True),
        st.one_of(st.none(), st.integers(1, 10**6)),  # expires: microseconds after creation
        st.booleans(),  # revoke it afterwards
    ),
    max_size=8,
)


class KeyStoreSuite:
    """Every backend must pass these unchanged."""

    def store_text(self, store: Any) -> str:
        """Everything ``store`` holds, as text (override for a backend of your own).

        Knows the memory, SQL and Redis stores; anything else is read as the
        ``repr`` of its attributes.
        """
        kind = type(store).__name__
        if kind == "SQLStore":
            import sqlalchemy as sa

            out: list[str] = []
            with store._engine.connect() as conn:
                for name in sa.inspect(conn).get_table_names(schema=store.schema):
                    table = sa.Table(name, sa.MetaData(), schema=store.schema, autoload_with=conn)
                    out += [repr(tuple(row)) for row in conn.execute(sa.select(table))]
            return "\n".join(out)
        if kind in ("RedisStore", "RedisClusterStore"):
            r = store._r
            out = []
            for key in r.scan_iter(match=f"{store.prefix}:*", count=1000):
                t = r.type(key)
                if t == "string":
                    value: Any = r.get(key)
                elif t == "hash":
                    value = r.hgetall(key)
                elif t == "list":
                    value = r.lrange(key, 0, -1)
                elif t == "zset":
                    value = r.zrange(key, 0, -1, withscores=True)
                elif t == "set":
                    value = r.smembers(key)
                else:  # HyperLogLogs are strings; streams and others are not used
                    value = t
                out += [key, repr(value)]
            return "\n".join(out)
        return repr(vars(store))

    def test_key_round_trip(self, store: Any) -> None:
        key, record, digest = mint_key(
            ["links:read", "stats:read"],
            name="CRM 同步",
            expires_at=T0 + timedelta(days=30),
            now=T0,
        )
        assert store.get_key(record.prefix) is None
        store.save_key(record, digest)
        assert store.get_key(record.prefix) == (record, digest)
        got, stored = store.get_key(record.prefix)
        assert got.created_at == T0  # microseconds kept
        assert got.expires_at == T0 + timedelta(days=30)
        assert got.revoked_at is None
        assert stored == hash_key(key)
        assert store.get_key("zzzzzzzz") is None
        assert store.list_keys() == [record]

    def test_no_key_is_stored(self, store: Any) -> None:
        keys = []
        for i in range(3):
            key, record, digest = mint_key(["admin"], name=f"k{i}", now=T0)
            store.save_key(record, digest)
            keys.append((key, record, digest))
        store.revoke_key(keys[0][1].prefix, at=T0 + timedelta(hours=1))
        text = self.store_text(store)
        for key, record, digest in keys:
            assert digest in text  # the dump reaches the key records...
            assert record.prefix in text
            assert key not in text  # ...and holds no key,
            assert key.split("_", 2)[2] not in text  # not even its secret part

    def test_prefix_collision_keeps_the_first(self, store: Any) -> None:
        first = ApiKey("Abcd1234", "first", ("links:read",), T0)
        store.save_key(first, hash_key("one"))
        second = ApiKey("Abcd1234", "second", ("admin",), T0 + timedelta(seconds=1))
        try:
            store.save_key(second, hash_key("two"))
        except StorageIntegrityError:
            pass
        else:
            raise AssertionError("a second key with the same prefix was saved")
        assert store.get_key("Abcd1234") == (first, hash_key("one"))
        assert store.list_keys() == [first]

    def test_list_is_ordered_by_creation_then_prefix(self, store: Any) -> None:
        records = [
            ApiKey("b0000000", "b", ("admin",), T0 + timedelta(seconds=1)),
            ApiKey("c0000000", "c", ("admin",), T0),
            ApiKey("a0000000", "a", ("admin",), T0 + timedelta(seconds=1)),
            ApiKey("d0000000", "d", ("admin",), T0 - timedelta(days=400)),
            ApiKey("e0000000", "e", ("admin",), T0 + timedelta(microseconds=1)),
        ]
        for r in records:
            store.save_key(r, hash_key(r.prefix))
        store.revoke_key("c0000000", at=T0 + timedelta(hours=1))
        listed = store.list_keys()
        assert [k.prefix for k in listed] == [
            "d0000000", "c0000000", "e0000000", "a0000000", "b0000000"
        ]  # fmt: skip
        assert listed[1].revoked_at == T0 + timedelta(hours=1)  # revoked ones are listed

    def test_revoke_once(self, store: Any) -> None:
        _key, record, digest = mint_key(["links:write"], now=T0)
        assert store.revoke_key(record.prefix, at=T0) is False  # none yet
        store.save_key(record, digest)
        at = T0 + timedelta(minutes=5)
        assert store.revoke_key(record.prefix, at=at) is True
        assert store.revoke_key(record.prefix, at=at + timedelta(minutes=1)) is False
        got, stored = store.get_key(record.prefix)
        assert got.revoked_at == at  # the first revoke's time stays
        assert stored == digest
        assert not got.active(at)
        assert got.active(at - timedelta(microseconds=1)) is False  # revoked is revoked
        assert store.revoke_key("nosuchkey", at=at) is False

    def test_expiry_and_revocation_read_back(self, store: Any) -> None:
        expires = T0 + timedelta(days=1)
        _k1, lasting, d1 = mint_key(["admin"], name="lasting", now=T0)
        _k2, expiring, d2 = mint_key(["links:read"], name="expiring", expires_at=expires, now=T0)
        store.save_key(lasting, d1)
        store.save_key(expiring, d2)
        got = {k.name: k for k in store.list_keys()}
        assert got["lasting"].active(T0 + timedelta(days=3650))
        assert got["expiring"].active(expires - timedelta(microseconds=1))
        assert not got["expiring"].active(expires)
        assert got["expiring"].allows("links:read")
        assert not got["expiring"].allows("admin")
        assert got["lasting"].allows("moderation")  # admin may do everything
        store.revoke_key(lasting.prefix, at=T0 + timedelta(hours=2))
        again = store.get_key(lasting.prefix)[0]
        assert again.active(T0 + timedelta(hours=1)) is False
        assert again.revoked_at == T0 + timedelta(hours=2)

    def test_concurrent_saves_of_one_prefix_one_wins(self, store: Any) -> None:
        n = 8

        def save(i: int) -> None:
            record = ApiKey("Race0001", f"k{i}", ("admin",), T0 + timedelta(seconds=i))
            store.save_key(record, hash_key(f"key-{i}"))

        results = race(n, save)
        winners = [i for i, r in enumerate(results) if r is None]
        assert len(winners) == 1, results
        assert all(isinstance(r, StorageIntegrityError) for r in results if r is not None)
        (i,) = winners
        record, digest = store.get_key("Race0001")
        assert (record.name, digest) == (f"k{i}", hash_key(f"key-{i}"))
        assert [k.name for k in store.list_keys()] == [f"k{i}"]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(keys=_KEYS)
    def test_keys_give_the_memory_models_answers(self, store: Any, keys: list[Any]) -> None:
        from suo.storage.memory import MemoryStore

        # Prefixes of this example's own: earlier examples' keys stay in the store.
        run = uuid.uuid4().hex[:4]
        model = MemoryStore()
        mine = set()
        for i, (secs, name, scopes, expires, revoke) in enumerate(keys):
            created = T0 + timedelta(seconds=secs)
            prefix = f"{run}{i:04d}"
            expires_at = None if expires is None else created + timedelta(microseconds=expires)
            record = ApiKey(prefix, name, tuple(scopes), created, expires_at)
            digest = hash_key(prefix)
            store.save_key(record, digest)
            model.save_key(record, digest)
            mine.add(prefix)
            if revoke:
                at = created + timedelta(minutes=i)
                assert store.revoke_key(prefix, at=at) is model.revoke_key(prefix, at=at) is True
        assert [k for k in store.list_keys() if k.prefix in mine] == model.list_keys()
        for prefix in sorted(mine):
            assert store.get_key(prefix) == model.get_key(prefix)
