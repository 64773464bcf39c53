"""The console's camera scan: one frame through ``POST /qr/decode`` beside bare zxing-cpp.

"Scan with camera" sends a 640x480 JPEG camera frame to the API every
~300 ms until one holds a QR code, so the cost of one frame decides how
often a phone can ask and how many scanning operators one server carries.
Most frames hold no code (the camera is still moving), so both cases are
timed. suo's side is the whole API request (multipart parsing, key check,
image decode, suo's QR reader with its fallback passes); the baseline is the
floor: bare ``zxingcpp.read_barcodes`` on the same bytes decoded by Pillow.
"""

from __future__ import annotations

import io
import random
from typing import Any

import zxingcpp
from PIL import Image, ImageFilter

from benchmarks._util import compare, report
from suo import Shortener
from suo.api import create_app, mint_key
from suo.shortener import qr
from suo.testing import ASGIClient

URL = "https://shop.example.com/item/42?from=poster"


def frame(with_qr: bool) -> bytes:
    """A grey 640x480 camera-like JPEG: a noisy, blurred scene, maybe with a QR in it."""
    rng = random.Random(7)
    scene = Image.new("L", (640, 480))
    scene.putdata([96 + rng.randrange(64) for _ in range(640 * 480)])
    scene = scene.filter(ImageFilter.GaussianBlur(2))
    if with_qr:
        code = Image.open(io.BytesIO(qr.render(URL, "png", scale=8))).convert("L")  # type: ignore[arg-type]
        code = code.resize((300, 300), Image.Resampling.BILINEAR)
        scene.paste(code, (170, 90))
    out = io.BytesIO()
    scene.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def main(quick: bool = False) -> None:
    s = Shortener("memory://")
    key, record, digest = mint_key(["admin"], name="bench")
    s.store.save_key(record, digest)
    client = ASGIClient(create_app(s, rate_limit=None))
    headers = {"Authorization": f"Bearer {key}"}
    number = 5 if quick else 20
    rows: list[tuple[str, float, str, float]] = []
    for label, with_qr in (("frame with a QR", True), ("frame without", False)):
        data = frame(with_qr)

        def api(data: bytes = data, with_qr: bool = with_qr) -> Any:
            r = client.post("/qr/decode", files={"file": ("frame.jpg", data)}, headers=headers)
            assert r.status_code == (200 if with_qr else 422), r.text

        def bare(data: bytes = data) -> Any:
            return zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))

        t, tb = compare(api, bare, number=number)
        rows.append((f"POST /qr/decode, {label}", t, "zxingcpp.read_barcodes", tb))
    report(
        "Console camera scan: one 640x480 JPEG frame",
        rows,
        target="well under the 300 ms between frames, on one core",
    )
    s.store.close()


if __name__ == "__main__":
    main()
