"""A seeded corpus of hard QR uploads, for ``bench_qr`` and the reading tests.

Seven families of what operators upload (300 images at the default size),
every one made here with Pillow from segno's codes, so a seed always gives
the same bytes:

* ``group card``: a WeChat-style group card screenshot (1080x2340 or a
  re-scaled copy), PNG or JPEG;
* ``small code``: a forwarded chat screenshot, 1080x2340, with the group
  card as a thumbnail in a bubble, its code only 55-95 px wide (about 1.0 to
  2.4 pixels per module), JPEG-recompressed;
* ``screen photo``: a card on a monitor photographed at an angle: perspective,
  blur, uneven light, noise, JPEG;
* ``dark mode``: dark UI; the card dimmed, or the code inverted (light on dark);
* ``sticker``: a coloured code on a sticker with a logo, rotated on a textured
  surface and photographed;
* ``several codes``: two to four codes of different sizes on one poster or
  screenshot (exact means all of them, nothing else);
* ``moire``: a screen photo with interference stripes and sub-pixel grid.

Codes are rendered with segno directly (UTF-8 byte mode for non-ASCII), not
with :func:`suo.shortener.qr.render`, so the corpus does not change with the
code under test. ``python -m benchmarks.qr_corpus OUT_DIR --seed N`` writes
the images and a ``labels.jsonl`` for other readers.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import segno
from PIL import Image, ImageDraw, ImageFilter, ImageOps

SCREEN = (1080, 2340)

FAMILIES = (
    "group card",
    "small code",
    "screen photo",
    "dark mode",
    "sticker",
    "several codes",
    "moire",
)

HANZI = "福利群优惠券秒杀限时包邮会员新品抽奖直播预告扫码入群客服活动领取每日折扣好礼周一三五"


@dataclass(frozen=True)
class Sample:
    """One corpus image: its file bytes, the payloads in it, how it was made."""

    family: str
    name: str
    data: bytes
    payloads: tuple[str, ...]
    ppm: float = 0.0  # pixels per module of the smallest code (0: not tracked)
    notes: dict[str, object] = field(default_factory=dict)


# -- payloads and codes ---------------------------------------------------------


def _payload(rnd: random.Random) -> str:
    r = rnd.random()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    if r < 0.6:
        tail = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(16, 30)))
        return "https://weixin.qq.com/g/" + tail
    if r < 0.75:
        code = "".join(rnd.choice(alphabet) for _ in range(7))
        return f"https://s.example/{code}"
    if r < 0.9:
        return "".join(rnd.choice(HANZI) for _ in range(rnd.randint(2, 12)))
    return "https://u.wechat.com/" + "".join(rnd.choice(alphabet) for _ in range(22))


def _code(
    data: str,
    rnd: random.Random,
    *,
    scale: int = 1,
    border: int = 4,
    dark: tuple[int, int, int] = (0, 0, 0),
    light: tuple[int, int, int] = (255, 255, 255),
    error: str | None = None,
) -> tuple[Image.Image, int]:
    """The code as an RGB image at ``scale`` px per module, and its module count."""
    kwargs: dict[str, object] = {"error": error or rnd.choice("MQH")}
    if not data.isascii():
        kwargs.update(encoding="utf-8", mode="byte")
    qr = segno.make_qr(data, **kwargs)  # type: ignore[arg-type]
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=border, dark=dark, light=light)
    modules = qr.symbol_size(scale=1, border=0)[0]
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB"), modules


# -- scene pieces -----------------------------------------------------------------


def _text_lines(
    draw: ImageDraw.ImageDraw,
    rnd: random.Random,
    box: tuple[int, int, int, int],
    colour: tuple[int, int, int],
    height: int = 26,
) -> None:
    """Rows of word-like blocks with gaps: what text looks like at a glance."""
    x0, y0, x1, y1 = box
    y = y0
    while y + height <= y1:
        x = x0
        end = x0 + (x1 - x0) * rnd.uniform(0.5, 1.0)
        while x < end:
            w = rnd.randint(height // 2, height * 3)
            # glyph strokes inside the word, not a solid bar
            for gx in range(x, min(x + w, int(end)), max(3, height // 3)):
                gh = rnd.randint(height // 2, height)
                draw.rectangle([gx, y + height - gh, gx + max(1, height // 8), y + height], colour)
                draw.rectangle(
                    [gx, y + rnd.randint(0, height // 2), gx + height // 4, y + height // 2 + 2],
                    colour,
                )
            x += w + rnd.randint(height // 3, height)
        y += int(height * 1.7)


def _avatar(draw: ImageDraw.ImageDraw, rnd: random.Random, box: tuple[int, int, int, int]) -> None:
    colour = (rnd.randrange(40, 220), rnd.randrange(40, 220), rnd.randrange(40, 220))
    draw.rounded_rectangle(box, radius=(box[2] - box[0]) // 8, fill=colour)
    x0, y0, x1, y1 = box
    for _ in range(4):
        cx, cy = rnd.randint(x0, x1), rnd.randint(y0, y1)
        r = (x1 - x0) // 6
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(255, 255, 255))


def _group_card(
    rnd: random.Random,
    payload: str,
    width: int,
    *,
    dark_ui: bool = False,
    error: str | None = None,
) -> tuple[Image.Image, float, int]:
    """A WeChat-style group card ``width`` px wide: (image, px per module, modules)."""
    qr_side = int(width * rnd.uniform(0.62, 0.78))
    code, modules = _code(payload, rnd, scale=8, border=2, error=error)
    # the app scales its own rendering to the card: not a whole number of px per module
    code = code.resize((qr_side, qr_side), Image.Resampling.LANCZOS)
    ppm = qr_side / (modules + 4)
    height = int(width * 1.35)
    bg = (44, 44, 44) if dark_ui else (255, 255, 255)
    fg = (210, 210, 210) if dark_ui else (30, 30, 30)
    card = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(card)
    pad = width // 12
    av = width // 7
    _avatar(draw, rnd, (pad, pad, pad + av, pad + av))
    _text_lines(
        draw,
        rnd,
        (pad + av + pad // 2, pad + av // 6, width - pad, pad + av),
        fg,
        max(6, width // 28),
    )
    top = pad * 2 + av
    x = (width - qr_side) // 2
    if dark_ui:
        # WeChat keeps the code itself on white in dark mode
        draw.rectangle(
            [x - pad // 3, top - pad // 3, x + qr_side + pad // 3, top + qr_side + pad // 3],
            (255, 255, 255),
        )
    card.paste(code, (x, top))
    _text_lines(
        draw, rnd, (pad, top + qr_side + pad // 2, width - pad, height - pad // 2),
        (140, 140, 140), max(5, width // 40),
    )  # fmt: skip
    return card, ppm, modules


def _status_and_header(
    draw: ImageDraw.ImageDraw, rnd: random.Random, size: tuple[int, int], dark: bool
) -> int:
    w, _h = size
    bar = (237, 237, 237) if not dark else (25, 25, 25)
    fg = (20, 20, 20) if not dark else (220, 220, 220)
    draw.rectangle([0, 0, w, 200], bar)
    _text_lines(draw, rnd, (40, 30, 260, 70), fg, 26)
    _text_lines(draw, rnd, (w // 2 - 150, 110, w // 2 + 150, 170), fg, 40)
    return 200


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _encode(img: Image.Image, rnd: random.Random, lo: int = 55, hi: int = 92) -> bytes:
    return _png(img) if rnd.random() < 0.25 else _jpeg(img, rnd.randint(lo, hi))


def _perspective_coeffs(
    src: list[tuple[float, float]], dst: list[tuple[float, float]]
) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping ``dst`` onto ``src``."""
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    # Gaussian elimination, 8x8
    n = 8
    m = [[*row, b] for row, b in zip(rows, rhs, strict=True)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [a - f * b for a, b in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def _photo(
    img: Image.Image, rnd: random.Random, out_size: tuple[int, int], *, skew: float, angle: float
) -> Image.Image:
    """Photograph ``img``: rotate, perspective, place on a lit surface."""
    surface = Image.linear_gradient("L").resize(out_size).rotate(rnd.randrange(360))
    tint = (rnd.randrange(60, 140), rnd.randrange(60, 140), rnd.randrange(60, 140))
    bg = ImageOps.colorize(surface, (tint[0] // 3, tint[1] // 3, tint[2] // 3), tint)
    w, h = img.size
    scale = min(out_size[0] / w, out_size[1] / h) * rnd.uniform(0.55, 0.85)
    shot = img.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.Resampling.LANCZOS)
    shot = shot.rotate(
        angle,
        expand=True,
        resample=Image.Resampling.BICUBIC,
        fillcolor=(0, 0, 0, 0) if shot.mode == "RGBA" else None,
    )
    sw, sh = shot.size
    mask = (
        Image.new("L", (w, h), 255)
        .resize((max(1, int(w * scale)), max(1, int(h * scale))))
        .rotate(angle, expand=True)
    )
    x = rnd.randint(0, max(0, out_size[0] - sw))
    y = rnd.randint(0, max(0, out_size[1] - sh))
    bg.paste(shot.convert("RGB"), (x, y), mask)
    d = skew * out_size[0]
    ow, oh = out_size
    quad = [(rnd.uniform(0, d), rnd.uniform(0, d)), (ow - rnd.uniform(0, d), rnd.uniform(0, d)),
            (ow - rnd.uniform(0, d), oh - rnd.uniform(0, d)), (rnd.uniform(0, d), oh - rnd.uniform(0, d))]  # fmt: skip
    coeffs = _perspective_coeffs(quad, [(0, 0), (ow, 0), (ow, oh), (0, oh)])
    bg = bg.transform(out_size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    # uneven light: a soft bright spot and a vignette
    light = Image.radial_gradient("L").resize(out_size).point(lambda v: 255 - v // 3)
    return Image.composite(bg, Image.new("RGB", out_size, (0, 0, 0)), light)


def _noise(img: Image.Image, rnd: random.Random, amount: float) -> Image.Image:
    # seeded (Pillow's effect_noise uses C rand(), which no seed controls)
    w, h = img.size
    noise = Image.frombytes("L", (w, h), rnd.randbytes(w * h)).convert("RGB")
    return Image.blend(img, noise, amount)


# -- families ---------------------------------------------------------------------


def _fam_group_card(rnd: random.Random) -> tuple[Image.Image | bytes, tuple[str, ...], float]:
    payload = _payload(rnd)
    dark = False
    img = Image.new("RGB", SCREEN, (237, 237, 237))
    draw = ImageDraw.Draw(img)
    top = _status_and_header(draw, rnd, SCREEN, dark)
    card, ppm, _m = _group_card(rnd, payload, rnd.randint(760, 960))
    img.paste(card, ((SCREEN[0] - card.width) // 2, top + rnd.randint(60, 300)))
    factor = rnd.choice([1.0, 1.0, 0.667, 0.5])
    if factor != 1.0:
        img = img.resize(
            (int(SCREEN[0] * factor), int(SCREEN[1] * factor)), Image.Resampling.BILINEAR
        )
        ppm *= factor
    return _encode(img, rnd, 40, 90), (payload,), ppm


def _chat_screenshot(
    rnd: random.Random, dark: bool = False
) -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    bg = (237, 237, 237) if not dark else (17, 17, 17)
    img = Image.new("RGB", SCREEN, bg)
    draw = ImageDraw.Draw(img)
    top = _status_and_header(draw, rnd, SCREEN, dark)
    y = top + 40
    while y < SCREEN[1] - 300:
        mine = rnd.random() < 0.4
        bw, bh = rnd.randint(300, 760), rnd.randint(90, 260)
        x = SCREEN[0] - 160 - bw if mine else 160
        _avatar(
            draw,
            rnd,
            (SCREEN[0] - 130, y, SCREEN[0] - 30, y + 100) if mine else (30, y, 130, y + 100),
        )
        fill = (149, 236, 105) if mine else ((255, 255, 255) if not dark else (44, 44, 44))
        draw.rounded_rectangle([x, y, x + bw, y + bh], radius=12, fill=fill)
        _text_lines(
            draw,
            rnd,
            (x + 24, y + 20, x + bw - 24, y + bh - 16),
            (25, 25, 25) if not dark or mine else (210, 210, 210),
            30,
        )
        y += bh + rnd.randint(40, 120)
    draw.rectangle(
        [0, SCREEN[1] - 160, SCREEN[0], SCREEN[1]], (246, 246, 246) if not dark else (30, 30, 30)
    )
    return img, draw, top


def _fam_small_code(rnd: random.Random) -> tuple[Image.Image | bytes, tuple[str, ...], float]:
    """A group card forwarded as an image in a chat: its code 55-95 px wide."""
    payload = _payload(rnd)
    img, draw, top = _chat_screenshot(rnd)
    # The thumbnail shows the whole card; pick the code's size in px per module.
    target_ppm = rnd.uniform(1.0, 2.4)
    card, ppm0, _m = _group_card(rnd, payload, 900, error="M")
    factor = target_ppm / ppm0
    thumb = card.resize(
        (max(1, round(card.width * factor)), max(1, round(card.height * factor))),
        Image.Resampling.BILINEAR,
    )
    ppm = ppm0 * factor
    x = rnd.choice([160, SCREEN[0] - 160 - thumb.width])
    y = rnd.randint(top + 100, SCREEN[1] - 200 - thumb.height)
    draw.rounded_rectangle(
        [x - 6, y - 6, x + thumb.width + 6, y + thumb.height + 6], radius=8, fill=(255, 255, 255)
    )
    img.paste(thumb, (x, y))
    # forwarded: re-encoded once or twice on the way
    data = _jpeg(img, rnd.randint(70, 92))
    if rnd.random() < 0.5:
        data = _jpeg(Image.open(io.BytesIO(data)).convert("RGB"), rnd.randint(75, 92))
    return data, (payload,), ppm


def _fam_screen_photo(rnd: random.Random) -> tuple[Image.Image | bytes, tuple[str, ...], float]:
    payload = _payload(rnd)
    card, _ppm, _m = _group_card(rnd, payload, 700)
    screen = Image.new("RGB", (card.width + 80, card.height + 80), (10, 10, 10))
    screen.paste(card, (40, 40))
    size = rnd.choice([(1600, 1200), (1200, 1600), (2016, 1512)])
    img = _photo(screen, rnd, size, skew=rnd.uniform(0.02, 0.12), angle=rnd.uniform(-25, 25))
    img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.4, 1.6)))
    img = _noise(img, rnd, rnd.uniform(0.05, 0.18))
    return _jpeg(img, rnd.randint(35, 85)), (payload,), 0.0


def _fam_dark_mode(rnd: random.Random) -> tuple[Image.Image | bytes, tuple[str, ...], float]:
    payload = _payload(rnd)
    kind = rnd.choice(["dimmed", "inverted", "card"])
    img = Image.new("RGB", SCREEN, (17, 17, 17))
    draw = ImageDraw.Draw(img)
    top = _status_and_header(draw, rnd, SCREEN, True)
    card, ppm, _modules = _group_card(rnd, payload, rnd.randint(500, 900), dark_ui=True)
    if kind == "inverted":  # a dark theme that inverts images too
        card = ImageOps.invert(card)
    elif kind == "dimmed":  # dark mode dims pictures
        card = card.point(lambda v: int(v * rnd.uniform(0.55, 0.8)))
    img.paste(card, ((SCREEN[0] - card.width) // 2, top + rnd.randint(40, 600)))
    if rnd.random() < 0.4:
        img = img.resize((720, 1560), Image.Resampling.BILINEAR)
        ppm *= 720 / 1080
    return _encode(img, rnd, 45, 90), (payload,), ppm


def _fam_sticker(rnd: random.Random) -> tuple[Image.Image | bytes, tuple[str, ...], float]:
    payload = _payload(rnd)
    dark = rnd.choice([(0, 0, 0), (12, 60, 140), (120, 10, 40), (20, 90, 40), (60, 20, 90)])
    code, modules = _code(payload, rnd, scale=10, border=3, dark=dark, error="H")
    # a logo in the middle
    draw = ImageDraw.Draw(code)
    c = code.width // 2
    r = int(modules * 10 * 0.12)
    draw.rounded_rectangle([c - r, c - r, c + r, c + r], radius=r // 3, fill=(255, 255, 255))
    draw.ellipse([c - r + 8, c - r + 8, c + r - 8, c + r - 8], fill=(rnd.randrange(256), 80, 40))
    sticker = Image.new("RGBA", (code.width + 80, code.height + 140), (0, 0, 0, 0))
    sd = ImageDraw.Draw(sticker)
    sd.rounded_rectangle(
        [0, 0, sticker.width - 1, sticker.height - 1], radius=50, fill=(250, 248, 240, 255)
    )
    sticker.paste(code, (40, 40))
    _text_lines(sd, rnd, (60, code.height + 60, sticker.width - 60, sticker.height - 20), dark, 24)
    size = rnd.choice([(1500, 1500), (1600, 1200)])
    img = _photo(sticker, rnd, size, skew=rnd.uniform(0.0, 0.08), angle=rnd.uniform(0, 360))
    img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.3, 1.2)))
    img = _noise(img, rnd, rnd.uniform(0.03, 0.12))
    return _jpeg(img, rnd.randint(45, 90)), (payload,), 0.0


def _fam_several(rnd: random.Random) -> tuple[Image.Image | bytes, tuple[str, ...], float]:
    n = rnd.randint(2, 4)
    payloads: list[str] = []
    while len(payloads) < n:
        p = _payload(rnd)
        if p not in payloads:
            payloads.append(p)
    if rnd.random() < 0.5:  # a poster
        img = Image.new(
            "RGB",
            (1600, 1200),
            (rnd.randrange(180, 256), rnd.randrange(180, 256), rnd.randrange(150, 230)),
        )
        cols = 2 if n <= 2 else (3 if n == 3 else 2)
    else:  # a screenshot with the cards in a grid
        img = Image.new("RGB", SCREEN, (237, 237, 237))
        cols = 2
    draw = ImageDraw.Draw(img)
    _text_lines(draw, rnd, (60, 40, img.width - 60, 160), (30, 30, 30), 40)
    rows_n = math.ceil(n / cols)
    cw = (img.width - 80) // cols
    ch = (img.height - 220) // rows_n
    min_ppm = 99.0
    for i, p in enumerate(payloads):
        side = int(min(cw, ch) * rnd.uniform(0.55, 0.85))
        code, modules = _code(p, rnd, scale=6, border=3)
        code = code.resize((side, side), Image.Resampling.LANCZOS)
        min_ppm = min(min_ppm, side / (modules + 6))
        x = 40 + (i % cols) * cw + rnd.randint(0, max(0, cw - side))
        y = 200 + (i // cols) * ch + rnd.randint(0, max(0, ch - side))
        img.paste(code, (x, y))
    if rnd.random() < 0.5:
        img = _noise(img, rnd, 0.08).filter(ImageFilter.GaussianBlur(0.6))
    return _encode(img, rnd, 50, 90), tuple(payloads), min_ppm


def _fam_moire(rnd: random.Random) -> tuple[Image.Image | bytes, tuple[str, ...], float]:
    payload = _payload(rnd)
    card, _ppm, _m = _group_card(rnd, payload, 800)
    size = (1600, 1200) if rnd.random() < 0.5 else (1200, 1600)
    img = _photo(card, rnd, size, skew=rnd.uniform(0.0, 0.06), angle=rnd.uniform(-12, 12))
    # interference: a fine tilted sinusoid (the camera's pixel grid beating
    # against the screen's) plus the screen's own sub-pixel stripes
    period = rnd.uniform(3.0, 9.0)
    tilt = math.radians(rnd.uniform(-40, 40))
    depth = rnd.uniform(25, 60)
    w, h = size
    small = (w // 4, h // 4)
    pattern = Image.new("L", small)
    px = pattern.load()
    assert px is not None
    ca, sa = math.cos(tilt), math.sin(tilt)
    for yy in range(small[1]):
        for xx in range(small[0]):
            px[xx, yy] = int(
                128 + depth * math.sin((xx * ca + yy * sa) * 4 * 2 * math.pi / (period * 4))
            )
    pattern = pattern.resize(size, Image.Resampling.BILINEAR)
    stripes = Image.new("L", (3, 1))
    stripes.putdata([150, 110, 130])
    stripes = stripes.resize((max(3, int(rnd.uniform(3, 6))), 1), Image.Resampling.NEAREST)
    grid = Image.new("L", size)
    for x in range(0, w, stripes.width):
        grid.paste(stripes.resize((stripes.width, h)), (x, 0))
    mod = Image.blend(pattern, grid, 0.35)
    img = Image.composite(
        img, ImageOps.colorize(mod, (0, 0, 0), (255, 255, 255)), Image.new("L", size, 200)
    )
    img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.3, 1.0)))
    return _jpeg(img, rnd.randint(50, 88)), (payload,), 0.0


_MAKERS: dict[
    str, Callable[[random.Random], tuple[Image.Image | bytes, tuple[str, ...], float]]
] = {
    "group card": _fam_group_card,
    "small code": _fam_small_code,
    "screen photo": _fam_screen_photo,
    "dark mode": _fam_dark_mode,
    "sticker": _fam_sticker,
    "several codes": _fam_several,
    "moire": _fam_moire,
}


def generate(
    seed: int, per_family: int = 43, families: tuple[str, ...] = FAMILIES
) -> Iterator[Sample]:
    """Yield ``per_family`` samples of each family (7 x 43 = 301 at the default).

    The same ``seed`` always yields the same bytes; tune on one seed and
    report on another.
    """
    for fam in families:
        for i in range(per_family):
            rnd = random.Random(f"{seed}/{fam}/{i}")
            out, payloads, ppm = _MAKERS[fam](rnd)
            data = out if isinstance(out, bytes) else _encode(out, rnd)
            yield Sample(fam, f"{fam.replace(' ', '-')}-{i:03d}", data, payloads, round(ppm, 3))


def no_code(seed: int, count: int = 20) -> Iterator[Sample]:
    """Uploads without a code (chat screenshots, dark ones, photos): misses, and false-payload bait."""
    for i in range(count):
        rnd = random.Random(f"{seed}/none/{i}")
        kind = i % 3
        if kind == 2:
            card = Image.new("RGB", (700, 945), (255, 255, 255))
            draw = ImageDraw.Draw(card)
            _avatar(draw, rnd, (60, 60, 160, 160))
            _text_lines(draw, rnd, (40, 200, card.width - 40, card.height - 40), (20, 20, 20), 22)
            img = _photo(card, rnd, (1600, 1200), skew=0.05, angle=rnd.uniform(-20, 20))
        else:
            img, _draw, _top = _chat_screenshot(rnd, dark=kind == 1)
        yield Sample("no code", f"no-code-{i:03d}", _jpeg(img, rnd.randint(60, 90)), ())


def main() -> None:
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m benchmarks.qr_corpus")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--per-family", type=int, default=43)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "labels.jsonl", "w", encoding="utf-8") as labels:
        for s in generate(args.seed, args.per_family):
            ext = "png" if s.data.startswith(b"\x89PNG") else "jpg"
            (args.out / f"{s.name}.{ext}").write_bytes(s.data)
            row = {
                "file": f"{s.name}.{ext}",
                "family": s.family,
                "payloads": list(s.payloads),
                "ppm": s.ppm,
            }
            labels.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
