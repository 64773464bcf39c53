"""The curl examples of docs/http-api.md run, in order, against a real server.

A Shortener with the management API is served on a loopback port (uvicorn in
a thread); every ``$ curl ...`` line of the page runs through bash with
``$SUO`` and ``$KEY`` (an admin key) set, in a folder holding the files the
examples upload. Each answer's status is collected: none may be a 5xx, none
may be refused for auth, and each example must do what the page says.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import uvicorn

import suo
from suo.api import create_app, mint_key
from suo.shortener import qr
from suo.web import ASGIApp

PAGE = Path(__file__).resolve().parents[2] / "docs" / "http-api.md"
pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def _commands(page: str) -> list[str]:
    """The ``$ `` commands of the page's console blocks, continuation lines joined."""
    out: list[str] = []
    for block in re.findall(r"```console\n(.*?)```", page, flags=re.S):
        current: list[str] | None = None
        for line in block.splitlines():
            if line.startswith("$ "):
                current = [line[2:]]
            elif current is None:
                continue  # output shown on the page
            else:
                current.append(line)
            if current is not None and not current[-1].endswith("\\"):
                # Quotes may span lines (a JSON body): keep reading until balanced.
                text = "\n".join(current)
                if text.count("'") % 2 == 0:
                    out.append(text)
                    current = None
    return out


def _shown_files(page: str) -> dict[str, str]:
    """Files whose contents the page shows with ``$ cat NAME``: name -> text."""
    found: dict[str, str] = {}
    for block in re.findall(r"```console\n(.*?)```", page, flags=re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            m = re.fullmatch(r"\$ cat (\S+)", line)
            if m:
                body = []
                for after in lines[i + 1 :]:
                    if after.startswith("$ "):
                        break
                    body.append(after)
                found[m.group(1)] = "\n".join(body) + "\n"
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _files(folder: Path) -> None:
    for name, payload in [("group1.png", "https://weixin.qq.com/g/AAAAdocs1"),
                          ("group3.png", "https://weixin.qq.com/g/AAAAdocs3"),
                          ("new-code.png", "https://weixin.qq.com/g/AAAAdocs4")]:  # fmt: skip
        data = qr.render(payload, "png", scale=6)
        assert isinstance(data, bytes)
        (folder / name).write_bytes(data)
    from PIL import Image

    with Image.open(folder / "group1.png") as img:
        img.convert("RGB").save(folder / "group2.jpg", quality=92)
    (folder / "group2.png").write_bytes((folder / "group1.png").read_bytes())


def test_the_curl_examples_of_the_http_api_page_run(tmp_path: Path) -> None:
    commands = _commands(PAGE.read_text(encoding="utf-8"))
    curls = [c for c in commands if c.lstrip().startswith("curl")]
    assert len(curls) >= 10
    s = suo.Shortener("memory://", base_url="https://s.example/", cache_ttl=0)
    key, record, digest = mint_key(["admin"])
    s.store.save_key(record, digest)
    app = ASGIApp(s, api=create_app(s, rate_limit=None))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server stopped before it started"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    _files(tmp_path)
    for name, content in _shown_files(PAGE.read_text(encoding="utf-8")).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    env = {**os.environ, "SUO": f"http://127.0.0.1:{port}/api/v1", "KEY": key}
    # Every curl prints its status on a line of its own after the body.
    prelude = 'curl() { command curl -sS --max-time 20 -w "\\nSTATUS %{http_code}\\n" "$@"; }\n'
    statuses: list[tuple[str, int]] = []
    try:
        for command in commands:
            done = subprocess.run(
                ["bash", "-c", prelude + command], cwd=tmp_path, env=env,
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            assert done.returncode == 0, (command, done.stderr)
            for code in re.findall(r"^STATUS (\d{3})$", done.stdout, flags=re.M):
                statuses.append((command.splitlines()[0], int(code)))
    finally:
        server.should_exit = True
        thread.join(20)
    assert len(statuses) == len(curls)
    bad = [(c, code) for c, code in statuses if code >= 500 or code in (401, 403)]
    assert bad == []
    failed = [(c, code) for c, code in statuses if code >= 400]
    assert failed == [], "every example on the page should succeed as written"
    assert (tmp_path / "club.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "welfare.ics").read_text().startswith("BEGIN:VCALENDAR")
    assert s.store.get_link("spring-a") is not None  # the CSV bulk example made its links


def test_the_command_reader_joins_continuations() -> None:
    page = '```console\n$ curl a \\\n    -d \'{"x":\n 1}\'\n{"out": 1}\n$ cat f\n```\n'
    assert _commands(page) == ["curl a \\\n    -d '{\"x\":\n 1}'", "cat f"]
