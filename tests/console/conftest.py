"""Fixtures of the console's browser tests.

The server is what ``suo serve --api`` builds (an :class:`~suo.web.ASGIApp`
with the management API under /api/v1, a memory store), run by uvicorn in a
thread on a free loopback port; an admin key is minted straight into its
store. Chromium is Debian's (/usr/bin/chromium), driven by Playwright; the
tests skip when it is missing, unless SUO_REQUIRE_BROWSER=1 says it must be there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("limits")
pytest.importorskip("playwright")

import uvicorn

from suo.api import mint_key
from suo.cli.serve import build_app

from .helpers import CHROMIUM, CHROMIUM_ARGS, free_port, require_browser


@pytest.fixture(scope="module")
def served() -> Iterator[SimpleNamespace]:
    """``suo serve --api`` on a loopback port, and an admin key for it."""
    from suo.cli import build_parser

    port = free_port()
    argv = ["serve", "--store", "memory://", "--host", "127.0.0.1", "--port", str(port)]
    app = build_app(build_parser().parse_args([*argv, "--cache-ttl", "0", "--api"]))
    key, record, digest = mint_key(["admin"], name="console-test")
    app.shortener.store.save_key(record, digest)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
        proxy_headers=False, server_header=False, lifespan="on",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="suo-console-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server did not start"
        assert time.monotonic() < deadline, "the server did not start in time"
        time.sleep(0.02)
    url = f"http://127.0.0.1:{port}"
    try:
        yield SimpleNamespace(url=url, console=f"{url}/console/", key=key, app=app)
    finally:
        server.should_exit = True
        thread.join(20)
        app.close()
        app.shortener.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-US"
    )
    errors: list[str] = []
    pg = context.new_page()
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(15_000)
    try:
        yield pg
        # A CSP violation (an inline script, a foreign host) would show up here.
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
