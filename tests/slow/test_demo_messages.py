"""The demo has a few private conversations between demo accounts; lid@example.org has one unread."""
import pytest

from app.demo import seed_demo
from app.extensions import db
from app.models.notifications import MAIL_SKIPPED, Notification
from tests.support import isolated_client, login, text

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_hashing")]  # seeds the whole demo


def test_demo_conversations(app):
    made = seed_demo()
    db.session.commit()
    assert made["conversations"] == 3 and made["private messages"] == 6
    notes = db.session.execute(db.select(Notification).where(
        Notification.kind == "message")).scalars().all()
    assert notes and all(note.mail_state == MAIL_SKIPPED for note in notes)
    client = isolated_client(app)
    assert login(client, "lid@example.org", "Kracht-demo-2026").status_code == 302
    page = text(client.get("/berichten"))
    assert "1 ongelezen gesprek" in page
    assert "Vrijwilligers voor de zonnemarkt" in page and "Ledenlening voor de buurtbatterij" in page
    assert page.count(">nieuw</span>") == 1
