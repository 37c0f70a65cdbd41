"""The demo has profiles: texts for the demo accounts, and a few drawn photos served to members."""
import io

import pytest
from PIL import Image

from app.demo import DEMO_ACCOUNTS, seed_demo
from app.extensions import db
from app.models.accounts import User
from app.slugs import person_slug
from tests.support import isolated_client, login, text

pytestmark = pytest.mark.slow  # seeds the whole demo site


def test_demo_accounts_have_profiles_and_some_photos(app):
    made = seed_demo()
    db.session.commit()
    assert made["profile texts"] >= len(DEMO_ACCOUNTS) and made["profile photos"] >= 3
    people = {person.email: person for person in db.session.execute(db.select(User)).scalars()}
    for email, _, _ in DEMO_ACCOUNTS:
        assert people[email].bio_html.startswith("<p>"), email
    lotte = people["lid@example.org"]
    assert lotte.avatar_name
    client = isolated_client(app)
    assert login(client, "lid2@example.org", "Kracht-demo-2026").status_code == 302
    page = text(client.get(f"/leden/{lotte.id}-{person_slug(lotte.name)}"))
    assert "Vertegenwoordiger van Energiecoöperatie Zonnedorp" in page
    assert "docent natuurkunde" in page
    photo = client.get(f"/leden/{lotte.id}/foto/{lotte.avatar_name}")
    assert photo.status_code == 200
    assert Image.open(io.BytesIO(photo.data)).size == (256, 256)
