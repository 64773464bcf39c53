"""Property-based tests of the management API against its own OpenAPI document (schemathesis).

schemathesis reads ``/api/v1/openapi.json`` from the app ``suo serve --api``
runs (in process, over ASGI: no server, no network) and, for every operation
in it, generates requests from the schemas, valid ones and invalid ones
(hypothesis underneath), sends them with an ``admin`` key and checks each
answer: never a 5xx, a documented status code, a documented content type,
the documented headers, a body that validates against the documented schema;
and an undocumented method gets 405 with ``Allow`` naming the documented ones.
Operations other engineers add are covered as soon as they are in the document.

Bounded: ``MAX_EXAMPLES`` inputs per operation (about a second each);
``SUO_API_EXAMPLES=500`` runs more.

Not checked: that a schema-valid input is always accepted (a URL can be a
well-formed string and still refused with 422, e.g. ``javascript:``) and that
unknown query parameters are refused (they are ignored).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

import suo
from suo.api import mint_key
from suo.api.app import create_app
from suo.web import ASGIApp

MAX_EXAMPLES = int(os.environ.get("SUO_API_EXAMPLES", "25"))

CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    allow_header_conformance,  # 405: Allow lists exactly the documented methods
    unsupported_method,  # an undocumented method gets 405
]

_shortener = suo.Shortener("memory://", base_url="https://s.example/")
_KEY, _record, _digest = mint_key(["admin"], name="schemathesis")
_shortener.store.save_key(_record, _digest)
_shortener.shorten("https://example.com/", alias="known")  # so some reads find a link
APP = ASGIApp(_shortener, api=create_app(_shortener, rate_limit=None))

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_conforms_to_the_document(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {_KEY}"}, checks=CHECKS)


def test_the_document_is_read_under_the_mount() -> None:
    doc = schema.raw_schema
    assert {"url": "/api/v1"} in doc.get("servers", [])
    assert "Problem" in doc["components"]["schemas"]
    assert "/links" in doc["paths"]
