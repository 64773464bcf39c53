"""QR codes: render them on segno, read uploaded ones on zxing-cpp.

Rendering (:func:`render`) needs only segno, a core dependency; a logo and
reading (:func:`read`) need Pillow and zxing-cpp, the ``qr`` extra
(``pip install 'suo[qr]'``), imported on first use.

Why these libraries: segno is pure Python, has no dependencies, writes PNG
and SVG itself and is several times faster than the ``qrcode`` package (see
``benchmarks/bench_qr.py``); zxing-cpp is the maintained C++ port of ZXing,
ships wheels, finds several codes in one image and copes with rotated,
blurred and perspective-distorted photos, which is what operators upload.

Example:
    >>> from suo.shortener import qr
    >>> png = qr.render("https://s.example/sale")
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    >>> qr.render("https://s.example/sale", "svg").startswith("<svg")
    True
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import threading
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import segno
from cachetools import LRUCache

from suo.errors import InvalidInput, MissingDependency, QRDecodeError

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "ERROR_LEVELS",
    "FORMATS",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "cache_clear",
    "cache_info",
    "read",
    "render",
    "svg_inline",
]

FORMATS = ("png", "svg", "terminal")
"""Output formats of :func:`render`."""

ERROR_LEVELS = ("L", "M", "Q", "H")
"""QR error-correction levels: about 7, 15, 25 and 30 % of the symbol may be lost."""

MAX_IMAGE_PIXELS = 40_000_000
"""Largest image :func:`read` decodes (width x height), checked before decoding."""

MAX_IMAGE_BYTES = 32 * 1024 * 1024
"""Largest image file :func:`read` accepts."""

LOGO_SHARE = 0.30
"""Side of the logo box (logo plus its light pad) as a share of the symbol's side.

0.30 of the side is 9 % of the area, well within the 30 % that error level H
restores, so a code with a logo still decodes (tests check every version we
render). The logo itself sits inside a one-module light pad.
"""

_DEFAULT_SCALE = {"png": 8, "svg": 4, "terminal": 1}
_MAX_DATA_CHARS = 4296  # the most any QR symbol holds (alphanumeric, level L)
_INLINE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")

_cache: LRUCache[tuple[Any, ...], bytes | str] = LRUCache(maxsize=64 * 1024 * 1024, getsizeof=len)
_cache_lock = threading.Lock()
_hits = 0
_misses = 0


# -- rendering ----------------------------------------------------------------


def render(
    data: str,
    fmt: str = "png",
    *,
    scale: int | None = None,
    border: int = 4,
    error: str = "M",
    dark: Any = "#000000",
    light: Any = "#ffffff",
    logo: bytes | str | os.PathLike[str] | Image | None = None,
    boost_error: bool = False,
) -> bytes | str:
    """Render ``data`` as a QR code.

    Non-ASCII text (Chinese, IDN hosts written in Unicode) is always encoded
    as UTF-8 in byte mode, which phone scanners (WeChat's included) read.
    segno's automatic Kanji mode is never used: it would turn short Chinese
    text whose UTF-8 bytes happen to be valid Shift_JIS into other characters
    (``"优惠"`` would scan as ``"莨俶Β"``).
    Results are cached (an LRU keyed by every argument, the logo by its
    SHA-256), so rendering the same code twice costs a dict lookup.

    Args:
        data: the text to encode (1 to a few thousand characters; a URL usually).
        fmt: ``"png"`` (bytes), ``"svg"`` (str, no XML declaration, so it can
            be inlined into HTML) or ``"terminal"`` (str of Unicode half blocks;
            colours and logo do not apply).
        scale: pixels per module (PNG) or user units per module (SVG); default
            8 for PNG, 4 for SVG.
        border: quiet zone in modules (the standard asks for 4).
        error: the lowest error-correction level, ``"L"``, ``"M"``, ``"Q"`` or
            ``"H"``; with ``boost_error`` segno raises it when that costs no
            size. A logo forces ``"H"``.
        dark: the dark modules' colour, anything segno accepts (``"#0a7"``,
            ``"navy"``, ``(0, 128, 0)``).
        light: the light modules' colour; ``None`` is transparent.
        logo: an image drawn in the centre on a light pad: the bytes of a PNG,
            JPEG, WebP, GIF or BMP file, a path to one, or a Pillow image; sized to :data:`LOGO_SHARE` of the symbol so the code
            still decodes. Needs Pillow (the ``qr`` extra).
        boost_error: let segno raise the error level when that costs no size
            (default off: the level asked for is the level you get).

    Returns:
        ``bytes`` for PNG, ``str`` for SVG and terminal.

    Raises:
        InvalidInput: empty or oversize data, an unknown format, level or
            colour, a bad scale or border, or a logo that is not an image.
        MissingDependency: a logo without Pillow installed.

    Example:
        >>> from suo.shortener import qr
        >>> qr.read(qr.render("优惠"))
        ['优惠']
        >>> art = qr.render("hi", "terminal", border=1)
        >>> art.count("\\n") > 5
        True
    """
    if not isinstance(data, str) or not data:
        raise InvalidInput("QR data must be a non-empty string (usually the short URL)")
    if len(data) > _MAX_DATA_CHARS:
        raise InvalidInput(
            f"QR data is {len(data)} characters; a QR code holds at most about 2900 bytes "
            "(fewer with a higher error level): shorten it first"
        )
    if not data.isascii():
        try:
            data.encode()
        except UnicodeEncodeError as exc:
            raise InvalidInput(
                f"QR data must be valid Unicode text; character {exc.start} is a lone "
                f"surrogate ({data[exc.start]!r}) that has no UTF-8 encoding"
            ) from exc
    if fmt not in FORMATS:
        raise InvalidInput(f"fmt must be one of {FORMATS}, got {fmt!r}")
    level = error.upper() if isinstance(error, str) else error
    if level not in ERROR_LEVELS:
        raise InvalidInput(f"error must be one of {ERROR_LEVELS}, got {error!r}")
    if scale is None:
        scale = _DEFAULT_SCALE[fmt]
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 100:
        raise InvalidInput(f"scale must be an integer within 1..100, got {scale!r}")
    if isinstance(border, bool) or not isinstance(border, int) or not 0 <= border <= 40:
        raise InvalidInput(f"border must be an integer within 0..40 modules, got {border!r}")
    if logo is not None:
        if fmt == "terminal":
            raise InvalidInput("a logo needs fmt='png' or fmt='svg', not the terminal")
        logo = _logo_bytes(logo)
        level = "H"
    dark_key, light_key = _colour_key(dark, "dark"), _colour_key(light, "light")
    logo_key = None if logo is None else hashlib.sha256(logo).hexdigest()
    key = (data, fmt, scale, border, level, dark_key, light_key, logo_key, bool(boost_error))
    global _hits, _misses
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _hits += 1
            return cached
        _misses += 1
    out = _render(data, fmt, scale, border, level, dark, light, logo, bool(boost_error))
    with _cache_lock:
        _cache[key] = out
    return out


def svg_inline(data: str, **options: Any) -> str:
    """The SVG of ``data``'s QR code, ready for ``_repr_svg_`` or an HTML page.

    Takes :func:`render`'s keyword options (default scale 4).

    Example:
        >>> from suo.shortener import qr
        >>> svg = qr.svg_inline("https://s.example/a")
        >>> svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
        True
    """
    out = render(data, "svg", **options)
    assert isinstance(out, str)
    return out


def cache_info() -> dict[str, int]:
    """Hits, misses, entries and bytes of the render cache.

    Example:
        >>> from suo.shortener import qr
        >>> sorted(qr.cache_info())
        ['bytes', 'entries', 'hits', 'misses']
    """
    with _cache_lock:
        return {
            "hits": _hits,
            "misses": _misses,
            "entries": len(_cache),
            "bytes": int(_cache.currsize),
        }


def cache_clear() -> None:
    """Empty the render cache (benchmarks use it to measure cold renders)."""
    global _hits, _misses
    with _cache_lock:
        _cache.clear()
        _hits = _misses = 0


def _logo_bytes(logo: Any) -> bytes:
    if isinstance(logo, str | os.PathLike):
        try:
            with open(logo, "rb") as f:
                data = f.read(MAX_IMAGE_BYTES + 1)
        except OSError as exc:
            raise InvalidInput(f"cannot read the logo file {str(logo)!r}: {exc}") from exc
    elif isinstance(logo, bytes | bytearray | memoryview):
        data = bytes(logo)
    elif hasattr(logo, "save") and hasattr(logo, "mode"):  # a Pillow image
        buf = io.BytesIO()
        logo.convert("RGBA").save(buf, format="PNG")
        data = buf.getvalue()
    else:
        raise InvalidInput(
            f"logo must be image bytes, a path to an image or a Pillow image, got {logo!r}"
        )
    if not data:
        raise InvalidInput("logo must be a non-empty image (the file or bytes are empty)")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput(f"the logo file is over {MAX_IMAGE_BYTES // 1024 // 1024} MB")
    return data


def _colour_key(colour: Any, name: str) -> Any:
    if colour is None or isinstance(colour, str):
        return colour
    if isinstance(colour, Sequence) and all(
        isinstance(c, int | float) and not isinstance(c, bool) for c in colour
    ):
        return tuple(colour)
    raise InvalidInput(
        f"{name} must be a colour name, '#rrggbb' or an (r, g, b[, a]) tuple, got {colour!r}"
    )


def _make(data: str, level: str, boost_error: bool) -> Any:
    kwargs: dict[str, Any] = {"error": level, "boost_error": boost_error}
    if not data.isascii():
        # Byte mode must be asked for explicitly: given only the encoding,
        # segno switches to Kanji mode whenever the UTF-8 bytes happen to be
        # valid Shift_JIS (one short Chinese string in five), and "优惠"
        # then scans as "莨俶Β". No ECI either: UTF-8 byte mode is what
        # phone scanners (WeChat's included) and zxing-cpp read as UTF-8.
        kwargs["encoding"] = "utf-8"
        kwargs["mode"] = "byte"
    try:
        return segno.make_qr(data, **kwargs)
    except segno.DataOverflowError as exc:
        raise InvalidInput(
            f"{len(data.encode())} bytes do not fit in a QR code at error level {level}: "
            "shorten the data or use a lower level (a logo needs level H)"
        ) from exc


def _render(
    data: str,
    fmt: str,
    scale: int,
    border: int,
    level: str,
    dark: Any,
    light: Any,
    logo: bytes | None,
    boost_error: bool,
) -> bytes | str:
    code = _make(data, level, boost_error)
    if fmt == "terminal":
        text = io.StringIO()
        code.terminal(out=text, border=border, compact=True)
        return text.getvalue()
    out = io.BytesIO()
    try:
        if fmt == "png":
            code.save(out, kind="png", scale=scale, border=border, dark=dark, light=light)
        else:
            code.save(
                out,
                kind="svg",
                scale=scale,
                border=border,
                dark=dark,
                light=light,
                xmldecl=False,
                nl=False,
            )
    except ValueError as exc:
        raise InvalidInput(
            f"segno refused the colours dark={dark!r} light={light!r}: {exc}"
        ) from exc
    if fmt == "svg":
        # A viewBox as well as the size, so CSS can scale the code (segno
        # writes one or the other).
        side = code.symbol_size(scale=scale, border=border)[0]
        svg = out.getvalue().decode().replace("<svg ", f'<svg viewBox="0 0 {side} {side}" ', 1)
        if logo is None:
            return svg
        box = _logo_box(code.symbol_size(scale=1, border=0)[0])
        return _svg_with_logo(svg, logo, box, scale, border, light)
    if logo is None:
        return out.getvalue()
    box = _logo_box(code.symbol_size(scale=1, border=0)[0])
    return _png_with_logo(out.getvalue(), logo, box, scale, border, light)


def _logo_box(modules: int) -> tuple[int, int]:
    """(first module, side in modules) of the centred logo box, pad included."""
    side = max(3, int(modules * LOGO_SHARE))
    if (modules - side) % 2:  # keep it centred on whole modules
        side -= 1
    return (modules - side) // 2, side


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:
        raise MissingDependency(
            "QR logos and QR reading need Pillow: pip install 'suo[qr]'"
        ) from exc
    return Image


def _open_logo(logo: bytes) -> Image:
    pil = _pil()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pil.DecompressionBombWarning)
            img = pil.open(io.BytesIO(logo), formats=_INLINE_FORMATS)
            if img.width * img.height > 16_000_000:
                raise InvalidInput(
                    f"the logo is {img.width}x{img.height} pixels; use a small image"
                )
            img.load()
    except InvalidInput:
        raise
    except Exception as exc:  # Pillow raises many types for bad files
        raise InvalidInput(
            f"the logo is not a readable PNG/JPEG/WebP/GIF/BMP image: {exc}"
        ) from exc
    converted: Image = img.convert("RGBA")
    return converted


def _light_rgba(light: Any) -> tuple[int, int, int, int]:
    if light is None:
        return (255, 255, 255, 255)
    from PIL import ImageColor

    rgb: tuple[int, ...] = (
        ImageColor.getrgb(light) if isinstance(light, str) else tuple(int(c) for c in light)
    )
    return (rgb[0], rgb[1], rgb[2], rgb[3] if len(rgb) > 3 else 255)


def _fit_logo(logo: bytes, side_px: int) -> Image:
    img = _open_logo(logo)
    img.thumbnail((side_px, side_px), _pil().Resampling.LANCZOS)
    return img


def _png_with_logo(
    png: bytes, logo: bytes, box: tuple[int, int], scale: int, border: int, light: Any
) -> bytes:
    pil = _pil()
    start, side = box
    base = pil.open(io.BytesIO(png)).convert("RGBA")
    x0 = (border + start) * scale
    pad = pil.new("RGBA", (side * scale, side * scale), _light_rgba(light))
    base.alpha_composite(pad, (x0, x0))
    inner = max(1, (side - 2) * scale)
    mark = _fit_logo(logo, inner)
    ox = x0 + scale + (inner - mark.width) // 2
    oy = x0 + scale + (inner - mark.height) // 2
    base.alpha_composite(mark, (ox, oy))
    out = io.BytesIO()
    base.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _svg_with_logo(
    svg: str, logo: bytes, box: tuple[int, int], scale: int, border: int, light: Any
) -> str:
    import base64

    start, side = box
    # The logo is re-encoded as PNG: whatever was uploaded (an SVG with
    # scripts, a polyglot file) never reaches the page as-is.
    inner_units = side - 2
    mark = _fit_logo(logo, max(1, inner_units * 32))
    buf = io.BytesIO()
    mark.save(buf, format="PNG")
    href = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    r, g, b, a = _light_rgba(light)
    x0 = (border + start) * scale
    w = inner_units * scale * mark.width / max(mark.width, mark.height)
    h = inner_units * scale * mark.height / max(mark.width, mark.height)
    cx = x0 + side * scale / 2
    extra = (
        f'<rect x="{x0}" y="{x0}" width="{side * scale}" height="{side * scale}" '
        f'fill="rgb({r},{g},{b})" fill-opacity="{a / 255:.3f}"/>'
        f'<image x="{cx - w / 2:.3f}" y="{cx - h / 2:.3f}" width="{w:.3f}" height="{h:.3f}" '
        f'href="{href}"/>'
    )
    return svg.replace("</svg>", extra + "</svg>")


# -- reading ------------------------------------------------------------------


def _decoder() -> tuple[Any, Any]:
    try:
        import zxingcpp
        from PIL import Image
    except ImportError as exc:
        raise MissingDependency(
            "reading QR codes needs zxing-cpp and Pillow: pip install 'suo[qr]'"
        ) from exc
    return zxingcpp, Image


def read(image_bytes: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> list[str]:
    """Decode every QR code in an uploaded image (上传二维码).

    Accepts PNG, JPEG, WebP, GIF and BMP files, photos included: the image is
    turned upright by its EXIF orientation, flattened onto white (a
    transparent code would read as black on black), and searched in every
    rotation; when nothing is found it is tried again sharpened, denoised and
    rescaled, and with a global threshold; then the patches that look like a
    small code (a group card forwarded inside a chat screenshot, 1 to 2
    pixels per module) are cut out, enlarged five times and read. The
    declared size is checked
    before a single pixel is decoded, so a decompression bomb costs nothing.

    Args:
        image_bytes: the uploaded file's bytes.
        max_pixels: refuse images with more pixels than this (default 40 MP).

    Returns:
        The distinct payloads found, top to bottom then left to right.

    Raises:
        QRDecodeError: empty input, not an image, a truncated or corrupt file,
            an image over the size limits, or no QR code in it; the message says which.
        MissingDependency: zxing-cpp or Pillow is not installed.

    Example:
        >>> from suo.shortener import qr
        >>> qr.read(qr.render("https://weixin.qq.com/g/AbC"))
        ['https://weixin.qq.com/g/AbC']
    """
    if not isinstance(image_bytes, bytes | bytearray | memoryview):
        raise QRDecodeError(f"expected the image file's bytes, got {type(image_bytes).__name__}")
    data = bytes(image_bytes)
    if not data:
        raise QRDecodeError("the image is empty (0 bytes): upload the QR code picture again")
    if len(data) > MAX_IMAGE_BYTES:
        raise QRDecodeError(
            f"the image file is too large ({len(data) // 1024 // 1024} MB, limit "
            f"{MAX_IMAGE_BYTES // 1024 // 1024} MB): crop or compress it"
        )
    zxingcpp, Image = _decoder()
    img = _load(Image, data, max_pixels)
    found = _scan(zxingcpp, img)
    if not found:
        found = _scan_harder(zxingcpp, Image, img)
    if not found:
        found = _scan_small(zxingcpp, Image, img)
    if not found:
        raise QRDecodeError(
            f"no QR code found in the {img.width}x{img.height} image: upload a sharper, "
            "uncropped picture with the whole code and its white margin visible"
        )
    found.sort(key=lambda item: (item[0], item[1]))
    out: list[str] = []
    for _y, _x, text in found:
        if text not in out:
            out.append(text)
    return out


def _load(Image: Any, data: bytes, max_pixels: int) -> Any:
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=_INLINE_FORMATS)
            width, height = img.size
            if width * height > max_pixels:
                raise QRDecodeError(
                    f"the image is too large to decode ({width}x{height} = "
                    f"{width * height / 1e6:.1f} MP, limit {max_pixels / 1e6:.0f} MP): "
                    "scale it down or crop it to the code"
                )
            img.load()
            img = ImageOps.exif_transpose(img) or img
    except QRDecodeError:
        raise
    except UnidentifiedImageError as exc:
        raise QRDecodeError(
            "the file is not an image suo can read (PNG, JPEG, WebP, GIF or BMP)"
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise QRDecodeError(
            f"the image is too large to decode (decompression bomb guard: {exc})"
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise QRDecodeError(
            f"the image file is truncated or corrupt ({exc}): upload the whole file again"
        ) from exc
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        img = flat
    return img.convert("L")


def _qr_formats(zxingcpp: Any) -> Any:
    wanted = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode)
    try:  # zxing-cpp 3 takes a tuple (and deprecates ``|``); 2.x only has ``|``
        return zxingcpp.BarcodeFormats(wanted)
    except TypeError:  # pragma: no cover - zxing-cpp 2.x
        return wanted[0] | wanted[1]


def _scan(zxingcpp: Any, img: Any, **options: Any) -> list[tuple[int, int, str]]:
    # Plain text mode: the payload exactly as encoded (the default "HRI" mode
    # would write control characters as "<NUL>", "<ESC>"...).
    results = zxingcpp.read_barcodes(
        img, formats=_qr_formats(zxingcpp), text_mode=zxingcpp.TextMode.Plain, **options
    )
    out = []
    for r in results:
        if not r.valid:  # pragma: no cover - only with return_errors
            continue
        pos = r.position
        top = min(pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y)
        left = min(pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x)
        out.append((top, left, r.text))
    return out


_CELL = 8
"""Side in pixels of the cells in which :func:`_small_code_boxes` measures edge density."""

_SMALL_MAX_PIXELS = 6_000_000
"""Look for small codes only in images up to this size (a 1440x3200 screenshot is 4.6 MP)."""

_SMALL_ZOOM = 5
_SMALL_MAX_SIDE = 1600
_SMALL_CANDIDATES = 6


def _small_code_boxes(img: Any) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) that may hold a code too small to read.

    A code at 1-2 pixels per module is nearly all edges: almost every pixel
    differs from a neighbour, while text has gaps between strokes, words and
    lines, and photos and UI are smooth. So: mark the pixels on a strong edge,
    average them over 8x8 cells, keep the cells at least 3/8 edge (grown by a
    cell so a code's cells join up), and return the connected patches of at
    most 640 px that are not long and thin, those with the most edge first.
    """
    from PIL import ImageFilter

    gw, gh = img.width // _CELL, img.height // _CELL
    if gw < 3 or gh < 3:
        return []
    edges = img.filter(ImageFilter.FIND_EDGES).point(lambda v: 255 if v > 60 else 0)
    density = edges.crop((0, 0, gw * _CELL, gh * _CELL)).reduce(_CELL)
    mask = density.point(lambda v: 255 if v >= 96 else 0).filter(ImageFilter.MaxFilter(3))
    bits, weights = mask.tobytes(), density.tobytes()
    seen = bytearray(len(bits))
    scored: list[tuple[int, tuple[int, int, int, int]]] = []
    for start, bit in enumerate(bits):
        if not bit or seen[start]:
            continue
        seen[start] = 1
        stack, mass = [start], 0
        x0 = y0 = len(bits)
        x1 = y1 = -1
        while stack:
            p = stack.pop()
            mass += weights[p]
            y, x = divmod(p, gw)
            x0, x1, y0, y1 = min(x0, x), max(x1, x), min(y0, y), max(y1, y)
            for q in (p - 1 if x else -1, p + 1 if x + 1 < gw else -1, p - gw, p + gw):
                if 0 <= q < len(bits) and bits[q] and not seen[q]:
                    seen[q] = 1
                    stack.append(q)
        w, h = x1 - x0 + 1, y1 - y0 + 1
        if max(w, h) * _CELL > 640 or max(w, h) > 2.5 * min(w, h) or mass < 6 * 255:
            continue
        box = (x0 * _CELL, y0 * _CELL, (x1 + 1) * _CELL, (y1 + 1) * _CELL)
        scored.append((-mass, box))
    scored.sort()
    return [box for _mass, box in scored[:_SMALL_CANDIDATES]]


def _scan_small(zxingcpp: Any, Image: Any, img: Any) -> list[tuple[int, int, str]]:
    """Read codes too small for zxing-cpp (under ~2 px per module) by enlarging them.

    zxing-cpp needs a few pixels per module to find the finder patterns; a
    group card forwarded in a chat screenshot often has one or less. The
    patches :func:`_small_code_boxes` picks (and the whole image, when it is
    tiny) are enlarged five times with Lanczos, which restores the module
    grid well enough, and read with the local and a fixed threshold. Each
    enlarged patch is at most 1600 px a side, so a miss costs a few scans of
    small images. Every patch is read, so several small codes are all found.
    """
    if img.width * img.height > _SMALL_MAX_PIXELS:
        return []
    out: list[tuple[int, int, str]] = []
    boxes: list[tuple[int, int, int, int]] = []
    if max(img.width, img.height) * _SMALL_ZOOM <= _SMALL_MAX_SIDE:
        boxes.append((0, 0, img.width, img.height))
    boxes += _small_code_boxes(img)
    for left, top, right, bottom in boxes:
        margin = max(12, (right - left) // 4, (bottom - top) // 4)
        left, top = max(0, left - margin), max(0, top - margin)
        right, bottom = min(img.width, right + margin), min(img.height, bottom + margin)
        crop = img.crop((left, top, right, bottom))
        zoom = min(_SMALL_ZOOM, _SMALL_MAX_SIDE / max(crop.width, crop.height))
        size = (round(crop.width * zoom), round(crop.height * zoom))
        big = crop.resize(size, Image.Resampling.LANCZOS)
        for binarizer in (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.FixedThreshold):
            found = _scan(zxingcpp, big, binarizer=binarizer, try_downscale=False)
            if found:
                out += [
                    (top + math.floor(y / zoom), left + math.floor(x / zoom), text)
                    for y, x, text in found
                ]
                break
    return out


def _scan_harder(zxingcpp: Any, Image: Any, img: Any) -> list[tuple[int, int, str]]:
    from PIL import ImageFilter, ImageOps

    tries: list[tuple[Any, float]] = []
    longest = max(img.width, img.height)
    base, factor = img, 1.0
    if longest > 2500:
        # The full-size pass already ran; the filters below are slow on a
        # 12 MP photo and a code that only they can read is large in it.
        factor = longest / 2500
        size = (round(img.width / factor), round(img.height / factor))
        base = img.resize(size, Image.Resampling.BOX)
    elif longest < 600:  # small or heavily compressed codes read better enlarged
        tries.append((img.resize((img.width * 2, img.height * 2), Image.Resampling.BICUBIC), 0.5))
    tries.append((base.filter(ImageFilter.MedianFilter(3)), factor))
    tries.append((base.filter(ImageFilter.UnsharpMask(radius=2, percent=160, threshold=2)), factor))
    tries.append((ImageOps.autocontrast(base, cutoff=2), factor))
    for candidate, factor in tries:
        for binarizer in (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.GlobalHistogram):
            found = _scan(zxingcpp, candidate, binarizer=binarizer)
            if found:
                return [(math.floor(y * factor), math.floor(x * factor), t) for y, x, t in found]
    return []
