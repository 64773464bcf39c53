"""Admission: gates (referral, participation, paid entry, capacity), one decision with reasons.

An :class:`Admission` combines gates with ``mode="all"`` (every gate must
pass) or ``mode="any"`` (one is enough). Capacity is different: a full
community is full whatever else the applicant brings, so gates marked
``always`` (capacity is) must pass in either mode. :meth:`Admission.decide`
only reads; :meth:`Admission.admit` also writes the member, taking the seat
atomically in the store so two applicants cannot both get the last one.

New members start on probation (7 days by default): ``Member.probation_until``
is set from the join time and the probation ends by itself when that time
passes (``member.on_probation(at)``). Rules can target the first days with
``Scope(first_days=...)``.

Example:
    >>> from datetime import UTC, datetime
    >>> import suo
    >>> from suo.community import Community, Member
    >>> store = suo.open_store("memory://")
    >>> group = Community(name="福利群", kind="welfare", capacity=2, id="w")
    >>> store.add_member("w", Member(id="host", role="owner"), capacity=None)
    True
    >>> gate = Admission([ReferralGate(), PaidEntryGate(99)], mode="any")
    >>> t = datetime(2026, 11, 25, tzinfo=UTC)
    >>> d = gate.admit(store, group, Applicant(id="fan", referrer="host"), at=t)
    >>> d.admitted, d.reasons
    (True, ('referral: invited by active member host', 'paid entry: paid 0 < 99 CNY', 'capacity: 1 of 2 seats taken'))
    >>> gate.decide(store, group, Applicant(id="late", paid=99), at=t).reasons[-1]
    'capacity: full (2 of 2 seats taken)'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from suo._time import require_aware
from suo.community.model import Community, Member, MemberStatus, Role
from suo.community.store import MemberStore
from suo.errors import InvalidInput
from suo.storage import open_store

__all__ = [
    "Admission",
    "AdmissionDecision",
    "Applicant",
    "CapacityGate",
    "Gate",
    "GateResult",
    "PaidEntryGate",
    "ParticipationGate",
    "ReferralGate",
]


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"an amount must be a number, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(f"an amount must be a finite number >= 0, got {value!r}")
    return amount


def _ids(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    return frozenset(str(v) for v in value)


@frozen
class Applicant:
    """Someone asking to join.

    Attributes:
        id: their id (becomes the member id).
        referrer: the member id of whoever invited them.
        activities: ids of activities they took part in.
        paid: what they paid to enter (a number; ``Decimal`` inside).
        name: display name for the welcome message.
        role: the role they get (member by default).

    Example:
        >>> Applicant(id="u1", paid="9.90").paid
        Decimal('9.90')
    """

    id: str
    referrer: str | None = None
    activities: frozenset[str] = field(default=frozenset(), converter=_ids)
    paid: Decimal = field(default=Decimal(0), converter=_money)
    name: str | None = None
    role: Role = field(default=Role.MEMBER, converter=Role)

    def __attrs_post_init__(self) -> None:
        if not self.id or not isinstance(self.id, str):
            raise InvalidInput(f"an applicant needs a non-empty id, got {self.id!r}")


@frozen
class GateResult:
    """One gate's answer: ``passed`` and a reason a person can read."""

    gate: str
    passed: bool
    reason: str

    def __str__(self) -> str:
        return f"{self.gate}: {self.reason}"


class _Facts:
    """What gates may look up, read once per decision."""

    def __init__(self, store: MemberStore, community: Community) -> None:
        self.store = store
        self.community = community
        self._count: int | None = None

    @property
    def member_count(self) -> int:
        if self._count is None:
            self._count = self.store.count_members(self.community.id)
        return self._count

    def member(self, member_id: str) -> Member | None:
        return self.store.get_member(self.community.id, member_id)


@runtime_checkable
class Gate(Protocol):
    """A condition for joining. ``always``: must pass even in ``mode="any"``."""

    @property
    def name(self) -> str:
        """Shown in reasons."""

    @property
    def always(self) -> bool:
        """Whether the gate binds in every mode."""

    def evaluate(self, applicant: Applicant, facts: Any, at: datetime) -> GateResult:
        """Judge ``applicant``."""


@frozen
class ReferralGate:
    """Invited by a member who is active (not removed, not muted) at the time."""

    name: str = "referral"
    always: bool = False

    def evaluate(self, applicant: Applicant, facts: Any, at: datetime) -> GateResult:
        """Pass when ``applicant.referrer`` names an active member."""
        if applicant.referrer is None:
            return GateResult(self.name, False, "no referrer")
        if applicant.referrer == applicant.id:
            return GateResult(self.name, False, "cannot refer oneself")
        inviter = facts.member(applicant.referrer)
        if inviter is None:
            return GateResult(self.name, False, f"{applicant.referrer} is not a member")
        if inviter.state(at) is not MemberStatus.ACTIVE:
            return GateResult(
                self.name, False, f"{applicant.referrer} is {inviter.state(at).value}"
            )
        return GateResult(self.name, True, f"invited by active member {applicant.referrer}")


@frozen
class ParticipationGate:
    """Took part in at least one of ``activities`` (a live stream, a quiz, a purchase...)."""

    activities: frozenset[str] = field(converter=_ids)
    name: str = "participation"
    always: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.activities:
            raise InvalidInput("ParticipationGate needs at least one activity id")

    def evaluate(self, applicant: Applicant, facts: Any, at: datetime) -> GateResult:
        """Pass when the applicant's activities meet the gate's."""
        done = sorted(applicant.activities & self.activities)
        if done:
            return GateResult(self.name, True, "took part in " + ", ".join(done))
        return GateResult(
            self.name, False, "took part in none of " + ", ".join(sorted(self.activities))
        )


@frozen
class PaidEntryGate:
    """Paid at least ``threshold`` (in ``currency``)."""

    threshold: Decimal = field(converter=_money)
    currency: str = "CNY"
    name: str = "paid entry"
    always: bool = False

    def evaluate(self, applicant: Applicant, facts: Any, at: datetime) -> GateResult:
        """Pass when ``applicant.paid >= threshold``."""
        if applicant.paid >= self.threshold:
            return GateResult(
                self.name, True, f"paid {applicant.paid} >= {self.threshold} {self.currency}"
            )
        return GateResult(
            self.name, False, f"paid {applicant.paid} < {self.threshold} {self.currency}"
        )


@frozen
class CapacityGate:
    """A free seat (``Community.capacity``); binds in every mode."""

    name: str = "capacity"
    always: bool = True

    def evaluate(self, applicant: Applicant, facts: Any, at: datetime) -> GateResult:
        """Pass while non-removed members are fewer than the capacity."""
        cap = facts.community.capacity
        if cap is None:
            return GateResult(self.name, True, "no capacity limit")
        n = facts.member_count
        if n >= cap:
            return GateResult(self.name, False, f"full ({n} of {cap} seats taken)")
        return GateResult(self.name, True, f"{n} of {cap} seats taken")


@frozen
class AdmissionDecision:
    """The one answer to a join request, with every gate's reason.

    Attributes:
        admitted: whether they may join (also the truth value of the decision).
        reasons: one line per gate, plus any closing reason.
        results: the gates' answers.
        member: the member record (written by :meth:`Admission.admit`).
        mode: how the gates were combined.
    """

    admitted: bool
    reasons: tuple[str, ...]
    results: tuple[GateResult, ...] = ()
    member: Member | None = None
    mode: str = "all"

    def __bool__(self) -> bool:
        return self.admitted


def _mode(value: str) -> str:
    if value not in ("all", "any"):
        raise InvalidInput(f"mode must be 'all' or 'any', got {value!r}")
    return value


def _gates(value: Iterable[Gate]) -> tuple[Gate, ...]:
    gates = tuple(value)
    for g in gates:
        if not isinstance(g, Gate):
            raise InvalidInput(f"{g!r} is not a gate (needs name, always and evaluate())")
    return gates


@frozen
class Admission:
    """Gates combined with ``"all"`` or ``"any"``, plus probation for newcomers.

    Attributes:
        gates: :class:`Gate` objects. A :class:`CapacityGate` is added when
            none is given, so capacity always binds.
        mode: ``"all"`` or ``"any"`` (gates marked ``always`` bind in both).
        probation: how long new members stay on probation (``timedelta(0)``: none).

    Example:
        >>> from datetime import UTC, datetime, timedelta
        >>> from suo.community import Community
        >>> gate = Admission([PaidEntryGate(10)], probation=timedelta(days=3))
        >>> d = gate.admit("memory://", Community(name="c"), Applicant(id="a", paid=12),
        ...                at=datetime(2026, 1, 1, tzinfo=UTC))
        >>> d.admitted, d.member.probation_until.day
        (True, 4)
    """

    gates: tuple[Gate, ...] = field(factory=tuple, converter=_gates)
    mode: str = field(default="all", converter=_mode)
    probation: timedelta = timedelta(days=7)

    def _all_gates(self) -> tuple[Gate, ...]:
        if any(isinstance(g, CapacityGate) for g in self.gates):
            return self.gates
        return (*self.gates, CapacityGate())

    def decide(
        self, store: Any, community: Community, applicant: Applicant, *, at: datetime
    ) -> AdmissionDecision:
        """Judge a join request without writing anything."""
        require_aware(at, "at")
        st: MemberStore = open_store(store)
        if community.is_closed(at):
            ends = community.ends_at.isoformat() if community.ends_at else ""
            return AdmissionDecision(False, (f"community {community.name!r} closed at {ends}",))
        existing = st.get_member(community.id, applicant.id)
        if existing is not None:
            if existing.status is MemberStatus.REMOVED:
                return AdmissionDecision(
                    False, (f"{applicant.id} was removed from this community",), member=existing
                )
            return AdmissionDecision(
                True, (f"{applicant.id} is already a member",), member=existing, mode=self.mode
            )
        facts = _Facts(st, community)
        results = tuple(g.evaluate(applicant, facts, at) for g in self._all_gates())
        binding = [r for g, r in zip(self._all_gates(), results, strict=True) if g.always]
        choice = [r for g, r in zip(self._all_gates(), results, strict=True) if not g.always]
        if not choice:
            ok = True
        elif self.mode == "all":
            ok = all(r.passed for r in choice)
        else:
            ok = any(r.passed for r in choice)
        admitted = ok and all(r.passed for r in binding)
        return AdmissionDecision(admitted, tuple(str(r) for r in results), results, mode=self.mode)

    def admit(
        self, store: Any, community: Community, applicant: Applicant, *, at: datetime
    ) -> AdmissionDecision:
        """Decide, and when admitted write the member (taking a seat atomically).

        The member gets ``joined_at=at``, the referrer, and
        ``probation_until=at + probation``. When another applicant takes the
        last seat between the decision and the write, the answer turns into
        a refusal saying so.
        """
        st: MemberStore = open_store(store)
        decision = self.decide(st, community, applicant, at=at)
        if not decision.admitted or decision.member is not None:
            return decision
        member = Member(
            id=applicant.id,
            role=applicant.role,
            joined_at=at,
            referrer=applicant.referrer,
            probation_until=at + self.probation if self.probation > timedelta(0) else None,
            name=applicant.name,
        )
        if not st.add_member(community.id, member, capacity=community.capacity):
            return AdmissionDecision(
                False,
                (*decision.reasons, "capacity: the last seat was taken meanwhile"),
                decision.results,
                mode=self.mode,
            )
        return AdmissionDecision(True, decision.reasons, decision.results, member, self.mode)
