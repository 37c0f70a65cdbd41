"""Static files under content-hashed names, cached for a year and sent compressed; the plain
names still work; pages are gzipped for browsers that accept it (issue 18, app/assets.py)."""
import gzip
import re

import brotli
from flask import Flask, url_for

from app.assets import VENDOR_FILES, hashed_name, register_assets

HASHED_SITE_CSS = re.compile(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"')


def hashed_url(client, pattern):
    page = client.get("/over-ons").get_data(as_text=True)
    match = re.search(pattern, page)
    assert match, f"no {pattern} in the page"
    return match.group(1)


def test_pages_link_static_files_by_hashed_name_and_bootstrap_from_our_build(client):
    page = client.get("/over-ons").get_data(as_text=True)
    assert HASHED_SITE_CSS.search(page)
    assert re.search(r'href="/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css"', page)
    assert re.search(r'src="/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.js"', page)
    assert re.search(r'src="/static/vendor/bootstrap/popper\.min\.[0-9a-f]{12}\.js"', page)
    assert re.search(r'src="/static/js/site\.[0-9a-f]{12}\.js"', page)
    assert "/bootstrap/static/" not in page  # not the whole of Bootstrap from the package


def test_a_hashed_file_is_cached_for_a_year_and_never_sniffed(client, app):
    url = hashed_url(client, HASHED_SITE_CSS)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.mimetype == "text/css"
    assert "Access-Control-Allow-Origin" not in response.headers
    with open(f"{app.static_folder}/css/site.css", "rb") as source:
        assert response.data == source.read()


def test_a_hashed_file_comes_gzipped_or_brotli_compressed_when_the_browser_accepts_it(client):
    url = hashed_url(client, HASHED_SITE_CSS)
    plain = client.get(url).data

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain
    assert len(zipped.data) < len(plain) / 2

    squeezed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == plain
    assert "immutable" in squeezed.headers["Cache-Control"]


def test_the_plain_name_still_works_and_is_revalidated(client, app):
    response = client.get("/static/css/site.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with open(f"{app.static_folder}/css/site.css", "rb") as source:
        assert gzip.decompress(response.data) == source.read()
    again = client.get("/static/css/site.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    # Bootstrap's plain name too, and the old address in Bootstrap-Flask's package.
    assert client.get("/static/vendor/bootstrap/bootstrap.min.js").status_code == 200
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200


def test_an_unknown_or_mangled_hashed_name_is_not_found(client):
    assert client.get("/static/css/site.000000000000.css").status_code == 404
    assert client.get("/static/css/../../config.py").status_code == 404
    assert client.get("/static/css/nope.css").status_code == 404


def test_bootstraps_files_come_without_their_source_map_comment(client):
    for name in VENDOR_FILES:
        body = client.get(f"/static/{name}").get_data(as_text=True)
        assert "sourceMappingURL" not in body, name


def test_the_name_changes_with_the_content():
    assert hashed_name("css/site.css", b"a") != hashed_name("css/site.css", b"b")
    assert hashed_name("css/site.css", b"a") == hashed_name("css/site.css", b"a")
    assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed_name("css/site.css", b"a"))
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{12}", hashed_name("LICENSE", b"a"))


def test_with_autorefresh_an_edited_file_gets_its_new_name_on_the_next_page(tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "a.css").write_text("body{color:red}")
    toy = Flask("toy", static_folder=str(static), root_path=str(tmp_path))
    toy.config.update(STATIC_BUILD_DIR=str(tmp_path / "build"), STATIC_AUTOREFRESH=True)
    register_assets(toy)
    client = toy.test_client()
    with toy.test_request_context():
        first = url_for("static", filename="css/a.css")
    assert client.get(first).data == b"body{color:red}"

    (static / "css" / "a.css").write_text("body{color:blue;margin:0}")
    toy.extensions["static_files"].checked.clear()  # as a second later
    with toy.test_request_context():
        second = url_for("static", filename="css/a.css")
    assert second != first
    assert client.get(second).data == b"body{color:blue;margin:0}"
    assert client.get("/static/css/a.css").data == b"body{color:blue;margin:0}"


def test_pages_are_gzipped_for_a_browser_that_accepts_it(client):
    plain = client.get("/over-ons")
    assert "Content-Encoding" not in plain.headers  # a client that did not ask gets the page as is
    zipped = client.get("/over-ons", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data) / 2
    assert gzip.decompress(zipped.data) == plain.data
    # Security headers are still there.
    assert zipped.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in zipped.headers


def test_small_answers_and_redirects_are_sent_as_they_are(client):
    redirect = client.get("/account", headers={"Accept-Encoding": "gzip"})
    assert redirect.status_code == 302
    assert "Content-Encoding" not in redirect.headers
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in health.headers
