"""Communities, members, roles and the permissions each role carries.

Values here are plain attrs classes: they validate at the boundary, compare by
value and turn into JSON-ready dicts (``to_dict`` / ``from_dict``) so that
every store keeps them the same way.

Example:
    >>> from datetime import UTC, datetime, timedelta
    >>> from suo.community import Community, CommunityKind, Member, Role
    >>> start = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    >>> flash = Community(name="双11快闪", kind="flash", starts_at=start)
    >>> flash.ends_at - flash.starts_at
    datetime.timedelta(days=3)
    >>> flash.is_open(start + timedelta(hours=71)), flash.is_open(start + timedelta(hours=72))
    (True, False)
    >>> Role.OWNER.label("zh"), Role.CHEERLEADER.zh, Member(id="u1", role="operator").can("moderate")
    ('总舵主', '气氛组', True)
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from attrs import Factory, evolve, field, frozen

from suo._time import iso as _iso
from suo._time import require_aware
from suo.errors import CommunityError, InvalidInput

__all__ = [
    "FLASH_DURATION",
    "KIND_LABELS",
    "ROLE_LABELS",
    "ROLE_PERMISSIONS",
    "AuditEntry",
    "Community",
    "CommunityKind",
    "Member",
    "MemberStatus",
    "Permission",
    "Role",
    "can",
]

FLASH_DURATION = timedelta(hours=72)
"""How long a flash community lives after it starts, unless told otherwise."""


class CommunityKind(StrEnum):
    """What a community is for: traffic/引流, welfare/福利, flash/快闪."""

    TRAFFIC = "traffic"
    WELFARE = "welfare"
    FLASH = "flash"

    def label(self, lang: str = "zh") -> str:
        """The display name in ``"zh"`` or ``"en"``."""
        return _label(KIND_LABELS, self, lang)

    @property
    def zh(self) -> str:
        """The Chinese display name."""
        return KIND_LABELS[self]["zh"]

    @property
    def en(self) -> str:
        """The English display name."""
        return KIND_LABELS[self]["en"]


KIND_LABELS: Mapping[CommunityKind, Mapping[str, str]] = {
    CommunityKind.TRAFFIC: {"zh": "引流", "en": "traffic"},
    CommunityKind.WELFARE: {"zh": "福利", "en": "welfare"},
    CommunityKind.FLASH: {"zh": "快闪", "en": "flash"},
}
"""Display names of each kind, by language."""


class Role(StrEnum):
    """A member's role: owner/总舵主, operator/运营官, kol/KOL, cheerleader/气氛组, member/成员."""

    OWNER = "owner"
    OPERATOR = "operator"
    KOL = "kol"
    CHEERLEADER = "cheerleader"
    MEMBER = "member"

    def label(self, lang: str = "zh") -> str:
        """The display name in ``"zh"`` or ``"en"``."""
        return _label(ROLE_LABELS, self, lang)

    @property
    def zh(self) -> str:
        """The Chinese display name."""
        return ROLE_LABELS[self]["zh"]

    @property
    def en(self) -> str:
        """The English display name."""
        return ROLE_LABELS[self]["en"]


ROLE_LABELS: Mapping[Role, Mapping[str, str]] = {
    Role.OWNER: {"zh": "总舵主", "en": "owner"},
    Role.OPERATOR: {"zh": "运营官", "en": "operator"},
    Role.KOL: {"zh": "KOL", "en": "KOL"},
    Role.CHEERLEADER: {"zh": "气氛组", "en": "cheerleader"},
    Role.MEMBER: {"zh": "成员", "en": "member"},
}
"""Display names of each role, by language."""


def _label(table: Mapping[Any, Mapping[str, str]], key: Any, lang: str) -> str:
    names = table[key]
    if lang not in names:
        raise InvalidInput(f"no {lang!r} label; use one of {sorted(names)}")
    return names[lang]


class Permission(StrEnum):
    """Things a role may do in a community."""

    POST_ANNOUNCEMENTS = "post_announcements"
    MODERATE = "moderate"
    INVITE = "invite"
    SEE_DASHBOARDS = "see_dashboards"


ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.OPERATOR: frozenset(Permission),
    Role.KOL: frozenset({Permission.POST_ANNOUNCEMENTS, Permission.INVITE}),
    Role.CHEERLEADER: frozenset({Permission.INVITE}),
    Role.MEMBER: frozenset({Permission.INVITE}),
}
"""Which permissions each role has. Data, so an app can pass its own table to :func:`can`."""


def can(
    role: Role | str,
    permission: Permission | str,
    *,
    table: Mapping[Role, frozenset[Permission]] = ROLE_PERMISSIONS,
) -> bool:
    """Whether ``role`` has ``permission``: the one place permissions are checked.

    Example:
        >>> can("kol", "post_announcements"), can("member", "moderate")
        (True, False)
    """
    return _enum(Permission, permission, "permission") in table.get(_enum(Role, role, "role"), ())


def _enum(cls: Any, value: Any, name: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise InvalidInput(
            f"unknown {name} {value!r}; use one of {', '.join(m.value for m in cls)}"
        ) from None


def _kind(value: Any) -> CommunityKind:
    result: CommunityKind = _enum(CommunityKind, value, "community kind")
    return result


def _role(value: Any) -> Role:
    result: Role = _enum(Role, value, "role")
    return result


def _status(value: Any) -> MemberStatus:
    result: MemberStatus = _enum(MemberStatus, value, "member status")
    return result


def _aware(name: str) -> Any:
    def check(_inst: object, _attr: object, value: datetime | None) -> None:
        if value is not None:
            require_aware(value, name)

    return check


def _nonempty(name: str) -> Any:
    def check(_inst: object, _attr: object, value: str) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"{name} must be a non-empty string, got {value!r}")

    return check


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


class MemberStatus(StrEnum):
    """Where a member stands: active, muted (until a time) or removed."""

    ACTIVE = "active"
    MUTED = "muted"
    REMOVED = "removed"


@frozen
class Member:
    """One person in one community.

    Attributes:
        id: the member's id in your system (a WeChat openid, a user id...).
        role: a :class:`Role` (strings are accepted).
        joined_at: when they joined (aware); phase scopes and probation count from it.
        referrer: the id of the member who invited them, if any.
        status: active, muted or removed; a mute ends by itself at ``muted_until``.
        muted_until: end of the current mute.
        probation_until: end of the new-member probation (ends by itself).
        approved: an operator vouched for this member: rules that honour
            approval (ads, links) skip them.
        name: a display name for welcome messages.

    Example:
        >>> from datetime import UTC, datetime, timedelta
        >>> t = datetime(2026, 1, 1, tzinfo=UTC)
        >>> m = Member(id="u1", status="muted", muted_until=t + timedelta(hours=1))
        >>> m.state(t).value, m.state(t + timedelta(hours=1)).value
        ('muted', 'active')
    """

    id: str = field(validator=_nonempty("member id"))
    role: Role = field(default=Role.MEMBER, converter=_role)
    joined_at: datetime | None = field(default=None, validator=_aware("joined_at"))
    referrer: str | None = None
    status: MemberStatus = field(default=MemberStatus.ACTIVE, converter=_status)
    muted_until: datetime | None = field(default=None, validator=_aware("muted_until"))
    probation_until: datetime | None = field(default=None, validator=_aware("probation_until"))
    approved: bool = False
    name: str | None = None

    def state(self, at: datetime) -> MemberStatus:
        """The status at ``at``: a mute whose time has passed reads as active."""
        if self.status is MemberStatus.MUTED and (
            self.muted_until is not None and at >= self.muted_until
        ):
            return MemberStatus.ACTIVE
        return self.status

    def on_probation(self, at: datetime) -> bool:
        """Whether the new-member probation still runs at ``at``."""
        return self.probation_until is not None and at < self.probation_until

    def can(self, permission: Permission | str) -> bool:
        """Whether this member's role grants ``permission`` (see :func:`can`)."""
        return can(self.role, permission)

    def require(self, permission: Permission | str) -> None:
        """Raise :class:`~suo.errors.CommunityError` unless the role grants ``permission``."""
        if not self.can(permission):
            raise CommunityError(
                f"member {self.id!r} is a {self.role.value} and may not {Permission(permission).value}; "
                "ask an owner or operator, or change the role table"
            )

    def with_changes(self, **changes: Any) -> Member:
        """A copy with some fields replaced."""
        return evolve(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "id": self.id,
            "role": self.role.value,
            "joined_at": _iso(self.joined_at),
            "referrer": self.referrer,
            "status": self.status.value,
            "muted_until": _iso(self.muted_until),
            "probation_until": _iso(self.probation_until),
            "approved": self.approved,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Member:
        """The member :meth:`to_dict` wrote."""
        return cls(
            id=data["id"],
            role=data.get("role", "member"),
            joined_at=_dt(data.get("joined_at")),
            referrer=data.get("referrer"),
            status=data.get("status", "active"),
            muted_until=_dt(data.get("muted_until")),
            probation_until=_dt(data.get("probation_until")),
            approved=bool(data.get("approved", False)),
            name=data.get("name"),
        )


def _default_end(self: Community) -> datetime | None:
    if self.kind is CommunityKind.FLASH and self.starts_at is not None:
        return self.starts_at + self.flash_duration
    return None


def _capacity(_inst: object, _attr: object, value: int | None) -> None:
    if value is not None and (not isinstance(value, int) or value < 1):
        raise InvalidInput(f"capacity must be a positive int or None, got {value!r}")


def _duration(_inst: object, _attr: object, value: timedelta) -> None:
    if value <= timedelta(0):
        raise InvalidInput(f"flash_duration must be positive, got {value!r}")


def _domains(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    return tuple(sorted({str(d).strip().lower().lstrip(".") for d in value if str(d).strip()}))


@frozen
class Community:
    """A group that links feed: its kind, goal, capacity and lifetime.

    Attributes:
        name: shown to people.
        kind: a :class:`CommunityKind` (strings are accepted).
        id: generated (12 hex characters) when not given.
        goal: what the community is for, in a sentence.
        capacity: the most members it may hold (``None``: no limit).
        starts_at: when it opens (aware). A flash community's end counts from it.
        flash_duration: a flash community's life (72 hours by default).
        ends_at: the hard end; a flash community with a start gets
            ``starts_at + flash_duration`` when none is given.
        allowed_domains: link domains this community accepts on top of the
            rulebook's allow-list (subdomains included).
        sop_plan: the name of the SOP plan that runs it, if any.
        rulebook: the name of the rulebook it uses (informational).

    Example:
        >>> c = Community(name="会员福利群", kind="welfare", capacity=500)
        >>> c.kind.label("en"), len(c.id), c.ends_at is None
        ('welfare', 12, True)
    """

    name: str = field(validator=_nonempty("community name"))
    kind: CommunityKind = field(default=CommunityKind.TRAFFIC, converter=_kind)
    id: str = field(factory=_new_id, validator=_nonempty("community id"))
    goal: str = ""
    capacity: int | None = field(default=None, validator=_capacity)
    starts_at: datetime | None = field(default=None, validator=_aware("starts_at"))
    flash_duration: timedelta = field(default=FLASH_DURATION, validator=_duration)
    ends_at: datetime | None = field(
        default=Factory(_default_end, takes_self=True), validator=_aware("ends_at")
    )
    allowed_domains: tuple[str, ...] = field(default=(), converter=_domains)
    sop_plan: str | None = None
    rulebook: str | None = None

    def __attrs_post_init__(self) -> None:
        if (
            self.starts_at is not None
            and self.ends_at is not None
            and self.ends_at <= self.starts_at
        ):
            raise InvalidInput(
                f"community {self.name!r} ends ({self.ends_at}) before it starts ({self.starts_at})"
            )

    def start(self, at: datetime) -> Community:
        """A copy that starts at ``at`` (a flash community then ends ``flash_duration`` later)."""
        require_aware(at, "at")
        ends = at + self.flash_duration if self.kind is CommunityKind.FLASH else self.ends_at
        return evolve(self, starts_at=at, ends_at=ends)

    def is_closed(self, at: datetime) -> bool:
        """Past its hard end at ``at`` (people may still join before the start)."""
        require_aware(at, "at")
        return self.ends_at is not None and at >= self.ends_at

    def is_open(self, at: datetime) -> bool:
        """Open at ``at``: started (or no start set) and not past its hard end."""
        require_aware(at, "at")
        if self.starts_at is not None and at < self.starts_at:
            return False
        return self.ends_at is None or at < self.ends_at

    def with_changes(self, **changes: Any) -> Community:
        """A copy with some fields replaced."""
        return evolve(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind.value,
            "goal": self.goal,
            "capacity": self.capacity,
            "starts_at": _iso(self.starts_at),
            "flash_duration": self.flash_duration.total_seconds(),
            "ends_at": _iso(self.ends_at),
            "allowed_domains": list(self.allowed_domains),
            "sop_plan": self.sop_plan,
            "rulebook": self.rulebook,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Community:
        """The community :meth:`to_dict` wrote."""
        return cls(
            id=data["id"],
            name=data["name"],
            kind=data.get("kind", "traffic"),
            goal=data.get("goal", ""),
            capacity=data.get("capacity"),
            starts_at=_dt(data.get("starts_at")),
            flash_duration=timedelta(seconds=float(data.get("flash_duration", 259200))),
            ends_at=_dt(data.get("ends_at")),
            allowed_domains=tuple(data.get("allowed_domains", ())),
            sop_plan=data.get("sop_plan"),
            rulebook=data.get("rulebook"),
        )


class AuditEntry(NamedTuple):
    """One moderation decision and why it was taken.

    A named tuple (immutable, cheap: one is written per flagged message).

    Attributes:
        community_id: where.
        member_id: who.
        at: when the message was posted (aware).
        action: the :class:`~suo.community.ConductAction` value taken.
        reasons: human-readable lines: rule -> match -> strikes -> ladder step.
        rules: names of the rules that matched.
        strikes: the member's live strike total after this decision.
        step: the ladder step applied (``"mute 1h"``), if any.
        excerpt: the start of the message (at most 80 characters).
        dry_run: written by a dry run (never by :meth:`Moderator.dry_run`
            into a store: kept for reports).
    """

    community_id: str
    member_id: str
    at: datetime
    action: str
    reasons: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    strikes: float = 0.0
    step: str | None = None
    excerpt: str = ""
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "community_id": self.community_id,
            "member_id": self.member_id,
            "at": self.at.isoformat(),
            "action": self.action,
            "reasons": list(self.reasons),
            "rules": list(self.rules),
            "strikes": self.strikes,
            "step": self.step,
            "excerpt": self.excerpt,
            "dry_run": self.dry_run,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEntry:
        """The entry :meth:`to_dict` wrote."""
        return cls(
            community_id=data["community_id"],
            member_id=data["member_id"],
            at=datetime.fromisoformat(data["at"]),
            action=data["action"],
            reasons=tuple(data.get("reasons", ())),
            rules=tuple(data.get("rules", ())),
            strikes=float(data.get("strikes", 0.0)),
            step=data.get("step"),
            excerpt=data.get("excerpt", ""),
            dry_run=bool(data.get("dry_run", False)),
        )


def id_of(value: Community | Member | str) -> str:
    """The id of a community or member, or the id itself when given one.

    Example:
        >>> id_of(Member(id="amy")), id_of("amy")
        ('amy', 'amy')
    """
    return value if isinstance(value, str) else value.id
