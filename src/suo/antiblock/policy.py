"""Access policies (first version; replaced by the full rule engine)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from suo.antiblock.detect import Client, Platform

__all__ = ["AccessPolicy", "Action", "PolicyDecision"]


class Action(enum.Enum):
    REDIRECT = "redirect"
    GUIDE = "guide"
    DENY = "deny"
    ELSEWHERE = "elsewhere"
    PREVIEW = "preview"


@frozen
class PolicyDecision:
    action: Action
    location: str | None = None
    rule: str | None = None
    trace: tuple[str, ...] = ()


_CN_APPS = frozenset({Platform.WECHAT, Platform.WECOM, Platform.QQ})


@frozen
class AccessPolicy:
    name: str = "custom"
    allowed: frozenset[Platform] | None = None
    guide: frozenset[Platform] = frozenset()

    @classmethod
    def anti_block(cls) -> AccessPolicy:
        return cls(name="anti_block", guide=_CN_APPS)

    @classmethod
    def only(cls, *platforms: Platform) -> AccessPolicy:
        return cls(name="only", allowed=frozenset(platforms))

    def decide(
        self, client: Client, *, accept_language: str | None = None, now: datetime | None = None
    ) -> PolicyDecision:
        if self.allowed is not None and client.platform not in self.allowed:
            return PolicyDecision(Action.DENY)
        if client.platform in self.guide:
            return PolicyDecision(Action.GUIDE)
        return PolicyDecision(Action.REDIRECT)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "allowed": None if self.allowed is None else sorted(p.value for p in self.allowed),
            "guide": sorted(p.value for p in self.guide),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessPolicy:
        allowed = data.get("allowed")
        return cls(
            name=data.get("name", "custom"),
            allowed=None if allowed is None else frozenset(Platform(p) for p in allowed),
            guide=frozenset(Platform(p) for p in data.get("guide", ())),
        )
