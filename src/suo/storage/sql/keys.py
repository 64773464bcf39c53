"""SQL implementation of :class:`~suo.api.keys.KeyStore` (a table on ``METADATA``).

One row per key, named by its public prefix (the primary key): the record's
fields as columns and the SHA-256 hash of the key, never the key itself.
A save is ``INSERT ... ON CONFLICT DO NOTHING``, so of two saves of one
prefix the engine lets exactly one in; a revoke is one ``UPDATE ... WHERE
revoked_at IS NULL``, so a key is revoked once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from suo.api.keys import ApiKey
from suo.errors import StorageIntegrityError
from suo.storage._common import dumps, loads
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime

api_keys = sa.Table(
    "suo_api_keys",
    METADATA,
    sa.Column("prefix", sa.String(64), primary_key=True),
    sa.Column("hash", sa.String(64), nullable=False),  # hex SHA-256 of the whole key
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("scopes", sa.Text, nullable=False),  # JSON list of scope names
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
    sa.Index("suo_api_keys_created", "created_at", "prefix"),
)


def _record(row: Any) -> ApiKey:
    return ApiKey(
        row.prefix,
        row.name or "",
        tuple(loads(row.scopes)),
        row.created_at,
        row.expires_at,
        row.revoked_at,
    )


class SQLKeys(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore` for API keys."""

    def save_key(self, key: ApiKey, digest: str) -> None:
        stmt = (
            self._insert_stmt(api_keys)
            .values(
                prefix=key.prefix,
                hash=digest,
                name=key.name,
                scopes=dumps(list(key.scopes)),
                created_at=key.created_at,
                expires_at=key.expires_at,
                revoked_at=key.revoked_at,
            )
            .on_conflict_do_nothing(index_elements=["prefix"])
            .returning(api_keys.c.prefix)
        )
        with self._tx() as conn:
            inserted = conn.execute(stmt).first() is not None
        if not inserted:
            raise StorageIntegrityError(f"an API key with prefix {key.prefix!r} exists")

    def get_key(self, prefix: str) -> tuple[ApiKey, str] | None:
        with self._tx() as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.prefix == prefix)).first()
        return None if row is None else (_record(row), row.hash)

    def list_keys(self) -> list[ApiKey]:
        t = api_keys
        # Every column but the hash: a listing never reads it.
        cols = [c for c in t.c if c.name != "hash"]
        with self._tx() as conn:
            rows = conn.execute(sa.select(*cols).order_by(t.c.created_at, t.c.prefix)).all()
        return [_record(r) for r in rows]

    def revoke_key(self, prefix: str, *, at: datetime) -> bool:
        t = api_keys
        with self._tx() as conn:
            res = conn.execute(
                t.update()
                .where((t.c.prefix == prefix) & t.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            return res.rowcount == 1
