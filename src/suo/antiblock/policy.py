"""Access policies: ordered rules that say what each visitor of a link gets.

A policy is a list of :class:`Rule`, tried in order; the first whose
:class:`When` matches the visitor decides the :class:`Action`; when none
matches, ``default`` does. Every rule tried is written to the decision's
``trace``, so ``Shortener.explain`` can say why a visitor got what it got.

No cloaking: a rule may treat bots differently only by refusing them
(``no_bots()``), never by sending them other content than people get. A
``PREVIEW`` page shows the same title and description a person sees.

Example:
    >>> from suo.antiblock import AccessPolicy, Action, Platform, OS, When, Rule, detect
    >>> policy = AccessPolicy(
    ...     "app-download",
    ...     rules=(
    ...         Rule(When(platforms={Platform.WECHAT}), Action.GUIDE, name="wechat"),
    ...         Rule(When(os={OS.IOS}), Action.ELSEWHERE, location="https://apps.apple.com/app/id1"),
    ...     ),
    ... )
    >>> iphone = detect("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    ...                 "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
    >>> d = policy.decide(iphone)
    >>> d.action, d.location
    (<Action.ELSEWHERE: 'elsewhere'>, 'https://apps.apple.com/app/id1')
    >>> d.trace[0]
    "rule 1 'wechat' [platform in wechat]: no (platform is browser)"
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from attrs import field, frozen

from suo.antiblock.detect import CHINESE_APPS, OS, Client, Platform
from suo.antiblock.lang import parse_accept_language
from suo.errors import PolicyError

__all__ = ["AccessPolicy", "Action", "PolicyDecision", "Rule", "When"]

_FORMAT = 1


class Action(enum.Enum):
    """What a visitor gets."""

    REDIRECT = "redirect"
    """Redirect to the link's target (a counted click)."""
    GUIDE = "guide"
    """The "open in your browser" guide page (200)."""
    DENY = "deny"
    """The deny page (403)."""
    ELSEWHERE = "elsewhere"
    """Redirect to the rule's own ``location`` (an App Store page, a mirror)."""
    PREVIEW = "preview"
    """A page with the link's Open Graph title and description (200)."""


@frozen
class PolicyDecision:
    """A policy's answer for one visitor.

    Attributes:
        action: what to do.
        location: the URL for ``ELSEWHERE`` (``None`` otherwise).
        rule: the name of the rule that decided (``None``: the default).
        trace: one line per rule tried, then the outcome.
        try_browser: for ``GUIDE``: first try to hand the link to the system
            browser (Android intent), falling back to the guide.
    """

    action: Action
    location: str | None = None
    rule: str | None = None
    trace: tuple[str, ...] = ()
    try_browser: bool = False


def _enum_set(value: Any, kind: type[enum.Enum], label: str) -> frozenset[Any] | None:
    if value is None:
        return None
    if isinstance(value, (str, kind)):
        value = [value]
    out = set()
    for item in value:
        try:
            out.add(item if isinstance(item, kind) else kind(str(item).strip().lower()))
        except ValueError:
            allowed = ", ".join(str(m.value) for m in kind)
            raise PolicyError(f"unknown {label} {item!r}; use one of: {allowed}") from None
    if not out:
        raise PolicyError(f"an empty {label} set matches nobody; omit it to match everyone")
    return frozenset(out)


def _platforms(value: Any) -> frozenset[Platform] | None:
    return _enum_set(value, Platform, "platform")


def _oses(value: Any) -> frozenset[OS] | None:
    return _enum_set(value, OS, "os")


def _action(value: Any) -> Action:
    if isinstance(value, Action):
        return value
    try:
        return Action(value)
    except ValueError:
        raise PolicyError(
            f"action must be one of {[a.value for a in Action]}, got {value!r}"
        ) from None


def _languages(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    out = []
    for item in value:
        tag = str(item).strip().lower()
        if not tag or not all(part.isalnum() and len(part) <= 8 for part in tag.split("-")):
            raise PolicyError(f"language {item!r} is not a language tag like 'zh' or 'en-US'")
        out.append(tag)
    if not out:
        raise PolicyError("an empty language list matches nobody; omit it to match everyone")
    return tuple(out)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise PolicyError(
            f"time window bounds must be timezone-aware, got {value.isoformat()}; "
            "add tzinfo (e.g. datetime(..., tzinfo=timezone.utc))"
        )
    return value


def _names(items: Iterable[enum.Enum]) -> str:
    return ",".join(sorted(str(i.value) for i in items))


@frozen
class When:
    """A rule's condition. Every given part must hold; ``None`` parts match anyone.

    Attributes:
        platforms: the visitor's :class:`~suo.antiblock.Platform` is one of these.
        os: the visitor's :class:`~suo.antiblock.OS` is one of these.
        bot: ``True`` matches crawlers and preview fetchers, ``False`` people.
        preview: ``True`` matches link-preview fetchers only.
        mobile: ``True`` matches phones and tablets, ``False`` computers.
        languages: the visitor's most preferred Accept-Language range starts
            with one of these (``"zh"`` matches ``zh-CN``).
        start / end: the visit falls in ``[start, end)`` (aware datetimes).

    Example:
        >>> When(platforms=["wechat", "qq"], mobile=True).describe()
        'platform in qq,wechat; mobile'
    """

    platforms: frozenset[Platform] | None = field(default=None, converter=_platforms)
    os: frozenset[OS] | None = field(default=None, converter=_oses)
    bot: bool | None = None
    preview: bool | None = None
    mobile: bool | None = None
    languages: tuple[str, ...] | None = field(default=None, converter=_languages)
    start: datetime | None = field(default=None, converter=_aware)
    end: datetime | None = field(default=None, converter=_aware)

    def __attrs_post_init__(self) -> None:
        for name in ("bot", "preview", "mobile"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise PolicyError(f"When.{name} must be True, False or None, got {value!r}")
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise PolicyError(
                f"time window start {self.start.isoformat()} is not before end {self.end.isoformat()}"
            )

    def describe(self) -> str:
        """The condition in words, as the trace shows it."""
        parts = []
        if self.platforms is not None:
            parts.append(f"platform in {_names(self.platforms)}")
        if self.os is not None:
            parts.append(f"os in {_names(self.os)}")
        if self.bot is not None:
            parts.append("bot" if self.bot else "not a bot")
        if self.preview is not None:
            parts.append("preview fetcher" if self.preview else "not a preview fetcher")
        if self.mobile is not None:
            parts.append("mobile" if self.mobile else "desktop")
        if self.languages is not None:
            parts.append(f"language in {','.join(self.languages)}")
        if self.start is not None or self.end is not None:
            a = self.start.isoformat() if self.start else "-inf"
            b = self.end.isoformat() if self.end else "+inf"
            parts.append(f"time in [{a}, {b})")
        return "; ".join(parts) or "anyone"

    def check(self, client: Client, lang: str | None, now: datetime | None) -> str | None:
        """``None`` when the visitor matches, else why not (for the trace)."""
        if self.platforms is not None and client.platform not in self.platforms:
            return f"platform is {client.platform.value}"
        if self.os is not None and client.os not in self.os:
            return f"os is {client.os.value}"
        is_bot = client.is_bot or client.is_preview
        if self.bot is not None and is_bot != self.bot:
            return "is a bot" if is_bot else "not a bot"
        if self.preview is not None and client.is_preview != self.preview:
            return "is a preview fetcher" if client.is_preview else "not a preview fetcher"
        if self.mobile is not None and client.is_mobile != self.mobile:
            return "mobile" if client.is_mobile else "desktop"
        if self.languages is not None and (
            lang is None or not any(lang == t or lang.startswith(t + "-") for t in self.languages)
        ):
            return f"language is {lang or 'unknown'}"
        if self.start is not None or self.end is not None:
            if now is None:
                return "no time given"
            if self.start is not None and now < self.start:
                return f"before {self.start.isoformat()}"
            if self.end is not None and now >= self.end:
                return f"at or after {self.end.isoformat()}"
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.platforms is not None:
            out["platforms"] = sorted(p.value for p in self.platforms)
        if self.os is not None:
            out["os"] = sorted(o.value for o in self.os)
        for name in ("bot", "preview", "mobile"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.languages is not None:
            out["languages"] = list(self.languages)
        if self.start is not None:
            out["start"] = self.start.isoformat()
        if self.end is not None:
            out["end"] = self.end.isoformat()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> When:
        unknown = set(data) - {
            "platforms",
            "os",
            "bot",
            "preview",
            "mobile",
            "languages",
            "start",
            "end",
        }
        if unknown:
            raise PolicyError(f"unknown condition keys {sorted(unknown)}")

        def when(key: str) -> datetime | None:
            raw = data.get(key)
            return None if raw is None else datetime.fromisoformat(raw)

        return cls(
            platforms=data.get("platforms"), os=data.get("os"), bot=data.get("bot"),
            preview=data.get("preview"), mobile=data.get("mobile"),
            languages=data.get("languages"), start=when("start"), end=when("end"),
        )  # fmt: skip


def _location(value: Any) -> str | None:
    if value is None:
        return None
    from suo.errors import InvalidURL
    from suo.shortener.urls import normalize_url

    try:
        return normalize_url(value)
    except InvalidURL as exc:
        raise PolicyError(f"rule location {value!r} is not a safe http(s) URL: {exc}") from None


@frozen
class Rule:
    """One ordered rule: a :class:`When` and the :class:`Action` it leads to.

    Attributes:
        when: the condition.
        action: what matching visitors get.
        location: for ``ELSEWHERE`` only: where to send them (http/https).
        name: a label for traces and reports (default ``None``: the rule's number).
        try_browser: for ``GUIDE`` only: first try the system browser
            (an Android ``intent:`` hand-off where the app allows it).
    """

    when: When
    action: Action = field(converter=_action)
    location: str | None = field(default=None, converter=_location)
    name: str | None = None
    try_browser: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.when, When):
            raise PolicyError(f"Rule.when must be a When, got {type(self.when).__name__}")
        if self.action is Action.ELSEWHERE and self.location is None:
            raise PolicyError("an ELSEWHERE rule needs location='https://...' (where to send them)")
        if self.action is not Action.ELSEWHERE and self.location is not None:
            raise PolicyError(f"only ELSEWHERE rules take a location, not {self.action.value}")
        if self.try_browser and self.action is not Action.GUIDE:
            raise PolicyError("try_browser only applies to GUIDE rules")
        if self.name is not None and (not self.name.strip() or len(self.name) > 64):
            raise PolicyError("a rule name must be 1..64 characters")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"when": self.when.to_dict(), "action": self.action.value}
        if self.location is not None:
            out["location"] = self.location
        if self.name is not None:
            out["name"] = self.name
        if self.try_browser:
            out["try_browser"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        try:
            action = Action(data["action"])
        except (KeyError, ValueError):
            raise PolicyError(
                f"rule action must be one of {[a.value for a in Action]}, got {data.get('action')!r}"
            ) from None
        return cls(
            When.from_dict(data.get("when", {})), action, location=data.get("location"),
            name=data.get("name"), try_browser=bool(data.get("try_browser", False)),
        )  # fmt: skip


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    rules = tuple(value)
    for r in rules:
        if not isinstance(r, Rule):
            raise PolicyError(f"rules must be Rule objects, got {type(r).__name__}")
    return rules


@frozen
class AccessPolicy:
    """Which visitors may open a link, and what each gets.

    Attributes:
        name: a label (the preset's name, or yours).
        rules: tried in order; the first match decides.
        default: the action when no rule matches (``REDIRECT`` or ``DENY``...).

    Example:
        >>> from suo.antiblock import detect
        >>> wechat = detect("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        ...                 "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI")
        >>> AccessPolicy.anti_block().decide(wechat).action
        <Action.GUIDE: 'guide'>
        >>> AccessPolicy.only(Platform.QQ).decide(wechat).action
        <Action.DENY: 'deny'>
    """

    name: str = "custom"
    rules: tuple[Rule, ...] = field(default=(), converter=_rules)
    default: Action = field(default=Action.REDIRECT, converter=_action)

    def __attrs_post_init__(self) -> None:
        if self.default is Action.ELSEWHERE:
            raise PolicyError(
                "the default action cannot be ELSEWHERE (it has no location); add a rule"
            )

    # -- presets ------------------------------------------------------------

    @classmethod
    def anti_block(cls, *, try_browser: bool = False) -> AccessPolicy:
        """Chinese in-app browsers get the guide page; everyone else the redirect.

        The Chinese apps are WeChat, WeCom, QQ, Alipay, Weibo, DingTalk, Douyin,
        Toutiao, Feishu, Xiaohongshu, Kuaishou, Baidu and Taobao. With
        ``try_browser=True`` the guide page first tries to hand the link to the
        system browser (Android), and shows the guide if that does not happen.
        """
        rule = Rule(
            When(platforms=CHINESE_APPS), Action.GUIDE, name="cn-in-app", try_browser=try_browser
        )
        return cls("anti_block", (rule,))

    @classmethod
    def only(cls, *platforms: Platform | str) -> AccessPolicy:
        """Only these platforms are redirected; everyone else is denied (403).

        Example:
            >>> AccessPolicy.only("wechat", "wecom").rules[0].when.describe()
            'platform in wechat,wecom'
        """
        if not platforms:
            raise PolicyError("only() needs at least one platform, e.g. only(Platform.WECHAT)")
        return cls(
            "only", (Rule(When(platforms=platforms), Action.REDIRECT, name="allowed"),), Action.DENY
        )

    @classmethod
    def mobile_only(cls) -> AccessPolicy:
        """Phones and tablets are redirected; computers are denied (403)."""
        return cls(
            "mobile_only", (Rule(When(mobile=True), Action.REDIRECT, name="mobile"),), Action.DENY
        )

    @classmethod
    def no_bots(cls) -> AccessPolicy:
        """Crawlers and preview fetchers are denied (403); people are redirected."""
        return cls("no_bots", (Rule(When(bot=True), Action.DENY, name="bots"),))

    # -- building -----------------------------------------------------------

    def with_rule(self, rule: Rule, *, first: bool = False) -> AccessPolicy:
        """A copy with ``rule`` appended (or put first)."""
        rules = (rule, *self.rules) if first else (*self.rules, rule)
        return AccessPolicy(self.name, rules, self.default)

    # -- deciding -----------------------------------------------------------

    def decide(
        self, client: Client, *, accept_language: str | None = None, now: datetime | None = None
    ) -> PolicyDecision:
        """The action for ``client``, with the trace of the rules tried."""
        ranges = parse_accept_language(accept_language)
        lang = next((tag for tag, _ in ranges if tag != "*"), None)
        trace: list[str] = []
        for i, rule in enumerate(self.rules, 1):
            label = f"rule {i}" + (f" {rule.name!r}" if rule.name else "")
            why_not = rule.when.check(client, lang, now)
            if why_not is not None:
                trace.append(f"{label} [{rule.when.describe()}]: no ({why_not})")
                continue
            trace.append(f"{label} [{rule.when.describe()}]: yes -> {rule.action.value}")
            return PolicyDecision(
                rule.action, rule.location, rule.name or f"rule {i}", tuple(trace), rule.try_browser
            )
        trace.append(f"no rule matched -> default {self.default.value}")
        return PolicyDecision(self.default, None, None, tuple(trace))

    # -- storage ------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict; :meth:`from_dict` reads it back."""
        return {
            "format": _FORMAT,
            "name": self.name,
            "default": self.default.value,
            "rules": [r.to_dict() for r in self.rules],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessPolicy:
        """Rebuild a policy from :meth:`to_dict` output.

        Raises:
            PolicyError: the data is not a policy this version understands.
        """
        if not isinstance(data, Mapping):
            raise PolicyError(f"a policy must be a mapping, got {type(data).__name__}")
        if "rules" not in data and ("allowed" in data or "guide" in data):
            return cls._from_first_version(data)
        fmt = data.get("format", _FORMAT)
        if fmt != _FORMAT:
            raise PolicyError(
                f"policy format {fmt!r} is not supported by this suo (knows {_FORMAT})"
            )
        return cls(
            str(data.get("name", "custom")),
            tuple(Rule.from_dict(r) for r in data.get("rules", ())),
            data.get("default", Action.REDIRECT.value),
        )

    @classmethod
    def _from_first_version(cls, data: Mapping[str, Any]) -> AccessPolicy:
        # Links stored by suo's first version: {"name", "allowed", "guide"}.
        rules = []
        if data.get("guide"):
            rules.append(Rule(When(platforms=data["guide"]), Action.GUIDE))
        allowed = data.get("allowed")
        if allowed is not None:
            rules.append(Rule(When(platforms=allowed), Action.REDIRECT))
        return cls(str(data.get("name", "custom")), tuple(rules),
                   Action.DENY if allowed is not None else Action.REDIRECT)  # fmt: skip
