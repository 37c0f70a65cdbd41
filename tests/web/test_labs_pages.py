"""The lab pages through the test client: the list of labs, a lab's purpose, partner
organisations and Dutch-situation notice, and its questions with status, filters and pages."""
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.labs import services
from tests.factories import answer, ask, make_collective, quick_user
from tests.fixtures.labs import LabCast, days_ago
from tests.support import QueryCounter, login, text

QUESTION_LINK = r'/labs/financelab/vragen/\d+">([^<]+)</a>'


@pytest.fixture
def cast():
    return LabCast()


# -- the list of labs and a lab's page -------------------------------------------------------------

def test_lab_list_shows_the_four_labs_in_order_with_counts(client, cast):
    ask(cast.member)
    answered = ask(cast.member, title="Welke subsidies zijn er voor zonnedaken?")
    answer(cast.partner, answered)
    ask(cast.member, "sciencelab", title="Hoe meten we de betrokkenheid van leden?")
    page = text(client.get("/labs"))
    names = re.findall(r'<h2 class="h4 card-title" id="lab-(\w+)">', page)
    assert names == ["financelab", "sciencelab", "overheidslab", "netwerklab"]
    assert "Vragen over geld: investeren, lenen, subsidies" in page  # the tagline
    financelab = page[page.index('id="lab-financelab"'):page.index('id="lab-sciencelab"')]
    assert "2 partnerorganisaties" in financelab
    assert re.search(r"Open</span> 1</li>", financelab)
    assert re.search(r"Beantwoord</span> 1</li>", financelab)
    assert re.search(r"Opgelost</span> 0</li>", financelab)
    sciencelab = page[page.index('id="lab-sciencelab"'):page.index('id="lab-overheidslab"')]
    assert "1 partnerorganisatie<" in sciencelab and re.search(r"Open</span> 1</li>", sciencelab)
    assert "Buurtbatterij" not in page  # no question titles for a visitor


def test_lab_page_is_public_but_questions_are_not(client, cast):
    ask(cast.member)
    response = client.get("/labs/financelab")
    assert response.status_code == 200
    page = text(response)
    assert "In het Financelab denken banken, fondsen" in page  # the purpose
    assert "Fonds Groene Energie" in page and "Coöperatieve Spaarbank" in page
    assert "Universiteit Utrecht" not in page  # a partner of another lab
    assert page.count("Nederlandse situatie") == 1  # the notice, not the purpose text as well
    assert "buurtbatterij" not in page.lower()
    assert "/inloggen?next=/labs/financelab" in page
    assert "Stel een vraag" not in page


@pytest.mark.parametrize("slug, dutch", [("financelab", True), ("overheidslab", True),
                                         ("sciencelab", False), ("netwerklab", False)])
def test_dutch_situation_notice_on_the_dutch_labs_only(client, slug, dutch):
    page = text(client.get(f"/labs/{slug}"))
    assert ("Nederlandse situatie" in page) is dutch


def test_organisation_without_partners_in_the_lab_is_not_shown(client, cast):
    cast.partner2.role = "member"  # no longer a partner: the bank has nobody in the lab
    db.session.commit()
    page = text(client.get("/labs/financelab"))
    assert "Fonds Groene Energie" in page and "Coöperatieve Spaarbank" not in page


@pytest.mark.parametrize("path", ["/labs/bestaat-niet", "/labs/FINANCELAB", "/labs/bestaat-niet/vragen/nieuw",
                                  "/labs/bestaat-niet/vragen/1", "/labs/" + "x" * 300])
def test_unknown_lab_is_not_found(client, cast, path):
    login(client, "lid@example.org")
    assert client.get(path).status_code == 404


def test_members_see_the_questions_newest_activity_first(client, cast):
    old = ask(cast.member, title="Een oude vraag over leningen", now=days_ago(10))
    ask(cast.member, title="Een nieuwere vraag over fondsen", now=days_ago(5))
    answer(cast.partner, old, now=days_ago(1))  # activity moves the old question up
    login(client, "lid2@example.org")
    page = text(client.get("/labs/financelab"))
    titles = re.findall(QUESTION_LINK, page)
    assert titles == ["Een oude vraag over leningen", "Een nieuwere vraag over fondsen"]
    assert 'text-bg-info lab-status">Beantwoord<' in page
    assert 'text-bg-warning lab-status">Open<' in page
    assert "namens Energiecoöperatie De Windvang" in page


def test_filters_by_status_and_research(client, cast):
    ask(cast.member, title="Open gewone vraag over geld")
    research = ask(cast.member, title="Open onderzoeksvraag over geld", research=True)
    answered = ask(cast.member, title="Beantwoorde vraag over geld")
    answer(cast.partner, answered)
    solved = ask(cast.member, title="Opgeloste vraag over leningen", research=True)
    services.accept_answer(cast.member, answer(cast.partner, solved))
    db.session.commit()
    login(client, "financier@example.org")

    def titles(query):
        return set(re.findall(QUESTION_LINK, text(client.get("/labs/financelab" + query))))

    assert titles("?status=open") == {"Open gewone vraag over geld", "Open onderzoeksvraag over geld"}
    assert titles("?status=beantwoord") == {"Beantwoorde vraag over geld"}
    assert titles("?status=opgelost") == {"Opgeloste vraag over leningen"}
    assert titles("?onderzoeksvraag=1") == {"Open onderzoeksvraag over geld", "Opgeloste vraag over leningen"}
    assert titles("?status=open&onderzoeksvraag=1") == {research.title}
    assert len(titles("?status=onzin")) == 4  # an unknown status is no filter
    page = text(client.get("/labs/financelab?status=opgelost"))
    assert '<option value="opgelost" selected>' in page and "Filters wissen" in page


def test_twenty_questions_per_page(client, cast):
    start = days_ago(30)
    for n in range(25):
        ask(cast.member, title=f"Vraag nummer {n:02d} over geld", now=start + timedelta(hours=n))
    login(client, "lid@example.org")
    first = re.findall(r"Vraag nummer (\d+)", text(client.get("/labs/financelab")))
    second_page = text(client.get("/labs/financelab?pagina=2"))
    second = re.findall(r"Vraag nummer (\d+)", second_page)
    assert first == [f"{n:02d}" for n in range(24, 4, -1)]
    assert second == [f"{n:02d}" for n in range(4, -1, -1)]
    assert "pagina 2 van 2" in second_page
    assert "Deze pagina bestaat niet" in text(client.get("/labs/financelab?pagina=9"))


def test_lab_page_queries_do_not_grow_with_the_questions(client, cast):
    login(client, "lid@example.org")
    ask(cast.member)
    client.get("/labs/financelab")
    with QueryCounter() as few:
        client.get("/labs/financelab")
    other = make_collective("Wooncoöperatie De Bouwers", slug="bouwers")
    for n in range(12):
        author = quick_user(f"vrager{n}@example.org", collective=other if n % 2 else cast.collective)
        ask(author, title=f"Nog een vraag nummer {n}")
    with QueryCounter() as many:
        client.get("/labs/financelab")
    assert many.count == few.count


def test_the_question_header_names_the_collective_once(app, cast):
    question = ask(cast.member)
    client = app.test_client()
    login(client, "lid2@example.org")
    page = text(client.get(f"/labs/financelab/vragen/{question.id}"))
    header = page[page.index("Gesteld door"):page.index("</p>", page.index("Gesteld door"))]
    assert "Anna de Vries" in header
    assert header.count("Energiecoöperatie De Windvang") == 1
