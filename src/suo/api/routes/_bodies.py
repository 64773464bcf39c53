"""Request bodies a route reads itself: JSON *or* multipart on one path.

FastAPI declares one media type per body; ``POST /live`` takes a JSON
document or an upload of QR images. Such routes read the request here and
describe both bodies in OpenAPI with :func:`json_or_multipart`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, AwareDatetime, BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from suo.api.deps import Problem

__all__ = [
    "MAX_FILES",
    "Instant",
    "form_fields",
    "inline_schema",
    "is_multipart",
    "json_body",
    "json_or_multipart",
    "read_upload",
    "uploads",
    "validated",
]

M = TypeVar("M", bound=BaseModel)

MAX_FILES = 20
"""Most files one upload may carry (a live code's pool rarely has more)."""


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _in_range(value: datetime) -> datetime:
    if not _EARLIEST <= value < _LATEST:
        raise ValueError("must be between 1970 and 2200 (with a time zone)")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
"""An aware ISO 8601 time within 1970..2200: nothing a campaign needs is outside,
and times near the ends of ``datetime`` would overflow in arithmetic."""


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model`` with its ``$defs`` inlined (for ``openapi_extra``).

    Example:
        >>> from suo.api.routes.links import LinkList
        >>> schema = inline_schema(LinkList)
        >>> "$defs" in str(schema), schema["properties"]["links"]["items"]["properties"]["code"]
        (False, {'title': 'Code', 'type': 'string'})
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**walk(defs[ref.removeprefix("#/$defs/")]), **walk(rest)}
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    inlined: dict[str, Any] = walk(schema)
    return inlined


def json_or_multipart(
    json_model: type[BaseModel], form_model: type[BaseModel], files: str, *, many: bool
) -> dict[str, Any]:
    """``openapi_extra`` declaring a JSON body or a multipart upload of ``files``."""
    form = inline_schema(form_model)
    binary: dict[str, Any] = {"type": "string", "format": "binary"}
    form.setdefault("properties", {})[files] = (
        {"type": "array", "items": binary, "description": "QR images (PNG, JPEG, WebP, GIF, BMP)"}
        if many
        else {**binary, "description": "a QR image (PNG, JPEG, WebP, GIF, BMP)"}
    )
    form["required"] = [files, *form.get("required", [])]
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": inline_schema(json_model)},
                "multipart/form-data": {"schema": form},
            },
        }
    }


def is_multipart(request: Request) -> bool:
    """True for a ``multipart/form-data`` request; 415 for anything but that or JSON."""
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if ctype == "multipart/form-data":
        return True
    if ctype in ("", "application/json") or ctype.endswith("+json"):
        return False
    raise Problem(
        415,
        "Unsupported media type",
        f"send application/json or multipart/form-data, not {ctype!r}",
    )


def validated(model: type[M], data: Any, where: str = "body") -> M:
    """``model`` from ``data``, or the app's 422 naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": (where, *e.get("loc", ()))} for e in exc.errors(include_url=False)]
        ) from None


async def json_body(request: Request, model: type[M]) -> M:
    """The request's JSON body as ``model`` (422 when it is not JSON or not valid)."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e.get("loc", ()))} for e in exc.errors(include_url=False)]
        ) from None


async def read_upload(
    request: Request, files: str, *, lists: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """A multipart upload's text fields (see :func:`form_fields`) and its ``files``.

    At most :data:`MAX_FILES` files; a malformed body is 400, no file 422.
    The spooled files are closed before this returns.
    """
    async with request.form(max_files=MAX_FILES, max_fields=50) as form:
        return form_fields(form, files=files, lists=lists), await uploads(form, files)


def form_fields(form: FormData, *, files: str, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form's text fields as a dict: empty ones dropped, ``lists`` as lists.

    A list field may repeat or hold comma-separated values (``tags=a,b``).
    """
    out: dict[str, Any] = {}
    for name in form:
        if name == files:
            continue
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        if name in lists:
            out[name] = [p.strip() for v in values for p in v.split(",") if p.strip()]
        elif values and values[-1].strip():
            out[name] = values[-1].strip()
    return out


async def uploads(form: FormData, name: str) -> list[tuple[str, bytes]]:
    """``(filename, bytes)`` of each file in the field ``name`` (422 when there is none)."""
    found: list[tuple[str, bytes]] = []
    for value in form.getlist(name):
        if not isinstance(value, UploadFile):
            raise Problem(422, "Invalid request", f"{name}: expected a file upload, got text")
        found.append((value.filename or f"{name}[{len(found)}]", await value.read()))
    if not found:
        raise Problem(422, "Invalid request", f"{name}: upload at least one QR image")
    return found
