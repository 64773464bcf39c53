"""SQL implementation of :class:`~suo.community.store.CommunityStore` (tables on ``METADATA``).

Atomic steps take a row lock first: an upsert on ``suo_community_locks``
(``INSERT ... ON CONFLICT DO UPDATE``) for the (community, member) pair, so
on PostgreSQL concurrent transactions on the same member queue behind each
other and each one's count sees the rows the previous one committed; SQLite
serialises writers with ``BEGIN IMMEDIATE`` anyway. The decision (capacity,
strike total, flood counts) is then computed by the engine inside that one
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from suo.community.model import AuditEntry, Community, Member, MemberStatus
from suo.storage._common import dumps, loads
from suo.storage.sql._base import METADATA, SQLBase, UTCDateTime

communities = sa.Table(
    "suo_communities",
    METADATA,
    sa.Column("id", sa.String(), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
)

members = sa.Table(
    "suo_members",
    METADATA,
    sa.Column("community_id", sa.String(), primary_key=True),
    sa.Column("member_id", sa.String(), primary_key=True),
    # status and muted_until are columns so that counting and muting are single statements
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("muted_until", UTCDateTime),
    sa.Column("data", sa.Text, nullable=False),
)

locks = sa.Table(
    "suo_community_locks",
    METADATA,
    sa.Column("community_id", sa.String(), primary_key=True),
    sa.Column("member_id", sa.String(), primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

strikes = sa.Table(
    "suo_strikes",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.String(), nullable=False),
    sa.Column("member_id", sa.String(), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("weight", sa.Float, nullable=False),
    # names the violation so a re-delivered message is not struck twice (NULLs never clash)
    sa.Column("event", sa.String()),
    sa.Index("ix_suo_strikes_member", "community_id", "member_id", "at"),
    sa.Index("ux_suo_strikes_event", "community_id", "member_id", "event", unique=True),
)

messages = sa.Table(
    "suo_messages",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.String(), nullable=False),
    sa.Column("member_id", sa.String(), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("digest", sa.String(32), nullable=False),
    sa.Index("ix_suo_messages_member", "community_id", "member_id", "at"),
)

audit = sa.Table(
    "suo_audit",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("community_id", sa.String(), nullable=False),
    sa.Column("member_id", sa.String(), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Index("ix_suo_audit_community", "community_id", "id"),
)

docs = sa.Table(
    "suo_community_docs",
    METADATA,
    sa.Column("community_id", sa.String(), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("doc_id", sa.String(), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
)

doc_tags = sa.Table(
    "suo_community_doc_tags",
    METADATA,
    sa.Column("community_id", sa.String(), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("tag", sa.String(), primary_key=True),
    sa.Column("doc_id", sa.String(), primary_key=True),
)

referrals = sa.Table(
    "suo_referrals",
    METADATA,
    sa.Column("community_id", sa.String(), primary_key=True),
    # one row per invitee: the primary key makes the first attribution win
    sa.Column("invitee_id", sa.String(), primary_key=True),
    sa.Column("inviter_id", sa.String(), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("counted", sa.Boolean, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Index("ix_suo_referrals_inviter", "community_id", "inviter_id"),
)

_ALL_MEMBERS = "*"  # the lock row that serialises capacity checks of a community


def _member_from_row(row: Any) -> Member:
    data = loads(row.data)
    data["status"] = row.status
    data["muted_until"] = row.muted_until.isoformat() if row.muted_until else None
    return Member.from_dict(data)


class SQLCommunity(SQLBase):
    """Mixin of :class:`~suo.storage.sql.SQLStore` for the community domain."""

    def _lock(self, conn: Connection, community_id: str, member_id: str) -> None:
        stmt = self._insert_stmt(locks).values(community_id=community_id, member_id=member_id, n=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["community_id", "member_id"], set_={"n": locks.c.n + 1}
        )
        conn.execute(stmt)

    # -- communities and members -------------------------------------------

    def save_community(self, community: Community) -> None:
        stmt = self._insert_stmt(communities).values(
            id=community.id, data=dumps(community.to_dict())
        )
        stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"data": stmt.excluded.data})
        with self._tx() as conn:
            conn.execute(stmt)

    def get_community(self, community_id: str) -> Community | None:
        with self._tx() as conn:
            data = conn.execute(
                sa.select(communities.c.data).where(communities.c.id == community_id)
            ).scalar()
        return None if data is None else Community.from_dict(loads(data))

    def list_communities(self) -> list[Community]:
        with self._tx() as conn:
            rows = conn.execute(sa.select(communities.c.data).order_by(communities.c.id)).scalars()
            return [Community.from_dict(loads(d)) for d in rows]

    def delete_community(self, community_id: str) -> bool:
        with self._tx() as conn:
            found = conn.execute(
                communities.delete().where(communities.c.id == community_id)
            ).rowcount
            for table in (members, locks, strikes, messages, audit, docs, doc_tags, referrals):
                conn.execute(table.delete().where(table.c.community_id == community_id))
        return bool(found)

    def add_member(self, community_id: str, member: Member, *, capacity: int | None) -> bool:
        data = member.to_dict()
        values = {
            "community_id": community_id,
            "member_id": member.id,
            "status": member.status.value,
            "muted_until": member.muted_until,
            "data": dumps(data),
        }
        with self._tx() as conn:
            if capacity is not None:
                self._lock(conn, community_id, _ALL_MEMBERS)
                exists = conn.execute(
                    sa.select(sa.literal(1)).where(
                        members.c.community_id == community_id, members.c.member_id == member.id
                    )
                ).first()
                if exists is None:
                    active = conn.execute(
                        sa.select(sa.func.count()).where(
                            members.c.community_id == community_id,
                            members.c.status != MemberStatus.REMOVED.value,
                        )
                    ).scalar_one()
                    if active >= capacity:
                        return False
            stmt = self._insert_stmt(members).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["community_id", "member_id"],
                set_={k: stmt.excluded[k] for k in ("status", "muted_until", "data")},
            )
            conn.execute(stmt)
        return True

    def get_member(self, community_id: str, member_id: str) -> Member | None:
        with self._tx() as conn:
            row = conn.execute(
                sa.select(members).where(
                    members.c.community_id == community_id, members.c.member_id == member_id
                )
            ).first()
        return None if row is None else _member_from_row(row)

    def list_members(self, community_id: str) -> list[Member]:
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(members)
                .where(members.c.community_id == community_id)
                .order_by(members.c.member_id)
            ).all()
        return [_member_from_row(r) for r in rows]

    def count_members(self, community_id: str) -> int:
        with self._tx() as conn:
            n: int = conn.execute(
                sa.select(sa.func.count()).where(
                    members.c.community_id == community_id,
                    members.c.status != MemberStatus.REMOVED.value,
                )
            ).scalar_one()
        return n

    def set_member_status(
        self,
        community_id: str,
        member_id: str,
        status: MemberStatus,
        muted_until: datetime | None,
    ) -> bool:
        with self._tx() as conn:
            n = conn.execute(
                members.update()
                .where(members.c.community_id == community_id, members.c.member_id == member_id)
                .values(status=MemberStatus(status).value, muted_until=muted_until)
            ).rowcount
        return bool(n)

    # -- moderation state ----------------------------------------------------

    def add_strike(
        self,
        community_id: str,
        member_id: str,
        *,
        at: datetime,
        weight: float,
        window: timedelta,
        event: str | None = None,
    ) -> float:
        stmt = (
            self._insert_stmt(strikes)
            .values(
                community_id=community_id,
                member_id=member_id,
                at=at,
                weight=float(weight),
                event=event,
            )
            .on_conflict_do_nothing(index_elements=["community_id", "member_id", "event"])
        )
        with self._tx() as conn:
            self._lock(conn, community_id, member_id)
            conn.execute(stmt)
            return self._strike_sum(conn, community_id, member_id, at, window)

    def _strike_sum(
        self, conn: Connection, community_id: str, member_id: str, at: datetime, window: timedelta
    ) -> float:
        total = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(strikes.c.weight), 0.0)).where(
                strikes.c.community_id == community_id,
                strikes.c.member_id == member_id,
                strikes.c.at > at - window,
                strikes.c.at <= at,
            )
        ).scalar_one()
        return float(total)

    def strike_total(
        self, community_id: str, member_id: str, *, at: datetime, window: timedelta
    ) -> float:
        with self._tx() as conn:
            return self._strike_sum(conn, community_id, member_id, at, window)

    def record_message(
        self,
        community_id: str,
        member_id: str,
        *,
        at: datetime,
        digest: str,
        windows: Sequence[timedelta],
    ) -> list[tuple[int, int]]:
        with self._tx() as conn:
            self._lock(conn, community_id, member_id)
            mine = (messages.c.community_id == community_id) & (messages.c.member_id == member_id)
            if windows:
                conn.execute(messages.delete().where(mine, messages.c.at <= at - max(windows)))
            conn.execute(
                messages.insert().values(
                    community_id=community_id, member_id=member_id, at=at, digest=digest
                )
            )
            if not windows:
                return []
            cols = []
            for w in windows:
                inside = (messages.c.at > at - w) & (messages.c.at <= at)
                cols.append(sa.func.count().filter(inside))
                cols.append(sa.func.count().filter(inside & (messages.c.digest == digest)))
            row = conn.execute(sa.select(*cols).where(mine)).one()
        return [(int(row[2 * i]), int(row[2 * i + 1])) for i in range(len(windows))]

    def append_audit(self, entry: AuditEntry) -> None:
        with self._tx() as conn:
            conn.execute(
                audit.insert().values(
                    community_id=entry.community_id,
                    member_id=entry.member_id,
                    data=dumps(entry.to_dict()),
                )
            )

    def audit_log(
        self, community_id: str, *, member_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        if limit <= 0:
            return []
        q = sa.select(audit.c.data).where(audit.c.community_id == community_id)
        if member_id is not None:
            q = q.where(audit.c.member_id == member_id)
        with self._tx() as conn:
            rows = list(conn.execute(q.order_by(audit.c.id.desc()).limit(limit)).scalars())
        return [AuditEntry.from_dict(loads(d)) for d in reversed(rows)]

    # -- documents ---------------------------------------------------------------

    def save_doc(
        self,
        community_id: str,
        kind: str,
        doc_id: str,
        data: Mapping[str, Any],
        *,
        tags: Sequence[str] = (),
    ) -> None:
        key = {"community_id": community_id, "kind": kind, "doc_id": doc_id}
        stmt = self._insert_stmt(docs).values(**key, data=dumps(dict(data)))
        stmt = stmt.on_conflict_do_update(
            index_elements=["community_id", "kind", "doc_id"], set_={"data": stmt.excluded.data}
        )
        with self._tx() as conn:
            conn.execute(stmt)
            conn.execute(
                doc_tags.delete().where(
                    doc_tags.c.community_id == community_id,
                    doc_tags.c.kind == kind,
                    doc_tags.c.doc_id == doc_id,
                )
            )
            unique = list(dict.fromkeys(tags))
            if unique:
                conn.execute(doc_tags.insert(), [{**key, "tag": t} for t in unique])

    def get_doc(self, community_id: str, kind: str, doc_id: str) -> dict[str, Any] | None:
        with self._tx() as conn:
            data = conn.execute(
                sa.select(docs.c.data).where(
                    docs.c.community_id == community_id,
                    docs.c.kind == kind,
                    docs.c.doc_id == doc_id,
                )
            ).scalar()
        return None if data is None else dict(loads(data))

    def list_docs(
        self, community_id: str, kind: str, *, tag: str | None = None
    ) -> list[dict[str, Any]]:
        q = sa.select(docs.c.data).where(docs.c.community_id == community_id, docs.c.kind == kind)
        if tag is not None:
            q = q.where(
                docs.c.doc_id.in_(
                    sa.select(doc_tags.c.doc_id).where(
                        doc_tags.c.community_id == community_id,
                        doc_tags.c.kind == kind,
                        doc_tags.c.tag == tag,
                    )
                )
            )
        with self._tx() as conn:
            rows = conn.execute(q.order_by(docs.c.doc_id)).scalars().all()
        return [dict(loads(d)) for d in rows]

    def delete_doc(self, community_id: str, kind: str, doc_id: str) -> bool:
        with self._tx() as conn:
            n = conn.execute(
                docs.delete().where(
                    docs.c.community_id == community_id,
                    docs.c.kind == kind,
                    docs.c.doc_id == doc_id,
                )
            ).rowcount
            conn.execute(
                doc_tags.delete().where(
                    doc_tags.c.community_id == community_id,
                    doc_tags.c.kind == kind,
                    doc_tags.c.doc_id == doc_id,
                )
            )
        return bool(n)

    # -- referrals -------------------------------------------------------------

    def record_referral(
        self,
        community_id: str,
        *,
        inviter_id: str,
        invitee_id: str,
        at: datetime,
        counted: bool,
        data: Mapping[str, Any] | None = None,
    ) -> tuple[bool, int]:
        stmt = (
            self._insert_stmt(referrals)
            .values(
                community_id=community_id,
                invitee_id=invitee_id,
                inviter_id=inviter_id,
                at=at,
                counted=bool(counted),
                data=dumps(dict(data or {})),
            )
            .on_conflict_do_nothing(index_elements=["community_id", "invitee_id"])
            .returning(referrals.c.invitee_id)
        )
        with self._tx() as conn:
            # Serialise per inviter so the count returned includes this row.
            self._lock(conn, community_id, "ref:" + inviter_id)
            new = conn.execute(stmt).first() is not None
            total = conn.execute(
                sa.select(sa.func.count()).where(
                    referrals.c.community_id == community_id,
                    referrals.c.inviter_id == inviter_id,
                    referrals.c.counted.is_(True),
                )
            ).scalar_one()
        return new, int(total)

    def list_referrals(
        self, community_id: str, *, inviter_id: str | None = None
    ) -> list[dict[str, Any]]:
        q = sa.select(referrals).where(referrals.c.community_id == community_id)
        if inviter_id is not None:
            q = q.where(referrals.c.inviter_id == inviter_id)
        with self._tx() as conn:
            rows = conn.execute(q.order_by(referrals.c.invitee_id)).all()
        return [
            {
                "inviter": r.inviter_id,
                "invitee": r.invitee_id,
                "at": r.at,
                "counted": bool(r.counted),
                "data": loads(r.data),
            }
            for r in rows
        ]

    def referral_leaderboard(self, community_id: str, *, limit: int = 10) -> list[tuple[str, int]]:
        n = sa.func.count().label("n")
        q = (
            sa.select(referrals.c.inviter_id, n)
            .where(referrals.c.community_id == community_id, referrals.c.counted.is_(True))
            .group_by(referrals.c.inviter_id)
            .order_by(n.desc(), referrals.c.inviter_id)
            .limit(limit)
        )
        with self._tx() as conn:
            return [(r.inviter_id, int(r.n)) for r in conn.execute(q)]
