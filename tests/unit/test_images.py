"""Photos are checked by their structure and stored without metadata or anything after the image."""
import struct
import zlib

import pytest

from app import images
from tests.fixtures.photos import (
    CAMERA, HTML_PAGE, JPEG_WITH_EXIF, WEBP_WITH_EXIF, png_bytes, png_chunk,
)


def test_a_png_keeps_its_picture_and_loses_text_chunks_and_what_follows_it():
    data = png_bytes(6, 3, text=b"Noor Proef, Dorpsstraat 1") + HTML_PAGE
    info, cleaned = images.clean_photo(data)
    assert info == images.ImageInfo("png", 6, 3)
    assert b"Dorpsstraat" not in cleaned and b"<script" not in cleaned
    assert cleaned == png_bytes(6, 3)  # the same chunks, minus the text


def test_a_jpeg_loses_exif_comments_and_trailing_bytes_but_keeps_its_scan():
    info, cleaned = images.clean_photo(JPEG_WITH_EXIF + HTML_PAGE)
    assert info == images.ImageInfo("jpg", 16, 16)
    assert CAMERA in JPEG_WITH_EXIF and b"secret comment" in JPEG_WITH_EXIF
    assert CAMERA not in cleaned and b"secret comment" not in cleaned and b"<script" not in cleaned
    assert cleaned.startswith(b"\xff\xd8\xff\xe0") and cleaned.endswith(b"\xff\xd9")
    scan = JPEG_WITH_EXIF[JPEG_WITH_EXIF.index(b"\xff\xda"):]
    assert cleaned.endswith(scan)  # the compressed picture itself is untouched


def test_a_webp_loses_its_exif_chunk_and_flag():
    assert CAMERA in WEBP_WITH_EXIF
    info, cleaned = images.clean_photo(WEBP_WITH_EXIF + b"trailing")
    assert info == images.ImageInfo("webp", 16, 16)
    assert CAMERA not in cleaned and b"EXIF" not in cleaned and b"trailing" not in cleaned
    assert struct.unpack("<I", cleaned[4:8])[0] == len(cleaned) - 8
    vp8x_flags = cleaned[20]
    assert not vp8x_flags & images.WEBP_EXIF_FLAG
    assert images.clean_photo(cleaned)[1] == cleaned  # cleaning again changes nothing


@pytest.mark.parametrize("data", [
    HTML_PAGE,
    b"GIF89a" + b"\x00" * 40,
    b"%PDF-1.7\n" + b"\x00" * 40,
    b"",
])
def test_what_is_no_photo_is_refused(data):
    with pytest.raises(images.ImageError, match="geen foto"):
        images.clean_photo(data)


def _with_bad_checksum(png):
    return png[:-5] + bytes([png[-5] ^ 1]) + png[-4:]


@pytest.mark.parametrize("data", [
    png_bytes()[:-12],  # no IEND
    _with_bad_checksum(png_bytes()),
    b"\x89PNG\r\n\x1a\n" + HTML_PAGE,  # a PNG signature in front of a web page
    b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
    + png_chunk(b"IEND", b""),  # no picture at all
    JPEG_WITH_EXIF[:-2],  # no end-of-image marker
    JPEG_WITH_EXIF[:200],
    b"\xff\xd8\xff\xe0" + HTML_PAGE,
    WEBP_WITH_EXIF[:40],
    b"RIFF\x10\x00\x00\x00WEBP" + HTML_PAGE,
])
def test_a_broken_or_disguised_file_is_refused(data):
    with pytest.raises(images.ImageError, match="beschadigd of onvolledig"):
        images.clean_photo(data)


def test_a_huge_canvas_is_refused_however_small_the_file():
    bomb = png_bytes(9000, 1)
    assert len(bomb) < 2000
    with pytest.raises(images.ImageError, match="te groot"):
        images.clean_photo(bomb)
    with pytest.raises(images.ImageError, match="te groot"):
        images.clean_photo(_declared_png(7000, 7000))  # each side fine, 49 million pixels not


def _declared_png(width, height):
    """A PNG whose header declares width × height (the picture data does not matter here)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"\x00")) + png_chunk(b"IEND", b""))
