"""``GET /links/{code}/qr``: the QR image of a short URL, as PNG or SVG."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from suo.api.deps import require, shortener_of
from suo.shortener.service import Shortener

__all__ = ["MEDIA_TYPES", "router"]

router = APIRouter(prefix="/links", tags=["QR codes"])

S = Annotated[Shortener, Depends(shortener_of)]

MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
"""The content type of each format."""


@router.get(
    "/{code}/qr",
    dependencies=[require("links:read")],
    response_class=Response,
    responses={
        200: {
            "description": "the QR image",
            "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/svg+xml": {"schema": {"type": "string"}},
            },
        }
    },
)
def link_qr(
    code: str,
    s: S,
    format: Annotated[Literal["png", "svg"], Query(description="image format")] = "png",
    scale: Annotated[
        int | None, Query(ge=1, le=40, description="pixels (PNG) or units (SVG) per module")
    ] = None,
    border: Annotated[int, Query(ge=0, le=16, description="quiet zone in modules")] = 4,
    error: Annotated[
        Literal["L", "M", "Q", "H"], Query(description="error-correction level")
    ] = "M",
) -> Response:
    """The QR code of the link's short URL (404 if there is no such link)."""
    image = s.qr(code, format, scale=scale, border=border, error=error)
    content = image.encode("utf-8") if isinstance(image, str) else image
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'inline; filename="{code}.{format}"'},
    )
