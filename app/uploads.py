"""Attachments: checked, stored outside static/ under random names, and served only as downloads.

Four file types are accepted: PDF, ODT, DOCX and XLSX. Both the extension of the name the client
sent and the content decide: a PDF starts with `%PDF-`; ODT, DOCX and XLSX are ZIP files (ODT with
a first member `mimetype` naming the text format; DOCX and XLSX with `[Content_Types].xml` and a
`word/` or `xl/` folder). The two must agree, so an HTML page renamed to .pdf is refused. A ZIP
that would unpack to more than 100 MB or holds more than 2,000 entries is refused, and so is a PDF
with HTML markup in its first kilobytes (a PDF/HTML polyglot).

Nothing reaches UPLOAD_DIR before every check passed: the bytes are written to a hidden temporary
file in that folder and renamed to their random name at the end (or removed on any failure). The
name the client sent is never used on disk; a cleaned copy is only the name offered on download.
"""
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import abort, current_app, send_file

from app import images

# file_type -> (Content-Type, label shown to people)
FILE_TYPES = {
    "pdf": ("application/pdf", "PDF"),
    "odt": ("application/vnd.oasis.opendocument.text", "ODT"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
}
ALLOWED_LIST = "PDF-, ODT-, DOCX- of XLSX-bestand"
from app.errors import UserError
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MAX_FILENAME_LENGTH = 200
CHUNK_SIZE = 64 * 1024
STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}\.(pdf|odt|docx|xlsx|jpg|png|webp)$")
TEMP_PREFIX = ".upload-"
# An office file (a ZIP) is refused when it would unpack to more than this, or holds more entries:
# a real document is far below both, a "zip bomb" offered to members is not.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
# A PDF is refused when its first kilobytes hold HTML: such a "polyglot" is a web page as well as a
# PDF, and a browser or a sloppy viewer may run it as one.
PDF_HTML_WINDOW = 4096
HTML_MARKUP_RE = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|img|meta)\b",
    re.IGNORECASE)


class UploadRejected(UserError, ValueError):
    """A file that is not accepted; `.message` says why, in Dutch, for the person uploading."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredUpload:
    stored_name: str  # random name in UPLOAD_DIR
    file_type: str  # pdf, odt, docx or xlsx (from the content)
    size: int  # bytes
    filename: str  # the cleaned original name, offered on download


def type_label(file_type):
    return FILE_TYPES.get(file_type, (None, (file_type or "").upper()))[1]


def content_type(file_type):
    return FILE_TYPES.get(file_type, ("application/octet-stream", None))[0]


def upload_dir():
    """UPLOAD_DIR, created when missing."""
    path = current_app.config.get("UPLOAD_DIR")
    if not path:
        raise RuntimeError("UPLOAD_DIR is not configured")
    os.makedirs(path, mode=0o750, exist_ok=True)
    return path


def max_bytes():
    return int(current_app.config.get("MAX_ATTACHMENT_MB") or 10) * 1024 * 1024


def max_size_text():
    return f"{int(current_app.config.get('MAX_ATTACHMENT_MB') or 10)} MB"


def extension_of(filename):
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in name:
        return ""
    return name.rsplit(".", 1)[1].strip().lower()


def clean_filename(filename, file_type):
    """The client's name, made harmless: no folders, control or quote characters, the right
    extension, at most MAX_FILENAME_LENGTH characters ("bijlage.pdf" when nothing is left)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char for char in name
    )
    name = re.sub(r'[<>:"/\\|?*;\'`]', "_", name)
    name = re.sub(r"\s+", " ", name).strip()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .") or "bijlage"
    suffix = "." + file_type
    stem = stem[: MAX_FILENAME_LENGTH - len(suffix)].rstrip(" .") or "bijlage"
    return stem + suffix


def detect_type(fileobj):
    """pdf, odt, docx or xlsx from the content of a seekable binary file; None otherwise."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            if not members:
                return None
            first = members[0]
            if first.filename == "mimetype" and first.file_size <= 200:
                with archive.open(first) as member:
                    if member.read(200).strip() == ODT_MIMETYPE:
                        return "odt"
            names = {info.filename for info in members}
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return "docx"
                if any(name.startswith("xl/") for name in names):
                    return "xlsx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError):
        return None
    finally:
        fileobj.seek(0)
    return None


def _check_extension(filename):
    if not (filename or "").strip():
        raise UploadRejected("Kies een bestand om te uploaden.")
    extension = extension_of(filename)
    if extension not in FILE_TYPES:
        raise UploadRejected(
            f"Dit soort bestand kan niet als bijlage: kies een {ALLOWED_LIST}."
        )
    return extension


def _too_large():
    return UploadRejected(f"Het bestand is te groot: een bijlage mag hoogstens {max_size_text()} zijn.")


def _check_content(fileobj, extension, size):
    if size == 0:
        raise UploadRejected("Het bestand is leeg.")
    detected = detect_type(fileobj)
    if detected is None:
        raise UploadRejected(
            f"De inhoud van dit bestand is geen geldig {type_label(extension)}-bestand. "
            f"Een bijlage moet een echt {ALLOWED_LIST} zijn."
        )
    if detected != extension:
        raise UploadRejected(
            f"De naam eindigt op .{extension}, maar de inhoud is een {type_label(detected)}-bestand. "
            "Geef het bestand de juiste extensie."
        )
    if detected == "pdf":
        _check_pdf(fileobj)
    else:
        _check_archive(fileobj)
    return detected


def _check_archive(fileobj):
    """Refuse a ZIP-based file that would unpack to too much or holds too many entries (the sizes
    its directory declares: what an office program or unzip tool will try to write)."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    finally:
        fileobj.seek(0)
    if len(members) > MAX_ZIP_ENTRIES:
        raise UploadRejected(
            f"Dit bestand bestaat uit meer dan {MAX_ZIP_ENTRIES:,} onderdelen".replace(",", ".")
            + "; zo'n bestand nemen we niet aan. Sla het opnieuw op of maak het kleiner.")
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise UploadRejected(
            "Uitgepakt zou dit bestand groter zijn dan 100 MB; zo'n bestand nemen we niet aan. "
            "Sla het opnieuw op of maak het kleiner.")


def _check_pdf(fileobj):
    """Refuse a PDF whose first kilobytes hold HTML markup (a PDF/HTML polyglot)."""
    fileobj.seek(0)
    head = fileobj.read(PDF_HTML_WINDOW)
    fileobj.seek(0)
    if HTML_MARKUP_RE.search(head):
        raise UploadRejected(
            "Dit PDF-bestand bevat aan het begin ook een webpagina (HTML). Zo'n bestand nemen we "
            "niet aan: sla het document opnieuw op als PDF, bijvoorbeeld met ‘Afdrukken als PDF’.")


def _new_stored_name(file_type):
    return f"{secrets.token_hex(16)}.{file_type}"


def _write_checked(write_chunks, filename):
    """Write via a temporary file in UPLOAD_DIR, check it, then rename to a random name.

    `write_chunks(file)` writes the bytes and returns the size (raising UploadRejected when too
    large). The temporary file is removed on every failure.
    """
    extension = _check_extension(filename)
    directory = upload_dir()
    temp_path = os.path.join(directory, TEMP_PREFIX + secrets.token_hex(16))
    try:
        with open(temp_path, "w+b") as file:
            size = write_chunks(file)
            file.flush()
            file_type = _check_content(file, extension, size)
        stored_name = _new_stored_name(file_type)
        os.replace(temp_path, os.path.join(directory, stored_name))
    except BaseException:
        _remove_quietly(temp_path)
        raise
    return StoredUpload(stored_name=stored_name, file_type=file_type, size=size,
                        filename=clean_filename(filename, file_type))


def store_bytes(data, filename):
    """Check and store `data` sent as `filename`; raises UploadRejected (nothing stored)."""
    extension = _check_extension(filename)
    data = bytes(data or b"")
    if len(data) > max_bytes():
        raise _too_large()
    # Check in memory first: a refused file never touches the disk.
    _check_content(io.BytesIO(data), extension, len(data))

    def write(file):
        file.write(data)
        return len(data)

    return _write_checked(write, filename)


def store_file(file_storage):
    """The same for an uploaded werkzeug FileStorage: streamed, refused as soon as it is too big."""
    filename = getattr(file_storage, "filename", None) or ""
    _check_extension(filename)
    limit = max_bytes()
    stream = file_storage.stream

    def write(file):
        size = 0
        while True:
            chunk = stream.read(CHUNK_SIZE)
            if not chunk:
                return size
            size += len(chunk)
            if size > limit:
                raise _too_large()
            file.write(chunk)

    return _write_checked(write, filename)


def _remove_quietly(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def stored_path(stored_name):
    """The path of a stored file, or None for a name we could not have made."""
    if not STORED_NAME_RE.match(stored_name or ""):
        return None
    return os.path.join(upload_dir(), stored_name)


def delete_stored(stored_name):
    """Remove a stored file (call after the commit that dropped its row). True when removed."""
    path = stored_path(stored_name)
    if path is None:
        return False
    try:
        os.remove(path)
    except FileNotFoundError:
        return False
    return True


def attachment_response(attachment):
    """Send a stored attachment as a download, never shown inline; 404 when the file is gone."""
    path = stored_path(attachment.stored_name)
    if path is None or not os.path.isfile(path):
        abort(404)
    response = send_file(
        path,
        mimetype=content_type(attachment.file_type),
        as_attachment=True,
        download_name=clean_filename(attachment.filename, attachment.file_type),
        conditional=True,
        etag=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def size_text(size):
    """A file size in Dutch notation: "850 bytes", "12,5 kB", "3,2 MB"."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    if size < 1024 * 1024:
        value, unit = size / 1024, "kB"
    else:
        value, unit = size / (1024 * 1024), "MB"
    text = f"{value:.1f}".replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text} {unit}"


# -- photos: shown on the site, never downloads ---------------------------------------------------

PHOTO_EXTENSIONS = {"jpg": images.JPEG, "jpeg": images.JPEG, "png": images.PNG, "webp": images.WEBP}
PHOTO_CONTENT_TYPES = {images.JPEG: "image/jpeg", images.PNG: "image/png", images.WEBP: "image/webp"}
PHOTO_LIST = "JPEG-, PNG- of WebP-bestand"
MAX_PHOTO_MB = 2
PHOTO_MAX_AGE = 24 * 3600  # a replaced photo gets a new name, so a day in a cache is harmless


def read_photo(file_storage):
    """The bytes of an uploaded photo that passed the first checks every photo passes: a photo's
    extension, at most MAX_PHOTO_MB, and JPEG, PNG or WebP content; raises UploadRejected."""
    filename = getattr(file_storage, "filename", None) or ""
    if not filename.strip():
        raise UploadRejected("Kies een foto om te uploaden.")
    if extension_of(filename) not in PHOTO_EXTENSIONS:
        raise UploadRejected(f"Dit soort bestand kan niet als foto: kies een {PHOTO_LIST}.")
    limit = MAX_PHOTO_MB * 1024 * 1024
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(
            f"De foto is te groot: hoogstens {MAX_PHOTO_MB} MB. Een foto van 800 × 800 pixels is "
            "ruim genoeg.")
    if not data:
        raise UploadRejected("Het bestand is leeg.")
    if images.sniff(data) is None:
        raise UploadRejected(
            f"De inhoud van dit bestand is geen foto. Een foto moet een echt {PHOTO_LIST} zijn.")
    return data


def store_photo(file_storage):
    """Check an uploaded photo and store it without its metadata; raises UploadRejected (nothing
    stored). The extension must be a photo's; the content decides the stored type."""
    filename = getattr(file_storage, "filename", None) or ""
    data = read_photo(file_storage)
    try:
        info, cleaned = images.clean_photo(data)
    except images.ImageError as error:
        raise UploadRejected(error.message) from error
    stored_name = write_new(cleaned, info.kind)
    return StoredUpload(stored_name=stored_name, file_type=info.kind, size=len(cleaned),
                        filename=clean_filename(filename, info.kind))


def store_avatar(file_storage, side):
    """Check an uploaded profile photo, re-encode it square (`side` pixels, its middle, without
    metadata; app.images.reencode_square) and store it; raises UploadRejected (nothing stored)."""
    filename = getattr(file_storage, "filename", None) or ""
    data = read_photo(file_storage)
    try:
        encoded = images.reencode_square(data, side)
    except images.ImageError as error:
        raise UploadRejected(error.message) from error
    stored_name = write_new(encoded.data, encoded.kind)
    return StoredUpload(stored_name=stored_name, file_type=encoded.kind, size=len(encoded.data),
                        filename=clean_filename(filename, encoded.kind))


def write_new(data, file_type):
    """Write checked bytes under a new random name (via a hidden temporary file); the name."""
    directory = upload_dir()
    temp_path = os.path.join(directory, TEMP_PREFIX + secrets.token_hex(16))
    try:
        with open(temp_path, "wb") as file:
            file.write(data)
        stored_name = _new_stored_name(file_type)
        os.replace(temp_path, os.path.join(directory, stored_name))
    except BaseException:
        _remove_quietly(temp_path)
        raise
    return stored_name


def photo_response(stored_name):
    """Send a stored photo to be shown inline; 404 for a name that is not a stored photo."""
    path = stored_path(stored_name)
    file_type = extension_of(stored_name)
    if path is None or file_type not in PHOTO_CONTENT_TYPES or not os.path.isfile(path):
        abort(404)
    response = send_file(path, mimetype=PHOTO_CONTENT_TYPES[file_type], conditional=True,
                         etag=True, max_age=PHOTO_MAX_AGE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
