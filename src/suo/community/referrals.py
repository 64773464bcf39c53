"""Referrals (裂变): personal referral links, attribution of joins, rewards, a leaderboard.

Each member gets one personal short link (made through :class:`suo.Shortener`
and remembered in the store, so asking again returns the same link). It
points to your landing page with ``?ref=<member id>&c=<community id>``; when
someone joins through it, call :meth:`Referrals.attribute`. Every invitee is
attributed once (the first attribution wins, atomically in the store), and
the inviter's count of *counted* invites drives reward tiers ("invite 3 ->
reward") and the leaderboard.

Guards (an attribution that trips one is recorded but not counted, with the
reason):

* **self-referral**: the invitee is the inviter;
* **inactive inviter**: the inviter is not an active member of the community
  (not stored, muted or removed);
* **same person as the inviter**: the invitee's device, phone or IP
  fingerprint equals one the inviter registered or joined with;
* **many accounts, one device**: ``max_per_device`` (2) counted invitees of
  this inviter already share the invitee's device or phone fingerprint, or
  ``max_per_ip`` (5) share its IP (IPs are shared by families and offices,
  so the IP limit is looser).

These are heuristics: they stop the cheap tricks (one phone, many WeChat
accounts) and leave a reason in the record for a person to review. Only
BLAKE2b hashes of the signals are stored, never the raw IP or phone number.

Example:
    >>> from datetime import UTC, datetime
    >>> import suo
    >>> from suo.community import Community, Member
    >>> store = suo.open_store("memory://")
    >>> group = Community(name="裂变群", id="g")
    >>> store.add_member("g", Member(id="amy"), capacity=None)
    True
    >>> refs = Referrals(store, suo.Shortener(store), landing_url="https://example.com/join")
    >>> refs.link(group, "amy").target
    'https://example.com/join?ref=amy&c=g'
    >>> t = datetime(2026, 11, 25, tzinfo=UTC)
    >>> [refs.attribute(group, f"fan{i}", "amy", at=t).total for i in range(3)]
    [1, 2, 3]
    >>> refs.attribute(group, "fan3", "amy", at=t).rewards_unlocked, refs.leaderboard(group)
    ((), [('amy', 4)])
    >>> refs.attribute(group, "amy", "amy", at=t).reasons
    ('self-referral',)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from attrs import field, frozen

from suo._time import require_aware
from suo.community.model import Community, Member, MemberStatus, id_of
from suo.community.store import ReferralsStore
from suo.errors import InvalidInput
from suo.storage import open_store

__all__ = ["Attribution", "JoinSignals", "Referrals", "RewardTier", "inviter_from"]


def _positive(_inst: object, attr: Any, value: int) -> None:
    if not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{attr.name} must be an int >= 1, got {value!r}")


@frozen
class RewardTier:
    """``invites`` counted invites unlock ``reward``."""

    invites: int = field(validator=_positive)
    reward: str


def _fp(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    return hashlib.blake2b(str(value).strip().lower().encode(), digest_size=10).hexdigest()


@frozen
class JoinSignals:
    """What the join request revealed; hashed on creation, never stored raw.

    Attributes:
        device: a device id / fingerprint from your client or SDK.
        phone: a phone number.
        ip: the client IP.

    Example:
        >>> JoinSignals(ip="1.2.3.4").ip == JoinSignals(ip=" 1.2.3.4").ip != "1.2.3.4"
        True
    """

    device: str | None = field(default=None, converter=_fp)
    phone: str | None = field(default=None, converter=_fp)
    ip: str | None = field(default=None, converter=_fp)

    def to_dict(self) -> dict[str, str]:
        """The hashes that are set."""
        return {
            k: v for k, v in (("device", self.device), ("phone", self.phone), ("ip", self.ip)) if v
        }


@frozen
class Attribution:
    """The result of attributing one join.

    Attributes:
        invitee / inviter: who joined, through whose link.
        new: this call recorded it (``False``: the invitee was attributed before).
        counted: it counts towards the inviter's rewards.
        total: the inviter's counted invites afterwards.
        rewards_unlocked: tiers this join just reached.
        reasons: why it was not counted (empty when counted).
    """

    invitee: str
    inviter: str
    new: bool
    counted: bool
    total: int
    rewards_unlocked: tuple[RewardTier, ...] = ()
    reasons: tuple[str, ...] = ()


def inviter_from(url: str, param: str = "ref") -> str | None:
    """The inviter id in a landing URL's query (``?ref=...``), if any.

    Example:
        >>> inviter_from("https://example.com/join?ref=amy&c=g")
        'amy'
    """
    values = parse_qs(urlsplit(url).query).get(param)
    return values[0] if values else None


class Referrals:
    """Referral links, attribution, rewards and the leaderboard of communities.

    Args:
        store: a store (object or URL) implementing
            :class:`~suo.community.store.ReferralsStore` (every suo backend does).
        shortener: a :class:`suo.Shortener` making the personal links.
        landing_url: the page a referral link opens (your join page).
        rewards: :class:`RewardTier` list (default: 3 invites -> a reward).
        max_per_device: multi-account limit per device or phone (see the module notes).
        max_per_ip: multi-account limit per IP.
        param: the query parameter carrying the inviter id.

    Example:
        >>> import suo
        >>> from datetime import UTC, datetime
        >>> store = suo.open_store("memory://")
        >>> refs = Referrals(store, suo.Shortener(store), landing_url="https://example.com/join")
        >>> refs.attribute("g", "newbie", "ghost", at=datetime(2026, 1, 1, tzinfo=UTC)).reasons
        ('inviter ghost is not an active member',)
    """

    def __init__(
        self,
        store: Any,
        shortener: Any,
        *,
        landing_url: str,
        rewards: Iterable[RewardTier] = (RewardTier(3, "invite 3 friends: reward"),),
        max_per_device: int = 2,
        max_per_ip: int = 5,
        param: str = "ref",
    ) -> None:
        self.store: ReferralsStore = open_store(store)
        if not isinstance(self.store, ReferralsStore):
            raise InvalidInput(
                f"{self.store!r} does not implement the ReferralsStore protocol (referral "
                "ledger, documents, members); use suo.open_store(...) or a backend that does"
            )
        self.shortener = shortener
        parts = urlsplit(landing_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(f"landing_url must be an absolute http(s) URL, got {landing_url!r}")
        self.landing_url = landing_url
        self.rewards = tuple(sorted(rewards, key=lambda r: r.invites))
        if max_per_device < 1 or max_per_ip < 1:
            raise InvalidInput("max_per_device and max_per_ip must be >= 1")
        self.max_per_device = max_per_device
        self.max_per_ip = max_per_ip
        self.param = param

    def _target(self, community_id: str, member_id: str) -> str:
        parts = urlsplit(self.landing_url)
        query = parse_qs(parts.query)
        query[self.param] = [member_id]
        query["c"] = [community_id]
        return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))

    def link(self, community: Community | str, member: Member | str) -> Any:
        """The member's personal referral link (a :class:`suo.Link`), made once."""
        cid, mid = id_of(community), id_of(member)
        known = self.store.get_doc(cid, "reflink", mid)
        if known is not None:
            try:
                return self.shortener.get(known["code"])
            except KeyError:
                pass  # the link was deleted: make a new one
        link = self.shortener.shorten(self._target(cid, mid), tags=("referral", f"referral:{cid}"))
        self.store.save_doc(cid, "reflink", mid, {"code": link.code}, tags=("referral",))
        return link

    def register(
        self, community: Community | str, member: Member | str, signals: JoinSignals
    ) -> None:
        """Remember a member's own signals (so invitees matching them are caught)."""
        self.store.save_doc(id_of(community), "signals", id_of(member), signals.to_dict())

    def _guards(
        self, cid: str, invitee: str, inviter: str, signals: JoinSignals, at: datetime
    ) -> list[str]:
        if invitee == inviter:
            return ["self-referral"]
        reasons = []
        who = self.store.get_member(cid, inviter)
        if who is None or who.state(at) is not MemberStatus.ACTIVE:
            reasons.append(f"inviter {inviter} is not an active member")
        own = self.store.get_doc(cid, "signals", inviter) or {}
        for kind in ("device", "phone", "ip"):
            mine = getattr(signals, kind)
            if mine is not None and own.get(kind) == mine:
                reasons.append(f"same {kind} as the inviter")
        if signals.device or signals.phone or signals.ip:
            earlier = [
                r["data"]
                for r in self.store.list_referrals(cid, inviter_id=inviter)
                if r["counted"] and r["invitee"] != invitee
            ]
            for kind, limit in (
                ("device", self.max_per_device),
                ("phone", self.max_per_device),
                ("ip", self.max_per_ip),
            ):
                mine = getattr(signals, kind)
                if mine is None:
                    continue
                same = sum(d.get(kind) == mine for d in earlier)
                if same >= limit:
                    reasons.append(f"{same} earlier invitees share this {kind}")
        return reasons

    def attribute(
        self,
        community: Community | str,
        invitee: Member | str,
        inviter: Member | str,
        *,
        at: datetime,
        signals: JoinSignals | None = None,
    ) -> Attribution:
        """Attribute a join to an inviter (once per invitee), with the guards above."""
        require_aware(at, "at")
        cid, who, by = id_of(community), id_of(invitee), id_of(inviter)
        if not who or not by:
            raise InvalidInput("invitee and inviter must be non-empty ids")
        signals = signals or JoinSignals()
        reasons = self._guards(cid, who, by, signals, at)
        new, total = self.store.record_referral(
            cid,
            inviter_id=by,
            invitee_id=who,
            at=at,
            counted=not reasons,
            data={**signals.to_dict(), "reasons": reasons},
        )
        if signals.to_dict():
            self.store.save_doc(cid, "signals", who, signals.to_dict())
        if not new:
            prior = next((r for r in self.store.list_referrals(cid) if r["invitee"] == who), None)
            first = prior["inviter"] if prior else "someone"
            return Attribution(
                who, by, False, False, total, (), (f"already attributed to {first}",)
            )
        counted = not reasons
        unlocked = tuple(t for t in self.rewards if counted and t.invites == total)
        return Attribution(who, by, True, counted, total, unlocked, tuple(reasons))

    def join(
        self,
        admission: Any,
        community: Community,
        applicant: Any,
        *,
        at: datetime,
        signals: JoinSignals | None = None,
    ) -> tuple[Any, Attribution | None]:
        """Admit ``applicant`` through ``admission`` and, when admitted with a
        referrer, attribute the join: ``(AdmissionDecision, Attribution or None)``.

        Example:
            >>> import suo
            >>> from datetime import UTC, datetime
            >>> from suo.community import Admission, Applicant, Member
            >>> store = suo.open_store("memory://")
            >>> store.add_member("g", Member(id="amy"), capacity=None)
            True
            >>> refs = Referrals(store, suo.Shortener(store), landing_url="https://example.com/j")
            >>> decision, attribution = refs.join(
            ...     Admission(), Community(name="g", id="g"), Applicant(id="bo", referrer="amy"),
            ...     at=datetime(2026, 1, 1, tzinfo=UTC))
            >>> decision.admitted, attribution.inviter, attribution.total
            (True, 'amy', 1)
        """
        decision = admission.admit(self.store, community, applicant, at=at)
        if not decision.admitted or applicant.referrer is None:
            return decision, None
        return decision, self.attribute(
            community, applicant.id, applicant.referrer, at=at, signals=signals
        )

    def rewards_for(self, total: int) -> tuple[RewardTier, ...]:
        """Every tier ``total`` counted invites have reached."""
        return tuple(t for t in self.rewards if total >= t.invites)

    def count(self, community: Community | str, member: Member | str) -> int:
        """A member's counted invites."""
        mid = id_of(member)
        return sum(
            1 for r in self.store.list_referrals(id_of(community), inviter_id=mid) if r["counted"]
        )

    def leaderboard(self, community: Community | str, *, limit: int = 10) -> list[tuple[str, int]]:
        """``(inviter, counted invites)``, most first, ties by id."""
        return self.store.referral_leaderboard(id_of(community), limit=limit)
