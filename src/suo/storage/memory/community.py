"""Memory implementation of :class:`~suo.community.store.CommunityStore` (the reference)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from suo.community.model import AuditEntry, Community, Member, MemberStatus
from suo.storage.memory._base import MemoryBase


class MemoryCommunity(MemoryBase):
    """Mixin of :class:`~suo.storage.memory.MemoryStore` for the community domain."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._communities: dict[str, Community] = {}
        self._members: dict[str, dict[str, Member]] = {}
        self._strikes: dict[tuple[str, str], list[tuple[datetime, float]]] = {}
        self._strike_events: dict[tuple[str, str], set[str]] = {}
        self._messages: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
        self._audit: dict[str, list[AuditEntry]] = {}
        self._docs: dict[tuple[str, str], dict[str, tuple[dict[str, Any], tuple[str, ...]]]] = {}
        self._referrals: dict[str, dict[str, dict[str, Any]]] = {}

    # -- communities and members -------------------------------------------

    def save_community(self, community: Community) -> None:
        with self._lock:
            self._communities[community.id] = community

    def get_community(self, community_id: str) -> Community | None:
        return self._communities.get(community_id)

    def list_communities(self) -> list[Community]:
        with self._lock:
            return [self._communities[k] for k in sorted(self._communities)]

    def delete_community(self, community_id: str) -> bool:
        with self._lock:
            found = self._communities.pop(community_id, None) is not None
            self._members.pop(community_id, None)
            self._audit.pop(community_id, None)
            self._referrals.pop(community_id, None)
            for mapping in (self._strikes, self._strike_events, self._messages):
                for key in [k for k in mapping if k[0] == community_id]:
                    del mapping[key]
            for dkey in [k for k in self._docs if k[0] == community_id]:
                del self._docs[dkey]
            return found

    def add_member(self, community_id: str, member: Member, *, capacity: int | None) -> bool:
        with self._lock:
            members = self._members.setdefault(community_id, {})
            if member.id not in members and capacity is not None:
                active = sum(m.status is not MemberStatus.REMOVED for m in members.values())
                if active >= capacity:
                    return False
            members[member.id] = member
            return True

    def get_member(self, community_id: str, member_id: str) -> Member | None:
        return self._members.get(community_id, {}).get(member_id)

    def list_members(self, community_id: str) -> list[Member]:
        with self._lock:
            members = self._members.get(community_id, {})
            return [members[k] for k in sorted(members)]

    def count_members(self, community_id: str) -> int:
        with self._lock:
            members = self._members.get(community_id, {})
            return sum(m.status is not MemberStatus.REMOVED for m in members.values())

    def set_member_status(
        self,
        community_id: str,
        member_id: str,
        status: MemberStatus,
        muted_until: datetime | None,
    ) -> bool:
        with self._lock:
            members = self._members.get(community_id, {})
            member = members.get(member_id)
            if member is None:
                return False
            members[member_id] = member.with_changes(status=status, muted_until=muted_until)
            return True

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
        since = at - window
        key = (community_id, member_id)
        with self._lock:
            log = self._strikes.get(key)
            if log is None:
                log = self._strikes[key] = []
            if event is not None:
                seen = self._strike_events.get(key)
                if seen is None:
                    seen = self._strike_events[key] = set()
                if event in seen:
                    return float(sum([w for t, w in log if since < t <= at]))
                seen.add(event)
            log.append((at, float(weight)))
            return float(sum([w for t, w in log if since < t <= at]))

    def strike_total(
        self, community_id: str, member_id: str, *, at: datetime, window: timedelta
    ) -> float:
        with self._lock:
            since = at - window
            return float(
                sum(
                    w
                    for t, w in self._strikes.get((community_id, member_id), ())
                    if since < t <= at
                )
            )

    def record_message(
        self,
        community_id: str,
        member_id: str,
        *,
        at: datetime,
        digest: str,
        windows: Sequence[timedelta],
    ) -> list[tuple[int, int]]:
        with self._lock:
            log = self._messages.setdefault((community_id, member_id), [])
            log.append((at, digest))
            if windows:
                oldest = at - max(windows)
                log[:] = [(t, d) for t, d in log if t > oldest]
            result = []
            for w in windows:
                since = at - w
                inside = [d for t, d in log if since < t <= at]
                result.append((len(inside), inside.count(digest)))
            return result

    def append_audit(self, entry: AuditEntry) -> None:
        with self._lock:
            self._audit.setdefault(entry.community_id, []).append(entry)

    def audit_log(
        self, community_id: str, *, member_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        with self._lock:
            entries = [
                e
                for e in self._audit.get(community_id, ())
                if member_id is None or e.member_id == member_id
            ]
            return entries[-limit:] if limit > 0 else []

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
        with self._lock:
            self._docs.setdefault((community_id, kind), {})[doc_id] = (
                copy.deepcopy(dict(data)),
                tuple(tags),
            )

    def get_doc(self, community_id: str, kind: str, doc_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._docs.get((community_id, kind), {}).get(doc_id)
            return None if found is None else copy.deepcopy(found[0])

    def list_docs(
        self, community_id: str, kind: str, *, tag: str | None = None
    ) -> list[dict[str, Any]]:
        with self._lock:
            docs = self._docs.get((community_id, kind), {})
            return [
                copy.deepcopy(docs[k][0]) for k in sorted(docs) if tag is None or tag in docs[k][1]
            ]

    def delete_doc(self, community_id: str, kind: str, doc_id: str) -> bool:
        with self._lock:
            return self._docs.get((community_id, kind), {}).pop(doc_id, None) is not None

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
        with self._lock:
            refs = self._referrals.setdefault(community_id, {})
            new = invitee_id not in refs
            if new:
                refs[invitee_id] = {
                    "inviter": inviter_id,
                    "invitee": invitee_id,
                    "at": at,
                    "counted": bool(counted),
                    "data": copy.deepcopy(dict(data or {})),
                }
            total = sum(r["counted"] and r["inviter"] == inviter_id for r in refs.values())
            return new, total

    def list_referrals(
        self, community_id: str, *, inviter_id: str | None = None
    ) -> list[dict[str, Any]]:
        with self._lock:
            refs = self._referrals.get(community_id, {})
            return [
                copy.deepcopy(refs[k])
                for k in sorted(refs)
                if inviter_id is None or refs[k]["inviter"] == inviter_id
            ]

    def referral_leaderboard(self, community_id: str, *, limit: int = 10) -> list[tuple[str, int]]:
        with self._lock:
            counts: dict[str, int] = {}
            for r in self._referrals.get(community_id, {}).values():
                if r["counted"]:
                    counts[r["inviter"]] = counts.get(r["inviter"], 0) + 1
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            return ranked[:limit]
