"""``POST /links/{code}/explain``: what a visit would get, and why; records nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from suo.api.deps import require, shortener_of
from suo.api.routes._bodies import Instant
from suo.decision import Decision
from suo.shortener.live import LiveTarget
from suo.shortener.service import Shortener

__all__ = ["ExplainIn", "ExplainOut", "router"]

router = APIRouter(prefix="/links", tags=["explain"])

S = Annotated[Shortener, Depends(shortener_of)]


class ExplainIn(BaseModel):
    """The visit to imagine."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = Field(default="", max_length=2048, description="the visitor's User-Agent")
    accept_language: str | None = Field(default=None, max_length=512)
    now: Instant | None = Field(default=None, description="when (default: now)")
    ip: str | None = Field(
        default=None, max_length=64, description="the visitor's IP (which A/B variant it has)"
    )
    query: str | None = Field(
        default=None, max_length=2048, description="the short URL's query (pass-through)"
    )
    password: str | None = Field(
        default=None, max_length=1024, description="a password to check (no try is counted)"
    )


class ClientOut(BaseModel):
    """Who the User-Agent says the visitor is."""

    platform: str
    os: str
    is_bot: bool
    is_mobile: bool
    is_preview: bool
    app_version: str | None


class ExplainOut(BaseModel):
    """What ``resolve`` would answer: kind, status, location, language and the rule trace."""

    code: str
    kind: str = Field(
        description="redirect, guide, deny, page, not_found, expired, exhausted, password, throttled"
    )
    status: int
    location: str | None
    target: str | None = Field(description="the target URL, or a live code's chosen payload")
    lang: str | None
    trace: list[str]
    client: ClientOut | None

    @classmethod
    def of(cls, code: str, d: Decision) -> ExplainOut:
        """The API view of a :class:`~suo.Decision`."""
        target: Any = d.target
        payload = target.payload if isinstance(target, LiveTarget) else target
        c = d.client
        return cls(
            code=code,
            kind=d.kind.value,
            status=d.status,
            location=d.location,
            target=None if payload is None else str(payload),
            lang=d.lang,
            trace=list(d.trace),
            client=None
            if c is None
            else ClientOut(
                platform=str(c.platform.value),
                os=str(c.os.value),
                is_bot=c.is_bot,
                is_mobile=c.is_mobile,
                is_preview=c.is_preview,
                app_version=c.app_version,
            ),
        )


@router.post("/{code}/explain", response_model=ExplainOut, dependencies=[require("links:read")])
def explain_link(code: str, body: ExplainIn, s: S) -> ExplainOut:
    """What a visit with this User-Agent would get, and why (no click, no event, no slot taken).

    404 when no link has the code.
    """
    s.get(code)
    d = s.explain(
        code, user_agent=body.user_agent, accept_language=body.accept_language, now=body.now,
        ip=body.ip, query=body.query, password=body.password,
    )  # fmt: skip
    return ExplainOut.of(code, d)
