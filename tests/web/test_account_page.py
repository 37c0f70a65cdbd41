"""/account brings together what a person can change about themself."""
from app.extensions import db
from app.models.collectives import Collective
from tests.factories import make_user
from tests.support import login


def test_account_page_links_settings_privacy_and_collective(client):
    collective = Collective(name="Zon Zuid", slug="zon-zuid", sector="energie", municipality="Ede")
    db.session.add(collective)
    db.session.flush()
    make_user(email="a@example.org", collective_id=collective.id)
    login(client, "a@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/account/meldingen"' in page
    assert 'href="/account/mijn-gegevens"' in page and 'href="/account/verwijderen"' in page
    assert 'href="/collectieven/zon-zuid/dashboard"' in page
