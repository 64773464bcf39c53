"""``POST /moderation/check``: judge one message with the default rulebook.

Needs the ``moderation`` scope. The :class:`~suo.community.Moderator` works
on the Shortener's store, so strikes add up across requests, processes and
workers: give the community an ``id`` to keep its ledger (without one, each
request makes a new community and starts from zero).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from suo.api.deps import require, shortener_of
from suo.api.routes._bodies import Instant
from suo.community import Community, Member, Moderator, RuleBook, Verdict
from suo.shortener.service import Shortener

__all__ = ["CheckIn", "VerdictOut", "router"]

router = APIRouter(prefix="/moderation", tags=["moderation"])

S = Annotated[Shortener, Depends(shortener_of)]


def moderator_of(request: Request) -> Moderator:
    """The app's Moderator on the Shortener's store (made on first use, then kept)."""
    mod: Moderator | None = getattr(request.app.state, "moderator", None)
    if mod is None:
        s: Shortener = request.app.state.shortener
        mod = request.app.state.moderator = Moderator(s.store, RuleBook.default())
    return mod


class CommunityIn(BaseModel):
    """The community the message was posted in."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=128,
                           description="keeps the strike ledger across requests")  # fmt: skip
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["traffic", "welfare", "flash"] = "traffic"
    allowed_domains: list[Annotated[str, Field(max_length=253)]] = Field(
        default_factory=list, max_length=100, description="link domains this community accepts"
    )


class MemberIn(BaseModel):
    """Who posted it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128)
    role: Literal["owner", "operator", "kol", "cheerleader", "member"] = "member"
    approved: bool = Field(default=False, description="an operator vouched for this member")


class CheckIn(BaseModel):
    """One message to judge."""

    model_config = ConfigDict(extra="forbid")

    community: CommunityIn
    member: MemberIn
    text: str = Field(max_length=20_000)
    at: Instant | None = Field(default=None, description="when it was posted (default now)")
    approved: bool = Field(default=False, description="an operator approved this message")


class HitOut(BaseModel):
    """One rule that matched."""

    rule: str
    match: str
    strikes: float
    exempt: str | None


class VerdictOut(BaseModel):
    """What to do with the message, and why."""

    action: Literal["allow", "delete", "warn", "mute", "remove"]
    flagged: bool
    delete_message: bool
    mute_until: datetime | None
    strikes: float = Field(description="the member's live strike total after this message")
    step: str | None = Field(description="the ladder step applied ('warn', 'mute 1h'...)")
    reasons: list[str]
    hits: list[HitOut]
    community_id: str
    member_id: str
    at: datetime | None

    @classmethod
    def of(cls, v: Verdict) -> VerdictOut:
        """The API view of a :class:`~suo.community.Verdict`."""
        return cls(
            action=v.action.value,
            flagged=v.flagged,
            delete_message=v.delete_message,
            mute_until=v.mute_until,
            strikes=v.strikes,
            step=None if v.step is None else v.step.describe(),
            reasons=list(v.reasons),
            hits=[
                HitOut(rule=h.rule, match=h.match, strikes=h.strikes, exempt=h.exempt)
                for h in v.hits
            ],
            community_id=v.community_id,
            member_id=v.member_id,
            at=v.at,
        )


@router.post("/check", response_model=VerdictOut, dependencies=[require("moderation")])
def check_message(
    body: CheckIn, s: S, mod: Annotated[Moderator, Depends(moderator_of)]
) -> VerdictOut:
    """Judge one message: the action (allow, delete, warn, mute, remove), the rules hit, strikes."""
    c = body.community
    domains = tuple(c.allowed_domains)
    community = (
        Community(name=c.name, kind=c.kind, allowed_domains=domains)
        if c.id is None
        else Community(name=c.name, kind=c.kind, id=c.id, allowed_domains=domains)
    )
    member = Member(id=body.member.id, role=body.member.role, approved=body.member.approved)
    at = body.at if body.at is not None else s.clock()
    return VerdictOut.of(mod.check(community, member, body.text, at=at, approved=body.approved))
