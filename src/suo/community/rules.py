"""Conduct rules: conditions, actions, exemptions, phase scopes and the penalty ladder.

A :class:`ConductRule` is a condition (keywords, a regex, outside links, flooding,
repeated messages, mention spam), the actions it takes on the message, the
strikes it adds to the member's ledger, and who is exempt. A
:class:`RuleBook` holds the rules and the :class:`Ladder` that turns a
member's live strike total into a penalty (warn -> mute 1 h -> remove by
default, configurable per community kind). :class:`~suo.community.Moderator`
applies a rulebook to messages.

Example:
    >>> from suo.community import RuleBook
    >>> book = RuleBook.default()
    >>> [r.name for r in book.rules][:3]
    ['no-ad-links', 'no-solicitation', 'no-contact-handles']
    >>> book.ladder.describe()
    '1 strike: warn -> 2 strikes: mute 1h -> 3 strikes: remove'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from suo.community.matcher import KeywordMatcher
from suo.community.model import Community, CommunityKind, Member, Role
from suo.errors import InvalidInput, PolicyError

__all__ = [
    "ATTACK_WORDS",
    "SOLICITATION_WORDS",
    "Condition",
    "ConductAction",
    "ConductRule",
    "Flood",
    "Keywords",
    "Ladder",
    "LadderStep",
    "Mentions",
    "MessageContext",
    "OutsideLinks",
    "Pattern",
    "Repeats",
    "RuleBook",
    "Scope",
]


class ConductAction(StrEnum):
    """What happens to a message or its author, mildest first."""

    ALLOW = "allow"
    DELETE = "delete"
    WARN = "warn"
    MUTE = "mute"
    REMOVE = "remove"

    @property
    def severity(self) -> int:
        """0 for allow ... 4 for remove; the verdict takes the most severe action."""
        return _SEVERITY[self]


_SEVERITY = {a: i for i, a in enumerate(ConductAction)}


@functools.lru_cache(maxsize=256)
def span(value: timedelta) -> str:
    """A duration the way people write it: ``"30d"``, ``"1h"``, ``"1h30m"``, ``"10s"``.

    Example:
        >>> span(timedelta(days=30)), span(timedelta(minutes=90)), span(timedelta(seconds=10))
        ('30d', '1h30m', '10s')
    """
    total = int(value.total_seconds())
    if total <= 0:
        return f"{value.total_seconds():g}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        n, total = divmod(total, size)
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)


# -- what a condition sees -----------------------------------------------------


class MessageContext:
    """One message as the conditions see it.

    A plain slotted class rather than an attrs value: one is built per
    message on the moderation hot path.

    Attributes:
        text: the message.
        community / member: where and who.
        at: when it was posted (aware).
        history: per flood/repeat window, ``(messages, same text)`` in the window,
            this message included (filled by the Moderator from the store).
    """

    __slots__ = ("at", "community", "history", "member", "text")

    def __init__(
        self,
        text: str,
        community: Community,
        member: Member,
        at: datetime,
        history: Mapping[timedelta, tuple[int, int]] | None = None,
    ) -> None:
        self.text = text
        self.community = community
        self.member = member
        self.at = at
        self.history: Mapping[timedelta, tuple[int, int]] = history if history is not None else {}

    def __repr__(self) -> str:
        return f"MessageContext({self.text!r}, community={self.community.id!r}, member={self.member.id!r}, at={self.at!r})"


@runtime_checkable
class Condition(Protocol):
    """Something a message can match. ``windows`` lists the history it needs."""

    @property
    def label(self) -> str:
        """Names the condition in reasons."""

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """Flood/repeat windows whose counts the condition reads (empty: none)."""

    def match(self, ctx: MessageContext) -> str | None:
        """What matched (shown in the audit log), or ``None``.

        A condition that needs only the text may also define
        ``match_text(text)`` answering the same; the Moderator then skips
        building the context when no other rule needs it.
        """


def _words(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InvalidInput("keywords must be a list of words, not one string")
    return tuple(value)


@frozen
class Keywords:
    """Any of many keywords, found by one Aho-Corasick automaton.

    Attributes:
        words: the keywords (thousands are fine).
        whole_word: require word boundaries instead of substring matching.
        case_sensitive: see :class:`~suo.community.matcher.KeywordMatcher`.
        normalize: see :class:`~suo.community.matcher.KeywordMatcher`.
        label: names the list in reasons.

    Example:
        >>> from suo.community import Community, Member
        >>> from datetime import UTC, datetime
        >>> ctx = MessageContext("快加我微信", Community(name="c"), Member(id="m"),
        ...                      datetime(2026, 1, 1, tzinfo=UTC))
        >>> Keywords(["加我微信"]).match(ctx)
        "keyword '加我微信'"
    """

    words: tuple[str, ...] = field(converter=_words)
    whole_word: bool = False
    case_sensitive: bool = True
    normalize: bool = False
    label: str = "keyword"
    matcher: KeywordMatcher = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self,
            "matcher",
            KeywordMatcher(
                self.words,
                whole_word=self.whole_word,
                case_sensitive=self.case_sensitive,
                normalize=self.normalize,
            ),
        )

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """Keywords need no history."""
        return ()

    def match(self, ctx: MessageContext) -> str | None:
        """The keywords found, or ``None``."""
        return self.match_text(ctx.text)

    def match_text(self, text: str) -> str | None:
        """The same as :meth:`match`, from the text alone (the Moderator's fast path)."""
        found = self.matcher.search(text, limit=5)
        if not found:
            return None
        return self.label + " " + ", ".join(map(repr, found))


def _compile(value: str | re.Pattern[str]) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    try:
        return re.compile(value)
    except re.error as exc:
        raise PolicyError(f"bad regular expression {value!r}: {exc}") from exc


@frozen
class Pattern:
    """A regular expression (``re`` syntax); strings are compiled at once.

    Example:
        >>> import re
        >>> p = Pattern(r"\\d{11}", label="phone number")
        >>> p.regex.pattern
        '\\\\d{11}'
    """

    regex: re.Pattern[str] = field(converter=_compile)
    label: str = "pattern"
    normalize: bool = False

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """Patterns need no history."""
        return ()

    def match(self, ctx: MessageContext) -> str | None:
        """The first match, or ``None``."""
        return self.match_text(ctx.text)

    def match_text(self, text: str) -> str | None:
        """The same as :meth:`match`, from the text alone (the Moderator's fast path)."""
        if self.normalize:
            text = unicodedata.normalize("NFKC", text)
        m = self.regex.search(text)
        return None if m is None else f"{self.label} {m.group(0)!r}"


_TLDS = (
    "com|cn|net|org|io|co|me|cc|tv|vip|top|xyz|shop|store|site|online|club|ltd|info|"
    # no "wang": "Mr.Wang" is a person, not a site (http:// and www. forms still match)
    "link|app|biz|pro|live|fun|ink|icu|asia|tk|ml|ga|cf|gq|ru|hk|tw|jp|kr|sg|us|uk|de"
)
_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+"
    r"|(?<![A-Za-z0-9.@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:"
    + _TLDS
    + r")(?![A-Za-z0-9-])(?:[/:?#][^\s<>\"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]*)?",
    re.IGNORECASE,
)


def _host(found: str) -> str:
    rest = found.split("://", 1)[1] if "://" in found else found
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    return host.lower().rstrip(".")


def _domains(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    return tuple(sorted({str(d).strip().lower().lstrip(".") for d in value if str(d).strip()}))


@frozen
class OutsideLinks:
    """Links to domains outside an allow-list (ads).

    A link is a URL with a scheme, a ``www.`` address or a bare domain with a
    common top-level domain (``shop.example.com/deal``). A host is allowed
    when it is an allowed domain or a subdomain of one; the community's own
    ``allowed_domains`` are added to the list.

    Example:
        >>> OutsideLinks(allowed=["example.org"]).outside("see https://a.example.org and shop.cn/x")
        ['shop.cn']
    """

    allowed: tuple[str, ...] = field(default=(), converter=_domains)
    label: str = "outside link"

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """Links need no history."""
        return ()

    def outside(self, text: str, extra: Iterable[str] = ()) -> list[str]:
        """Hosts in ``text`` not on the allow-list (plus ``extra`` domains)."""
        allowed = set(self.allowed) | set(extra)
        hosts: list[str] = []
        for m in _URL.finditer(unicodedata.normalize("NFKC", text)):
            host = _host(m.group(0))
            if not host or host in hosts:
                continue
            if any(host == d or host.endswith("." + d) for d in allowed):
                continue
            hosts.append(host)
        return hosts

    def match(self, ctx: MessageContext) -> str | None:
        """The outside hosts, or ``None``."""
        hosts = self.outside(ctx.text, ctx.community.allowed_domains)
        return f"{self.label} " + ", ".join(repr(h) for h in hosts) if hosts else None


def _positive_window(_inst: object, _attr: object, value: timedelta) -> None:
    if value <= timedelta(0):
        raise PolicyError(f"a window must be positive, got {value!r}")


def _at_least_one(_inst: object, attr: Any, value: int) -> None:
    if value < 1:
        raise PolicyError(f"{attr.name} must be at least 1, got {value!r}")


@frozen
class Flood:
    """More than ``max_messages`` messages within ``per`` from one member.

    The window lives in the store (every backend), so several bot processes
    see the same counts.

    Example:
        >>> from datetime import timedelta
        >>> Flood(max_messages=3, per=timedelta(seconds=5)).windows
        (datetime.timedelta(seconds=5),)
    """

    max_messages: int = field(default=5, validator=_at_least_one)
    per: timedelta = field(default=timedelta(seconds=10), validator=_positive_window)
    label: str = "flooding"

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """The one window this condition reads."""
        return (self.per,)

    def match(self, ctx: MessageContext) -> str | None:
        """``"flooding: 6 messages in 10s"`` past the limit, else ``None``."""
        n, _same = ctx.history.get(self.per, (0, 0))
        if n > self.max_messages:
            return f"{self.label}: {n} messages in {span(self.per)} (limit {self.max_messages})"
        return None


@frozen
class Repeats:
    """The same message (after trimming, case-folded) more than ``max_repeats`` times within ``within``.

    Example:
        >>> Repeats().within
        datetime.timedelta(seconds=600)
    """

    max_repeats: int = field(default=2, validator=_at_least_one)
    within: timedelta = field(default=timedelta(minutes=10), validator=_positive_window)
    label: str = "repeated message"

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """The one window this condition reads."""
        return (self.within,)

    def match(self, ctx: MessageContext) -> str | None:
        """``"repeated message: 3 times in 10m"`` past the limit, else ``None``."""
        _n, same = ctx.history.get(self.within, (0, 0))
        if same > self.max_repeats:
            return f"{self.label}: {same} times in {span(self.within)} (limit {self.max_repeats})"
        return None


_MENTION = re.compile(r"[@＠][^\s@＠,，。!！?？:：]+")


@frozen
class Mentions:
    """At least ``max_mentions`` ``@name`` mentions in one message.

    Example:
        >>> from datetime import UTC, datetime
        >>> from suo.community import Community, Member
        >>> ctx = MessageContext("@a @b @c", Community(name="c"), Member(id="m"),
        ...                      datetime(2026, 1, 1, tzinfo=UTC))
        >>> Mentions(max_mentions=3).match(ctx)
        'mention spam: 3 mentions'
    """

    max_mentions: int = field(default=5, validator=_at_least_one)
    label: str = "mention spam"

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """Mentions need no history."""
        return ()

    def match(self, ctx: MessageContext) -> str | None:
        """``"mention spam: 6 mentions"`` at or past the limit, else ``None``."""
        n = len(_MENTION.findall(ctx.text))
        return f"{self.label}: {n} mentions" if n >= self.max_mentions else None


# -- rules -------------------------------------------------------------------------


@frozen
class Scope:
    """When a rule applies: inside a campaign window and/or in a member's first days.

    Attributes:
        during: ``(start, end)``: only messages with ``start <= at < end``.
        first_days: only members within ``first_days`` days of ``joined_at``
            (members without a join time are out of scope).

    Example:
        >>> from datetime import UTC, datetime
        >>> from suo.community import Member
        >>> t = datetime(2026, 1, 10, tzinfo=UTC)
        >>> Scope(first_days=7).applies(Member(id="m", joined_at=datetime(2026, 1, 5, tzinfo=UTC)), t)
        True
    """

    during: tuple[datetime, datetime] | None = None
    first_days: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.during is not None:
            start, end = self.during
            if start.tzinfo is None or end.tzinfo is None or end <= start:
                raise PolicyError(
                    f"Scope.during must be (start, end) aware datetimes with end after start, got {self.during!r}"
                )
        if self.first_days is not None and self.first_days < 1:
            raise PolicyError(f"Scope.first_days must be at least 1, got {self.first_days}")

    def applies(self, member: Member, at: datetime) -> bool:
        """Whether a message by ``member`` at ``at`` is in scope."""
        if self.during is not None and not (self.during[0] <= at < self.during[1]):
            return False
        if self.first_days is not None:
            if member.joined_at is None:
                return False
            return at < member.joined_at + timedelta(days=self.first_days)
        return True

    def describe(self) -> str:
        """Words for reasons and docs."""
        parts = []
        if self.during is not None:
            parts.append(f"during {self.during[0].isoformat()} .. {self.during[1].isoformat()}")
        if self.first_days is not None:
            parts.append(f"in a member's first {self.first_days} days")
        return " and ".join(parts) or "always"


def _roles(value: Any) -> frozenset[Role]:
    if isinstance(value, str | Role):
        value = (value,)
    try:
        return frozenset(Role(v) for v in value)
    except ValueError as exc:
        raise PolicyError(f"{exc}; roles are {', '.join(r.value for r in Role)}") from None


def _actions(value: Any) -> tuple[ConductAction, ...]:
    if isinstance(value, str | ConductAction):
        value = (value,)
    try:
        return tuple(ConductAction(v) for v in value)
    except ValueError as exc:
        raise PolicyError(
            f"{exc}; actions are {', '.join(a.value for a in ConductAction)}"
        ) from None


def _strikes(_inst: object, _attr: object, value: float) -> None:
    if value < 0:
        raise PolicyError(f"strikes must be >= 0, got {value!r}")


STAFF = frozenset({Role.OWNER, Role.OPERATOR})


@frozen
class ConductRule:
    """A condition, the actions on a match, the strikes it weighs and who is exempt.

    Attributes:
        name: short id shown in reasons and the audit log.
        condition: a :class:`Condition`.
        actions: what to do with the message itself (default delete it).
            ``mute``/``remove`` here act at once, whatever the ladder says.
        strikes: weight added to the member's ledger (0: none); the ladder
            then picks the penalty.
        exempt_roles: roles the rule skips (default owner and operator).
        approved_exempt: members marked ``approved`` (or approved messages) skip it.
        scope: a :class:`Scope` limiting when the rule applies.
        mute_for: how long a ``mute`` in ``actions`` lasts.
        description: a sentence for people.

    Example:
        >>> r = ConductRule("no-links", Pattern(r"https?://"), exempt_roles=["owner"])
        >>> r.actions, r.strikes, sorted(x.value for x in r.exempt_roles)
        ((<ConductAction.DELETE: 'delete'>,), 1.0, ['owner'])
    """

    name: str
    condition: Condition
    actions: tuple[ConductAction, ...] = field(default=(ConductAction.DELETE,), converter=_actions)
    strikes: float = field(default=1.0, validator=_strikes)
    exempt_roles: frozenset[Role] = field(default=STAFF, converter=_roles)
    approved_exempt: bool = True
    scope: Scope | None = None
    mute_for: timedelta = timedelta(hours=1)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.name:
            raise PolicyError("a rule needs a name (it is shown in reasons and the audit log)")
        if ConductAction.ALLOW in self.actions:
            raise PolicyError(
                f"rule {self.name!r}: 'allow' is not an action a rule takes; use exemptions instead"
            )

    def exempts(self, member: Member, *, approved: bool = False) -> str | None:
        """Why ``member`` is exempt from this rule, or ``None``."""
        if member.role in self.exempt_roles:
            return f"{member.role.value} is exempt from {self.name}"
        if self.approved_exempt and (approved or member.approved):
            return f"approved, so exempt from {self.name}"
        return None


# -- the ladder ---------------------------------------------------------------------


def _step_action(value: Any) -> ConductAction:
    action = ConductAction(value)
    if action in (ConductAction.ALLOW, ConductAction.DELETE):
        raise PolicyError(f"a ladder step is warn, mute or remove, not {action.value!r}")
    return action


@frozen
class LadderStep:
    """From ``strikes`` live strikes on, the penalty is ``action`` (mute: for ``duration``).

    Example:
        >>> from datetime import timedelta
        >>> LadderStep(2, "mute", timedelta(hours=1)).describe()
        'mute 1h'
    """

    strikes: float
    action: ConductAction = field(converter=_step_action)
    duration: timedelta | None = None

    def __attrs_post_init__(self) -> None:
        if self.strikes <= 0:
            raise PolicyError(f"a ladder step needs strikes > 0, got {self.strikes}")
        if self.action is ConductAction.MUTE and (
            self.duration is None or self.duration <= timedelta(0)
        ):
            raise PolicyError("a mute step needs a positive duration, e.g. timedelta(hours=1)")

    def describe(self) -> str:
        """``"mute 1h"``, ``"warn"``..."""
        if self.action is ConductAction.MUTE:
            return f"mute {span(self.duration or timedelta(0))}"
        return str(self.action._value_)


def _steps(value: Iterable[LadderStep]) -> tuple[LadderStep, ...]:
    steps = tuple(sorted(value, key=lambda s: s.strikes))
    if not steps:
        raise PolicyError("a ladder needs at least one step")
    if len({s.strikes for s in steps}) != len(steps):
        raise PolicyError("two ladder steps have the same strike threshold")
    return steps


@frozen
class Ladder:
    """Penalties by live strike total; strikes decay after ``decay`` (30 days).

    Example:
        >>> Ladder.default().step_for(2).describe()
        'mute 1h'
        >>> Ladder.default().step_for(0.5) is None
        True
    """

    steps: tuple[LadderStep, ...] = field(converter=_steps)
    decay: timedelta = field(default=timedelta(days=30), validator=_positive_window)

    @classmethod
    def default(cls, *, decay: timedelta = timedelta(days=30)) -> Ladder:
        """warn at 1 strike, mute 1 hour at 2, remove at 3."""
        return cls(
            (
                LadderStep(1, ConductAction.WARN),
                LadderStep(2, ConductAction.MUTE, timedelta(hours=1)),
                LadderStep(3, ConductAction.REMOVE),
            ),
            decay=decay,
        )

    def step_for(self, total: float) -> LadderStep | None:
        """The highest step whose threshold ``total`` reaches, or ``None``."""
        chosen = None
        for step in self.steps:
            if total + 1e-9 >= step.strikes:
                chosen = step
        return chosen

    def describe(self) -> str:
        """The ladder in words."""

        def n(x: float) -> str:
            s = f"{x:g}"
            return f"{s} strike" if x == 1 else f"{s} strikes"

        return " -> ".join(f"{n(s.strikes)}: {s.describe()}" for s in self.steps)


# -- default word lists ----------------------------------------------------------------

SOLICITATION_WORDS: tuple[str, ...] = (
    # Chinese "add me" solicitations and the usual spellings around filters.
    # Words for a welfare group's own content (coupons, red packets, free
    # gifts, promo codes) are deliberately absent: members talk about them all
    # day, and the ad is the contact hand-off or outside link that comes with them.
    # Bare "加v" / "+v" are matched by _HANDLE with a letter guard ("加VIP" is fine).
    "加我微信", "加微信", "加vx", "加wx", "加v信", "加薇", "加威", "加我薇",
    "加我vx", "加我wx", "加我qq", "加qq", "加扣扣", "加我好友", "加好友领", "私聊我", "私信我",
    "找我领", "扫码领", "扫码加", "扫码进群", "进群领", "加群领",
    "刷单", "兼职日结", "日赚", "躺赚", "代理加盟", "招代理",
    "低价出", "低价代购", "高仿", "薇信", "威信", "v信", "徽信", "+vx", "+wx", "+微",
    "淘口令", "复制这段", "点击链接", "戳链接", "代购", "兼职", "淘宝搜",
    "微信搜", "vx搜", "关注公众号", "公众号回复", "出售微信", "卖微信号", "出售账号",
    "微商", "刷粉", "涨粉", "点我头像", "看我头像", "头像有惊喜", "私聊领",
    # English
    "add my wechat", "add me on wechat", "add wechat", "my wechat id", "wechat id:",
    "dm me for", "pm me for", "contact me for", "whatsapp me", "telegram me",
    "earn money",
    "make money fast", "limited offer", "cheap followers", "from home,",
    "earn $", "contact me on telegram", "contact me on whatsapp", "message me on telegram",
    "check my bio", "link in bio", "visit my profile",
    "investment opportunity", "double your money", "guaranteed returns",
)  # fmt: skip
"""Ad-spam solicitations of the default rulebook (matched case-insensitively after NFKC)."""

ATTACK_WORDS: tuple[str, ...] = (
    "傻逼", "傻b", "傻x", "煞笔", "沙比", "sb玩意", "脑残", "弱智", "白痴", "智障", "废物",
    "滚蛋", "滚出去", "去死", "你妈", "尼玛", "草泥马", "cnm", "nmsl", "狗东西", "贱人",
    "垃圾人", "死全家",
    "idiot", "moron", "stupid bitch", "retard", "loser", "shut up", "fuck you", "f*ck you",
    "go die", "kill yourself", "kys", "dumbass", "scumbag",
)  # fmt: skip
"""Personal attacks of the default rulebook (English ones match as whole words)."""

# A contact handle: a messenger name, then an id after a separator (vx: abc12),
# or an id with a digit in it (微信 abc123); or a phone number (mainland mobile,
# possibly spaced, or international with a +).
_HANDLE = (
    r"(?:微信|薇信|威信|徽信|v信|扣扣|企鹅|微(?=\s*[:：])"
    r"|(?<![A-Za-z])(?:vx|wx|weixin|wechat|qq|tg|telegram|whatsapp)(?![A-Za-z]))"
    r"\s*(?:号|id|(?<![A-Za-z])(?:me|is|id is)(?![A-Za-z]))?\s*"
    r"(?:[:：=@]\s*@?[A-Za-z0-9][A-Za-z0-9_-]{3,29}"
    r"|(?=[A-Za-z0-9_-]{5,30}(?![A-Za-z0-9_-]))[A-Za-z_-]*\d[A-Za-z0-9_-]*)"
    # "加v" / "加我v" / "+v": the one-letter WeChat spelling, but not "加VIP"
    r"|(?:加|(?<![A-Za-z])\+)\s*(?:我\s*)?v(?![A-Za-z])"
    r"|(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"
    r"|(?<![\w+])\+\d{1,3}[\s-]?\(?\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"
)


# -- the rulebook -------------------------------------------------------------------------


def _rules(value: Iterable[ConductRule]) -> tuple[ConductRule, ...]:
    rules = tuple(value)
    names = [r.name for r in rules]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PolicyError(f"rule names must be unique; repeated: {dupes}")
    for r in rules:
        if not isinstance(r, ConductRule):
            raise PolicyError(f"a RuleBook holds ConductRule objects, got {type(r).__name__}")
    return rules


def _ladders(value: Mapping[Any, Ladder]) -> Mapping[CommunityKind, Ladder]:
    return {CommunityKind(k): v for k, v in value.items()}


@frozen
class RuleBook:
    """The rules a community lives by and the ladder of penalties.

    Attributes:
        rules: :class:`ConductRule` objects, checked in order (all that match count).
        ladder: the default :class:`Ladder`.
        ladders: a ladder per :class:`~suo.community.CommunityKind` overriding it.
        name: shown in reports.

    Example:
        >>> book = RuleBook.keywords(["spam", "广告"])
        >>> book.rules[0].condition.matcher.first("这是广告")
        '广告'
    """

    rules: tuple[ConductRule, ...] = field(converter=_rules)
    ladder: Ladder = field(factory=Ladder.default)
    ladders: Mapping[CommunityKind, Ladder] = field(factory=dict, converter=_ladders)
    name: str = "custom"

    @classmethod
    def default(
        cls,
        *,
        allowed_domains: Iterable[str] = (),
        ladder: Ladder | None = None,
        ladders: Mapping[Any, Ladder] | None = None,
    ) -> RuleBook:
        """The playbook's rules: no ad spam, no personal attacks, no off-topic flooding.

        * ``no-ad-links``: links to domains outside ``allowed_domains`` (and the
          community's own ``allowed_domains``);
        * ``no-solicitation`` / ``no-contact-handles``: "add my WeChat" style
          solicitations (:data:`SOLICITATION_WORDS`) and contact handles or
          phone numbers (``vx: abc123``, ``微信 abc123``);
        * ``no-personal-attacks``: :data:`ATTACK_WORDS` (not lifted by approval);
        * ``no-flooding``: more than 5 messages in 10 seconds;
        * ``no-repeats``: the same message more than twice in 10 minutes;
        * ``no-mention-spam``: 5 or more ``@mentions`` in one message.

        Each violation deletes the message and adds one strike; the owner and
        operators are exempt from all of them.

        Example:
            >>> len(RuleBook.default().rules)
            8
        """
        ads: dict[str, Any] = {"actions": (ConductAction.DELETE,), "strikes": 1.0}
        rules = (
            ConductRule(
                "no-ad-links",
                OutsideLinks(allowed=allowed_domains),
                description="links to shops and sites outside the allow-list",
                **ads,
            ),
            ConductRule(
                "no-solicitation",
                Keywords(
                    SOLICITATION_WORDS, case_sensitive=False, normalize=True, label="solicitation"
                ),
                description='"add my WeChat" style solicitations',
                **ads,
            ),
            ConductRule(
                "no-contact-handles",
                Pattern(re.compile(_HANDLE, re.IGNORECASE), label="contact handle", normalize=True),
                description="WeChat/QQ/Telegram handles and phone numbers",
                **ads,
            ),
            ConductRule(
                "no-personal-attacks",
                Keywords(
                    [w for w in ATTACK_WORDS if not w.isascii()],
                    case_sensitive=False,
                    normalize=True,
                    label="personal attack",
                ),
                approved_exempt=False,
                description="insults and personal attacks",
            ),
            ConductRule(
                "no-personal-attacks-en",
                Keywords(
                    [w for w in ATTACK_WORDS if w.isascii()],
                    case_sensitive=False,
                    normalize=True,
                    whole_word=True,
                    label="personal attack",
                ),
                approved_exempt=False,
                description="insults and personal attacks (English, whole words)",
            ),
            ConductRule(
                "no-flooding",
                Flood(max_messages=5, per=timedelta(seconds=10)),
                approved_exempt=False,
                description="off-topic flooding: more than 5 messages in 10 seconds",
            ),
            ConductRule(
                "no-repeats",
                Repeats(max_repeats=2, within=timedelta(minutes=10)),
                approved_exempt=False,
                description="the same message more than twice in 10 minutes",
            ),
            ConductRule(
                "no-mention-spam",
                Mentions(max_mentions=5),
                description="5 or more @mentions in one message",
            ),
        )
        return cls(
            rules,
            ladder=ladder if ladder is not None else Ladder.default(),
            ladders=dict(ladders or {}),
            name="default",
        )

    @classmethod
    def keywords(
        cls,
        words: Iterable[str],
        *,
        whole_word: bool = False,
        case_sensitive: bool = True,
        normalize: bool = False,
        actions: Sequence[ConductAction | str] = (ConductAction.DELETE,),
        strikes: float = 1.0,
        exempt_roles: Iterable[Role | str] = (),
        ladder: Ladder | None = None,
        name: str = "keywords",
    ) -> RuleBook:
        """A rulebook of one keyword rule over ``words`` (one automaton, any size).

        With the defaults a message is flagged exactly when
        ``any(word in text for word in words)``; nobody is exempt unless
        ``exempt_roles`` says so.

        Example:
            >>> RuleBook.keywords(["spam"]).rules[0].name
            'keywords'
        """
        rule = ConductRule(
            name,
            Keywords(
                _words(words),
                whole_word=whole_word,
                case_sensitive=case_sensitive,
                normalize=normalize,
            ),
            actions=tuple(actions),
            strikes=strikes,
            exempt_roles=frozenset(exempt_roles),
            approved_exempt=False,
        )
        return cls((rule,), ladder=ladder if ladder is not None else Ladder.default(), name=name)

    def ladder_for(self, kind: CommunityKind | str) -> Ladder:
        """The ladder for a community kind (its own, else the default)."""
        if not self.ladders:
            return self.ladder
        return self.ladders.get(CommunityKind(kind), self.ladder)

    def with_rules(self, *rules: ConductRule) -> RuleBook:
        """A copy with ``rules`` appended."""
        return RuleBook(
            self.rules + rules, ladder=self.ladder, ladders=self.ladders, name=self.name
        )

    def without(self, *names: str) -> RuleBook:
        """A copy without the named rules."""
        unknown = set(names) - {r.name for r in self.rules}
        if unknown:
            raise InvalidInput(f"no rules named {sorted(unknown)} in this rulebook")
        return RuleBook(
            tuple(r for r in self.rules if r.name not in names),
            ladder=self.ladder,
            ladders=self.ladders,
            name=self.name,
        )

    @property
    def windows(self) -> tuple[timedelta, ...]:
        """Every flood/repeat window the rules read (the store keeps these)."""
        seen: dict[timedelta, None] = {}
        for r in self.rules:
            for w in r.condition.windows:
                seen[w] = None
        return tuple(seen)

    def describe(self) -> str:
        """The rules and the ladder, one per line."""
        lines = [f"RuleBook {self.name!r}"]
        for r in self.rules:
            exempt = ", ".join(sorted(x.value for x in r.exempt_roles)) or "nobody"
            scope = f"; {r.scope.describe()}" if r.scope else ""
            lines.append(
                f"- {r.name}: {r.description or r.condition.label} -> "
                f"{'/'.join(a.value for a in r.actions)}, {r.strikes:g} strike(s); "
                f"exempt: {exempt}{scope}"
            )
        lines.append(
            f"ladder: {self.ladder.describe()} (strikes decay after {span(self.ladder.decay)})"
        )
        return "\n".join(lines)
