"""Steps, occurrences and a plan's expansion: the layer below :mod:`suo.sop.plan`.

:class:`Step`, :class:`Override`, :class:`Occurrence`, :class:`Where`,
:data:`CHANNELS` and :class:`PlanCore` (a plan's data and its expansion)
live here, so the views of a plan (:mod:`suo.sop.checks`,
:mod:`suo.sop.grid`, :mod:`suo.sop.ical`) import them without importing
:mod:`suo.sop.plan`, whose :class:`~suo.sop.Plan` calls those views. All of
them are importable from :mod:`suo.sop`.

Expansion is done once per distinct (zone, set of steps) and shared by every
community with that zone, so a year of a weekly plan for 10,000 communities
costs one expansion plus one small object per occurrence.

Example:
    >>> from datetime import datetime
    >>> from suo.sop import Plan, Step, Weekly
    >>> from suo.sop.model import PlanCore
    >>> plan = Plan("demo", [Step("quote", Weekly("MO", "09:00"), "Morning quote")])
    >>> isinstance(plan, PlanCore), len(plan.occurrences(datetime(2026, 11, 30), datetime(2026, 12, 7)))
    (True, 1)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Self

from attrs import Factory, define, evolve, field, frozen

from suo.errors import ScheduleError
from suo.sop._tz import localize, zone
from suo.sop.triggers import Campaign, MemberJoin, Trigger

__all__ = [
    "CHANNELS",
    "Occurrence",
    "Override",
    "PlanCore",
    "Step",
    "Where",
    "holidays",
    "occurrence_id",
]

CHANNELS = ("group", "mass", "private")
"""How a step reaches people: a post in the community (``group``), a mass
message to each member (``mass``, counts toward per-recipient caps), or a
one-to-one message to a member (``private``, for member-relative steps)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")
_STATIC = ("weekly", "rrule", "once")


def _slug(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise ScheduleError(
            f"{what} {value!r} must be 1-80 characters of letters, digits, '_', '.', ':' or '-', "
            "starting with a letter or digit"
        )
    return value


def _step_id(value: Any) -> str:
    return _slug(value, "step id")


def _plan_id(value: Any) -> str:
    return _slug(value, "plan id")


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _steps(value: Iterable[Step]) -> tuple[Step, ...]:
    return tuple(value)


def _overrides(value: Iterable[Override]) -> tuple[Override, ...]:
    return tuple(value)


def _members(value: Iterable[MemberJoin]) -> tuple[MemberJoin, ...]:
    return tuple(value)


def _campaigns(value: Iterable[Campaign]) -> tuple[Campaign, ...]:
    return tuple(value)


def occurrence_id(
    plan: str,
    step: str,
    at: datetime,
    community: str = "",
    member: str | None = None,
    campaign: str | None = None,
    replaces: str | None = None,
) -> str:
    """The stable id of one occurrence: a BLAKE2b digest of what identifies it.

    The instant enters as UTC, so the id does not depend on the zone a caller
    prints it in; Python's ``hash()`` is never used (it differs per process).

    Examples:
        >>> from datetime import datetime, UTC
        >>> occurrence_id("p", "s", datetime(2026, 1, 1, tzinfo=UTC))
        'b1184493d2abcbb458bbb245'
    """
    key = "\x1f".join(
        (
            plan,
            step,
            community,
            member or "",
            campaign or "",
            replaces or "",
            str((at - _EPOCH) // _MICRO),  # exact integer µs since 1970 (UTC)
        )
    )
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def _duration(value: Any) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ScheduleError(f"a step's duration must be a positive timedelta, got {value!r}")
    return value


@frozen
class Step:
    """One timed to-do of a plan.

    Attributes:
        id: stable identifier within the plan (it is part of occurrence ids).
        trigger: when (:class:`~suo.sop.Weekly`, :class:`~suo.sop.Recurrence`,
            :class:`~suo.sop.AfterJoin`, :class:`~suo.sop.CampaignOffset`,
            :class:`~suo.sop.Once`).
        title: what to do, for people ("Post the flash sale").
        content: a reference to the content to post (a content item id,
            link code or template key); suo does not interpret it.
        role: who does it (owner, operator, kol, cheerleader, ...).
        scope: where: ``"*"`` every community the plan runs in,
            ``"kind:<kind>"`` communities of that kind, or one community id.
        duration: how long the slot is held (for clash checks and calendars).
        channel: one of :data:`CHANNELS`.

    Examples:
        >>> from suo.sop import Weekly
        >>> Step("flash", Weekly("FR", "20:00"), "Flash sale + countdown poster", role="operator").role
        'operator'
    """

    id: str = field(converter=_step_id)
    trigger: Trigger = field()
    title: str = field()
    content: str = ""
    role: str = "operator"
    scope: str = "*"
    duration: timedelta = field(default=timedelta(minutes=30), converter=_duration)
    channel: str = "group"

    @trigger.validator
    def _check_trigger(self, _a: Any, value: Any) -> None:
        if not isinstance(value, Trigger):
            raise ScheduleError(
                f"step {self.id!r}: trigger must be Weekly, Recurrence, AfterJoin, "
                f"CampaignOffset or Once, got {value!r}"
            )

    @title.validator
    def _check_title(self, _a: Any, value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ScheduleError(f"step {self.id!r} needs a non-empty title")

    def __attrs_post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ScheduleError(
                f"step {self.id!r}: channel must be one of {CHANNELS}, got {self.channel!r}"
            )
        if not self.role or not isinstance(self.role, str):
            raise ScheduleError(f"step {self.id!r} needs a role (e.g. 'operator')")

    def applies_to(self, community: str, kind: str | None) -> bool:
        """True if this step runs in the community ``community`` of kind ``kind``."""
        s = self.scope
        if s == "*" or s == community:
            return True
        return kind is not None and s == f"kind:{kind}"


@frozen
class Override:
    """On local date ``on``: skip steps, or replace them with another step.

    ``steps`` empty means every step that day. With ``replace``, each matched
    occurrence keeps its time but does ``replace``'s title, content and role.

    Examples:
        >>> from datetime import date
        >>> Override(date(2026, 10, 1), reason="National Day").replace is None
        True
    """

    on: date
    steps: tuple[str, ...] = field(default=(), converter=_strs)
    replace: Step | None = None
    reason: str = ""

    def matches(self, step: str, day: date) -> bool:
        """True if this override applies to step ``step`` on local date ``day``."""
        return day == self.on and (not self.steps or step in self.steps)


def holidays(
    dates: Iterable[date],
    *,
    steps: Iterable[str] = (),
    replace: Step | None = None,
    reason: str = "holiday",
) -> tuple[Override, ...]:
    """One :class:`Override` per date, with the same steps, replacement and reason.

    Examples:
        >>> from datetime import date
        >>> len(holidays([date(2027, 2, 6), date(2027, 2, 7)], reason="Spring Festival"))
        2
    """
    s = tuple(steps)
    return tuple(Override(d, s, replace, reason) for d in dates)


def _at_utc(occ: Occurrence) -> datetime:
    return occ.at.astimezone(UTC)


@define(frozen=True, slots=True)
class Occurrence:
    """One step at one instant, in one community (and for one member or campaign).

    Attributes:
        plan: the plan id.
        step: the :class:`Step` (``.step.title`` is what to do).
        at: the aware instant, in the step's own zone if its trigger has
            one (``Weekly(tz=...)``, a ``Recurrence``'s dtstart), else in the
            community's zone.
        community: the community id (``""`` when the plan ran without any).
        member: the member id for member-relative steps.
        campaign: the campaign id for campaign-relative steps.
        replaces: the step id a holiday override replaced, if any.
        utc: ``at`` in UTC (the sort key).
        id: stable across runs and processes (see :func:`occurrence_id`).
    """

    plan: str
    step: Step
    at: datetime
    community: str = ""
    member: str | None = None
    campaign: str | None = None
    replaces: str | None = None
    utc: datetime = field(default=Factory(_at_utc, takes_self=True), eq=False, repr=False)
    _id: str | None = field(default=None, init=False, eq=False, repr=False)

    @property
    def id(self) -> str:
        """The stable id (computed on first use)."""
        value = self._id
        if value is None:
            value = occurrence_id(
                self.plan, self.step.id, self.utc, self.community, self.member, self.campaign,
                self.replaces,
            )  # fmt: skip
            object.__setattr__(self, "_id", value)
        return value

    @property
    def end(self) -> datetime:
        """When the slot ends (``at`` + the step's duration)."""
        return self.at + self.step.duration

    @property
    def title(self) -> str:
        """The step's title."""
        return self.step.title

    @property
    def role(self) -> str:
        """The step's assignee role."""
        return self.step.role

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (ids, times as ISO 8601)."""
        return {
            "id": self.id,
            "plan": self.plan,
            "step": self.step.id,
            "title": self.step.title,
            "content": self.step.content,
            "role": self.step.role,
            "channel": self.step.channel,
            "at": self.at.isoformat(),
            "community": self.community,
            "member": self.member,
            "campaign": self.campaign,
            "replaces": self.replaces,
        }


@frozen
class Where:
    """A community the plan runs in: id, optional zone and kind.

    Anything with an ``id`` attribute (and optionally ``tz``/``timezone`` and
    ``kind``) is accepted where a community is expected; so is a plain id.
    """

    id: str
    tz: str | None = None
    kind: str | None = None

    @classmethod
    def of(cls, value: Any) -> Where:
        """Read a community from a string, a :class:`Where`, or any object with ``.id``."""
        if isinstance(value, Where):
            return value
        if isinstance(value, str):
            return cls(value)
        cid = getattr(value, "id", None)
        if cid is None:
            raise ScheduleError(f"a community must be an id string or have an .id, got {value!r}")
        tz = getattr(value, "tz", None) or getattr(value, "timezone", None)
        kind = getattr(value, "kind", None)
        kind = getattr(kind, "value", kind)
        return cls(str(cid), None if tz is None else str(tz), None if kind is None else str(kind))


_Base = list[tuple[datetime, datetime, Step, str | None]]  # (utc, at, step, replaces)


@frozen
class PlanCore:
    """A plan's data and its expansion into occurrences, without the views.

    :class:`~suo.sop.Plan` adds the views (:meth:`~suo.sop.Plan.check`,
    :meth:`~suo.sop.Plan.week`, :meth:`~suo.sop.Plan.to_ical`, ...); the
    modules that make them read a :class:`PlanCore`, so they never import
    :mod:`suo.sop.plan`. Its fields are those of :class:`~suo.sop.Plan`.

    Examples:
        >>> from suo.sop import templates
        >>> from suo.sop.model import PlanCore
        >>> plan = templates.welfare_weekly()
        >>> isinstance(plan, PlanCore), plan.id
        (True, 'welfare-weekly')
    """

    id: str = field(converter=_plan_id)
    steps: tuple[Step, ...] = field(converter=_steps)
    title: str = ""
    tz: str = "Asia/Shanghai"
    overrides: tuple[Override, ...] = field(default=(), converter=_overrides)
    members: tuple[MemberJoin, ...] = field(default=(), converter=_members)
    campaigns: tuple[Campaign, ...] = field(default=(), converter=_campaigns)
    start: date | None = None

    def __attrs_post_init__(self) -> None:
        zone(self.tz)
        seen: set[str] = set()
        for s in self.steps:
            if not isinstance(s, Step):
                raise ScheduleError(f"plan {self.id!r}: steps must be Step objects, got {s!r}")
            if s.id in seen:
                raise ScheduleError(f"plan {self.id!r} has two steps with id {s.id!r}")
            seen.add(s.id)
        for o in self.overrides:
            if not isinstance(o, Override):
                raise ScheduleError(
                    f"plan {self.id!r}: overrides must be Override objects, got {o!r}"
                )
            unknown = [sid for sid in o.steps if sid not in seen]
            if unknown:
                raise ScheduleError(
                    f"plan {self.id!r}: override on {o.on} names unknown steps {unknown}; "
                    f"steps are {sorted(seen)}"
                )

    def step(self, step_id: str) -> Step:
        """The step with this id (``ScheduleError`` if none)."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise ScheduleError(
            f"plan {self.id!r} has no step {step_id!r}; steps: {[s.id for s in self.steps]}"
        )

    def with_steps(self, *steps: Step) -> Self:
        """A copy with more steps appended."""
        return evolve(self, steps=(*self.steps, *steps))

    def with_overrides(self, *overrides: Override) -> Self:
        """A copy with more holiday overrides."""
        return evolve(self, overrides=(*self.overrides, *overrides))

    # -- expansion --------------------------------------------------------

    def bounds(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """Validate a window; naive bounds are read as wall-clock times in ``plan.tz``.

        Examples:
            >>> from datetime import datetime
            >>> from suo.sop import templates
            >>> templates.welfare_weekly().bounds(datetime(2026, 11, 30), datetime(2026, 12, 7))[0].isoformat()
            '2026-11-30T00:00:00+08:00'
        """
        tz = zone(self.tz)
        out = []
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, datetime):
                raise ScheduleError(f"{name} must be a datetime, got {value!r}")
            if value.tzinfo is None or value.utcoffset() is None:
                local = localize(value, tz, "shift")
                assert local is not None
                value = local
            out.append(value)
        if out[1] < out[0]:
            raise ScheduleError(f"end ({end}) is before start ({start})")
        return out[0], out[1]

    def _resolve(
        self,
        start: datetime,
        end: datetime,
        communities: Iterable[Any] | None,
        members: Iterable[MemberJoin] | None,
        campaigns: Iterable[Campaign] | None,
    ) -> tuple[list[Where], list[MemberJoin], list[Campaign]]:
        wheres = [Where("")] if communities is None else [Where.of(c) for c in communities]
        ids = [w.id for w in wheres]
        if len(set(ids)) != len(ids):
            raise ScheduleError("the same community id appears twice in communities=")
        mem = list(self.members if members is None else members)
        cam = list(self.campaigns if campaigns is None else campaigns)
        for name, items in (("member", mem), ("campaign", cam)):
            keys = [(x.community, x.id) for x in items]
            if len(set(keys)) != len(keys):
                raise ScheduleError(f"the same {name} id appears twice in one community")
        return wheres, mem, cam

    def _assign(self, items: Sequence[Any], where: Where, n_where: int) -> list[Any]:
        if n_where == 1:
            return [x for x in items if x.community in (None, where.id) or where.id == ""]
        for x in items:
            if x.community is None:
                raise ScheduleError(
                    f"{type(x).__name__} {x.id!r} has no community; set community= when a plan "
                    "runs for several communities"
                )
        return [x for x in items if x.community == where.id]

    def _apply_overrides(
        self, items: Iterable[tuple[datetime, Step, str | None, str | None]], tz: tzinfo
    ) -> Iterator[tuple[datetime, Step, str | None, str | None, str | None]]:
        """(at, step, member, campaign) -> (at, step, member, campaign, replaces)."""
        overrides = self.overrides
        for at, step, member, campaign in items:
            if overrides:
                day = at.astimezone(tz).date()
                hit = next((o for o in overrides if o.matches(step.id, day)), None)
                if hit is not None:
                    if hit.replace is not None:
                        yield at, hit.replace, member, campaign, step.id
                    continue
            yield at, step, member, campaign, None

    def _base(self, start: datetime, end: datetime, tz: tzinfo, steps: Sequence[Step]) -> _Base:
        raw: list[tuple[datetime, Step, str | None, str | None]] = []
        for step in steps:
            if step.trigger.kind in _STATIC:
                raw.extend(
                    (at, step, None, None)
                    for at, _m, _c in step.trigger.expand(start, end, tz, (), ())
                )
        order = {s.id: i for i, s in enumerate(self.steps)}
        base = [
            (at.astimezone(UTC), at, step, rep)
            for at, step, _m, _c, rep in self._apply_overrides(raw, tz)
        ]
        base.sort(key=lambda b: (b[0], order.get(b[3] or b[2].id, 0)))
        return base

    def iter_by_community(
        self,
        start: datetime,
        end: datetime,
        communities: Iterable[Any] | None = None,
        *,
        members: Iterable[MemberJoin] | None = None,
        campaigns: Iterable[Campaign] | None = None,
    ) -> Iterator[tuple[str, list[Occurrence]]]:
        """Yield ``(community id, its occurrences in [start, end) by time)`` one community at a time.

        Streams, so memory stays flat for many communities; each distinct
        (zone, steps in scope) is expanded once.
        """
        start, end = self.bounds(start, end)
        wheres, mem, cam = self._resolve(start, end, communities, members, campaigns)
        cache: dict[tuple[str, tuple[bool, ...]], _Base] = {}
        n = len(wheres)
        plan_id = self.id
        for w in wheres:
            tz = zone(w.tz or self.tz)
            mask = tuple(s.applies_to(w.id, w.kind) for s in self.steps)
            key = (tz.key, mask)
            base = cache.get(key)
            if base is None:
                steps = [s for s, ok in zip(self.steps, mask, strict=True) if ok]
                base = cache[key] = self._base(start, end, tz, steps)
            cid = w.id
            occs = [
                Occurrence(plan_id, step, at, cid, None, None, rep, utc)
                for utc, at, step, rep in base
            ]
            dyn = self._dynamic(start, end, tz, w, n, mem, cam, mask)
            if dyn:
                occs.extend(dyn)
                occs.sort(key=_utc)
            yield cid, occs

    def _dynamic(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo,
        w: Where,
        n: int,
        mem: list[MemberJoin],
        cam: list[Campaign],
        mask: tuple[bool, ...],
    ) -> list[Occurrence]:
        steps = [
            s
            for s, ok in zip(self.steps, mask, strict=True)
            if ok and s.trigger.kind not in _STATIC
        ]
        if not steps:
            return []
        m = self._assign(mem, w, n) if mem else []
        c = self._assign(cam, w, n) if cam else []
        raw: list[tuple[datetime, Step, str | None, str | None]] = []
        for step in steps:
            for at, member, campaign in step.trigger.expand(start, end, tz, m, c):
                raw.append((at.astimezone(tz), step, member, campaign))
        out = [
            Occurrence(self.id, step, at, w.id, member, campaign, rep)
            for at, step, member, campaign, rep in self._apply_overrides(raw, tz)
        ]
        out.sort(key=lambda o: (o.utc, o.member or "", o.campaign or "", o.step.id))
        return out

    def occurrences(
        self,
        start: datetime,
        end: datetime,
        *,
        communities: Iterable[Any] | None = None,
        members: Iterable[MemberJoin] | None = None,
        campaigns: Iterable[Campaign] | None = None,
    ) -> list[Occurrence]:
        """Every occurrence in ``[start, end)``, sorted by time.

        Args:
            start: aware datetime, inclusive (a naive one is read in ``plan.tz``).
            end: aware datetime, exclusive (likewise).
            communities: ids (or objects with ``.id``, ``.tz``, ``.kind``)
                to run the plan in; default: one anonymous community.
            members: member joins for member-relative steps (default
                ``plan.members``); each expands per member.
            campaigns: campaigns for campaign-relative steps (default
                ``plan.campaigns``); each expands per campaign.

        Raises:
            ScheduleError: bounds that are not datetimes, end before start,
                a community id given twice, a member or campaign id repeated.
        """
        runs = [
            occs
            for _cid, occs in self.iter_by_community(
                start, end, communities, members=members, campaigns=campaigns
            )
        ]
        if len(runs) == 1:
            return runs[0]
        out = [o for run in runs for o in run]
        out.sort(key=_utc)  # stable: ties keep community order, then step order
        return out


def _utc(o: Occurrence) -> datetime:
    return o.utc
