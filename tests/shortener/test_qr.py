"""qr.render: every output is decoded by a real decoder and must give exactly the data.

PNG is decoded by zxing-cpp as is. SVG is rasterised by resvg (a full SVG
renderer, not suo's code), so what is checked is what a browser draws.
Terminal output is read back character by character (each half block is two
modules) into a bitmap, then decoded.
"""

from __future__ import annotations

import io
import random
import string
from typing import Any

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

import suo
from suo.errors import InvalidInput, NotFound
from suo.shortener import qr

FORMATS = zxingcpp.BarcodeFormats(
    (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode)
)


def decode_image(img: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(img, formats=FORMATS))


def decode_png(png: bytes) -> list[zxingcpp.Barcode]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return decode_image(Image.open(io.BytesIO(png)).convert("RGBA").convert("RGB"))


def svg_to_png(svg: str, zoom: float = 2.0) -> bytes:
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#ffffff"))


def decode_svg(svg: str) -> list[zxingcpp.Barcode]:
    return decode_png(svg_to_png(svg))


def terminal_to_image(text: str, scale: int = 6) -> Image.Image:
    # segno's compact terminal output is inverted for dark terminals: a full
    # block is two light modules, a space two dark ones.
    halves = {"█": (1, 1), " ": (0, 0), "▀": (1, 0), "▄": (0, 1)}
    lines = text.rstrip("\n").split("\n")
    width = max(len(line) for line in lines)
    rows: list[list[int]] = []
    for line in lines:
        top, bottom = [], []
        for ch in line.ljust(width, "█"):
            t, b = halves[ch]
            top.append(t)
            bottom.append(b)
        rows.extend([top, bottom])
    img = Image.new("L", (width * scale + 8 * scale, len(rows) * scale + 8 * scale), 255)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, light in enumerate(row):
            if not light:
                x0, y0 = (x + 4) * scale, (y + 4) * scale
                draw.rectangle([x0, y0, x0 + scale - 1, y0 + scale - 1], fill=0)
    return img


def decode_terminal(text: str) -> list[zxingcpp.Barcode]:
    return decode_image(terminal_to_image(text))


def logo_bytes(fmt: str = "PNG", size: tuple[int, int] = (120, 80), seed: int = 1) -> bytes:
    """A busy, colourful logo: the worst case for the modules it covers."""
    rnd = random.Random(seed)
    img = Image.new("RGBA", size, (rnd.randrange(256), 40, 90, 255))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        draw.ellipse(
            [x, y, x + rnd.randrange(5, 40), y + rnd.randrange(5, 40)],
            fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256), 255),
        )
    out = io.BytesIO()
    img.convert("RGB" if fmt == "JPEG" else "RGBA").save(out, format=fmt)
    return out.getvalue()


LEVELS = ["L", "M", "Q", "H"]
FORMATS_OUT = ["png", "svg", "terminal"]
LOGO = logo_bytes()

PAYLOADS = {
    "one-char": "a",
    "digits": "0123456789",
    "url": "https://s.example/Ab3xY9z",
    "query": "https://example.com/path?utm_source=wechat&x=1#frag",
    "chinese": "扫码加入福利群，每周一三五抽奖！",
    "idn-unicode": "https://例子.测试/活动?id=42",
    "idn-punycode": "https://xn--fsqu00a.xn--0zwm56d/",
    "emoji-mixed": "Grüße 🎉 – café ñ",
    "kana": "日本語のテキスト",
    "wechat-group": "https://weixin.qq.com/g/AQYAAHxbc3VvLXRlc3Q",
    "300-bytes": "https://example.com/" + "q" * 280,
    "1kb": "https://example.com/?" + "".join(string.ascii_letters[i % 52] for i in range(1000)),
    "1kb-chinese": "长" * 330,  # 990 bytes of UTF-8
}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_png_decodes_exactly_at_every_level(name: str, level: str) -> None:
    data = PAYLOADS[name]
    [code] = decode_png(qr.render(data, "png", error=level, scale=3, boost_error=False))
    assert code.text == data
    assert str(code.ec_level) == level


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", ["one-char", "chinese", "idn-unicode", "1kb"])
def test_svg_decodes_exactly_at_every_level(name: str, level: str) -> None:
    data = PAYLOADS[name]
    svg = qr.render(data, "svg", error=level, boost_error=False)
    assert isinstance(svg, str)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    [code] = decode_svg(svg)
    assert code.text == data
    assert str(code.ec_level) == level


@pytest.mark.parametrize("name", ["one-char", "url", "chinese", "300-bytes"])
def test_terminal_output_decodes(name: str) -> None:
    data = PAYLOADS[name]
    text = qr.render(data, "terminal")
    assert isinstance(text, str)
    assert set(text) <= set("█▀▄ \n")
    [code] = decode_terminal(text)
    assert code.text == data


@pytest.mark.parametrize("name", ["one-char", "url", "chinese", "idn-unicode", "300-bytes", "1kb"])
@pytest.mark.parametrize("logo_fmt", ["PNG", "JPEG", "WEBP"])
def test_logo_forces_h_and_still_decodes(name: str, logo_fmt: str) -> None:
    data = PAYLOADS[name]
    logo = logo_bytes(logo_fmt)
    png = qr.render(data, error="L", logo=logo, scale=4)
    assert isinstance(png, bytes)
    [code] = decode_png(png)
    assert code.text == data
    assert str(code.ec_level) == "H"
    # The logo is really drawn: the centre is not black/white any more.
    img = Image.open(io.BytesIO(png)).convert("RGB")
    centre = img.getpixel((img.width // 2, img.height // 2))
    assert centre not in ((0, 0, 0), (255, 255, 255))
    svg = qr.render(data, "svg", logo=logo)
    assert "data:image/png;base64," in svg
    [code] = decode_svg(svg)
    assert code.text == data


def decode_plain(png: bytes) -> list[str]:
    """Every payload zxing-cpp finds, exactly as encoded (control characters too)."""
    img = Image.open(io.BytesIO(png)).convert("RGBA").convert("RGB")
    found = zxingcpp.read_barcodes(img, formats=FORMATS, text_mode=zxingcpp.TextMode.Plain)
    return [code.text for code in found]


def common_hanzi() -> list[str]:
    """The 3755 level-1 characters of GB 2312: the common Chinese set."""
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


# Short strings whose UTF-8 bytes are also valid Shift_JIS: segno's automatic
# mode would put them in Kanji mode and they would scan as other characters.
SJIS_LOOKALIKES = ["优惠", "福利", "秒杀", "包邮", "会员福利", "每日福利"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("data", SJIS_LOOKALIKES)
def test_short_chinese_roundtrips_in_every_format(data: str, level: str) -> None:
    png = qr.render(data, error=level, scale=3)
    assert isinstance(png, bytes)
    assert decode_plain(png) == [data]
    assert qr.read(png) == [data]
    svg = qr.render(data, "svg", error=level)
    assert isinstance(svg, str)
    assert [c.text for c in decode_svg(svg)] == [data]
    text = qr.render(data, "terminal", error=level)
    assert isinstance(text, str)
    assert [c.text for c in decode_terminal(text)] == [data]


def test_400_short_common_chinese_strings_roundtrip_at_every_level() -> None:
    hanzi = common_hanzi()
    assert len(hanzi) == 3755
    rnd = random.Random(20261206)
    strings = ["".join(rnd.choices(hanzi, k=rnd.randint(1, 6))) for _ in range(400)]
    wrong = [
        (data, level, got)
        for data in strings
        for level in LEVELS
        if (got := qr.read(qr.render(data, error=level, scale=2, border=2))) != [data]
    ]
    assert wrong == []


# Any text except lone surrogates (which have no UTF-8 form): control
# characters, NUL, every script, emoji; short strings are generated often.
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=80)


@given(data=ANY_TEXT, level=st.sampled_from(LEVELS))
@settings(max_examples=60)
def test_any_text_roundtrips(data: str, level: str) -> None:
    png = qr.render(data, error=level, scale=2, border=2)
    assert isinstance(png, bytes)
    assert decode_plain(png) == [data]
    assert qr.read(png) == [data]


@given(data=ANY_TEXT, level=st.sampled_from(LEVELS))
@settings(max_examples=25)
def test_any_text_roundtrips_with_a_logo(data: str, level: str) -> None:
    png = qr.render(data, error=level, scale=4, logo=LOGO)
    assert isinstance(png, bytes)
    assert decode_plain(png) == [data]


@pytest.mark.parametrize("fmt", FORMATS_OUT)
def test_lone_surrogate_is_invalid_input(fmt: str) -> None:
    with pytest.raises(InvalidInput, match="surrogate"):
        qr.render("ab\ud800", fmt)


@pytest.mark.parametrize(
    ("dark", "light"),
    [
        ("#0b3d91", "#fff8e7"),
        ("darkgreen", "#ffffff"),
        ((120, 0, 60), (250, 250, 210)),
        ("#222222", None),  # transparent background
    ],
)
def test_custom_colours_decode(dark: object, light: object) -> None:
    data = PAYLOADS["chinese"]
    png = qr.render(data, dark=dark, light=light)
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    if light is None:
        assert img.getpixel((0, 0))[3] == 0  # really transparent
        flat = Image.new("RGBA", img.size, (255, 255, 255, 255))
        flat.alpha_composite(img)
        img = flat
    [code] = decode_image(img.convert("RGB"))
    assert code.text == data
    svg = qr.render(data, "svg", dark=dark, light=light)
    [code] = decode_svg(svg)
    assert code.text == data
    logo_png = qr.render(data, dark=dark, light=light, logo=logo_bytes())
    assert qr.read(logo_png) == [data]


def test_scale_and_border_set_the_size() -> None:
    png = qr.render("a", scale=5, border=2, error="L", boost_error=False)
    img = Image.open(io.BytesIO(png))
    assert img.size == ((21 + 4) * 5, (21 + 4) * 5)
    svg = qr.render("a", "svg", scale=3, border=0, error="L", boost_error=False)
    assert 'viewBox="0 0 63 63"' in svg  # scalable by CSS
    assert 'width="63"' in svg
    assert 'height="63"' in svg
    assert Image.open(io.BytesIO(svg_to_png(svg, zoom=1))).size == (63, 63)


def test_cache_returns_the_same_object_and_counts() -> None:
    qr.cache_clear()
    first = qr.render("https://s.example/cache", scale=3)
    again = qr.render("https://s.example/cache", scale=3)
    assert again is first
    other = qr.render("https://s.example/cache", scale=4)
    assert other != first
    logo_a = qr.render("https://s.example/cache", logo=logo_bytes(seed=1))
    logo_b = qr.render("https://s.example/cache", logo=logo_bytes(seed=2))
    assert logo_a != logo_b  # logos are keyed by content, not identity
    info = qr.cache_info()
    assert info["hits"] == 1
    assert info["misses"] == 4
    assert info["entries"] == 4
    assert info["bytes"] == len(first) + len(other) + len(logo_a) + len(logo_b)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"data": ""}, "non-empty"),
        ({"data": 42}, "non-empty"),
        ({"data": "x" * 5000}, "at most"),
        ({"data": "x" * 2900, "error": "H"}, "do not fit"),
        ({"data": "x", "fmt": "gif"}, "fmt must be"),
        ({"data": "x", "error": "X"}, "error must be"),
        ({"data": "x", "scale": 0}, "scale"),
        ({"data": "x", "scale": 2.5}, "scale"),
        ({"data": "x", "border": -1}, "border"),
        ({"data": "x", "dark": "not-a-colour"}, "colour"),
        ({"data": "x", "dark": ["a"]}, "colour"),
        ({"data": "x", "logo": b"not an image"}, "not a readable"),
        ({"data": "x", "logo": b""}, "non-empty image"),
        ({"data": "x", "logo": 12}, "image bytes, a path"),
        ({"data": "x", "logo": "/nonexistent/logo.png"}, "cannot read the logo file"),
        ({"data": "x", "fmt": "terminal", "logo": b"x"}, "terminal"),
    ],
)
def test_bad_arguments_raise_invalid_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        qr.render(**kwargs)  # type: ignore[arg-type]


def test_svg_inline_and_shortener_qr() -> None:
    s = suo.Shortener("memory://", base_url="https://s.example/")
    s.shorten("https://example.com/", alias="promo")
    png = s.qr("promo")
    assert isinstance(png, bytes)
    assert qr.read(png) == ["https://s.example/promo"]
    svg = s.qr("promo", "svg", dark="#003366")
    [code] = decode_svg(svg)
    assert code.text == "https://s.example/promo"
    assert qr.svg_inline("https://s.example/promo") == qr.render("https://s.example/promo", "svg")
    with pytest.raises(NotFound):
        s.qr("missing")


def test_logo_from_path_or_pillow_image(tmp_path: Any) -> None:
    raw = logo_bytes("PNG")
    path = tmp_path / "logo.png"
    path.write_bytes(raw)
    from_bytes = qr.render("https://s.example/l", logo=raw)
    assert qr.render("https://s.example/l", logo=path) == from_bytes
    assert qr.render("https://s.example/l", logo=str(path)) == from_bytes
    img = Image.open(io.BytesIO(raw))
    [code] = decode_png(qr.render("https://s.example/l", logo=img))
    assert code.text == "https://s.example/l"


def test_level_is_the_one_asked_for_unless_boosted() -> None:
    [plain] = decode_png(qr.render("a", error="L"))
    assert str(plain.ec_level) == "L"
    [boosted] = decode_png(qr.render("a", error="L", boost_error=True))
    assert str(boosted.ec_level) == "H"  # version 1 has room for H at no cost


@pytest.mark.parametrize("payload", ["福利", "限时"])
def test_live_code_landing_page_qr_of_short_chinese_text(payload: str) -> None:
    # A live code whose target is plain short text: the landing page shows it
    # as an inline SVG and as a PNG <img>; both must scan as exactly that text.
    import base64
    import re

    import resvg_py

    s = suo.Shortener("memory://", base_url="https://s.example/", cache_ttl=0)
    s.shorten_live([payload], alias="hanzi")
    body = s.resolve("hanzi", accept_language="zh-CN").body
    assert body is not None
    [src] = re.findall(r'src="data:image/png;base64,([^"]+)"', body)
    assert qr.read(base64.b64decode(src)) == [payload]
    svg = re.search(r"<svg.*?</svg>", body, re.DOTALL)
    assert svg is not None
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg.group(0), zoom=3, background="#fff"))
    assert decode_plain(png) == [payload]
