"""app.uploads: which files are accepted, how they are stored, and how they are sent back."""
import io
import os

import pytest
from werkzeug.datastructures import FileStorage

from app import uploads
from app.models.knowledge import KnowledgeAttachment
from tests.fixtures.knowledge import (
    HTML_PAGE, docx_bytes, odt_bytes, pdf_bytes, stored_files, xlsx_bytes, zip_bytes,
)


@pytest.fixture
def upload_dir(app, tmp_path):
    directory = tmp_path / "bijlagen"  # not there yet: store_* must create it
    app.config["UPLOAD_DIR"] = str(directory)
    return directory


@pytest.mark.parametrize("maker, filename, file_type", [
    (pdf_bytes, "Verslag 2026.pdf", "pdf"),
    (odt_bytes, "notulen.odt", "odt"),
    (docx_bytes, "Statuten.DOCX", "docx"),
    (xlsx_bytes, "begroting.xlsx", "xlsx"),
])
def test_real_files_are_stored_under_a_random_name(app, upload_dir, maker, filename, file_type):
    data = maker()
    stored = uploads.store_bytes(data, filename)
    assert stored.file_type == file_type
    assert stored.size == len(data)
    assert stored.filename.lower() == filename.lower()
    assert uploads.STORED_NAME_RE.match(stored.stored_name)
    assert filename not in stored.stored_name
    assert os.listdir(upload_dir) == [stored.stored_name]
    assert (upload_dir / stored.stored_name).read_bytes() == data


def test_two_uploads_of_one_file_get_different_names(app, upload_dir):
    first = uploads.store_bytes(pdf_bytes(), "a.pdf")
    second = uploads.store_bytes(pdf_bytes(), "a.pdf")
    assert first.stored_name != second.stored_name
    assert len(os.listdir(upload_dir)) == 2


REJECTED = [
    (HTML_PAGE, "factuur.pdf", "geen geldig PDF-bestand"),
    (b"<script>alert(1)</script>", "script.pdf", "geen geldig PDF-bestand"),
    (zip_bytes({"[Content_Types].xml": b"<Types/>", "evil.html": HTML_PAGE}), "brief.docx",
     "geen geldig DOCX-bestand"),
    (zip_bytes({"word/document.xml": b"<w/>"}), "brief.docx", "geen geldig DOCX-bestand"),
    (zip_bytes({"content.xml": b"<x/>"}, first=("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")),
     "tabel.odt", "geen geldig ODT-bestand"),
    (zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text"},
               first=("content.xml", b"<x/>")), "laat.odt", "geen geldig ODT-bestand"),
    (b"PK\x03\x04 kapot archief", "kapot.xlsx", "geen geldig XLSX-bestand"),
    (pdf_bytes(), "verslag.docx", "de inhoud is een PDF-bestand"),
    (docx_bytes(), "brief.pdf", "de inhoud is een DOCX-bestand"),
    (xlsx_bytes(), "tabel.docx", "de inhoud is een XLSX-bestand"),
    (pdf_bytes(), "pagina.html", "Dit soort bestand kan niet als bijlage"),
    (pdf_bytes(), "programma.exe", "Dit soort bestand kan niet als bijlage"),
    (pdf_bytes(), "zonder-extensie", "Dit soort bestand kan niet als bijlage"),
    (pdf_bytes(), "verslag.pdf.html", "Dit soort bestand kan niet als bijlage"),
    (b"", "leeg.pdf", "Het bestand is leeg."),
    (b"%PDF-1.4\n%<html><body><script>alert(1)</script></body></html>\n%%EOF\n", "polyglot.pdf",
     "bevat aan het begin ook een webpagina"),
    (b"%PDF-1.7\n" + b"% padding\n" * 100 + b"<!DOCTYPE html><p>", "laat.pdf",
     "bevat aan het begin ook een webpagina"),
    (zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>",
                "word/media/leeg.bin": b"\0" * (101 * 1024 * 1024)}), "bom.docx",
     "groter zijn dan 100 MB"),
    (zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                **{f"xl/parts/{n}.xml": b"<x/>" for n in range(2001)}}), "veel.xlsx",
     "meer dan 2.000 onderdelen"),
    (pdf_bytes(), "", "Kies een bestand"),
]


@pytest.mark.parametrize("data, filename, message", REJECTED)
def test_refused_bytes_leave_nothing_behind(app, upload_dir, data, filename, message):
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.store_bytes(data, filename)
    assert message in refused.value.message
    assert not upload_dir.exists() or os.listdir(upload_dir) == []


@pytest.mark.parametrize("data, filename, message", REJECTED)
def test_refused_uploads_leave_nothing_behind(app, upload_dir, data, filename, message):
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.store_file(FileStorage(io.BytesIO(data), filename=filename))
    assert message in refused.value.message
    assert not upload_dir.exists() or os.listdir(upload_dir) == []


def test_too_large_is_refused_in_memory_and_while_streaming(app, upload_dir):
    app.config["MAX_ATTACHMENT_MB"] = 1
    big = pdf_bytes() + b"0" * (1024 * 1024)
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.store_bytes(big, "groot.pdf")
    assert refused.value.message == "Het bestand is te groot: een bijlage mag hoogstens 1 MB zijn."

    class CountingStream(io.BytesIO):
        read_total = 0

        def read(self, size=-1):
            chunk = super().read(size)
            CountingStream.read_total += len(chunk)
            return chunk

    huge = CountingStream(pdf_bytes() + b"0" * (5 * 1024 * 1024))
    with pytest.raises(uploads.UploadRejected) as refused:
        uploads.store_file(FileStorage(huge, filename="groot.pdf"))
    assert "te groot" in refused.value.message
    assert CountingStream.read_total < 2 * 1024 * 1024  # stopped early, not read to the end
    assert os.listdir(upload_dir) == []


def test_exactly_the_limit_is_accepted(app, upload_dir):
    app.config["MAX_ATTACHMENT_MB"] = 1
    data = pdf_bytes()
    data += b"0" * (1024 * 1024 - len(data))
    stored = uploads.store_file(FileStorage(io.BytesIO(data), filename="precies.pdf"))
    assert stored.size == 1024 * 1024


def test_an_unexpected_failure_removes_the_temporary_file(app, upload_dir, monkeypatch):
    def broken_replace(source, target):
        raise OSError("schijf vol")

    monkeypatch.setattr(uploads.os, "replace", broken_replace)
    with pytest.raises(OSError):
        uploads.store_bytes(pdf_bytes(), "a.pdf")
    assert os.listdir(upload_dir) == []


@pytest.mark.parametrize("given, file_type, expected", [
    ("verslag.pdf", "pdf", "verslag.pdf"),
    ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
    ("C:\\Users\\anna\\Statuten 2026.docx", "docx", "Statuten 2026.docx"),
    ('brief "definitief".docx', "docx", "brief _definitief_.docx"),
    ("naam\r\nSet-Cookie: x.pdf", "pdf", "naam Set-Cookie_ x.pdf"),
    ("Coöperatie Zon.ODT", "odt", "Coöperatie Zon.odt"),
    ("...pdf", "pdf", "bijlage.pdf"),
    (".pdf", "pdf", "bijlage.pdf"),
    ("a" * 300 + ".xlsx", "xlsx", "a" * 195 + ".xlsx"),
])
def test_clean_filename(given, file_type, expected):
    assert uploads.clean_filename(given, file_type) == expected


@pytest.mark.parametrize("size, expected", [
    (0, "0 bytes"), (1, "1 byte"), (850, "850 bytes"), (1024, "1 kB"), (12_800, "12,5 kB"),
    (3 * 1024 * 1024 + 200_000, "3,2 MB"), (10 * 1024 * 1024, "10 MB"),
])
def test_size_text_in_dutch_notation(size, expected):
    assert uploads.size_text(size) == expected


def test_delete_stored(app, upload_dir):
    stored = uploads.store_bytes(pdf_bytes(), "a.pdf")
    assert uploads.delete_stored(stored.stored_name) is True
    assert os.listdir(upload_dir) == []
    assert uploads.delete_stored(stored.stored_name) is False  # already gone: no error


def test_delete_stored_only_touches_names_it_could_have_made(app, upload_dir, tmp_path):
    victim = tmp_path / "geheim.txt"
    victim.write_text("blijf af")
    for name in ("../geheim.txt", "/etc/passwd", "", None, "geheim.txt"):
        assert uploads.delete_stored(name) is False
    assert victim.exists()


def test_attachment_response_is_always_a_download(app, upload_dir):
    stored = uploads.store_bytes(pdf_bytes(), "Verslag ‘26.pdf")
    attachment = KnowledgeAttachment(filename=stored.filename, stored_name=stored.stored_name,
                                     file_type=stored.file_type, size=stored.size)
    with app.test_request_context("/"):
        response = uploads.attachment_response(attachment)
        response.direct_passthrough = False
        assert response.get_data() == pdf_bytes()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Verslag%20%E2%80%9826.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]


def test_attachment_response_404_for_a_missing_file_or_a_strange_name(app, upload_dir):
    from werkzeug.exceptions import NotFound

    for stored_name in ("0" * 32 + ".pdf", "../../etc/passwd"):
        attachment = KnowledgeAttachment(filename="a.pdf", stored_name=stored_name, file_type="pdf",
                                         size=1)
        with app.test_request_context("/"), pytest.raises(NotFound):
            uploads.attachment_response(attachment)


def test_stored_files_helper_sees_the_session_dir(app):
    # The default test UPLOAD_DIR (per run) is what the page tests compare before and after.
    assert isinstance(stored_files(app), list)


def test_a_large_but_honest_document_and_a_pdf_mentioning_html_in_text_are_accepted(app, upload_dir):
    """The limits leave room for real documents: 1,900 parts, 90 MB unpacked, and a PDF whose text
    talks about "<html>" further in than the first kilobytes."""
    parts = {f"xl/worksheets/sheet{n}.xml": b"<x/>" for n in range(1890)}
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                      "xl/media/foto.bin": b"\0" * (90 * 1024 * 1024), **parts})
    assert uploads.store_bytes(data, "groot.xlsx").file_type == "xlsx"
    late = b"%PDF-1.4\n" + b"% regel\n" * 600 + b"% over de tag <html>\n%%EOF\n"
    assert uploads.store_bytes(late, "uitleg.pdf").file_type == "pdf"
