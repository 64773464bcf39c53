"""SQL implementation of :class:`~suo.shortener.store.LinkStore`.

A visit is one transaction: the link's exact totals (``clicks``, ``visits``,
``bots``, first and last visit) are updated with the cap check in one
``UPDATE ... RETURNING`` under the row lock, and with tracking ``"events"``
the visit is appended to ``suo_visits`` and counted into the hourly rollups
of ``suo_visit_hours`` in the same transaction. The link's own row has a
fixed size: it never grows with its visits.

On PostgreSQL the whole visit is a single statement (data-modifying common
table expressions), run in its own implicit transaction: one round trip.
Visits of uncapped links commit asynchronously by default
(``synchronous_commit = off`` for that transaction only, see
``durable_visits``); visits of capped links always commit durably.
"""

# ruff: noqa: S608 - the click path's SQL text names only suo's own tables (in the
# configured schema, quoted); every value is a bound parameter.
from __future__ import annotations

import math
import secrets
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from suo.errors import AliasTaken, NotFound, StorageUnavailable
from suo.shortener.batching import HitCall
from suo.shortener.model import Link, Stats, Visit
from suo.shortener.store import first_conflict
from suo.storage._common import dumps, hit_margin, loads
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime, sqlite_write

links = sa.Table(
    "suo_links",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),  # Link.to_dict() as JSON
    # Databases made by suo 0.1 also have counter columns and a JSON column
    # "breakdown" here; they are no longer written or read (see the docs).
)

# A link's exact totals, one row per link beside it: the link's own row holds
# only what the link is, so nothing a visit does changes it.
link_counts = sa.Table(
    "suo_link_counts",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("clicks", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visits", sa.Integer, nullable=False, server_default="0"),
    sa.Column("bots", sa.Integer, nullable=False, server_default="0"),
    # 1 if the latest counted hit got under the cap, 0 if the cap stopped it.
    sa.Column("counted", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("first_visit", UTCDateTime),
    sa.Column("last_visit", UTCDateTime),
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

visits = sa.Table(
    "suo_visits",
    METADATA,
    # INTEGER PRIMARY KEY is SQLite's rowid (no extra index); BIGSERIAL on PostgreSQL.
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("os", sa.String(32), nullable=False),
    sa.Column("bot", sa.Boolean, nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("language", sa.String(64)),
    sa.Column("referrer", sa.String(255)),  # the host only, never a path
    sa.Column("target", sa.String(32)),
    sa.Column("utm", sa.Text),  # JSON object, NULL when there were none
    sa.Column("visitor", sa.String(64)),  # daily-salted hash; no IP is ever stored
    sa.Column("variant", sa.String(32)),  # the A/B variant served (added by create_schema)
    sa.Index("suo_visits_code_at", "code", "at"),
)

visit_hours = sa.Table(
    "suo_visit_hours",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    # "total", "platform", "os", "outcome", "target", "referrer", "language" per
    # UTC hour; "all:platform"... and "all:uniques" at the hour _ALL_TIME.
    # Hours are counted from 1970-01-01 00:00 UTC: four bytes, fast to read back.
    sa.Column("dim", sa.String(16), primary_key=True),
    sa.Column("hour", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("key", sa.String(255), primary_key=True),  # "" stands for a missing value
    sa.Column("n", sa.BigInteger, nullable=False),
    # SQLite keeps the rows in key order (no rowid): a link's hours are read as
    # one range of the table itself.
    sqlite_with_rowid=False,
)

visitors = sa.Table(
    "suo_visitors",
    METADATA,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("visitor", sa.String(64), primary_key=True),
    sa.Column("seen", UTCDateTime, nullable=False),  # first seen, for retention
    sqlite_with_rowid=False,
)

salts = sa.Table(
    "suo_salts",
    METADATA,
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("salt", sa.LargeBinary, nullable=False),
)

_NO_CAP = 2**31 - 1  # the INTEGER maximum; Link.max_clicks stays below it
_HOURLY = ("platform", "os", "outcome", "target", "referrer", "language")
_ALL = ("platform", "os", "outcome", "target")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.date().toordinal()
_ALL_TIME = -(2**31)  # the hour of the whole-life rollup rows
_DAY_SHIFT = 24 * 10**6  # keeps hour / 24 a floor division for hours before 1970
_PAGE = 1000  # events per page of visits()
_BY = frozenset(_HOURLY)
_ALL_DIMS = [f"all:{d}" for d in (*_ALL, "uniques")]


def _row(link: Link) -> dict[str, Any]:
    return {"code": link.code, "data": dumps(link.to_dict())}


def _late(code: str, dialect: str) -> StorageUnavailable:
    return StorageUnavailable(
        f"{dialect} reached the visit to {code!r} after its deadline (the engine was "
        "stalled or the row locked); nothing was recorded"
    )


class _BatchState:
    """How far a batch's transaction got (see :meth:`SQLLinks.hit_many`)."""

    __slots__ = ("committing",)

    def __init__(self) -> None:
        self.committing = False


def _batch_failure(exc: Exception, state: _BatchState) -> str:
    """What a failed batch transaction (which wrote nothing) calls for.

    ``"retry"``: the server had dropped the connection before the commit was
    sent (a restart; the pool has replaced its connections): once more.
    ``"alone"``: one visit's own trouble (data the engine or driver refused,
    a row locked past the statement timeout): each visit on its own.
    ``"raise"``: the engine is unreachable, or the commit's fate is unknown.
    """
    if isinstance(exc, (TypeError, ValueError)):
        return "alone"
    if not isinstance(exc, sa.exc.DBAPIError) or state.committing:
        return "raise"
    if exc.connection_invalidated:
        return "retry"
    if isinstance(exc, (sa.exc.DataError, sa.exc.IntegrityError, sa.exc.ProgrammingError)):
        return "alone"
    # PostgreSQL's statement and lock timeouts (SQLSTATE 57014, 55P03): one row
    # held by someone else must not fail the visits to other links.
    if getattr(exc.orig, "sqlstate", None) in ("57014", "55P03"):
        return "alone"
    return "raise"


def _naive_utc(at: datetime) -> datetime:
    return (at if at.tzinfo is UTC else at.astimezone(UTC)).replace(tzinfo=None)


def _hour_number(at: datetime) -> int:
    """Whole hours from 1970-01-01 00:00 UTC to ``at``, rounded down."""
    return int((at - _EPOCH).total_seconds() // 3600)


def _hour_ceil(at: datetime) -> int:
    """Whole hours from 1970-01-01 00:00 UTC to ``at``, rounded up."""
    return -int(-(at - _EPOCH).total_seconds() // 3600)


def _rollup_rows(visit: Visit, outcome: str, hour: int) -> list[tuple[str, int, str]]:
    """``(dim, hour, key)`` of the rollup rows one human visit adds 1 to."""
    values: dict[str, str | None] = {
        "platform": visit.platform,
        "os": visit.os,
        "outcome": outcome,
        "target": visit.target,
        "referrer": visit.referrer,
        "language": visit.language,
    }
    rows: list[tuple[str, int, str]] = [("total", hour, "")]
    rows += [(dim, hour, values[dim] or "") for dim in _HOURLY]
    rows += [("all:" + dim, _ALL_TIME, v) for dim in _ALL if (v := values[dim])]
    return rows


class SQLLinks(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore` for links."""

    def create_schema(self) -> None:
        super().create_schema()
        # A database made by suo 0.1 keeps each link's totals in its own row:
        # copy them once into suo_link_counts, where visits count from now on.
        with self._tx() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("suo_links", self.schema)}
            if "clicks" in columns:
                lk, lc = self._table_name(links), self._table_name(link_counts)
                conn.exec_driver_sql(
                    f"INSERT INTO {lc} (code, clicks, visits, bots, counted, first_visit,"
                    f" last_visit) SELECT l.code, l.clicks, l.visits, l.bots, l.counted,"
                    f" l.first_visit, l.last_visit FROM {lk} l WHERE NOT EXISTS"
                    f" (SELECT 1 FROM {lc} c WHERE c.code = l.code)"
                )
            # Databases made before A/B splits have no suo_visits.variant: add it.
            ev_columns = {
                c["name"] for c in sa.inspect(conn).get_columns("suo_visits", self.schema)
            }
            if "variant" not in ev_columns:
                conn.exec_driver_sql(
                    f"ALTER TABLE {self._table_name(visits)} ADD COLUMN variant VARCHAR(32)"
                )

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
                conn.execute(link_counts.insert(), [{"code": c} for c in codes])
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
            # The counters row first: it waits for visits in flight (they hold its
            # lock) and stops new ones, so the deletes below see all their rows.
            conn.execute(link_counts.delete().where(link_counts.c.code == code))
            found = bool(conn.execute(links.delete().where(links.c.code == code)).rowcount)
            conn.execute(link_tags.delete().where(link_tags.c.code == code))
            for table in (visits, visit_hours, visitors):
                conn.execute(table.delete().where(table.c.code == code))
            return found

    def list_links(self, *, tag: str | None, after: str | None, limit: int) -> list[Link]:
        q = sa.select(links.c.data).order_by(links.c.code).limit(limit)
        if tag is not None:
            q = q.join(link_tags, link_tags.c.code == links.c.code).where(link_tags.c.tag == tag)
        if after is not None:
            q = q.where(links.c.code > after)
        with self._tx() as conn:
            return [Link.from_dict(loads(d)) for d in conn.execute(q).scalars()]

    # -- the click path ---------------------------------------------------------------

    def hit(
        self,
        code: str,
        visit: Visit,
        *,
        count: bool,
        cap: int | None,
        event: bool = True,
        deadline: float | None = None,
    ) -> int | None:
        deadline = self._hit_deadline(deadline)
        if self.dialect == "postgresql":
            row = self._hit_postgres(
                code, visit, count=count, cap=cap, event=event, deadline=deadline
            )
        else:
            # SQLite runs in this thread: the visit is written before hit returns,
            # or rolled back. Only an explicit deadline is checked.
            call = HitCall(code, visit, count, cap, event)
            row = self._hit_many_sqlite([call], [deadline])[0]
        answer = self._hit_answer(code, visit, count, row, deadline)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def hit_many(self, calls: Sequence[HitCall]) -> list[int | Exception | None]:
        """:meth:`hit` for each call, in one transaction (and, on PostgreSQL, one round trip).

        Each visit is still its own conditional ``UPDATE`` with its own
        deadline, so caps stay exact. A failed transaction wrote nothing, and
        then: a connection the server had dropped is replaced and the batch
        sent once more; an error of one visit (bad data, a row locked past
        the statement timeout) sends each visit again on its own, so it costs
        only itself; an unreachable engine fails every visit at once. See
        :mod:`suo.shortener.batching`.
        """
        if not calls:
            return []
        deadlines = [self._hit_deadline(c.deadline) for c in calls]
        for attempt in (1, 2):
            state = _BatchState()
            try:
                if self.dialect == "postgresql":
                    rows = self._hit_many_postgres(calls, deadlines, state)
                else:
                    rows = self._hit_many_sqlite(calls, deadlines)
                break
            except Exception as exc:
                failure = _batch_failure(exc, state)
                if failure == "retry" and attempt == 1:
                    continue
                if failure == "alone":  # each on its own, by the batch's deadlines
                    return [self._hit_alone(c, d) for c, d in zip(calls, deadlines, strict=True)]
                raise
        answers = [
            self._hit_answer(c.code, c.visit, c.count, row, deadline, check=False)
            for c, row, deadline in zip(calls, rows, deadlines, strict=True)
        ]
        return self._late_or_gone(calls, answers)

    def _late_or_gone(
        self, calls: Sequence[HitCall], answers: list[int | Exception | None]
    ) -> list[int | Exception | None]:
        """A visit with no row after its deadline: late, unless its link is gone."""
        late = [i for i, a in enumerate(answers) if isinstance(a, StorageUnavailable)]
        if not late:
            return answers
        table = self._table_name(link_counts)
        wanted = sorted({calls[i].code for i in late})
        mark = "%s" if self.dialect == "postgresql" else "?"
        try:
            with self._raw() as (_raw, cur):
                cur.execute(
                    f"SELECT code FROM {table} WHERE code IN ({', '.join([mark] * len(wanted))})",
                    wanted,
                )
                there = {row[0] for row in cur.fetchall()}
                if self.dialect == "postgresql":
                    cur.connection.rollback()
        except Exception:  # the visits are written (or not) already: keep "late" for these
            return answers
        for i in late:
            if calls[i].code not in there:
                answers[i] = NotFound(f"no link with code {calls[i].code!r}")
        return answers

    def _hit_alone(self, call: HitCall, deadline: float | None) -> int | Exception | None:
        try:
            return self.hit(call.code, call.visit, count=call.count, cap=call.cap,
                            event=call.event, deadline=math.inf if deadline is None else deadline)  # fmt: skip
        except Exception as exc:
            # hit is wrapped (engine_errors): an engine error is already a SuoError
            # with its cause chained; anything else is this visit's own error.
            return exc

    def _hit_deadline(self, deadline: float | None) -> float | None:
        """The deadline a visit is written by (``None``: none; see ``LinkStore.hit``)."""
        if deadline == math.inf:
            return None
        if deadline is None and self.dialect == "postgresql":
            timeout = self.statement_timeout
            return time.time() + timeout - hit_margin(timeout)
        return deadline

    def _hit_answer(
        self,
        code: str,
        visit: Visit,
        count: bool,
        row: tuple[int, int] | None,
        deadline: float | None,
        *,
        check: bool = True,
    ) -> int | Exception | None:
        """What a visit's row means: the click count, ``None`` (capped) or an error.

        No row past the deadline is a late visit, unless the link is gone
        (looked up here with ``check``; :meth:`hit_many` looks up its batch's at once).
        """
        if row is None:
            if deadline is not None and time.time() >= deadline:
                late = _late(code, self.dialect)
                if check:
                    return self._late_or_gone([HitCall(code, visit, count, None)], [late])[0]
                return late
            return NotFound(f"no link with code {code!r}")
        if count and not visit.bot and not row[1]:
            return None
        return int(row[0])

    def _hit_many_sqlite(
        self, calls: Sequence[HitCall], deadlines: list[float | None]
    ) -> list[tuple[int, int] | None]:
        sql = self._sqlite_hit_sql()
        rows: list[tuple[int, int] | None] = []
        with self._raw() as (_raw, cur), sqlite_write(cur):
            for c, deadline in zip(calls, deadlines, strict=True):
                if deadline is not None and time.time() >= deadline:
                    # Waited too long for the write lock: nothing written, and
                    # _hit_answer says "late" (or "gone").
                    rows.append(None)
                else:
                    rows.append(
                        self._sqlite_visit(cur, sql, c.code, c.visit, c.count, c.cap, c.event)
                    )
        return rows

    def _sqlite_visit(
        self,
        cur: Any,
        sql: dict[str, str],
        code: str,
        visit: Visit,
        count: bool,
        cap: int | None,
        event: bool,
    ) -> tuple[int, int] | None:
        """One visit's statements on SQLite, inside the caller's transaction."""
        at_text = _naive_utc(visit.at).isoformat(" ", "microseconds")  # SQLAlchemy's text
        if visit.bot:
            cur.execute(sql["bot"], (code,))
        else:
            limit = (cap if cap is not None else _NO_CAP) if count else -1
            cur.execute(sql["human"], (limit, limit, at_text, at_text, code))
        row = cur.fetchone()
        if row is not None and event:
            outcome = "exhausted" if count and not visit.bot and not row[1] else visit.outcome
            cur.execute(
                sql["event"],
                (
                    code, at_text, visit.platform, visit.os, int(visit.bot), outcome,
                    visit.language, visit.referrer, visit.target,
                    dumps(dict(visit.utm)) if visit.utm else None, visit.visitor,
                    visit.variant,
                ),
            )  # fmt: skip
            if not visit.bot:
                hour = _hour_number(visit.at)
                params: list[Any] = []
                n = 0
                for dim, h, key in _rollup_rows(visit, outcome, hour):
                    params += (code, dim, h, key)
                    n += 1
                if visit.visitor is not None:
                    cur.execute(sql["visitor"], (code, visit.visitor, at_text))
                    if cur.rowcount == 1:
                        params += (code, "all:uniques", _ALL_TIME, "")
                        n += 1
                cur.execute(sql["rollup"].format(rows=",".join(["(?,?,?,?,1)"] * n)), params)
        return None if row is None else (row[0], row[1])

    def _sqlite_hit_sql(self) -> dict[str, str]:
        sql: dict[str, str] | None = getattr(self, "_sqlite_sql", None)
        if sql is None:
            lk, ev, hr, vi = (
                self._table_name(t) for t in (link_counts, visits, visit_hours, visitors)
            )
            sql = {
                "bot": f"UPDATE {lk} SET bots = bots + 1 WHERE code = ? RETURNING clicks, counted",
                # Every SET expression reads the row as it was: the cap check, the
                # increment and the "was it counted" flag are one statement.
                "human": f"UPDATE {lk} SET clicks = CASE WHEN clicks < ? THEN clicks + 1"
                " ELSE clicks END, counted = CASE WHEN clicks < ? THEN 1 ELSE 0 END,"
                " visits = visits + 1, last_visit = ?, first_visit = coalesce(first_visit, ?)"
                " WHERE code = ? RETURNING clicks, counted",
                "event": f"INSERT INTO {ev} (code, at, platform, os, bot, outcome, language,"
                " referrer, target, utm, visitor, variant) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                "visitor": f"INSERT OR IGNORE INTO {vi} (code, visitor, seen) VALUES (?,?,?)",
                "rollup": f"INSERT INTO {hr} (code, dim, hour, key, n) VALUES {{rows}}"
                " ON CONFLICT (code, dim, hour, key) DO UPDATE SET n = n + 1",
            }
            self._sqlite_sql: dict[str, str] = sql
        return sql

    def _hit_postgres(
        self,
        code: str,
        visit: Visit,
        *,
        count: bool,
        cap: int | None,
        event: bool,
        deadline: float | None = None,
    ) -> tuple[int, int] | None:
        stmt, params = self._pg_hit(code, visit, count=count, cap=cap, event=event,
                                    deadline=deadline)  # fmt: skip
        with self._raw(autocommit=True) as (_raw, cur):
            cur.execute(stmt, params)
            row = cur.fetchone()
        return None if row is None else (row[0], row[1])

    def _hit_many_postgres(
        self, calls: Sequence[HitCall], deadlines: list[float | None], state: _BatchState
    ) -> list[tuple[int, int] | None]:
        # Visits run in code order: two batches that touch the same links lock
        # their rows in the same order, so they can wait on each other but
        # never deadlock.
        order = sorted(range(len(calls)), key=lambda i: calls[i].code)
        prepared = [
            self._pg_hit(calls[i].code, calls[i].visit, count=calls[i].count, cap=calls[i].cap,
                         event=calls[i].event, deadline=deadlines[i])
            for i in order
        ]  # fmt: skip
        if any(params["sync"] == "on" for _, params in prepared):
            # One commit for all: durable if any visit must be (a capped click).
            for _, params in prepared:
                params["sync"] = "on"
        rows: list[tuple[int, int] | None] = [None] * len(calls)
        with self._raw() as (raw, _cur):
            driver: Any = raw.dbapi_connection
            cursors = []
            try:
                with driver.pipeline():
                    # A row held by someone else fails the batch in a quarter of the
                    # statement timeout, leaving time for the visits on their own.
                    driver.execute(
                        "SELECT set_config('lock_timeout', %s, true)",
                        (f"{max(1, int(self.statement_timeout * 250))}ms",),
                    )
                    for stmt, params in prepared:
                        cur = driver.cursor()
                        cursors.append(cur)
                        cur.execute(stmt, params)
                for i, cur in zip(order, cursors, strict=True):
                    row = cur.fetchone()
                    rows[i] = None if row is None else (row[0], row[1])
                state.committing = True  # from here a failure may or may not have committed
                driver.commit()
            finally:
                for cur in cursors:
                    cur.close()
        return rows

    def _pg_hit(
        self,
        code: str,
        visit: Visit,
        *,
        count: bool,
        cap: int | None,
        event: bool,
        deadline: float | None,
    ) -> tuple[str, dict[str, Any]]:
        """The statement and parameters of one visit on PostgreSQL."""
        at = _naive_utc(visit.at)
        capped = count and cap is not None
        durable = "on" if capped or self.durable_visits else "off"
        until = None if deadline is None else datetime.fromtimestamp(deadline, UTC)
        if visit.bot:
            params: dict[str, Any] = {"code": code, "sync": durable, "deadline": until}
            stmt = self._pg_hit_sql(bot=True)
        else:
            limit = (cap if cap is not None else _NO_CAP) if count else -1
            params = {
                "code": code,
                "deadline": until,
                "sync": durable,
                "cap": limit,
                "at": at,
                "count": count,
                "hour": _hour_number(visit.at),
            }
            stmt = self._pg_hit_sql(bot=False)
        params["event"] = event
        if event:
            params.update(
                platform=visit.platform,
                os=visit.os,
                bot=visit.bot,
                outcome=visit.outcome,
                language=visit.language,
                referrer=visit.referrer,
                target=visit.target,
                utm=dumps(dict(visit.utm)) if visit.utm else None,
                visitor=visit.visitor,
                variant=visit.variant,
                at=at,
            )
        else:
            params.update(
                platform=None, os=None, bot=visit.bot, outcome=None, language=None,
                referrer=None, target=None, utm=None, visitor=None, variant=None, at=at,
            )  # fmt: skip
        return stmt, params

    def _pg_hit_sql(self, *, bot: bool) -> str:
        cache: dict[bool, str] | None = getattr(self, "_pg_sql", None)
        if cache is None:
            cache = {}
            self._pg_sql: dict[bool, str] = cache
        sql = cache.get(bot)
        if sql is not None:
            return sql
        lk, ev, hr, vi = (self._table_name(t) for t in (link_counts, visits, visit_hours, visitors))
        # set_config(..., true) lasts until this statement's implicit transaction ends,
        # so the commit of this visit alone may be asynchronous.
        cfg = "cfg AS (SELECT set_config('synchronous_commit', %(sync)s::text, true) AS s)"
        # The deadline is read again when the row is written: after a wait on
        # another visit's row lock, PostgreSQL re-checks the WHERE clause.
        late = (
            "(%(deadline)s::timestamptz IS NULL OR clock_timestamp() < %(deadline)s::timestamptz)"
        )
        event_insert = (
            f"e AS (INSERT INTO {ev} (code, at, platform, os, bot, outcome, language,"
            " referrer, target, utm, visitor, variant)"
            " SELECT %(code)s, %(at)s::timestamp, %(platform)s::text, %(os)s::text,"
            " %(bot)s::boolean, {outcome}, %(language)s::text, %(referrer)s::text,"
            " %(target)s::text, %(utm)s::text, %(visitor)s::text, %(variant)s::text"
            " FROM u WHERE %(event)s::boolean)"
        )
        if bot:
            sql = (
                f"WITH {cfg}, u AS (UPDATE {lk} SET bots = bots + 1 WHERE code = %(code)s AND {late}"
                " RETURNING clicks, counted), "
                + event_insert.format(outcome="%(outcome)s::text")
                + " SELECT u.clicks, u.counted FROM u, cfg"
            )
        else:
            outcome = (
                "CASE WHEN %(count)s::boolean AND u.counted = 0 THEN 'exhausted'"
                " ELSE %(outcome)s::text END"
            )
            keys = ", ".join(
                f"('{dim}', %(hour)s::integer, coalesce(%({dim})s::text, ''))"
                if dim != "outcome"
                else f"('outcome', %(hour)s::integer, {outcome})"
                for dim in _HOURLY
            )
            whole = ", ".join(
                f"('all:{dim}', {_ALL_TIME}, %({dim})s::text)"
                if dim != "outcome"
                else f"('all:outcome', {_ALL_TIME}, {outcome})"
                for dim in _ALL
            )
            sql = (
                f"WITH {cfg}, u AS (UPDATE {lk} SET"
                " clicks = CASE WHEN clicks < %(cap)s THEN clicks + 1 ELSE clicks END,"
                " counted = CASE WHEN clicks < %(cap)s THEN 1 ELSE 0 END,"
                " visits = visits + 1, last_visit = %(at)s::timestamp,"
                " first_visit = coalesce(first_visit, %(at)s::timestamp)"
                f" WHERE code = %(code)s AND {late} RETURNING clicks, counted), "
                + event_insert.format(outcome=outcome)
                + f", v AS (INSERT INTO {vi} (code, visitor, seen)"
                " SELECT %(code)s, %(visitor)s::text, %(at)s::timestamp FROM u"
                " WHERE %(event)s::boolean AND %(visitor)s::text IS NOT NULL"
                " ON CONFLICT DO NOTHING RETURNING 1),"
                f" h AS (INSERT INTO {hr} (code, dim, hour, key, n)"
                f" SELECT %(code)s, r.dim, r.hour, r.key, 1 FROM u CROSS JOIN LATERAL"
                f" (VALUES ('total', %(hour)s::integer, ''), {keys}, {whole})"
                " AS r(dim, hour, key) WHERE %(event)s::boolean AND r.key IS NOT NULL"
                f" UNION ALL SELECT %(code)s, 'all:uniques', {_ALL_TIME}, '', 1 FROM v"
                f" ON CONFLICT (code, dim, hour, key) DO UPDATE SET n = {hr}.n + 1)"
                " SELECT u.clicks, u.counted FROM u, cfg"
            )
        cache[bot] = sql
        return sql

    # -- events and rollups -----------------------------------------------------------

    def visits(
        self, code: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> Iterator[Visit]:
        return self._visit_pages(code, start, end)

    def _visit_pages(
        self, code: str, start: datetime | None, end: datetime | None
    ) -> Iterator[Visit]:
        # Keyset pages of _PAGE events, each in its own short transaction: memory
        # stays flat however many events there are, and nothing is held open
        # between pages. The (code, at) index gives the order (ties by id).
        c = visits.c
        base = sa.select(visits).where(c.code == code).order_by(c.at, c.id).limit(_PAGE)
        if start is not None:
            base = base.where(c.at >= start)
        if end is not None:
            base = base.where(c.at < end)
        after: tuple[datetime, int] | None = None
        while True:
            q = base
            if after is not None:
                q = q.where(sa.or_(c.at > after[0], sa.and_(c.at == after[0], c.id > after[1])))
            rows = self._fetch_page(q)
            for r in rows:
                yield Visit(
                    r.at, r.platform, r.os, bool(r.bot), r.outcome, r.code, r.language,
                    r.referrer, r.target, loads(r.utm) if r.utm else None, r.visitor,
                    variant=r.variant,
                )  # fmt: skip
            if len(rows) < _PAGE:
                return
            after = (rows[-1].at, rows[-1].id)

    def _fetch_page(self, q: Any) -> list[Any]:
        # Called from a generator, outside the public method's wrapper: wrap here.
        try:
            with self._tx() as conn:
                return list(conn.execute(q))
        except sa.exc.SQLAlchemyError as e:
            error = self._engine_error(e)
            if error is None:  # pragma: no cover - every SQLAlchemyError maps
                raise
            raise error from e

    def visit_counts(
        self, codes: Sequence[str], *, start: datetime, end: datetime, by: str | None
    ) -> list[tuple[datetime, str | None, int]]:
        if by is not None and by not in _BY:
            from suo.errors import InvalidInput

            raise InvalidInput(f"by must be one of {sorted(_BY)} or None, got {by!r}")
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return []
        # On the driver's cursor: a year of hours by a field is tens of thousands
        # of rows, and SQLAlchemy's row objects would cost more than the query.
        sqlite = self.dialect == "sqlite"
        mark = "?" if sqlite else "%s"
        table = self._table_name(visit_hours)
        codes_sql = ", ".join([mark] * len(wanted))
        where = f"code IN ({codes_sql}) AND dim = {mark} AND hour >= {mark} AND hour < {mark}"
        if len(wanted) == 1:  # (code, dim, hour, key) is the key: one row per hour and key
            sql = f"SELECT hour, key, n FROM {table} WHERE {where}"
        else:
            sql = (
                f"SELECT hour, key, CAST(sum(n) AS BIGINT) FROM {table}"
                f" WHERE {where} GROUP BY hour, key"
            )
        # Hour h holds [h, h + 1): it is in the window when start <= h < end.
        bounds = (_hour_ceil(start), _hour_ceil(end))
        with self._raw(autocommit=not sqlite) as (_raw, cur):
            cur.execute(sql, (*wanted, by or "total", *bounds))
            rows = cur.fetchall()
        # Each distinct hour converted once.
        hours = {number: _EPOCH + timedelta(hours=number) for number in {r[0] for r in rows}}
        return [(hours[number], key or None, n) for number, key, n in rows]

    def purge_visits(self, *, before: datetime, code: str | None = None) -> int:
        # Visitor ids are salted per UTC day, so an id first seen more than a day
        # before the cut can never come again: those rows go too.
        forget = before - timedelta(days=1)
        with self._tx() as conn:
            q = visits.delete().where(visits.c.at < before)
            v = visitors.delete().where(visitors.c.seen < forget)
            if code is not None:
                q = q.where(visits.c.code == code)
                v = v.where(visitors.c.code == code)
            removed = int(conn.execute(q).rowcount)
            conn.execute(v)
        return removed

    def daily_salt(self, day: str) -> bytes:
        oldest = (date.fromisoformat(day) - timedelta(days=2)).isoformat()
        insert = self._insert_stmt(salts).values(day=day, salt=secrets.token_bytes(16))
        with self._tx() as conn:
            conn.execute(insert.on_conflict_do_nothing(index_elements=["day"]))
            conn.execute(salts.delete().where(salts.c.day < oldest))
            salt: bytes = conn.execute(
                sa.select(salts.c.salt).where(salts.c.day == day)
            ).scalar_one()
        return bytes(salt)

    def link_stats(self, code: str) -> Stats:
        h = visit_hours.c
        day: Any = (h.hour + _DAY_SHIFT) // 24  # never negative: a floor division
        whole = sa.select(h.dim, h.key, h.n).where(
            h.code == code, h.dim.in_(_ALL_DIMS), h.hour == _ALL_TIME
        )
        days = (
            sa.select(day, sa.func.sum(h.n)).where(h.code == code, h.dim == "total").group_by(day)
        )
        with self._tx() as conn:
            row = conn.execute(sa.select(link_counts).where(link_counts.c.code == code)).first()
            if row is None:
                return Stats(code=code)
            dims: dict[str, dict[str, int]] = {d: {} for d in (*_ALL, "uniques")}
            for dim, key, n in conn.execute(whole):
                dims[dim[4:]][key] = int(n)
            by_day = {
                date.fromordinal(_EPOCH_DAY + int(d) - _DAY_SHIFT // 24).isoformat(): int(n)
                for d, n in conn.execute(days)
            }
        return Stats(
            code=code,
            clicks=row.clicks,
            visits=row.visits,
            bots=row.bots,
            first_visit=row.first_visit,
            last_visit=row.last_visit,
            by_platform=dims["platform"],
            by_os=dims["os"],
            by_day=by_day,
            uniques=dims["uniques"].get("", 0),
            by_outcome=dims["outcome"],
            by_target=dims["target"],
        )

    def next_sequence(self, name: str) -> int:
        stmt = self._insert_stmt(sequences).values(name=name, value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"value": sequences.c.value + 1}
        ).returning(sequences.c.value)
        with self._tx() as conn:
            value: int = conn.execute(stmt).scalar_one()
        return value
