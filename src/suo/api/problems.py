"""The error answers in the OpenAPI document: RFC 9457 problem details, as the app sends them.

FastAPI documents only the success response of each route and a 422 as
``application/json`` in its own validation-error shape; the app answers every
error as ``application/problem+json`` (:func:`suo.api.deps.problem`). This
rewrites the generated document so it says what the app does: a ``Problem``
schema, the 422 in that shape, and the errors every operation can give (401,
403 and 429 with ``Retry-After`` where a key is needed, 404 where a path names
something, 409 where something is written, 413 where a body is taken, 400,
500 and 503 everywhere). Clients generated from the document and the
property tests (``tests/api/test_openapi_properties.py``) then agree with
the wire.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROBLEM_SCHEMA", "document_problems", "install"]

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` lists what is wrong where, "
    "`error` names the library exception.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "error": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}

_REF = {"$ref": "#/components/schemas/Problem"}
_TITLES = {
    "400": "Bad request",
    "401": "No valid API key",
    "403": "The key lacks the scope",
    "404": "Not found",
    "409": "Conflict (an alias in use)",
    "413": "Request body too large",
    "422": "Invalid request",
    "429": "Over the key's rate limit",
    "500": "Internal error",
    "503": "Storage unavailable",
}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _problem_response(status: str, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or _TITLES[status],
        "content": {"application/problem+json": {"schema": dict(_REF)}},
    }
    if status == "429":
        response["headers"] = {
            "Retry-After": {
                "description": "seconds until the key may send again",
                "schema": {"type": "string"},
                "required": True,
            }
        }
    return response


def document_problems(doc: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to every operation of ``doc`` (in place; also returned)."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" in schemas:
        return doc
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in _METHODS:
                continue
            responses: dict[str, Any] = op.setdefault("responses", {})
            statuses = ["400", "500", "503"]
            if op.get("security"):
                statuses += ["401", "403", "429"]
            if "{" in path or "404" in responses:  # a path, or a body, naming something
                statuses.append("404")
            if method in ("post", "put", "patch", "delete"):
                statuses.append("409")
            if "requestBody" in op:
                statuses.append("413")
            if "requestBody" in op or op.get("parameters") or "422" in responses:
                statuses.append("422")
            for status in statuses:
                given = responses.get(status, {})
                if status == "422" or "content" not in given:
                    responses[status] = _problem_response(status, given.get("description"))
            op["responses"] = dict(sorted(responses.items()))
    text = repr(doc["paths"])
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}" not in text:
            schemas.pop(name, None)
    return doc


def install(app: Any) -> None:
    """Make ``app.openapi()`` (and so ``/openapi.json``) return the document with problems."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        return document_problems(build())

    app.openapi = openapi
