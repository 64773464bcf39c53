"""``suo serve`` on a Redis that freezes: cached links redirect, the log stays short.

The whole stack as an operator runs it: ``suo serve --store redis://…`` in a
process of its own, a private ``redis-server`` frozen with SIGSTOP, plain HTTP
requests from the test.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from suo.shortener import Shortener
from suo.testing.servers import PrivateRedis, private_redis


@pytest.fixture
def redis_server() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("SUO_REQUIRE_SERVICES") == "1":
            pytest.fail("redis-server is not installed but SUO_REQUIRE_SERVICES=1")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with private_redis() as server:
        yield server


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/128"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_suo_serve_keeps_redirecting_cached_links_while_redis_is_frozen(
    redis_server: PrivateRedis, serve: Callable[..., Any]
) -> None:
    admin = Shortener(redis_server.store())
    admin.shorten("https://example.com/open", alias="open")
    admin.shorten("https://example.com/capped", alias="capped", max_clicks=1000)
    server = serve(f"{redis_server.url}?socket_timeout=0.3", "--no-access-log")
    for path in ("/open", "/capped"):
        assert _get(server.port, path)[0] == 302  # now in the server's memory
    redis_server.freeze()
    try:
        answers = [_get(server.port, ("/open", "/capped")[i % 2]) for i in range(1000)]
    finally:
        redis_server.thaw()
    redis_server.wait_until_answering()
    opened = [a for a in answers if a[0] == 302]
    refused = [a for a in answers if a[0] == 503]
    assert len(opened) == 500
    assert {a[1]["location"] for a in opened} == {"https://example.com/open"}
    assert len(refused) == 500
    assert refused[0][1]["retry-after"] == "5"
    assert json.loads(refused[0][2])["status"] == 503
    # Steady traffic brings the server back to the store and writes the buffer.
    give_up = time.monotonic() + 20
    while admin.stats("open").clicks < 1 + 500 and time.monotonic() < give_up:
        _get(server.port, "/open")
        time.sleep(0.05)
    code, output = server.stop()
    assert code == 0
    lines = [line for line in output.splitlines() if line.strip()]
    outage_lines = [line for line in lines if "suo: the store is" in line]
    assert len(outage_lines) == 2, output
    assert "Traceback" not in output
    assert len(lines) < 20, output  # uvicorn's start and stop lines included
    assert admin.stats("capped").clicks == 1  # no 503 was counted
    assert admin.stats("open").clicks >= 1 + 500
    admin.store.close()
