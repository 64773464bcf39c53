"""qr.read: uploaded pictures of QR codes, clean and photographed, and bad uploads.

The photos are made here with Pillow from suo's own renders: rotated,
blurred, noisy, JPEG-compressed to quality 20, perspective-distorted and
pasted into a busy, photo-like background.
"""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFilter

from suo.errors import QRDecodeError
from suo.shortener import qr

URL = "https://weixin.qq.com/g/AQYAAHxbc3VvLXRlc3Q"


def _code(data: str = URL, **options: object) -> Image.Image:
    png = qr.render(data, scale=6, **options)  # type: ignore[arg-type]
    assert isinstance(png, bytes)
    return Image.open(io.BytesIO(png)).convert("RGB")


def _encode(img: Image.Image, fmt: str = "PNG", **save: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **save)
    return out.getvalue()


def _background(size: tuple[int, int], seed: int) -> Image.Image:
    """A photo-like scene: a lit gradient with clutter in many colours."""
    rnd = random.Random(seed)
    w, h = size
    grad = Image.linear_gradient("L").resize(size).rotate(rnd.randrange(360))
    img = Image.merge(
        "RGB", (grad, grad.point(lambda v: 255 - v // 2), grad.point(lambda v: 80 + v // 3))
    )
    draw = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rnd.randrange(w), rnd.randrange(h)
        r = rnd.randrange(10, 80)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        if rnd.random() < 0.5:
            draw.ellipse([x, y, x + r, y + r], fill=colour)
        else:
            draw.line([x, y, x + r * 2, y + rnd.randrange(-r, r)], fill=colour, width=3)
    return img.filter(ImageFilter.GaussianBlur(2))


def _noise(img: Image.Image, amount: int, seed: int) -> Image.Image:
    rnd = random.Random(seed)
    noise = Image.effect_noise(img.size, amount).convert("RGB")
    mixed = Image.blend(img, noise, 0.25)
    # salt and pepper on top of the Gaussian noise
    px = mixed.load()
    assert px is not None
    for _ in range(img.width * img.height // 150):
        x, y = rnd.randrange(img.width), rnd.randrange(img.height)
        px[x, y] = (0, 0, 0) if rnd.random() < 0.5 else (255, 255, 255)
    return mixed


def _perspective(img: Image.Image, skew: float) -> Image.Image:
    w, h = img.size
    # Map the output quad back onto the input: the top edge is narrower, as
    # when a phone looks up at a poster.
    d = skew * w
    coeffs = _perspective_coeffs(
        [(d, 0), (w - d, 0), (w, h), (0, h)], [(0, 0), (w, 0), (w, h), (0, h)]
    )
    return img.transform(
        (w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor="white"
    )


def _perspective_coeffs(
    dst: list[tuple[float, float]], src: list[tuple[float, float]]
) -> list[float]:
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend([u, v])
    return _solve(rows, rhs)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row[:], b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _photo(
    data: str = URL,
    *,
    angle: float = 22,
    blur: float = 1.2,
    noise: int = 40,
    skew: float = 0.08,
    quality: int = 20,
    seed: int = 7,
    fmt: str = "JPEG",
) -> bytes:
    code = _code(data)
    if skew:
        code = _perspective(code, skew)
    code = code.rotate(angle, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC)
    scene = _background((code.width + 500, code.height + 400), seed)
    scene.paste(code, (260, 170))
    scene = scene.filter(ImageFilter.GaussianBlur(blur))
    scene = _noise(scene, noise, seed)
    return _encode(scene, fmt, quality=quality) if fmt in ("JPEG", "WEBP") else _encode(scene, fmt)


# -- clean uploads ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF", "BMP"])
def test_reads_each_format(fmt: str) -> None:
    data = "https://例子.测试/活动?id=42"
    assert qr.read(_encode(_code(data), fmt)) == [data]


def test_reads_bytearray_and_memoryview() -> None:
    png = qr.render("hello")
    assert isinstance(png, bytes)
    assert qr.read(bytearray(png)) == ["hello"]
    assert qr.read(memoryview(png)) == ["hello"]


def test_transparent_background_is_flattened_onto_white() -> None:
    png = qr.render("transparent", dark="#000000", light=None)
    assert isinstance(png, bytes)
    assert Image.open(io.BytesIO(png)).mode in ("RGBA", "LA", "P", "PA", "1", "L")
    assert qr.read(png) == ["transparent"]


def test_exif_orientation_is_applied() -> None:
    img = _code("rotated by exif").rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    assert qr.read(_encode(img, "JPEG", quality=90, exif=exif)) == ["rotated by exif"]


def test_several_codes_in_one_image_in_reading_order() -> None:
    payloads = ["https://weixin.qq.com/g/first", "第二个群", "https://example.com/third"]
    codes = [_code(p) for p in payloads]
    sheet = _background((sum(c.width for c in codes) + 200, max(c.height for c in codes) + 500), 3)
    x = 50
    for i, c in enumerate(codes):
        sheet.paste(c, (x, 40 + i * 150))  # staggered rows, left to right
        x += c.width + 50
    assert qr.read(_encode(sheet, "JPEG", quality=80)) == payloads


def test_duplicates_are_reported_once() -> None:
    c = _code("same")
    sheet = Image.new("RGB", (c.width * 2 + 20, c.height), "white")
    sheet.paste(c, (0, 0))
    sheet.paste(c, (c.width + 20, 0))
    assert qr.read(_encode(sheet)) == ["same"]


# -- photos ---------------------------------------------------------------------


@pytest.mark.parametrize("angle", [15, 22, 30, -25, 180])
def test_rotated_low_quality_jpeg_photo(angle: float) -> None:
    assert qr.read(_photo(angle=angle)) == [URL]


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("heavy blur", {"blur": 2.2, "noise": 20, "angle": 15}),
        ("heavy noise", {"noise": 90, "blur": 0.8}),
        ("strong perspective", {"skew": 0.18, "angle": 18}),
        ("jpeg quality 10", {"quality": 10}),
        ("webp", {"fmt": "WEBP", "quality": 30}),
        ("png photo", {"fmt": "PNG"}),
    ],
)
def test_hard_photos(name: str, kwargs: dict[str, object]) -> None:
    assert qr.read(_photo(**kwargs)) == [URL], name  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(4))
def test_photos_of_codes_with_logos_and_chinese(seed: int) -> None:
    rnd = random.Random(seed)
    data = rnd.choice(["欢迎加入读书会 第" + str(seed) + "期", "https://s.example/" + "x" * seed])
    logo = Image.new("RGB", (60, 60), (rnd.randrange(256), 30, 30))
    code = _code(data, logo=_encode(logo))
    code = code.rotate(rnd.uniform(15, 30), expand=True, fillcolor="white")
    scene = _background((code.width + 300, code.height + 300), seed)
    scene.paste(code, (150, 150))
    scene = _noise(scene.filter(ImageFilter.GaussianBlur(1)), 30, seed)
    assert qr.read(_encode(scene, "JPEG", quality=25)) == [data]


# -- bad uploads ----------------------------------------------------------------


def test_empty_input() -> None:
    with pytest.raises(QRDecodeError, match="empty"):
        qr.read(b"")


def test_not_bytes() -> None:
    with pytest.raises(QRDecodeError, match="bytes"):
        qr.read("a string")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [b"hello, this is text", b"%PDF-1.7\n...", b"<svg xmlns='http://www.w3.org/2000/svg'/>"],
)
def test_not_an_image(data: bytes) -> None:
    with pytest.raises(QRDecodeError, match="not an image"):
        qr.read(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_file(fmt: str) -> None:
    whole = _encode(_code(), fmt, **({"quality": 90} if fmt != "PNG" else {}))
    with pytest.raises(QRDecodeError, match=r"truncated or corrupt|not an image"):
        qr.read(whole[: len(whole) // 2])


def test_image_without_a_code() -> None:
    with pytest.raises(QRDecodeError, match="no QR code found in the 700x500 image"):
        qr.read(_encode(_background((700, 500), 1), "JPEG"))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge 1-bit image but carries almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (8000, 6000),  # 48 MP: over suo's 40 MP cap, under Pillow's own limits
        (30000, 30000),  # 900 MP: Pillow itself calls it a decompression bomb
        (65000, 65000),
    ],
)
def test_decompression_bomb_is_refused_before_decoding(width: int, height: int) -> None:
    bomb = _png_header_only(width, height)
    assert len(bomb) < 200
    with pytest.raises(QRDecodeError, match="too large"):
        qr.read(bomb)


def test_real_bomb_that_compresses_to_little() -> None:
    big = Image.new("1", (7000, 6000), 1)  # 42 MP of white: a few kB as PNG
    data = _encode(big, optimize=True)
    assert len(data) < 100_000
    with pytest.raises(QRDecodeError, match=r"7000x6000 = 42\.0 MP, limit 40 MP"):
        qr.read(data)
    with pytest.raises(QRDecodeError, match="no QR code"):
        qr.read(_encode(Image.new("1", (300, 200), 1)), max_pixels=100_000)
    with pytest.raises(QRDecodeError, match="too large"):
        qr.read(_encode(Image.new("1", (400, 300), 1)), max_pixels=100_000)


def test_oversize_file() -> None:
    with pytest.raises(QRDecodeError, match="file is too large"):
        qr.read(b"\x89PNG" + b"\x00" * (qr.MAX_IMAGE_BYTES + 1))


def test_missing_extra_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from suo.errors import MissingDependency

    png = qr.render("x")
    assert isinstance(png, bytes)
    monkeypatch.setitem(__import__("sys").modules, "zxingcpp", None)
    with pytest.raises(MissingDependency, match=r"pip install 'suo\[qr\]'"):
        qr.read(png)
    monkeypatch.setitem(__import__("sys").modules, "PIL", None)
    with pytest.raises(MissingDependency, match=r"pip install 'suo\[qr\]'"):
        qr.render("no pillow here", logo=png)
    assert isinstance(qr.render("plain codes need no Pillow"), bytes)


def test_large_phone_photo_with_two_codes() -> None:
    scene = _background((3200, 2400), 11)
    first = _code("https://weixin.qq.com/g/left").rotate(18, expand=True, fillcolor="white")
    second = _code("右边的群").rotate(-24, expand=True, fillcolor="white")
    scene.paste(first, (300, 900))
    scene.paste(second, (2000, 400))
    scene = _noise(scene.filter(ImageFilter.GaussianBlur(1.5)), 30, 11)
    # reading order is top to bottom: the right-hand code sits higher
    assert qr.read(_encode(scene, "JPEG", quality=35)) == [
        "右边的群",
        "https://weixin.qq.com/g/left",
    ]


# -- small codes in big screenshots -------------------------------------------


def _chat_screenshot(seed: int) -> Image.Image:
    """A 1080x2340 chat screenshot: header, avatars and bubbles of text-like strokes."""
    rnd = random.Random(seed)
    shot = Image.new("RGB", (1080, 2340), (237, 237, 237))
    draw = ImageDraw.Draw(shot)
    draw.rectangle([0, 0, 1080, 200], (247, 247, 247))
    y = 240
    while y < 2100:
        w, h = rnd.randint(300, 760), rnd.randint(90, 240)
        x = 160 if rnd.random() < 0.6 else 920 - w
        draw.rounded_rectangle([x, y, x + w, y + h], radius=12, fill=(255, 255, 255))
        for ly in range(y + 20, y + h - 30, 50):  # lines of glyph-like strokes
            for gx in range(x + 24, x + w - 40, rnd.choice((9, 11, 13))):
                draw.rectangle([gx, ly + rnd.randint(0, 12), gx + 3, ly + 30], (25, 25, 25))
        y += h + rnd.randint(40, 120)
    return shot


def _small_code_screenshot(
    payloads: list[str], ppm: float, seed: int
) -> tuple[bytes, list[tuple[int, int]]]:
    """Codes at ``ppm`` pixels per module in a chat screenshot, JPEG as forwarded."""
    rnd = random.Random(seed)
    shot = _chat_screenshot(seed)
    spots = []
    for i, data in enumerate(payloads):
        png = qr.render(data, scale=8, border=2)
        assert isinstance(png, bytes)
        code = Image.open(io.BytesIO(png)).convert("RGB")
        modules = code.width // 8
        side = round(modules * ppm)
        thumb = code.resize((side, side), Image.Resampling.BILINEAR)
        x, y = rnd.randint(170, 800), 300 + i * 900 + rnd.randint(0, 500)
        shot.paste(thumb, (x, y))
        spots.append((x, y))
    return _encode(shot, "JPEG", quality=85), spots


@pytest.mark.parametrize("ppm", [1.1, 1.25, 1.4, 1.7])
@pytest.mark.parametrize("seed", [1, 2])
def test_small_code_in_a_big_screenshot(ppm: float, seed: int) -> None:
    # The 2x upscale of small images does not apply (the image is 1080 px
    # wide) and zxing-cpp alone finds nothing at under ~1.5 px per module.
    data = "https://weixin.qq.com/g/AQYAAHxbc3VvLXRlc3Q" + str(seed)
    image, _spots = _small_code_screenshot([data], ppm, seed)
    assert qr.read(image) == [data]


def test_several_small_codes_in_one_screenshot_in_reading_order() -> None:
    first, second = "https://weixin.qq.com/g/first", "第二个群"
    image, spots = _small_code_screenshot([first, second], 1.2, 5)
    assert spots[0][1] < spots[1][1]
    assert qr.read(image) == [first, second]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_big_screenshot_without_a_code_is_still_a_miss(seed: int) -> None:
    # Dense text is what the small-code pass enlarges and rereads: it must
    # not turn into a payload.
    with pytest.raises(QRDecodeError, match="no QR code found in the 1080x2340 image"):
        qr.read(_encode(_chat_screenshot(seed), "JPEG", quality=85))


@given(
    ppm=st.floats(min_value=1.2, max_value=3.0),
    seed=st.integers(min_value=0, max_value=10_000),
    data=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30),
)
@settings(max_examples=12)
def test_small_codes_in_screenshots_read_exactly(ppm: float, seed: int, data: str) -> None:
    """From 1.2 px per module up, any text in a chat screenshot reads back exactly."""
    image, _spots = _small_code_screenshot([data], ppm, seed)
    assert qr.read(image) == [data]
