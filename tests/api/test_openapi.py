"""The OpenAPI document is valid OpenAPI 3.1 and lists every route of this area."""

from __future__ import annotations

from openapi_spec_validator import validate

from .helpers import Api

ROUTES = {
    "/live": {"post"},
    "/live/{code}": {"get"},
    "/live/{code}/targets": {"post"},
    "/live/{code}/targets/{target_id}": {"put", "delete"},
    "/links/{code}/qr": {"get"},
    "/links/{code}/stats": {"get"},
    "/links/{code}/timeseries": {"get"},
    "/tags/{tag}/stats": {"get"},
    "/tags/{tag}/timeseries": {"get"},
    "/links/{code}/explain": {"post"},
    "/moderation/check": {"post"},
    "/sop/templates": {"get"},
    "/sop/templates/{name}/week": {"get"},
    "/sop/templates/{name}/ical": {"get"},
    "/links/bulk.csv": {"post"},
}


def test_openapi_validates_with_the_new_routes(api: Api) -> None:
    r = api.client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    for path, methods in ROUTES.items():
        assert path in doc["paths"], path
        assert methods <= set(doc["paths"][path]), path


def test_uploads_are_described_as_json_or_multipart(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    body = doc["paths"]["/live"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    files = body["multipart/form-data"]["schema"]["properties"]["files"]
    assert files["items"]["format"] == "binary"
    assert "targets" in body["application/json"]["schema"]["properties"]
    assert "$defs" not in str(body)
    csv = doc["paths"]["/links/bulk.csv"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in csv
    qr = doc["paths"]["/links/{code}/qr"]["get"]["responses"]["200"]["content"]
    assert {"image/png", "image/svg+xml"} <= set(qr)
