"""Every operation of the management API, walked from its OpenAPI document, against every kind of key.

The operations and the scope each needs come from the document itself (each
operation's ``security``: ``[{"apiKey": [scope]}]``, written by
:func:`suo.api.deps.require`), so routes added later are covered without
touching this file. For each operation:

* no key -> 401 (problem details, ``WWW-Authenticate: Bearer``);
* an unknown key -> 401;
* a key with none of the operation's scopes -> 403;
* a key with the operation's scope -> neither 401 nor 403;
* an ``admin`` key -> neither 401 nor 403.

Requests go through ``/api/v1`` of the adapter ``suo serve --api`` runs, with
path parameters filled with a code that does not exist and an empty JSON
object as the body: auth is decided before the body is read, and with the
right key the answer may be 404 or 422, which is fine here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")

import suo
from suo.api import SCOPES, mint_key
from suo.api.app import create_app
from suo.testing import ASGIClient
from suo.web import ASGIApp

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PUBLIC: set[tuple[str, str]] = set()
"""Operations meant to answer without a key, as ("GET", "/path"); none so far."""


def _document() -> dict[str, Any]:
    s = suo.Shortener("memory://")
    try:
        doc: dict[str, Any] = create_app(s, rate_limit=None).openapi()
        return doc
    finally:
        s.store.close()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    doc = _document()
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


OPERATIONS = _operations()


def required_scopes(op: dict[str, Any]) -> list[str]:
    """The scopes an operation's security requirement names (any one of them will do)."""
    scopes: list[str] = []
    for requirement in op.get("security", []):
        scopes.extend(requirement.get("apiKey", []))
    return scopes


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[ASGIClient, dict[str, str]]]:
    s = suo.Shortener("memory://", base_url="https://s.example/")
    keys: dict[str, str] = {}
    for scope in SCOPES:
        key, record, digest = mint_key([scope], name=scope)
        s.store.save_key(record, digest)
        keys[scope] = key
    app = ASGIApp(s, api=create_app(s, rate_limit=None))
    yield ASGIClient(app), keys
    app.close()
    s.store.close()


def call(client: ASGIClient, method: str, path: str, op: dict[str, Any], key: str | None) -> Any:
    url = PREFIX + re.sub(r"\{[^}]+\}", "zz-missing", path)
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    kwargs: dict[str, Any] = {"headers": headers}
    if "requestBody" in op:
        content = op["requestBody"].get("content", {})
        if "application/json" in content:
            kwargs["json"] = {}
        elif "multipart/form-data" in content:
            kwargs["files"] = {"image": ("empty.png", b"", "image/png")}
    return client.request(method, url, **kwargs)


def test_the_document_lists_operations() -> None:
    assert ("POST", "/links") in {(m, p) for m, p, _ in OPERATIONS}


@pytest.mark.parametrize(
    ("method", "path", "op"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_auth_matrix(
    api: tuple[ASGIClient, dict[str, str]], method: str, path: str, op: dict[str, Any]
) -> None:
    client, keys = api
    if (method, path) in PUBLIC:
        pytest.skip("public by design")
    needed = required_scopes(op)
    assert needed, f"{method} {path} declares no scope (use deps.require) and is not in PUBLIC"
    assert set(needed) <= set(SCOPES), f"{method} {path} names unknown scopes {needed}"

    r = call(client, method, path, op, None)
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.headers["content-type"] == PROBLEM
    assert r.headers["www-authenticate"].startswith("Bearer")

    r = call(client, method, path, op, "suo_AAAAAAAA_" + "x" * 40)
    assert r.status_code == 401, (r.status_code, r.text)

    others = [s for s in SCOPES if s not in needed and s != "admin"]
    if others:
        r = call(client, method, path, op, keys[others[0]])
        assert r.status_code == 403, (others[0], r.status_code, r.text)
        assert r.headers["content-type"] == PROBLEM

    for scope in (*needed, "admin"):
        r = call(client, method, path, op, keys[scope])
        assert r.status_code not in (401, 403), (scope, r.status_code, r.text)
        assert r.status_code < 500, (scope, r.status_code, r.text)
