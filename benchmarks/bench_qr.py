"""QR rendering: suo (cold and cached) beside bare segno and the ``qrcode`` package.

Same payloads, same error level (M), same module size and quiet zone for all.
"cold" clears suo's render cache before every call, so it measures segno's
encoder plus suo's checks; "cached" is the LRU hit that repeated renders
(a link's QR shown again, a landing page served again) cost.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import qrcode
import qrcode.image.svg
import segno

from benchmarks._util import measure, report
from suo.shortener import qr

PAYLOADS = {
    "short URL (24 B)": "https://s.example/Ab3xY9z",
    "WeChat group (44 B)": "https://weixin.qq.com/g/AQYAAHxbc3VvLXRlc3Q",
    "long URL (300 B)": "https://example.com/?" + "q=1&" * 70,
    "1 KB text": "x" * 1000,
}


def _segno(data: str, kind: str) -> Callable[[], bytes]:
    def run() -> bytes:
        out = io.BytesIO()
        segno.make_qr(data, error="m").save(out, kind=kind, scale=8, border=4)
        return out.getvalue()

    return run


def _qrcode(data: str, kind: str) -> Callable[[], bytes]:
    def run() -> bytes:
        code = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4
        )
        code.add_data(data)
        code.make(fit=True)
        out = io.BytesIO()
        if kind == "png":
            code.make_image().save(out)
        else:
            code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
        return out.getvalue()

    return run


def _suo_cold(data: str, kind: str) -> Callable[[], bytes | str]:
    def run() -> bytes | str:
        qr.cache_clear()
        return qr.render(data, kind, scale=8, border=4, error="M")

    return run


def _suo_cached(data: str, kind: str) -> Callable[[], bytes | str]:
    def run() -> bytes | str:
        return qr.render(data, kind, scale=8, border=4, error="M")

    return run


def main(quick: bool) -> None:
    number = 2 if quick else 8
    repeat = 3 if quick else 5
    for kind in ("png", "svg"):
        rows: list[tuple[str, float, str, float]] = []
        for name, data in PAYLOADS.items():
            t_segno = measure(_segno(data, kind), number=number, repeat=repeat)
            t_qrcode = measure(_qrcode(data, kind), number=number, repeat=repeat)
            t_cold = measure(_suo_cold(data, kind), number=number, repeat=repeat)
            t_hot = measure(_suo_cached(data, kind), number=number * 50, repeat=repeat)
            rows += [
                (f"suo cold, {name}", t_cold, "qrcode", t_qrcode),
                (f"suo cold, {name}", t_cold, "bare segno", t_segno),
                (f"suo cached, {name}", t_hot, "bare segno", t_segno),
            ]
        report(
            f"render {kind.upper()} (error M, scale 8, border 4)",
            rows,
            target="cold within ~1.2x of bare segno and faster than qrcode; cached far below both",
        )
    logo = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (120, 120), (200, 30, 30)).save(logo, "PNG")
    data = PAYLOADS["WeChat group (44 B)"]

    def with_logo() -> bytes | str:
        qr.cache_clear()
        return qr.render(data, "png", logo=logo.getvalue())

    def qrcode_h() -> bytes:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, box_size=8)
        code.add_data(data)
        code.make(fit=True)
        out = io.BytesIO()
        code.make_image().save(out)
        return out.getvalue()

    report(
        "PNG with a logo (level H)",
        [("suo cold, logo", measure(with_logo, number=number, repeat=repeat),
          "qrcode level H, no logo", measure(qrcode_h, number=number, repeat=repeat))],
    )  # fmt: skip
