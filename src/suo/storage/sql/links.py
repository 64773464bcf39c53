"""SQL implementation of :class:`~suo.shortener.store.LinkStore`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from suo.errors import AliasTaken, StorageIntegrityError
from suo.shortener.model import Link, Stats, Visit
from suo.shortener.store import first_conflict
from suo.storage.sql._base import METADATA, UTCDateTime

links = sa.Table(
    "suo_links",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),  # Link.to_dict() as JSON
    sa.Column("clicks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visits", sa.Integer, nullable=False, server_default="0"),
    sa.Column("bots", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_visit", UTCDateTime),
    sa.Column("last_visit", UTCDateTime),
)

link_tags = sa.Table(
    "suo_link_tags",
    METADATA,
    sa.Column("tag", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
)

visit_counts = sa.Table(
    "suo_visit_counts",
    METADATA,
    # One row per (link, dimension, value): platform/os/day breakdowns are
    # upserted counters, so stats never scan a visit log.
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("dim", sa.String(8), primary_key=True),
    sa.Column("value", sa.String(32), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)

sequences = sa.Table(
    "suo_sequences",
    METADATA,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)


def _row(link: Link) -> dict[str, Any]:
    return {"code": link.code, "data": json.dumps(link.to_dict(), ensure_ascii=False)}


class SQLLinks:
    """Mixin of :class:`~suo.storage.sql.SQLStore` for links."""

    dialect: str
    _tx: Any

    def _insert_stmt(self, table: sa.Table) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects import postgresql

            return postgresql.insert(table)
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)

    def create_link(self, link: Link) -> None:
        self.create_links([link])

    def create_links(self, links_: Sequence[Link]) -> None:
        if not links_:
            return
        codes = [link.code for link in links_]
        if len(set(codes)) < len(codes):
            raise AliasTaken(self._first_taken(codes) or codes[0])
        try:
            with self._tx() as conn:
                conn.execute(links.insert(), [_row(link) for link in links_])
                tags = [{"tag": t, "code": link.code} for link in links_ for t in link.tags]
                if tags:
                    conn.execute(link_tags.insert(), tags)
        except StorageIntegrityError as e:
            raise AliasTaken(self._first_taken(codes) or codes[0]) from e

    def _first_taken(self, codes: list[str]) -> str | None:
        with self._tx() as conn:
            found = set(
                conn.execute(sa.select(links.c.code).where(links.c.code.in_(codes))).scalars()
            )
        return first_conflict(codes, found)

    def get_link(self, code: str) -> Link | None:
        with self._tx() as conn:
            data = conn.execute(sa.select(links.c.data).where(links.c.code == code)).scalar()
        return None if data is None else Link.from_dict(json.loads(data))

    def replace_link(self, link: Link) -> bool:
        with self._tx() as conn:
            res = conn.execute(
                links.update().where(links.c.code == link.code).values(data=_row(link)["data"])
            )
            if res.rowcount == 0:
                return False
            conn.execute(link_tags.delete().where(link_tags.c.code == link.code))
            if link.tags:
                conn.execute(link_tags.insert(), [{"tag": t, "code": link.code} for t in link.tags])
            return True

    def delete_link(self, code: str) -> bool:
        with self._tx() as conn:
            conn.execute(link_tags.delete().where(link_tags.c.code == code))
            conn.execute(visit_counts.delete().where(visit_counts.c.code == code))
            return bool(conn.execute(links.delete().where(links.c.code == code)).rowcount)

    def list_links(self, *, tag: str | None, after: str | None, limit: int) -> list[Link]:
        q = sa.select(links.c.data).order_by(links.c.code).limit(limit)
        if tag is not None:
            q = q.join(link_tags, link_tags.c.code == links.c.code).where(link_tags.c.tag == tag)
        if after is not None:
            q = q.where(links.c.code > after)
        with self._tx() as conn:
            return [Link.from_dict(json.loads(d)) for d in conn.execute(q).scalars()]

    def _bump(self, conn: Connection, code: str, visit: Visit) -> None:
        rows = [
            {"code": code, "dim": "platform", "value": visit.platform, "n": 1},
            {"code": code, "dim": "os", "value": visit.os, "n": 1},
            {"code": code, "dim": "day", "value": visit.day, "n": 1},
        ]
        stmt = self._insert_stmt(visit_counts)
        stmt = stmt.on_conflict_do_update(
            index_elements=["code", "dim", "value"],
            set_={"n": visit_counts.c.n + 1},
        )
        conn.execute(stmt, rows)

    def hit(self, code: str, visit: Visit, *, count: bool, cap: int | None) -> int | None:
        with self._tx() as conn:
            if visit.bot:
                bots: int | None = conn.execute(
                    links.update()
                    .where(links.c.code == code)
                    .values(bots=links.c.bots + 1)
                    .returning(links.c.clicks)
                ).scalar()
                return bots
            seen = {
                "visits": links.c.visits + 1,
                "last_visit": visit.at,
                "first_visit": sa.func.coalesce(links.c.first_visit, visit.at),
            }
            result: int | None
            if count:
                # The cap check and the increment are one statement: the engine's
                # row lock settles races, never a read-modify-write in Python.
                stmt = links.update().where(links.c.code == code)
                if cap is not None:
                    stmt = stmt.where(links.c.clicks < cap)
                result = conn.execute(
                    stmt.values(clicks=links.c.clicks + 1, **seen).returning(links.c.clicks)
                ).scalar()
                if result is None:
                    conn.execute(links.update().where(links.c.code == code).values(**seen))
            else:
                result = conn.execute(
                    links.update()
                    .where(links.c.code == code)
                    .values(**seen)
                    .returning(links.c.clicks)
                ).scalar()
            self._bump(conn, code, visit)
            return result

    def link_stats(self, code: str) -> Stats:
        with self._tx() as conn:
            row = conn.execute(sa.select(links).where(links.c.code == code)).first()
            if row is None:
                return Stats(code=code)
            dims: dict[str, dict[str, int]] = {"platform": {}, "os": {}, "day": {}}
            for dim, value, n in conn.execute(
                sa.select(visit_counts.c.dim, visit_counts.c.value, visit_counts.c.n).where(
                    visit_counts.c.code == code
                )
            ):
                dims[dim][value] = n
        return Stats(
            code=code,
            clicks=row.clicks,
            visits=row.visits,
            bots=row.bots,
            first_visit=row.first_visit,
            last_visit=row.last_visit,
            by_platform=dims["platform"],
            by_os=dims["os"],
            by_day=dims["day"],
        )

    def next_sequence(self, name: str) -> int:
        stmt = self._insert_stmt(sequences).values(name=name, value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"value": sequences.c.value + 1}
        ).returning(sequences.c.value)
        with self._tx() as conn:
            value: int = conn.execute(stmt).scalar_one()
        return value
