"""The :class:`Moderator`: apply a rulebook to messages, keep strikes, write the audit log.

``Moderator(store, rulebook).check(community, member, text, at=...)`` answers
a :class:`Verdict`. The steps, each visible in ``verdict.reasons`` and the
audit log:

1. a closed community (a flash community past its end) deletes the message;
   a muted member's message is deleted, a removed member's answers remove;
2. every rule in scope is tried; exempt members (by role, or approved) are
   noted but not penalised;
3. the rules that matched decide the message's actions (delete by default)
   and the strike weight: one message is one violation, so the heaviest
   matching rule sets the weight (an ad with a link and "add my WeChat"
   counts once);
4. the strike is added to the ledger in the store, atomically, and the live
   total (strikes younger than the ladder's decay, 30 days by default)
   picks the ladder step: warn -> mute 1 h -> remove by default;
5. the verdict's action is the most severe of all of these, and the decision
   goes to the audit log with its why: rule -> match -> strikes -> ladder step.

The strike ledger, the flood windows and the audit log live in the store, so
every bot process and every backend (memory, SQLite, PostgreSQL, Redis) sees
the same state. :meth:`Moderator.dry_run` replays past messages through a
fresh memory store and touches nothing in the store.

Example:
    >>> from datetime import UTC, datetime, timedelta
    >>> import suo
    >>> from suo.community import Community, Member, Moderator, RuleBook
    >>> mod = Moderator(suo.open_store("memory://"), RuleBook.default())
    >>> group, alice = Community(name="读书会"), Member(id="alice")
    >>> t = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    >>> mod.check(group, alice, "大家好！", at=t).action.value
    'allow'
    >>> spam = ["https://shop.example.com/deal", "加我微信 abc123 领优惠", "vx: shop8888 低价出"]
    >>> [mod.check(group, alice, s, at=t + timedelta(hours=2 * i)).action.value
    ...  for i, s in enumerate(spam, 1)]
    ['warn', 'mute', 'remove']
    >>> mod.check(group, Member(id="boss", role="owner"), spam[0], at=t).action.value
    'allow'
"""

from __future__ import annotations

import hashlib
import html
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from attrs import field, frozen

from suo._time import require_aware
from suo.community.model import AuditEntry, Community, Member, MemberStatus, id_of
from suo.community.rules import ConductAction, LadderStep, MessageContext, RuleBook, span
from suo.community.store import ModeratorStore
from suo.errors import InvalidInput, NotFound
from suo.storage import open_store

__all__ = ["DryRunReport", "Hit", "Message", "Moderator", "Verdict"]


class Hit(NamedTuple):
    """One rule that matched a message.

    Attributes:
        rule: the rule's name.
        match: what matched (``"keyword '加我微信'"``).
        strikes: the rule's weight.
        exempt: why the member is exempt (then the hit changes nothing), else ``None``.
    """

    rule: str
    match: str
    strikes: float = 0.0
    exempt: str | None = None


class Verdict(NamedTuple):
    """What to do with one message, and why.

    A named tuple (immutable, cheap to build: one per message on the hot path),
    built with keywords.

    Attributes:
        action: the most severe :class:`~suo.community.ConductAction` (allow, delete,
            warn, mute, remove).
        reasons: lines a person can read: rule -> match -> strikes -> ladder step.
        hits: the rules that matched, exempt ones included.
        delete_message: whether the message itself should go (a warning for
            an ad also deletes the ad).
        mute_until: end of the mute when ``action`` is mute.
        strikes: the member's live strike total after this message.
        step: the ladder step applied, if any.
        community_id / member_id / at: the message's place and time.
        dry_run: produced by :meth:`Moderator.dry_run`.

    Example:
        >>> from datetime import UTC, datetime
        >>> from suo.community import Community, Member, RuleBook
        >>> mod = Moderator("memory://", RuleBook.keywords(["spam"]))
        >>> v = mod.check(Community(name="c"), Member(id="m"), "spam!", at=datetime(2026, 1, 1, tzinfo=UTC))
        >>> v.action.value, v.flagged, v.delete_message, v.strikes
        ('warn', True, True, 1.0)
    """

    action: ConductAction
    reasons: tuple[str, ...] = ()
    hits: tuple[Hit, ...] = ()
    delete_message: bool = False
    mute_until: datetime | None = None
    strikes: float = 0.0
    step: LadderStep | None = None
    community_id: str = ""
    member_id: str = ""
    at: datetime | None = None
    dry_run: bool = False

    @property
    def flagged(self) -> bool:
        """Anything but allow."""
        return self.action is not ConductAction.ALLOW

    @property
    def why(self) -> str:
        """The reasons on one line."""
        return "; ".join(self.reasons) if self.reasons else "no rule matched"

    def __str__(self) -> str:
        return f"{self.action.value}: {self.why}"


@frozen
class Message:
    """A past message for :meth:`Moderator.dry_run`.

    Example:
        >>> from datetime import UTC, datetime
        >>> Message("u1", "hello", datetime(2026, 1, 1, tzinfo=UTC)).approved
        False
    """

    member: Member | str
    text: str
    at: datetime = field(validator=lambda _i, _a, v: require_aware(v, "at"))
    approved: bool = False


# Enum members bound once: class attribute lookups on enums are slow on the hot path.
_ACTIVE = MemberStatus.ACTIVE
_ALLOW, _DELETE, _WARN = ConductAction.ALLOW, ConductAction.DELETE, ConductAction.WARN
_MUTE, _REMOVE = ConductAction.MUTE, ConductAction.REMOVE

# Actions are str enums: they hash and compare as their values, in C.
_RANK = {a: i for i, a in enumerate(ConductAction)}


def _digest(text: str) -> str:
    # Repeats are judged on the text without whitespace, case-folded.
    return hashlib.blake2b("".join(text.split()).casefold().encode(), digest_size=8).hexdigest()


class Moderator:
    """Apply a :class:`~suo.community.RuleBook` to messages, with state in a store.

    Args:
        store: a store object or URL implementing
            :class:`~suo.community.store.ModeratorStore` (every suo backend
            does): the moderation log (strikes, flood windows, audit) plus,
            from the members, ``get_community`` and ``get_member`` (to read
            a community or member passed by id) and ``set_member_status``
            (to mute or remove). Nothing else of the store is touched.
        rulebook: the rules (default :meth:`RuleBook.default`).
        audit_allowed: also log messages that were simply allowed (off by
            default: the log then holds every decision that did something or
            that an exemption waved through).

    Example:
        >>> from datetime import UTC, datetime
        >>> mod = Moderator("memory://", RuleBook.keywords(["广告"]))
        >>> v = mod.check(Community(name="c", id="c1"), Member(id="m1"), "看广告",
        ...               at=datetime(2026, 1, 1, tzinfo=UTC))
        >>> v.action.value, v.reasons[0]
        ('warn', "keywords -> keyword '广告'")
    """

    def __init__(
        self,
        store: Any,
        rulebook: RuleBook | None = None,
        *,
        audit_allowed: bool = False,
    ) -> None:
        self.store: ModeratorStore = open_store(store)
        if not isinstance(self.store, ModeratorStore):
            raise InvalidInput(
                f"{self.store!r} does not implement the ModeratorStore protocol (moderation "
                "log plus member lookup and status); "
                "use suo.open_store(...) or a backend that does"
            )
        if rulebook is not None and not isinstance(rulebook, RuleBook):
            raise InvalidInput(f"rulebook must be a RuleBook, got {type(rulebook).__name__}")
        self._rulebook = rulebook if rulebook is not None else RuleBook.default()
        self.audit_allowed = audit_allowed
        # The rulebook is immutable: read each rule's history needs once.
        self._plan = tuple((r, r.condition.windows) for r in self.rulebook.rules)
        self._windows = any(ws for _r, ws in self._plan)
        # What the per-message loop reads of each rule, looked up once.
        # Conditions with match_text(text) are called without a context; the
        # context is built only when a rule needs more than the text.
        self._fast = tuple(
            (
                r,
                ws,
                r.scope,
                r.exempt_roles,
                r.approved_exempt,
                getattr(r.condition, "match_text", None),
                r.condition.match,
            )
            for r, ws in self._plan
        )
        self._ladder = self.rulebook.ladder
        self._step_words: dict[int, str] = {}
        self._one_ladder = not self.rulebook.ladders

    @property
    def rulebook(self) -> RuleBook:
        """The rules (read-only: make another Moderator for another rulebook)."""
        return self._rulebook

    def __repr__(self) -> str:
        return f"Moderator({self.store!r}, RuleBook {self._rulebook.name!r})"

    # -- lookups -------------------------------------------------------------

    def _community(self, community: Community | str) -> Community:
        if isinstance(community, Community):
            return community
        if isinstance(community, str):
            found = self.store.get_community(community)
            if found is None:
                raise NotFound(
                    f"no community with id {community!r}; save it first or pass the object"
                )
            return found
        raise InvalidInput(
            f"community must be a Community or its id, got {type(community).__name__}"
        )

    def _member(self, community_id: str, member: Member | str) -> Member:
        if isinstance(member, Member):
            return member
        if isinstance(member, str):
            found = self.store.get_member(community_id, member)
            if found is None:
                raise NotFound(
                    f"no member {member!r} in community {community_id!r}; add them or pass the object"
                )
            return found
        raise InvalidInput(f"member must be a Member or its id, got {type(member).__name__}")

    # -- checking ----------------------------------------------------------------

    def check(
        self,
        community: Community | str,
        member: Member | str,
        text: str,
        *,
        at: datetime,
        approved: bool = False,
    ) -> Verdict:
        """Judge one message, update the strike ledger and write the audit log.

        Args:
            community: the object, or the id of one saved in the store.
            member: the object, or the id of one saved in the store.
            text: the message.
            at: when it was posted (aware; time is never read from the wall).
            approved: an operator approved this message (rules that honour
                approval skip it).

        Raises:
            InvalidInput: ``text`` is not a string or ``at`` is naive.
            NotFound: an id names nothing in the store.
        """
        return self._check(self.store, community, member, text, at, approved, False)

    def _check(
        self,
        state: ModeratorStore,
        community: Community | str,
        member: Member | str,
        text: str,
        at: datetime,
        approved: bool,
        dry: bool,
    ) -> Verdict:
        # This is the hot path of a chat bot: plain locals, no per-message
        # allocations beyond the context, the hits and the verdict.
        tz = at.tzinfo
        if tz is not UTC and (tz is None or at.utcoffset() is None):
            require_aware(at, "at")
        if not isinstance(text, str):
            raise InvalidInput(f"text must be a str, got {type(text).__name__}")
        group = community if type(community) is Community else self._community(community)
        who = member if type(member) is Member else self._member(group.id, member)

        ends = group.ends_at
        barred: tuple[ConductAction, str] | None = None  # no rule runs: the message goes
        if ends is not None and at >= ends:
            barred = _DELETE, f"community closed at {ends.isoformat()}"
        elif who.status is not _ACTIVE:
            status = who.state(at)
            if status is MemberStatus.REMOVED:
                barred = ConductAction.REMOVE, "member was removed"
            elif status is not _ACTIVE:
                until = who.muted_until.isoformat() if who.muted_until else "further notice"
                barred = _DELETE, f"member is muted until {until}"
        if barred is not None:
            verdict = Verdict(
                action=barred[0],
                reasons=(barred[1],),
                delete_message=True,
                community_id=group.id,
                member_id=who.id,
                at=at,
                dry_run=dry,
            )
            return self._log(state, verdict, text, at)

        role = who.role
        vouched = approved or who.approved
        history: dict[timedelta, tuple[int, int]] | None = None
        if self._windows:
            # Flood and repeat windows: record the message first (atomic in the
            # store), but only for the windows of rules that apply to this member.
            wanted: dict[timedelta, None] = {}
            for rule, ws in self._plan:
                if not ws or (rule.scope is not None and not rule.scope.applies(who, at)):
                    continue
                if role in rule.exempt_roles or (rule.approved_exempt and vouched):
                    continue
                for w in ws:
                    wanted[w] = None
            if wanted:
                wl = list(wanted)
                counts = state.record_message(
                    group.id, who.id, at=at, digest=_digest(text), windows=wl
                )
                history = dict(zip(wl, counts, strict=True))
        ctx: MessageContext | None = None

        hits: list[Hit] = []
        actions: list[ConductAction] = []
        weight = 0.0
        mute_for: timedelta | None = None
        waved = False  # an exempt member matched a rule
        for rule, ws, scope, exempt_roles, honours_approval, match_text, match in self._fast:
            if scope is not None and not scope.applies(who, at):
                continue
            exempt = None
            if role in exempt_roles or (honours_approval and vouched):
                if ws:
                    continue  # exempt members are not counted for flooding at all
                exempt = rule.exempts(who, approved=approved)
            if match_text is not None:
                found = match_text(text)
            else:
                if ctx is None:
                    ctx = MessageContext(text, group, who, at, history)
                found = match(ctx)
            if found is None:
                continue
            hits.append(Hit(rule=rule.name, match=found, strikes=rule.strikes, exempt=exempt))
            if exempt is not None:
                waved = True
                continue
            actions.extend(rule.actions)
            if rule.strikes > weight:
                weight = rule.strikes
            if _MUTE in rule.actions:
                mute_for = max(mute_for or rule.mute_for, rule.mute_for)

        if not hits:
            # Most messages end here: only the fields that differ from the defaults.
            verdict = Verdict(
                action=_ALLOW, community_id=group.id, member_id=who.id, at=at, dry_run=dry
            )
            if self.audit_allowed:
                self._log(state, verdict, text, at)
            return verdict
        reasons = [f"{h.rule} -> {h.match}" for h in hits if h.exempt is None]
        if waved:
            reasons += [f"{h.exempt} ({h.match})" for h in hits if h.exempt is not None]
        if not actions:
            verdict = Verdict(
                action=_ALLOW,
                reasons=tuple(reasons),
                hits=tuple(hits),
                community_id=group.id,
                member_id=who.id,
                at=at,
                dry_run=dry,
            )
            return self._log(state, verdict, text, at)

        ladder = self._ladder if self._one_ladder else self.rulebook.ladder_for(group.kind)
        total = 0.0
        step: LadderStep | None = None
        if weight > 0:
            # The event (time + text) makes a re-delivered message count once.
            total = state.add_strike(
                group.id,
                who.id,
                at=at,
                weight=weight,
                window=ladder.decay,
                event=f"{at.timestamp()!r}:{zlib.crc32(text.encode()):08x}",
            )
            step = ladder.step_for(total)
            reasons.append(
                f"+{weight:g} strike{'' if weight == 1 else 's'} -> {total:g} "
                f"strike{'' if total == 1 else 's'} live (decay {span(ladder.decay)}) -> "
                + (
                    "ladder: " + self._describe(step)
                    if step is not None
                    else "below the first ladder step"
                )
            )
            if step is not None:
                actions.append(step.action)
                if step.action is _MUTE and step.duration is not None:
                    mute_for = max(mute_for or step.duration, step.duration)
        action = max(actions, key=_RANK.__getitem__)
        mute_until = at + mute_for if action is _MUTE and mute_for is not None else None
        delete = actions.count(_WARN) != len(actions)  # anything but a bare warning
        verdict = Verdict(
            action=action,
            reasons=tuple(reasons),
            hits=tuple(hits),
            delete_message=delete,
            mute_until=mute_until,
            strikes=total,
            step=step,
            community_id=group.id,
            member_id=who.id,
            at=at,
            dry_run=dry,
        )
        if action is _MUTE:
            state.set_member_status(group.id, who.id, MemberStatus.MUTED, mute_until)
        elif action is _REMOVE:
            state.set_member_status(group.id, who.id, MemberStatus.REMOVED, None)
        return self._log(state, verdict, text, at)

    def _describe(self, step: LadderStep) -> str:
        # Ladders are immutable, so each step's words are made once.
        text = self._step_words.get(id(step))
        if text is None:
            text = self._step_words[id(step)] = step.describe()
        return text

    def _log(self, state: ModeratorStore, verdict: Verdict, text: str, at: datetime) -> Verdict:
        step = verdict.step
        state.append_audit(
            AuditEntry(
                community_id=verdict.community_id,
                member_id=verdict.member_id,
                at=at,
                action=verdict.action._value_,
                reasons=verdict.reasons,
                rules=tuple([h.rule for h in verdict.hits]),
                strikes=verdict.strikes,
                step=None if step is None else self._describe(step),
                excerpt=text[:80],
                dry_run=verdict.dry_run,
            )
        )
        return verdict

    # -- reading state -------------------------------------------------------------

    def strikes(self, community: Community | str, member: Member | str, *, at: datetime) -> float:
        """A member's live strike total at ``at``."""
        require_aware(at, "at")
        group = self._community(community)
        member_id = id_of(member)
        window = self.rulebook.ladder_for(group.kind).decay
        return self.store.strike_total(group.id, member_id, at=at, window=window)

    def audit(
        self, community: Community | str, *, member: Member | str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The latest audit entries of a community (optionally one member's), oldest first."""
        mid = None if member is None else id_of(member)
        return self.store.audit_log(id_of(community), member_id=mid, limit=limit)

    # -- dry run -----------------------------------------------------------------------

    def dry_run(
        self, community: Community | str, messages: Iterable[Message | tuple[Any, str, datetime]]
    ) -> DryRunReport:
        """Replay ``messages`` and report what this rulebook would have done.

        The replay keeps its strikes, flood windows and audit in a fresh
        memory store (:class:`~suo.storage.memory.MemoryStore`) thrown away
        afterwards, and never touches this Moderator's store beyond reading
        a community or member passed by id. Messages are judged in the order given.

        Example:
            >>> from datetime import UTC, datetime, timedelta
            >>> t = datetime(2026, 1, 1, tzinfo=UTC)
            >>> mod = Moderator("memory://", RuleBook.default())
            >>> report = mod.dry_run(Community(name="c"), [
            ...     Message(Member(id="a"), "加我微信 abc123", t),
            ...     Message(Member(id="a"), "加我微信 abc123", t + timedelta(hours=1)),
            ... ])
            >>> report.counts
            {'warn': 1, 'mute': 1}
        """
        group = self._community(community)
        # Imported here: the memory store imports the community models, so a
        # top-level import would make importing suo.community order-dependent.
        from suo.storage.memory import MemoryStore

        scratch = MemoryStore()
        results: list[tuple[Message, Verdict]] = []
        for item in messages:
            msg = item if isinstance(item, Message) else Message(*item)
            verdict = self._check(scratch, group, msg.member, msg.text, msg.at, msg.approved, True)
            results.append((msg, verdict))
        return DryRunReport(group.id, self.rulebook.name, tuple(results))


@frozen
class DryRunReport:
    """What a rulebook would have done to past messages (nothing was changed).

    Attributes:
        community_id / rulebook: what was replayed with which rules.
        results: ``(message, verdict)`` in replay order.
    """

    community_id: str
    rulebook: str
    results: tuple[tuple[Message, Verdict], ...]

    @property
    def counts(self) -> dict[str, int]:
        """Flagged messages per action (allowed ones left out)."""
        c = Counter(v.action.value for _m, v in self.results if v.flagged)
        return {a.value: c[a.value] for a in ConductAction if c[a.value]}

    @property
    def flagged(self) -> list[tuple[Message, Verdict]]:
        """Only the messages something would have happened to."""
        return [(m, v) for m, v in self.results if v.flagged]

    def _rows(self) -> Sequence[tuple[str, str, str, str, str]]:
        rows = []
        for m, v in self.results:
            who = m.member.id if isinstance(m.member, Member) else m.member
            rows.append((m.at.isoformat(), who, m.text[:60], v.action.value, v.why))
        return rows

    def to_text(self) -> str:
        """A plain-text table."""
        lines = [
            f"dry run of {self.rulebook!r} on {self.community_id}: {len(self.results)} messages, "
            + (", ".join(f"{k} {n}" for k, n in self.counts.items()) or "nothing flagged")
        ]
        for at, who, text, action, why in self._rows():
            lines.append(f"{at}  {who:<12} {action:<7} {text!r}  <- {why}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("at", "member", "message", "action", "why"))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in self._rows()
        )
        summary = html.escape(self.to_text().splitlines()[0])
        return f"<p>{summary}</p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
