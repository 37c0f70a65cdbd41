"""Photos checked by their structure, without an image library: JPEG, PNG and WebP.

`clean_photo(data)` reads the format and the size in pixels and walks the whole file the way a
browser will (PNG chunks with their checksums, JPEG segments up to the end-of-image marker, WebP's
RIFF chunks); a file it cannot follow is refused. What it returns is the same picture without what
a camera or editor stores beside it (EXIF with the GPS position and the camera's serial number,
XMP, comments, text chunks) and without any bytes after the image's end, where an HTML page or a
script could hide. Pixels are never decoded or changed.

Images in posts go further: `reencode(data, boxes)` runs the same check first (so a huge canvas
is refused before a single pixel is decoded), then decodes the picture with Pillow, turns it
upright, and writes it anew at each size asked for. Nothing of the file survives but its pixels
(and its colour profile): no metadata, no hidden chunks, no polyglot tricks.
"""
import io
import struct
import warnings
import zlib
from dataclasses import dataclass


JPEG, PNG, WEBP = "jpg", "png", "webp"
LABELS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP"}

# A photo larger than this is refused: a small file can declare a huge canvas (a "decompression
# bomb") that would make every visitor's browser allocate gigabytes.
MAX_SIDE = 8000
MAX_PIXELS = 40_000_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary PNG chunks that change how the picture looks (colour, transparency, animation); every
# other ancillary chunk (text, EXIF, time, private data) is dropped.
PNG_KEEP = {b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD",
            b"acTL", b"fcTL", b"fdAT"}
PNG_CRITICAL = {b"IHDR", b"PLTE", b"IDAT", b"IEND"}

# JPEG markers: start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
SOF_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
SOI, EOI, SOS, COM = 0xD8, 0xD9, 0xDA, 0xFE
APP0, APP2, APP14 = 0xE0, 0xE2, 0xEE
APP_MARKERS = set(range(0xE0, 0xF0))
# APP segments that affect the picture (JFIF header, colour profile, Adobe colour transform);
# all others (EXIF, XMP, Photoshop, maker notes) are dropped, and so are comments.
JPEG_KEEP_APP = {APP0: (b"JFIF\x00", b"JFXX\x00"), APP2: (b"ICC_PROFILE\x00",), APP14: (b"Adobe",)}

WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
WEBP_EXIF_FLAG, WEBP_XMP_FLAG = 0x08, 0x04


class ImageError(ValueError):
    """Not a photo we accept; `.message` says why, in Dutch."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImageInfo:
    kind: str  # jpg, png or webp
    width: int
    height: int


def sniff(data):
    """jpg, png or webp from the first bytes; None for anything else."""
    data = bytes(data[:16])
    if data.startswith(PNG_SIGNATURE):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def _broken(kind):
    return ImageError(f"Dit {LABELS[kind]}-bestand is beschadigd of onvolledig. "
                      "Sla de foto opnieuw op en probeer het nog eens.")


def clean_photo(data):
    """(ImageInfo, the photo's bytes without metadata and without anything after the image's
    end) for a JPEG, PNG or WebP photo; raises ImageError for anything else."""
    data = bytes(data)
    kind = sniff(data)
    if kind is None:
        raise ImageError("Dit bestand is geen foto: kies een JPEG-, PNG- of WebP-bestand.")
    cleaned, width, height = {PNG: _png, JPEG: _jpeg, WEBP: _webp}[kind](data)
    if width < 1 or height < 1:
        raise _broken(kind)
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageError(
            f"Deze foto is {width} × {height} pixels; dat is te groot (hoogstens {MAX_SIDE} pixels "
            "per zijde). Maak de foto kleiner, bijvoorbeeld 800 × 800 pixels.")
    return ImageInfo(kind, width, height), cleaned


# -- PNG ---------------------------------------------------------------------------------------

def _png(data):
    """(cleaned bytes, width, height): every chunk read and its checksum checked up to IEND."""
    kept = [PNG_SIGNATURE]
    pos, first, size, has_image = len(PNG_SIGNATURE), True, None, False
    while True:
        if pos + 12 > len(data):
            raise _broken(PNG)  # the file ends before IEND
        length, chunk_type = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data) or not chunk_type.isalpha():
            raise _broken(PNG)
        body = data[pos + 8:pos + 8 + length]
        (checksum,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(chunk_type + body) & 0xFFFFFFFF != checksum:
            raise _broken(PNG)
        if first:
            if chunk_type != b"IHDR" or length != 13:
                raise _broken(PNG)
            size = struct.unpack(">II", body[:8])
            first = False
        critical = chunk_type[:1].isupper()
        if critical and chunk_type not in PNG_CRITICAL:
            raise _broken(PNG)  # a browser would refuse it too
        if chunk_type == b"IDAT":
            has_image = True
        if critical or chunk_type in PNG_KEEP:
            kept.append(data[pos:end])
        pos = end
        if chunk_type == b"IEND":
            break
    if not has_image:
        raise _broken(PNG)
    return b"".join(kept), size[0], size[1]


# -- JPEG --------------------------------------------------------------------------------------

def _segment_length(data, pos):
    if pos + 4 > len(data):
        raise _broken(JPEG)
    (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
    if length < 2 or pos + 2 + length > len(data):
        raise _broken(JPEG)
    return length


def _keep_jpeg_segment(marker, payload):
    if marker == COM:
        return False
    if marker in APP_MARKERS:
        return payload.startswith(JPEG_KEEP_APP.get(marker, ()))
    return True


def _jpeg(data):
    """(cleaned bytes, width, height): the segments up to the first scan, then every scan up to
    the end-of-image marker (an 0xFF in compressed data is followed by 00 or a restart marker)."""
    kept = [b"\xff\xd8"]
    pos, size, scan_start = 2, None, None
    while True:
        if scan_start is not None:
            marker_pos = data.find(b"\xff", pos)
            if marker_pos < 0 or marker_pos + 1 >= len(data):
                raise _broken(JPEG)  # no end-of-image marker
            following = data[marker_pos + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                pos = marker_pos + (1 if following == 0xFF else 2)
                continue
            kept.append(data[scan_start:marker_pos])  # the compressed data of the scan
            pos, scan_start = marker_pos, None
        if pos + 2 > len(data) or data[pos] != 0xFF:
            raise _broken(JPEG)
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == EOI:
            if size is None:
                raise _broken(JPEG)
            kept.append(b"\xff\xd9")
            break  # whatever follows the end of the image is dropped
        if marker == SOI or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            raise _broken(JPEG)
        length = _segment_length(data, pos)
        segment = data[pos:pos + 2 + length]
        if marker in SOF_MARKERS:
            if length < 8:
                raise _broken(JPEG)
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            size = (width, height)
        if _keep_jpeg_segment(marker, segment[4:]):
            kept.append(segment)
        pos += 2 + length
        if marker == SOS:
            if size is None:
                raise _broken(JPEG)
            scan_start = pos
    return b"".join(kept), size[0], size[1]


# -- WebP --------------------------------------------------------------------------------------

def _webp_size(chunk_type, payload):
    if chunk_type == b"VP8X" and len(payload) >= 10:
        width = int.from_bytes(payload[4:7], "little") + 1
        height = int.from_bytes(payload[7:10], "little") + 1
        return width, height
    if chunk_type == b"VP8 " and len(payload) >= 10 and payload[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", payload[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if chunk_type == b"VP8L" and len(payload) >= 5 and payload[0] == 0x2F:
        (bits,) = struct.unpack("<I", payload[1:5])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _webp(data):
    """(cleaned bytes, width, height): the RIFF chunks without EXIF, XMP and unknown ones, and
    nothing after the RIFF container."""
    if len(data) < 20:
        raise _broken(WEBP)
    (riff_size,) = struct.unpack("<I", data[4:8])
    end = 8 + riff_size
    if riff_size % 2 or end > len(data):
        raise _broken(WEBP)
    kept, pos, size, has_image = [], 12, None, False
    while pos < end:
        if pos + 8 > end:
            raise _broken(WEBP)
        chunk_type, length = struct.unpack("<4sI", data[pos:pos + 8])
        padded = length + (length % 2)
        if pos + 8 + padded > end:
            raise _broken(WEBP)
        payload = data[pos + 8:pos + 8 + length]
        if pos == 12:
            size = _webp_size(chunk_type, payload)
            if size is None:
                raise _broken(WEBP)
        if chunk_type in (b"VP8 ", b"VP8L", b"ANMF"):
            has_image = True
        if chunk_type == b"VP8X":
            flags = payload[0] & ~(WEBP_EXIF_FLAG | WEBP_XMP_FLAG)
            kept.append(chunk_type + struct.pack("<I", length) + bytes([flags])
                        + data[pos + 9:pos + 8 + padded])
        elif chunk_type in WEBP_KEEP:
            kept.append(data[pos:pos + 8 + padded])
        pos += 8 + padded
    if not has_image:
        raise _broken(WEBP)
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + struct.pack("<I", len(body)) + body, size[0], size[1]


# -- re-encoding with Pillow (images in posts) ------------------------------------------------------

# Pillow is imported where an image is decoded, not at start-up: a web worker that never gets an
# upload does not carry it (tests/unit/test_memory_imports.py).
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# What Pillow may raise on a file that passed the structural check but still cannot be decoded
# (plus its DecompressionBombError and -Warning, added where Pillow is imported).
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error)


@dataclass(frozen=True)
class Encoded:
    kind: str  # jpg, png or webp: the format it came in
    width: int
    height: int
    data: bytes


def _decoded(data, info, side):
    """The first frame of `data`, decoded (a JPEG at the smallest scale still `side` pixels on
    each side, which saves time and memory), upright, in a mode its format can write."""
    from PIL import Image, ImageOps

    errors = DECODE_ERRORS + (Image.DecompressionBombError, Image.DecompressionBombWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[info.kind]])
            if image.size != (info.width, info.height):
                raise _broken(info.kind)
            image.seek(0)  # an animation: only its first frame
            if info.kind == JPEG:
                image.draft("RGB", (side, side))
            image.load()
            upright = ImageOps.exif_transpose(image)  # before the EXIF (with its orientation) goes
        except errors as error:
            raise _broken(info.kind) from error
    profile = image.info.get("icc_profile")
    if info.kind == JPEG:
        wanted = upright.mode if upright.mode in ("RGB", "L") else "RGB"
    elif upright.mode in ("RGB", "RGBA", "L", "LA") and (info.kind == PNG or upright.mode in ("RGB", "RGBA")):
        wanted = upright.mode
    else:
        transparent = "A" in upright.getbands() or "transparency" in upright.info
        wanted = "RGBA" if transparent else "RGB"
    if upright.mode != wanted:
        upright = upright.convert(wanted)
    return upright, profile


def _encode(image, kind, profile):
    out = io.BytesIO()
    options = {"icc_profile": profile} if profile else {}
    if kind == JPEG:
        # comment=b"": Pillow would otherwise write the source's JPEG comment (kept in image.info).
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True, comment=b"",
                   **options)
    elif kind == PNG:
        image.save(out, "PNG", **options)
    else:
        image.save(out, "WEBP", quality=85, method=4, **options)
    return Encoded(kind, image.width, image.height, out.getvalue())


def reencode(data, boxes):
    """The picture in `data` (JPEG, PNG or WebP), decoded and written anew in its own format, once
    per (width, height) box of `boxes`: scaled down to fit it (never up), turned upright as the
    camera said, without EXIF (GPS position, camera), XMP, comments or anything else.

    Returns one Encoded per box; when a box needs no other size than the one before it, the same
    Encoded object is returned again (store it once). Raises ImageError, in Dutch, for anything
    that is not such a picture, is damaged, or is too large (checked before decoding).
    """
    from PIL import Image

    info, _cleaned = clean_photo(data)
    image, profile = _decoded(bytes(data), info, max(max(box) for box in boxes))
    results = []
    for box in boxes:
        scaled = image.copy()
        scaled.thumbnail(box, Image.Resampling.LANCZOS)
        if results and (scaled.width, scaled.height) == (results[-1].width, results[-1].height):
            results.append(results[-1])
        else:
            results.append(_encode(scaled, info.kind, profile))
    return results


def reencode_square(data, side):
    """A profile photo: the picture in `data`, checked and decoded as `reencode` does, cut to the
    square in its middle and scaled to `side` pixels a side (never up), written anew in its own
    format without metadata. Raises ImageError, in Dutch, as `reencode` does."""
    from PIL import Image, ImageOps

    info, _cleaned = clean_photo(data)
    image, profile = _decoded(bytes(data), info, side)
    edge = min(image.width, image.height, side)
    square = ImageOps.fit(image, (edge, edge), Image.Resampling.LANCZOS)
    return _encode(square, info.kind, profile)
