"""Conversions and funnels: ``POST /conversions`` (``conversions:write``) and
``GET /links/{code}/funnel`` / ``GET /tags/{tag}/funnel`` (``stats:read``).

A conversion names the click id the target URL got; the answer is 201 when
it was recorded and 200 when the same ``(click_id, event, external_id)`` was
recorded before (a retried webhook changes nothing). An unknown click id is a
404 problem.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from suo.api.deps import require, shortener_of
from suo.api.routes._bodies import Instant
from suo.shortener.funnel import Funnel
from suo.shortener.service import Shortener

__all__ = ["ConversionIn", "ConversionOut", "FunnelOut", "router"]

router = APIRouter(tags=["conversions"])

S = Annotated[Shortener, Depends(shortener_of)]


class ConversionIn(BaseModel):
    """One conversion of a click."""

    model_config = ConfigDict(extra="forbid")

    click_id: str = Field(max_length=64, description="the id the target URL got (`suo_cid`)")
    event: str = Field(max_length=64, description="join, signup, purchase, or any name")
    value: Decimal | None = Field(default=None, description="what it was worth")
    currency: str | None = Field(default=None, max_length=3, description="ISO 4217, with value")
    external_id: str | None = Field(
        default=None, max_length=255, description="your id (order id): one conversion per id"
    )
    at: Instant | None = Field(default=None, description="when it happened (default: now)")


class ConversionOut(BaseModel):
    """Whether the report was new."""

    recorded: bool = Field(description="true: stored now; false: stored before, nothing changed")
    click_id: str
    event: str
    external_id: str | None


@router.post(
    "/conversions",
    status_code=201,
    response_model=ConversionOut,
    dependencies=[require("conversions:write")],
    responses={
        200: {"description": "recorded before: nothing changed", "model": ConversionOut},
        404: {"description": "no click has this id"},
    },
)
def track(body: ConversionIn, s: S, response: Response) -> ConversionOut:
    """Record a conversion (join, sign-up, purchase...) of a click id; idempotent."""
    recorded = s.track(
        body.click_id,
        body.event,
        value=body.value,
        currency=body.currency,
        external_id=body.external_id,
        at=body.at,
    )
    if not recorded:
        response.status_code = 200
    return ConversionOut(
        recorded=recorded, click_id=body.click_id, event=body.event, external_id=body.external_id
    )


class StepOut(BaseModel):
    """One funnel step: clicks that reached it, and its rate from the step before."""

    name: str
    count: int
    rate: float | None
    low: float = Field(description="95% Wilson interval of rate, low end")
    high: float = Field(description="95% Wilson interval of rate, high end")


class GroupOut(BaseModel):
    """The funnel of one value of `by` (`key` null: visits without a value)."""

    key: str | None
    steps: list[StepOut]


class FunnelOut(BaseModel):
    """Counts and step rates from clicks to conversions."""

    steps: list[StepOut]
    by: str | None
    groups: list[GroupOut]

    @classmethod
    def of(cls, funnel: Funnel) -> FunnelOut:
        """The API view of a :class:`~suo.shortener.funnel.Funnel`."""
        data: dict[str, Any] = funnel.to_dict()
        return cls.model_validate(data)


Steps = Annotated[
    str,
    Query(max_length=512, description="comma-separated steps, `click` first"),
]
FunnelBy = Annotated[
    Literal["platform", "os", "outcome", "variant", "referrer", "target", "content"] | None,
    Query(description="break the funnel down by this field"),
]
Start = Annotated[Instant | None, Query(description="first click time")]
End = Annotated[Instant | None, Query(description="clicks before this time")]


def _steps(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


@router.get("/links/{code}/funnel", response_model=FunnelOut, dependencies=[require("stats:read")])
def link_funnel(
    code: str,
    s: S,
    steps: Steps = "click,join,purchase",
    by: FunnelBy = None,
    start: Start = None,
    end: End = None,
) -> FunnelOut:
    """The funnel of one link's clicks."""
    return FunnelOut.of(s.funnel(code, steps=_steps(steps), by=by, start=start, end=end))


@router.get("/tags/{tag}/funnel", response_model=FunnelOut, dependencies=[require("stats:read")])
def tag_funnel(
    tag: str,
    s: S,
    steps: Steps = "click,join,purchase",
    by: FunnelBy = None,
    start: Start = None,
    end: End = None,
) -> FunnelOut:
    """The funnel of the clicks of every link with a tag (a campaign)."""
    return FunnelOut.of(s.funnel(tag=tag, steps=_steps(steps), by=by, start=start, end=end))
