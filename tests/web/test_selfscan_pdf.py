"""The PDF download says what the report page says: the same headings in the same order, the same
table headers, and the page's links as absolute addresses; through both ways in (the private link
and a member's login)."""
import html
import re

from app.extensions import db
from app.models.selfscan import SCAN_APPROVED, SelfScan
from tests import factories
from tests import pdf_reading as read
from tests.fixtures.selfscan import fill_scan
from tests.support import login, text

# On the page only: what happens next with a scan waiting for review (not part of the document).
PAGE_ONLY = {"Wat gebeurt er nu?"}


def _plain(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def page_parts(page):
    """(h2/h3 headings in order, column headers, link targets) of the report's article."""
    article = page.split('<article class="report">', 1)[1].split("</article>", 1)[0]
    headings = [_plain(inner) for _level, inner in re.findall(r"<h([23])[^>]*>(.*?)</h\1>", article, re.S)]
    columns = [_plain(inner) for inner in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', article, re.S)]
    links = re.findall(r'<a [^>]*href="(/(?:labs|kennisbank|collectieven)[^"]*)"', article)
    return [h for h in headings if h not in PAGE_ONLY], columns, links


def assert_pdf_follows_page(page, pdf):
    headings, columns, links = page_parts(page)
    assert headings, "no headings found on the page"
    assert read.outline(pdf) == headings
    pdf_text = read.text(pdf)
    for column in columns:
        assert column in pdf_text, column
    uris = {read.entry(body, "/URI") for body in read.objects(pdf).values() if "/URI" in body}
    for link in links:
        assert f"http://localhost{link}" in uris, link
    return headings, links


def test_the_private_link_pdf_follows_its_page(client):
    result = fill_scan(client)
    page = text(client.get(result.report_url))
    response = client.get(result.report_url + "/rapport.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    headings, links = assert_pdf_follows_page(page, response.data)
    assert "Scores per onderwerp" in headings and "Alle antwoorden" in headings
    assert any(link.endswith("/vragen/nieuw") for link in links)  # the lab, to ask straight away


def test_a_members_pdf_follows_the_page_with_comparison_change_and_items(client):
    for n in range(5):
        peer = factories.make_collective(f"Buur {n}", slug=f"buur-{n}", sector="energie")
        factories.make_scan(peer)
    factories.make_item(title="Zo werkt een ledenlening", slug="ledenlening",  # fits any scan
                        dimensions=["doel", "leden", "bestuur", "financien", "extern", "strategie"])
    result = fill_scan(client, {"profiel_sector": "energie"})
    collective = factories.make_collective("De Windvang", slug="windvang", sector="energie")
    factories.make_scan(collective, scores={"doel": 20, "leden": 20, "bestuur": 20,
                                            "financien": 20, "extern": 20, "strategie": 20})
    scan = db.session.get(SelfScan, result.scan_id)
    scan.collective_id, scan.status = collective.id, SCAN_APPROVED
    db.session.commit()
    factories.member_of(collective, "lid@example.org")
    login(client, "lid@example.org")

    page = text(client.get(f"/zelfscan/{scan.id}/rapport"))
    response = client.get(f"/zelfscan/{scan.id}/rapport.pdf")
    assert response.status_code == 200
    headings, links = assert_pdf_follows_page(page, response.data)
    assert "Vergeleken met vergelijkbare collectieven" in headings
    assert "/kennisbank/ledenlening" in links and "/collectieven/windvang" in links
    pdf_text = read.text(response.data)
    assert "Verandering" in pdf_text and "Mediaan sector" in pdf_text
    assert "dimensie" not in pdf_text.lower()
