"""SQL implementation of :class:`~suo.shortener.store.LinkStore`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from suo.errors import AliasTaken, NotFound
from suo.shortener.model import Link, Stats, Visit
from suo.shortener.store import first_conflict
from suo.storage._common import dumps, loads
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime

_EMPTY_BREAKDOWN = '{"platform": {}, "os": {}, "day": {}}'
_DIMS = ("platform", "os", "day")

links = sa.Table(
    "suo_links",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),  # Link.to_dict() as JSON
    sa.Column("clicks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visits", sa.Integer, nullable=False, server_default="0"),
    sa.Column("bots", sa.Integer, nullable=False, server_default="0"),
    # 1 if the latest counted hit got under the cap, 0 if the cap stopped it.
    sa.Column("counted", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("first_visit", UTCDateTime),
    sa.Column("last_visit", UTCDateTime),
    # Breakdowns {"platform": {...}, "os": {...}, "day": {...}} kept in the row and
    # bumped by the same UPDATE that counts the click: one statement per visit.
    sa.Column(
        "breakdown",
        sa.Text().with_variant(postgresql.JSONB(), "postgresql"),
        nullable=False,
        server_default=_EMPTY_BREAKDOWN,
    ),
)

link_tags = sa.Table(
    "suo_link_tags",
    METADATA,
    sa.Column("tag", sa.String(64), primary_key=True),
    sa.Column("code", sa.String(64), primary_key=True),
)

sequences = sa.Table(
    "suo_sequences",
    METADATA,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)


_NO_CAP = 2**31 - 1  # the INTEGER maximum; Link.max_clicks stays below it


def _row(link: Link) -> dict[str, Any]:
    return {"code": link.code, "data": dumps(link.to_dict())}


class SQLLinks(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore` for links."""

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
        except sa.exc.IntegrityError as e:
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
        return None if data is None else Link.from_dict(loads(data))

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
            return bool(conn.execute(links.delete().where(links.c.code == code)).rowcount)

    def list_links(self, *, tag: str | None, after: str | None, limit: int) -> list[Link]:
        q = sa.select(links.c.data).order_by(links.c.code).limit(limit)
        if tag is not None:
            q = q.join(link_tags, link_tags.c.code == links.c.code).where(link_tags.c.tag == tag)
        if after is not None:
            q = q.where(links.c.code > after)
        with self._tx() as conn:
            return [Link.from_dict(loads(d)) for d in conn.execute(q).scalars()]

    def _bump_breakdown(self) -> Any:
        """The expression that adds 1 to breakdown[dim][value] for the three dimensions."""
        col = links.c.breakdown
        expr: Any = col
        for dim in _DIMS:
            path: Any = sa.bindparam(f"b_{dim}")
            old: Any
            if self.dialect == "postgresql":
                path_arr = sa.cast(path, postgresql.ARRAY(sa.Text))
                old = sa.cast(col.op("#>>")(path_arr), sa.Integer)
                expr = sa.func.jsonb_set(
                    expr, path_arr, sa.func.to_jsonb(sa.func.coalesce(old, 0) + 1)
                )
            else:
                old = sa.func.json_extract(col, path)
                expr = sa.func.json_set(expr, path, sa.func.coalesce(old, 0) + 1)
        return expr

    def _breakdown_params(self, visit: Visit) -> dict[str, Any]:
        values = {"platform": visit.platform, "os": visit.os, "day": visit.day}
        if self.dialect == "postgresql":
            return {f"b_{d}": [d, v] for d, v in values.items()}
        return {f"b_{d}": f'$."{d}"."{v}"' for d, v in values.items()}

    def _hit_statements(self) -> tuple[Any, Any]:
        # Built once per store: constructing SQLAlchemy statements per call costs
        # more than running them on SQLite.
        stmts: tuple[Any, Any] | None = getattr(self, "_hit_stmts", None)
        if stmts is not None:
            return stmts
        code: Any = sa.bindparam("b_code")
        at: Any = sa.bindparam("b_at")
        cap: Any = sa.bindparam("b_cap")
        below = links.c.clicks < cap
        # Every SET expression reads the row as it was, under the row lock: the
        # cap check, the increment, the breakdowns and the "was it counted" flag
        # are one atomic statement.
        count = (
            links.update()
            .where(links.c.code == code)
            .values(
                clicks=sa.case((below, links.c.clicks + 1), else_=links.c.clicks),
                counted=sa.case((below, 1), else_=0),
                visits=links.c.visits + 1,
                last_visit=at,
                first_visit=sa.func.coalesce(links.c.first_visit, at),
                breakdown=self._bump_breakdown(),
            )
            .returning(links.c.clicks, links.c.counted)
        )
        bots = (
            links.update()
            .where(links.c.code == code)
            .values(bots=links.c.bots + 1)
            .returning(links.c.clicks, links.c.counted)
        )
        stmts = self._hit_stmts = (count, bots)
        return stmts

    def hit(self, code: str, visit: Visit, *, count: bool, cap: int | None) -> int | None:
        count_stmt, bots_stmt = self._hit_statements()
        with self._tx() as conn:
            if visit.bot:
                row = conn.execute(bots_stmt, {"b_code": code}).first()
                if row is None:
                    raise NotFound(f"no link with code {code!r}")
                return int(row[0])
            limit = (cap if cap is not None else _NO_CAP) if count else -1
            params = {"b_code": code, "b_at": visit.at, "b_cap": limit}
            params.update(self._breakdown_params(visit))
            row = conn.execute(count_stmt, params).first()
        if row is None:
            raise NotFound(f"no link with code {code!r}")
        if count and not row[1]:
            return None
        return int(row[0])

    def link_stats(self, code: str) -> Stats:
        with self._tx() as conn:
            row = conn.execute(sa.select(links).where(links.c.code == code)).first()
        if row is None:
            return Stats(code=code)
        dims = row.breakdown if isinstance(row.breakdown, dict) else loads(row.breakdown)
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
