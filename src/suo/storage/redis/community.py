"""Redis implementation of :class:`~suo.community.store.CommunityStore`.

Keys (``p`` is the store prefix; every key of one community shares the hash
tag ``{c:<id>}``, so each atomic step is one Lua script on one Cluster slot)::

    p:{communities}:all            hash    community id -> Community JSON
    p:{c:<id>}:members             hash    member id -> Member JSON (without status)
    p:{c:<id>}:status              hash    member id -> "status|muted_until ISO"
    p:{c:<id>}:removed             set     removed member ids (capacity counts the rest)
    p:{c:<id>}:strikes:<member>    zset    "<seq>|<weight>" scored by epoch microseconds
    p:{c:<id>}:strike-events:<member>  set  events already struck (re-deliveries add nothing)
    p:{c:<id>}:msgs:<member>       zset    "<seq>|<digest>" scored by epoch microseconds
    p:{c:<id>}:seq                 string  sequence making zset members unique
    p:{c:<id>}:audit               list    AuditEntry JSON, oldest first
    p:{c:<id>}:docs:<kind>         hash    doc id -> {"data": ..., "tags": [...]}
    p:{c:<id>}:dtag:<kind>:<tag>   set     doc ids with that tag
    p:{c:<id>}:ref:by              hash    invitee -> referral JSON (HSETNX: first wins)
    p:{c:<id>}:ref:board           zset    inviter -> counted invites
    p:{c:<id>}:keys                set     every key above, so a community can be deleted
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from suo.community.model import AuditEntry, Community, Member, MemberStatus
from suo.storage._common import dumps, loads
from suo.storage.redis._base import RedisBase


def _us(at: datetime) -> int:
    """Epoch microseconds, exact (a float timestamp is not)."""
    return (at - _EPOCH) // _MICRO


def _us_span(window: timedelta) -> int:
    return window // _MICRO


def _ts(at: datetime) -> str:
    return str(_us(at))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class RedisCommunity(RedisBase):
    """Mixin of :class:`~suo.storage.redis.RedisStore` for the community domain."""

    def _ck(self, community_id: str, name: str) -> str:
        return str(self._key(f"c:{community_id}", name))

    def _all_key(self) -> str:
        return str(self._key("communities", "all"))

    # -- communities and members -------------------------------------------

    def save_community(self, community: Community) -> None:
        self._r.hset(self._all_key(), community.id, dumps(community.to_dict()))

    def get_community(self, community_id: str) -> Community | None:
        data = self._r.hget(self._all_key(), community_id)
        return None if data is None else Community.from_dict(loads(data))

    def list_communities(self) -> list[Community]:
        found = self._r.hgetall(self._all_key())
        return [Community.from_dict(loads(found[k])) for k in sorted(found)]

    def delete_community(self, community_id: str) -> bool:
        found = bool(self._r.hdel(self._all_key(), community_id))
        keys_key = self._ck(community_id, "keys")
        keys = list(self._r.smembers(keys_key))
        for i in range(0, len(keys), 500):
            self._r.delete(*keys[i : i + 500])
        self._r.delete(keys_key, self._ck(community_id, "audit"))
        return found

    def _member_keys(self, community_id: str) -> list[str]:
        return [
            self._ck(community_id, "members"),
            self._ck(community_id, "status"),
            self._ck(community_id, "removed"),
        ]

    def add_member(self, community_id: str, member: Member, *, capacity: int | None) -> bool:
        data = member.to_dict()
        data.pop("status")
        data.pop("muted_until")
        ok = self._script("community_add_member")(
            keys=[*self._member_keys(community_id), self._ck(community_id, "keys")],
            args=[
                member.id,
                dumps(data),
                member.status.value,
                member.muted_until.isoformat() if member.muted_until else "",
                -1 if capacity is None else capacity,
            ],
        )
        return bool(int(ok))

    def _member(self, data: str | None, status: str | None) -> Member | None:
        if data is None:
            return None
        record = loads(data)
        state, _, until = (status or "active|").partition("|")
        record["status"] = state
        record["muted_until"] = until or None
        return Member.from_dict(record)

    def get_member(self, community_id: str, member_id: str) -> Member | None:
        members, status, _ = self._member_keys(community_id)
        pipe = self._r.pipeline(transaction=False)
        pipe.hget(members, member_id)
        pipe.hget(status, member_id)
        data, state = pipe.execute()
        return self._member(data, state)

    def list_members(self, community_id: str) -> list[Member]:
        members, status, _ = self._member_keys(community_id)
        pipe = self._r.pipeline(transaction=False)
        pipe.hgetall(members)
        pipe.hgetall(status)
        datas, states = pipe.execute()
        out = [self._member(datas[k], states.get(k)) for k in sorted(datas)]
        return [m for m in out if m is not None]

    def count_members(self, community_id: str) -> int:
        members, _, removed = self._member_keys(community_id)
        pipe = self._r.pipeline(transaction=False)
        pipe.hlen(members)
        pipe.scard(removed)
        n, gone = pipe.execute()
        return int(n) - int(gone)

    def set_member_status(
        self,
        community_id: str,
        member_id: str,
        status: MemberStatus,
        muted_until: datetime | None,
    ) -> bool:
        ok = self._script("community_set_status")(
            keys=self._member_keys(community_id),
            args=[
                member_id,
                MemberStatus(status).value,
                muted_until.isoformat() if muted_until else "",
            ],
        )
        return bool(int(ok))

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
        total = self._script("community_add_strike")(
            keys=[
                self._ck(community_id, f"strikes:{member_id}"),
                self._ck(community_id, "seq"),
                self._ck(community_id, "keys"),
                self._ck(community_id, f"strike-events:{member_id}"),
            ],
            args=[
                _ts(at),
                repr(float(weight)),
                f"({_us(at) - _us_span(window)}",
                event or "",
            ],
        )
        return float(total)

    def strike_total(
        self, community_id: str, member_id: str, *, at: datetime, window: timedelta
    ) -> float:
        lo = _us(at) - _us_span(window)
        found = self._r.zrangebyscore(
            self._ck(community_id, f"strikes:{member_id}"), f"({lo}", _ts(at)
        )
        return float(sum(float(m.rsplit("|", 1)[1]) for m in found))

    def record_message(
        self,
        community_id: str,
        member_id: str,
        *,
        at: datetime,
        digest: str,
        windows: Sequence[timedelta],
    ) -> list[tuple[int, int]]:
        flat = self._script("community_record_message")(
            keys=[
                self._ck(community_id, f"msgs:{member_id}"),
                self._ck(community_id, "seq"),
                self._ck(community_id, "keys"),
            ],
            args=[
                _ts(at),
                digest,
                str(_us(at) - max(map(_us_span, windows))) if windows else "",
                *(f"({_us(at) - _us_span(w)}" for w in windows),
            ],
        )
        return [(int(flat[2 * i]), int(flat[2 * i + 1])) for i in range(len(windows))]

    def append_audit(self, entry: AuditEntry) -> None:
        self._r.rpush(self._ck(entry.community_id, "audit"), dumps(entry.to_dict()))

    def audit_log(
        self, community_id: str, *, member_id: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        if limit <= 0:
            return []
        key = self._ck(community_id, "audit")
        if member_id is None:
            raw = self._r.lrange(key, -limit, -1)
        else:
            # Filter from the newest end in pages; a member's entries are a
            # small part of a busy log, so the first pages usually suffice.
            raw = []
            end = -1
            page = 500
            while len(raw) < limit:
                chunk = self._r.lrange(key, end - page + 1, end)
                if not chunk:
                    break
                raw = [d for d in chunk if loads(d)["member_id"] == member_id] + raw
                if len(chunk) < page:
                    break
                end -= page
            raw = raw[-limit:]
        return [AuditEntry.from_dict(loads(d)) for d in raw]

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
        key = self._ck(community_id, f"docs:{kind}")
        unique = list(dict.fromkeys(tags))

        # WATCH the docs hash: the tag diff is computed from the stored doc, so a
        # concurrent save of the same kind makes EXEC fail and the diff is redone.
        def save(pipe: Any) -> None:
            old = pipe.hget(key, doc_id)
            old_tags = set(loads(old)["tags"]) if old else set()
            pipe.multi()
            pipe.hset(key, doc_id, dumps({"data": dict(data), "tags": unique}))
            keys = [key]
            for tag in old_tags - set(unique):
                pipe.srem(self._ck(community_id, f"dtag:{kind}:{tag}"), doc_id)
            for tag in set(unique) - old_tags:
                tag_key = self._ck(community_id, f"dtag:{kind}:{tag}")
                pipe.sadd(tag_key, doc_id)
                keys.append(tag_key)
            pipe.sadd(self._ck(community_id, "keys"), *keys)

        self._r.transaction(save, key)

    def get_doc(self, community_id: str, kind: str, doc_id: str) -> dict[str, Any] | None:
        raw = self._r.hget(self._ck(community_id, f"docs:{kind}"), doc_id)
        return None if raw is None else dict(loads(raw)["data"])

    def list_docs(
        self, community_id: str, kind: str, *, tag: str | None = None
    ) -> list[dict[str, Any]]:
        key = self._ck(community_id, f"docs:{kind}")
        if tag is None:
            found = self._r.hgetall(key)
            return [dict(loads(found[k])["data"]) for k in sorted(found)]
        ids = sorted(self._r.smembers(self._ck(community_id, f"dtag:{kind}:{tag}")))
        if not ids:
            return []
        raws = self._r.hmget(key, ids)
        return [dict(loads(r)["data"]) for r in raws if r is not None]

    def delete_doc(self, community_id: str, kind: str, doc_id: str) -> bool:
        key = self._ck(community_id, f"docs:{kind}")

        def delete(pipe: Any) -> bool:
            old = pipe.hget(key, doc_id)
            if old is None:
                return False
            pipe.multi()
            pipe.hdel(key, doc_id)
            for tag in loads(old)["tags"]:
                pipe.srem(self._ck(community_id, f"dtag:{kind}:{tag}"), doc_id)
            return True

        return bool(self._r.transaction(delete, key, value_from_callable=True))

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
        record = {
            "inviter": inviter_id,
            "invitee": invitee_id,
            "at": at.isoformat(),
            "counted": bool(counted),
            "data": dict(data or {}),
        }
        new, total = self._script("community_referral")(
            keys=[
                self._ck(community_id, "ref:by"),
                self._ck(community_id, "ref:board"),
                self._ck(community_id, "keys"),
            ],
            args=[invitee_id, inviter_id, dumps(record), "1" if counted else "0"],
        )
        return bool(int(new)), int(total)

    def list_referrals(
        self, community_id: str, *, inviter_id: str | None = None
    ) -> list[dict[str, Any]]:
        found = self._r.hgetall(self._ck(community_id, "ref:by"))
        out = []
        for k in sorted(found):
            r = loads(found[k])
            if inviter_id is None or r["inviter"] == inviter_id:
                r["at"] = datetime.fromisoformat(r["at"])
                out.append(r)
        return out

    def referral_leaderboard(self, community_id: str, *, limit: int = 10) -> list[tuple[str, int]]:
        found = self._r.zrangebyscore(
            self._ck(community_id, "ref:board"), "(0", "+inf", withscores=True
        )
        ranked = sorted(((m, int(s)) for m, s in found), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:limit]
