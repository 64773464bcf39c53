"""``POST /qr/decode``: the payloads of an uploaded QR image, for the operator console.

The console (:mod:`suo.console`) lets an operator start from a picture of a
QR code; the browser sends the file here and gets back what it encodes, then
decides between a link and a live code. Nothing is stored. Decoding shares
the upload limits of ``POST /live`` (12 MP, two decodes at a time).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from suo.api.deps import require
from suo.api.routes._bodies import read_upload
from suo.api.routes.live import _DECODES, UPLOAD_MAX_PIXELS, one
from suo.shortener import qr

__all__ = ["DecodeOut", "router"]

router = APIRouter(prefix="/qr", tags=["QR codes"])


class DecodeOut(BaseModel):
    """What an uploaded image's QR codes hold."""

    payloads: list[str] = Field(description="each distinct payload, top to bottom, left to right")


def _read(data: bytes) -> list[str]:
    with _DECODES:
        return qr.read(data, max_pixels=UPLOAD_MAX_PIXELS)


@router.post(
    "/decode",
    response_model=DecodeOut,
    dependencies=[require("links:write")],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "string",
                                "format": "binary",
                                "description": "a QR image (PNG, JPEG, WebP, GIF, BMP)",
                            }
                        },
                    }
                }
            },
        }
    },
    responses={
        413: {"description": "the upload is over the size cap"},
        422: {"description": "no readable QR code in the image"},
    },
)
async def decode_qr(request: Request) -> DecodeOut:
    """Decode the QR codes in one uploaded image (``file``); 422 when there is none."""
    _raw, files = await read_upload(request, "file")
    [(_name, data)] = one(files)
    return DecodeOut(payloads=await run_in_threadpool(_read, data))
