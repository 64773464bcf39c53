"""``suo serve --api``: the management API under /api/v1 beside the redirects, over real HTTP.

The server is the app ``suo serve --api`` builds (:func:`suo.cli.serve.build_app`
from the same options) around a memory store, run by uvicorn in a thread on a
free loopback port: keys are minted straight into that store first (the
SQL and Redis stores keep no keys on this branch yet, and a ``suo serve``
process's memory store cannot be reached from the test). The CLI process
itself is started too, for what needs no key.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("limits")

import uvicorn
from openapi_spec_validator import validate

import suo
from suo.api import mint_key
from suo.api.app import create_app
from suo.cli.serve import build_app
from suo.testing import ASGIClient
from suo.web import ASGIApp

PROBLEM = "application/problem+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mint(store: Any, *scopes: str) -> str:
    """A key with ``scopes``, saved (as its hash) into ``store``; the key itself."""
    key, record, digest = mint_key(list(scopes), name="test")
    store.save_key(record, digest)
    return key


class InProcess(SimpleNamespace):
    """uvicorn serving ``app`` from a thread: ``.url``, ``.stop()``."""

    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        assert not self.thread.is_alive(), "the server did not stop"


def run_in_thread(app: Any, port: int) -> InProcess:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
        proxy_headers=False, server_header=False, lifespan="on",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="suo-serve-api-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise AssertionError("the in-process server did not start")
        time.sleep(0.02)
    return InProcess(server=server, thread=thread, url=f"http://127.0.0.1:{port}")


def serve_options(port: int, *extra: str) -> argparse.Namespace:
    """The options ``suo serve`` parses, as the CLI would (memory store, loopback)."""
    from suo.cli import build_parser

    argv = ["serve", "--store", "memory://", "--host", "127.0.0.1", "--port", str(port)]
    return build_parser().parse_args([*argv, "--cache-ttl", "0", *extra])


@pytest.fixture(scope="module")
def served() -> Iterator[SimpleNamespace]:
    port = free_port()
    app = build_app(serve_options(port, "--api", "--rate-limit", "5/minute"))
    assert isinstance(app, ASGIApp)
    assert app.api is not None
    assert app.api_prefix == "/api/v1"
    running = run_in_thread(app, port)
    client = httpx.Client(base_url=running.url, timeout=10, follow_redirects=False)
    try:
        yield SimpleNamespace(url=running.url, app=app, store=app.shortener.store, http=client)
    finally:
        client.close()
        running.stop()
        app.close()
        app.shortener.store.close()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_create_a_link_and_follow_it(served: SimpleNamespace) -> None:
    key = mint(served.store, "links:write")
    r = served.http.post(
        "/api/v1/links", json={"url": "https://example.com/spring"}, headers=bearer(key)
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["short_url"] == f"{served.url}/{made['code']}"
    assert r.headers["location"] == f"links/{made['code']}"  # relative to /api/v1/links

    visit = served.http.get(made["short_url"], headers={"User-Agent": "Mozilla/5.0 (X11)"})
    assert visit.status_code == 302
    assert visit.headers["location"] == "https://example.com/spring"
    # The redirect came from the raw adapter, not the API app.
    assert "x-content-type-options" in visit.headers
    assert visit.headers.get("content-type", "").startswith("text/plain")


def test_no_key_is_401_problem(served: SimpleNamespace) -> None:
    r = served.http.post("/api/v1/links", json={"url": "https://example.com/"})
    assert r.status_code == 401
    assert r.headers["content-type"] == PROBLEM
    assert r.headers["www-authenticate"].startswith("Bearer")
    body = r.json()
    assert (body["status"], body["instance"]) == (401, "/api/v1/links")


def test_a_read_key_cannot_write(served: SimpleNamespace) -> None:
    key = mint(served.store, "links:read")
    r = served.http.post("/api/v1/links", json={"url": "https://example.com/"}, headers=bearer(key))
    assert r.status_code == 403
    assert r.headers["content-type"] == PROBLEM
    assert "links:write" in r.json()["detail"]


def test_a_javascript_target_is_422_naming_the_scheme(served: SimpleNamespace) -> None:
    key = mint(served.store, "links:write")
    r = served.http.post("/api/v1/links", json={"url": "javascript:alert(1)"}, headers=bearer(key))
    assert r.status_code == 422
    assert r.headers["content-type"] == PROBLEM
    assert "javascript" in r.json()["detail"]


def test_a_burst_past_the_rate_limit_is_429_with_retry_after(served: SimpleNamespace) -> None:
    key = mint(served.store, "links:read")
    statuses = [served.http.get("/api/v1/links", headers=bearer(key)).status_code for _ in range(5)]
    assert statuses == [200] * 5
    r = served.http.get("/api/v1/links", headers=bearer(key))
    assert r.status_code == 429
    assert r.headers["content-type"] == PROBLEM
    assert 1 <= int(r.headers["retry-after"]) <= 60
    # The limit is per key: another key is not held back.
    other = mint(served.store, "links:read")
    assert served.http.get("/api/v1/links", headers=bearer(other)).status_code == 200


def test_the_openapi_document_is_valid_3_1_under_the_prefix(served: SimpleNamespace) -> None:
    r = served.http.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # openapi-spec-validator picks the 3.1 validator from the document
    # Paths are relative to the server, which is the mount point.
    assert {"url": "/api/v1"} in doc["servers"]
    assert "/links" in doc["paths"]
    assert doc["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    assert doc["paths"]["/links"]["post"]["security"] == [{"apiKey": ["links:write"]}]


def test_the_prefix_itself_and_only_it_goes_to_the_api(served: SimpleNamespace) -> None:
    r = served.http.get("/api/v1")
    assert r.headers["content-type"] == PROBLEM  # the API's own 404, not a link page
    r = served.http.get("/api/v1x", headers={"User-Agent": "Mozilla/5.0 (X11)"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")  # the redirect server's page


def test_mount_in_code_with_a_root_path_and_another_prefix() -> None:
    s = suo.Shortener("memory://", base_url="https://s.example/")
    _ = s.shorten("https://example.com/", alias="manager")  # starts like the prefix
    key = mint(s.store, "admin")
    app = ASGIApp(s, api=create_app(s, rate_limit=None), api_prefix="/manage/")
    assert app.api_prefix == "/manage"
    client = ASGIClient(app)
    r = client.post("/manage/links", json={"url": "https://example.org/"}, headers=bearer(key))
    assert r.status_code == 201, r.text
    assert client.get("/manager").status_code == 302  # not the API: a link
    assert client.get("/manage/openapi.json").json()["servers"] == [{"url": "/manage"}]

    async def under_root(scope: Any, receive: Any, send: Any) -> None:
        # As behind a proxy that strips /s and says so in root_path.
        await app(dict(scope, root_path="/s", path="/s" + scope["path"]), receive, send)

    r = ASGIClient(under_root).get("/manage/links", headers=bearer(key))
    assert r.status_code == 200
    assert len(r.json()["links"]) == 2
    doc = ASGIClient(under_root).get("/manage/openapi.json").json()
    assert {"url": "/s/manage"} in doc["servers"]
    s.store.close()


def test_an_api_prefix_must_be_below_the_root() -> None:
    s = suo.Shortener("memory://")
    with pytest.raises(suo.errors.ConfigurationError, match="api_prefix"):
        ASGIApp(s, api=create_app(s), api_prefix="/")
    s.store.close()


def test_rate_limit_off_and_bad_rates(capsys: pytest.CaptureFixture[str]) -> None:
    app = build_app(serve_options(9, "--api", "--rate-limit", "off"))
    assert app.api.state.limiter is None
    app.shortener.store.close()
    assert (
        suo.cli.main(["serve", "--store", "memory://", "--api", "--rate-limit", "5/fortnight"]) == 2
    )
    assert "rate limit '5/fortnight' is not understood" in capsys.readouterr().err


def test_without_the_api_extra_serve_api_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['fastapi'] = None\n"
        "import suo.cli\n"
        "sys.exit(suo.cli.main(['serve', '--store', 'memory://', '--api', '--port', '9']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "pip install 'suo[api]'" in lines[0]


def test_the_suo_serve_process_with_api() -> None:
    """The real ``suo serve --api`` process: redirects and the API on one port."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "suo.cli", "serve", "--store", "memory://", "--host", "127.0.0.1",
         "--port", str(port), "--api", "--no-access-log"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, proc.communicate()[1]
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "suo serve --api did not start"
                time.sleep(0.1)
            assert http.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
            r = http.post("/api/v1/links", json={"url": "https://example.com/"})
            assert (r.status_code, r.headers["content-type"]) == (401, PROBLEM)
            assert http.get("/nope").status_code == 404
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "API at /api/v1" in err
