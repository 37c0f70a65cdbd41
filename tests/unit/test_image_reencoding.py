"""Images for posts are re-encoded with Pillow (app.images.reencode): hostile files are refused
before a pixel is decoded, and what comes out is only the picture, upright and no larger than
asked, in the format it came in."""
import io
import struct
import zlib

import pytest
from PIL import Image

from app import images
from tests.fixtures.photos import CAMERA, HTML_PAGE, WEBP_WITH_EXIF, png_bytes, png_chunk

BOXES = [(2000, 2000), (800, 1000)]
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def one_bit_png(width, height):
    """A valid black-and-white PNG of `width` × `height` pixels: a few hundred kilobytes that
    decode to width × height pixels (the shape of a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = bytes(1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    rows_per_chunk = max(1, (4 << 20) // len(row))
    parts, left = [], height
    while left:
        count = min(rows_per_chunk, left)
        parts.append(packer.compress(row * count))
        left -= count
    parts.append(packer.flush())
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", b"".join(parts))
            + png_chunk(b"IEND", b""))


def photo_with_gps(width=60, height=40, orientation=None, fmt="JPEG"):
    """A photo as a phone makes it: EXIF with the camera and a GPS position (and orientation)."""
    picture = Image.new("RGB", (width, height), (200, 60, 30))
    picture.paste((20, 90, 200), (0, 0, width // 2, height // 2))  # the top-left quarter is blue
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 5.0, 31.0), 3: "E", 4: (5.0, 7.0, 12.0)}
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    picture.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def opened(encoded):
    picture = Image.open(io.BytesIO(encoded.data))
    picture.load()
    return picture


def test_a_phone_photo_loses_its_gps_position_and_camera():
    data = photo_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the position is there
    full, thumbnail = images.reencode(data, BOXES)
    assert thumbnail is full  # small enough for the page: one file
    picture = opened(full)
    assert picture.format == "JPEG" and full.kind == "jpg" and picture.size == (60, 40)
    exif = picture.getexif()
    assert not exif.get_ifd(GPS_IFD) and GPS_IFD not in exif and 0x010F not in exif
    assert b"CameraMaker" not in full.data and b"Exif" not in full.data


def test_the_orientation_the_camera_gave_is_applied_before_the_exif_goes():
    full, _ = images.reencode(photo_with_gps(60, 40, orientation=6), BOXES)  # "turn right"
    picture = opened(full)
    assert picture.size == (40, 60)
    assert ORIENTATION not in picture.getexif()
    red, green, blue = picture.convert("RGB").getpixel((35, 5))  # blue quarter: now top right
    assert blue > 150 and red < 100


def test_a_webp_stays_a_webp_without_its_exif():
    full, _ = images.reencode(WEBP_WITH_EXIF, BOXES)
    assert full.kind == "webp" and opened(full).format == "WEBP"
    assert CAMERA not in full.data and b"EXIF" not in full.data


def test_large_pictures_are_scaled_to_2000_pixels_and_a_thumbnail_for_the_page():
    full, thumbnail = images.reencode(png_bytes(3000, 1200), BOXES)
    assert (full.width, full.height) == (2000, 800) and opened(full).size == (2000, 800)
    assert (thumbnail.width, thumbnail.height) == (800, 320) and opened(thumbnail).size == (800, 320)
    assert full.kind == thumbnail.kind == "png"
    tall, tall_thumbnail = images.reencode(png_bytes(600, 2400), BOXES)
    assert (tall.width, tall.height) == (500, 2000)
    assert (tall_thumbnail.width, tall_thumbnail.height) == (250, 1000)


def test_a_png_that_is_really_html_is_refused():
    with pytest.raises(images.ImageError) as refused:
        images.reencode(HTML_PAGE, BOXES)
    assert "geen foto" in refused.value.message


def test_html_hidden_in_or_after_a_real_png_does_not_survive():
    data = png_bytes(20, 10, text=HTML_PAGE) + HTML_PAGE
    full, _ = images.reencode(data, BOXES)
    assert b"<script" not in full.data and b"tEXt" not in full.data
    assert opened(full).size == (20, 10)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = one_bit_png(7500, 7500)  # 56 million pixels in a file of a few kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(images.ImageError) as refused:
        images.reencode(bomb, BOXES)
    assert "7500 × 7500 pixels" in refused.value.message


def test_a_20000_by_20000_image_is_refused():
    huge = one_bit_png(20_000, 20_000)
    with pytest.raises(images.ImageError) as refused:
        images.reencode(huge, BOXES)
    assert "20000 × 20000 pixels" in refused.value.message and "te groot" in refused.value.message


def test_a_png_with_a_sound_structure_but_broken_pixels_is_refused():
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    broken = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
              + png_chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + png_chunk(b"IEND", b""))
    with pytest.raises(images.ImageError) as refused:
        images.reencode(broken, BOXES)
    assert "beschadigd" in refused.value.message


def test_a_cmyk_jpeg_and_a_transparent_palette_png_come_out_as_pictures_browsers_show():
    out = io.BytesIO()
    Image.new("CMYK", (30, 20), (0, 100, 200, 0)).save(out, "JPEG")
    full, _ = images.reencode(out.getvalue(), BOXES)
    assert opened(full).mode == "RGB"
    palette = Image.new("P", (30, 20), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    out = io.BytesIO()
    palette.save(out, "PNG", transparency=0)
    full, _ = images.reencode(out.getvalue(), BOXES)
    assert opened(full).mode == "RGBA"
