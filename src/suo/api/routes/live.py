"""``/live``: live codes (活码) from JSON targets or uploaded group QR images.

Every change needs ``live:write``; reading needs ``links:read``. An uploaded
image is decoded with :func:`suo.shortener.qr.read` and only its payload is
kept; an image without exactly one readable QR code (or a decompression
bomb, or one too large to decode) is refused with 422 and the reason, and
nothing is made.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from suo.api.deps import Problem, require, shortener_of
from suo.api.routes._bodies import (
    Instant,
    is_multipart,
    json_body,
    json_or_multipart,
    read_upload,
    validated,
)
from suo.api.routes.links import LinkOut, policy_from
from suo.errors import NotFound, QRDecodeError
from suo.shortener.live import LiveCode, LiveSlot, LiveStatus, LiveTarget
from suo.shortener.service import Shortener

__all__ = ["LiveIn", "LiveOut", "TargetIn", "TargetOut", "router"]

router = APIRouter(prefix="/live", tags=["live codes"])

S = Annotated[Shortener, Depends(shortener_of)]
Strategy = Literal["fill_first", "round_robin", "weighted"]
Payload = Annotated[str, Field(min_length=1, max_length=1024)]


class TargetIn(BaseModel):
    """One target: what its QR holds, how many it may take, until when."""

    model_config = ConfigDict(extra="forbid")

    payload: Payload = Field(
        description="a group invite URL (https://weixin.qq.com/g/...), any QR text, or a web URL"
    )
    cap: int | None = Field(default=None, ge=1, le=10**9, description="visitors it may take")
    expires_at: Instant | None = Field(
        default=None, description="when it stops being shown (WeChat groups: 7 days by default)"
    )
    weight: int = Field(default=1, ge=1, le=10**9, description="share under 'weighted'")

    def target(self) -> LiveTarget:
        """The library value (InvalidInput for a bad payload, e.g. a javascript: URL)."""
        return LiveTarget(
            self.payload, cap=self.cap, expires_at=self.expires_at, weight=self.weight
        )


class LiveIn(BaseModel):
    """What ``POST /live`` takes as JSON."""

    model_config = ConfigDict(extra="forbid")

    targets: list[TargetIn | Payload] = Field(min_length=1, max_length=200)
    strategy: Strategy = "fill_first"
    alias: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, max_length=500)
    tags: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)
    policy: dict[str, Any] | None = Field(
        default=None, description="an access policy as JSON (AccessPolicy.to_dict())"
    )


class LiveForm(BaseModel):
    """The form fields of a ``POST /live`` upload (they apply to every image)."""

    model_config = ConfigDict(extra="forbid")

    cap: int | None = Field(default=None, ge=1, le=10**9)
    expires_at: Instant | None = None
    weight: int = Field(default=1, ge=1, le=10**9)
    strategy: Strategy = "fill_first"
    alias: str | None = Field(default=None, max_length=64)
    title: str | None = Field(default=None, max_length=500)
    tags: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)


class TargetForm(BaseModel):
    """The form fields of a one-image upload to ``/live/{code}/targets``."""

    model_config = ConfigDict(extra="forbid")

    cap: int | None = Field(default=None, ge=1, le=10**9)
    expires_at: Instant | None = None
    weight: int = Field(default=1, ge=1, le=10**9)


class ReplaceIn(TargetIn):
    """A new target in place of one (``reset``: its fill starts again at 0)."""

    reset: bool = Field(default=False, description="a new group: start its fill at 0")


class ReplaceForm(TargetForm):
    """The form fields of a one-image ``PUT /live/{code}/targets/{id}``."""

    reset: bool = False


class TargetOut(BaseModel):
    """A target of a live code with its fill and state."""

    id: int
    payload: str
    cap: int | None
    used: int
    remaining: int | None
    fill: float | None = Field(description="used / cap (null without a cap)")
    expires_at: datetime | None
    weight: int
    state: Literal["active", "full", "expired", "retired"]
    added_at: datetime

    @classmethod
    def of(cls, slot: LiveSlot, now: datetime) -> TargetOut:
        """The API view of a stored target."""
        return cls(
            id=slot.id,
            payload=slot.payload,
            cap=slot.cap,
            used=slot.used,
            remaining=slot.remaining,
            fill=slot.fill,
            expires_at=slot.expires_at,
            weight=slot.target.weight,
            state=slot.state(now),  # type: ignore[arg-type]
            added_at=slot.added_at,
        )


class StatusOut(BaseModel):
    """The pool at a glance (see ``LiveStatus``)."""

    strategy: str
    active: int
    full: int
    expired: int
    retired: int
    served: int
    remaining: int | None = Field(description="room left (null: a target has no cap)")
    exhausted: bool

    @classmethod
    def of(cls, st: LiveStatus) -> StatusOut:
        """The API view of a status."""
        return cls(
            strategy=st.strategy,
            active=st.active,
            full=st.full,
            expired=st.expired,
            retired=st.retired,
            served=st.served,
            remaining=st.remaining,
            exhausted=st.exhausted,
        )


class LiveOut(BaseModel):
    """A live code: its link, its targets and its status."""

    link: LinkOut
    targets: list[TargetOut]
    status: StatusOut


def _live(s: Shortener, code: str) -> LiveCode:
    if s.get(code).live is None:
        raise NotFound(f"{code!r} is a plain short link, not a live code")
    return s.live(code)


def _view(s: Shortener, code: str, *, include_retired: bool = True) -> LiveOut:
    live = _live(s, code)
    now = s.clock()
    return LiveOut(
        link=LinkOut.of(live.link, s),
        targets=[TargetOut.of(t, now) for t in live.targets(include_retired=include_retired)],
        status=StatusOut.of(live.status(now)),
    )


def one(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The one image of a ``file`` field (422 for several)."""
    if len(files) > 1:
        raise Problem(422, "Invalid request", f"file: upload one QR image, not {len(files)}")
    return files


# A phone screenshot is 2-5 MP: 12 MP leaves room and keeps one decode under
# about 250 MB; a few decodes at a time keep a burst of tiny, huge-canvas
# uploads from taking the server's memory.
UPLOAD_MAX_PIXELS = 12_000_000
_DECODES = threading.BoundedSemaphore(2)


def _decode(files: list[tuple[str, bytes]], form: TargetForm | LiveForm) -> list[LiveTarget]:
    """Every upload as a target, or QRDecodeError naming the file at fault."""
    out: list[LiveTarget] = []
    for i, (name, data) in enumerate(files):
        try:
            with _DECODES:
                target = LiveTarget.from_image(
                    data,
                    cap=form.cap,
                    expires_at=form.expires_at,
                    weight=form.weight,
                    max_pixels=UPLOAD_MAX_PIXELS,
                )
        except QRDecodeError as exc:
            raise QRDecodeError(f"file {i} ({name!r}): {exc}") from exc
        out.append(target)
    return out


_WRITE = [require("live:write")]
_READ = [require("links:read")]


@router.post(
    "",
    status_code=201,
    response_model=LiveOut,
    dependencies=_WRITE,
    openapi_extra=json_or_multipart(LiveIn, LiveForm, "files", many=True),
    responses={
        413: {"description": "the upload is over the size cap"},
        422: {"description": "a bad target, or an image without one readable QR code"},
    },
)
async def create_live(request: Request, s: S, response: Response) -> LiveOut:
    """Make a live code from JSON targets, or from uploaded group QR images (``files``)."""
    if is_multipart(request):
        raw, files = await read_upload(request, "files", lists=("tags",))
        fields = validated(LiveForm, raw)
        targets = await run_in_threadpool(_decode, files, fields)
        kwargs: dict[str, Any] = {
            "strategy": fields.strategy,
            "alias": fields.alias,
            "title": fields.title,
            "tags": fields.tags,
        }
    else:
        body = await json_body(request, LiveIn)
        targets = [t.target() if isinstance(t, TargetIn) else LiveTarget(t) for t in body.targets]
        kwargs = {
            "strategy": body.strategy,
            "alias": body.alias,
            "title": body.title,
            "tags": body.tags,
            "policy": policy_from(body.policy),
        }

    def make() -> LiveOut:
        link = s.shorten_live(targets, **kwargs)
        return _view(s, link.code)

    out = await run_in_threadpool(make)
    response.headers["Location"] = f"live/{out.link.code}"
    return out


@router.get("/{code}", response_model=LiveOut, dependencies=_READ)
def get_live(
    code: str,
    s: S,
    include_retired: Annotated[bool, Query(description="list retired targets too")] = True,
) -> LiveOut:
    """A live code's targets (used, cap, expiry, state) and status; 404 for a plain link."""
    return _view(s, code, include_retired=include_retired)


@router.post(
    "/{code}/targets",
    status_code=201,
    response_model=TargetOut,
    dependencies=_WRITE,
    openapi_extra=json_or_multipart(TargetIn, TargetForm, "file", many=False),
)
async def add_target(code: str, request: Request, s: S) -> TargetOut:
    """Add a target at the end of the rotation, as JSON or as one uploaded QR image."""
    if is_multipart(request):
        raw, files = await read_upload(request, "file")
        fields = validated(TargetForm, raw)
        [target] = await run_in_threadpool(_decode, one(files), fields)
    else:
        target = (await json_body(request, TargetIn)).target()

    def add() -> TargetOut:
        return TargetOut.of(_live(s, code).add(target), s.clock())

    return await run_in_threadpool(add)


@router.put(
    "/{code}/targets/{target_id}",
    response_model=TargetOut,
    dependencies=_WRITE,
    openapi_extra=json_or_multipart(ReplaceIn, ReplaceForm, "file", many=False),
)
async def replace_target(code: str, target_id: int, request: Request, s: S) -> TargetOut:
    """Put a new QR code (or cap, expiry, weight) in place of a target; ``reset`` zeroes its fill."""
    reset: bool
    if is_multipart(request):
        raw, files = await read_upload(request, "file")
        fields = validated(ReplaceForm, raw)
        [target] = await run_in_threadpool(_decode, one(files), fields)
        reset = fields.reset
    else:
        body = await json_body(request, ReplaceIn)
        target, reset = body.target(), body.reset

    def replace() -> TargetOut:
        slot = _live(s, code).replace(target_id, target, reset=reset)
        return TargetOut.of(slot, s.clock())

    return await run_in_threadpool(replace)


@router.delete("/{code}/targets/{target_id}", status_code=204, dependencies=_WRITE)
def retire_target(code: str, target_id: int, s: S) -> Response:
    """Take a target out of rotation (kept for the record); 404 if it is not active."""
    if not _live(s, code).retire(target_id):
        raise NotFound(f"live code {code!r} has no active target {target_id}")
    return Response(status_code=204)
