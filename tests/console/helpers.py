"""Helpers of the console's browser tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from suo.shortener import qr

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 MicroMessenger/8.0.44 NetType/WIFI Language/zh_CN"
)
WEIBO = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 Weibo (iPhone14,2__weibo__13.1.0__iphone__os16.0)"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
SHOP = "https://shop.example.com/item/42?from=poster"
GROUP = "https://weixin.qq.com/g/AbCdEf123_group"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_browser() -> None:
    if CHROMIUM.exists():
        return
    msg = f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("SUO_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + "; SUO_REQUIRE_BROWSER=1 says it must be there")
    pytest.skip(msg)


def expect(locator: Any) -> Any:
    """Playwright's ``expect``, waiting up to 15 s (the machine may be busy; no timing is asserted)."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=15_000)
    return playwright_expect(locator)


def sign_in(page: Any, served: SimpleNamespace) -> None:
    page.goto(served.console)
    page.get_by_test_id("api-key").fill(served.key)
    page.get_by_test_id("login").click()
    page.get_by_test_id("target-url").wait_for(state="visible")


def png_of(text: str, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(qr.render(text, "png", scale=8))  # type: ignore[arg-type]
    return path


def y4m_of(text: str, path: Path, *, width: int = 640, height: int = 480, frames: int = 10) -> Path:
    """A YUV4MPEG2 (C420) video of a QR code of ``text`` on white, for Chromium's fake camera.

    The QR is rendered by :func:`suo.shortener.qr.render`, made grey with
    PIL and centred; the luma plane is that picture and both chroma planes
    are flat (128): a grey image in 4:2:0.
    """
    import io

    import numpy as np
    from PIL import Image

    code = Image.open(io.BytesIO(qr.render(text, "png", scale=8))).convert("L")  # type: ignore[arg-type]
    side = min(width, height) - 40
    code = code.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - side) // 2, (height - side) // 2))
    luma = np.asarray(frame, dtype=np.uint8)
    chroma = np.full((height // 2, width // 2), 128, dtype=np.uint8)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420\n".encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(luma.tobytes())
            out.write(chroma.tobytes())
            out.write(chroma.tobytes())
    return path
