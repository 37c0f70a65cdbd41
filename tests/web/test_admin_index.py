"""/beheer: the moderators' start page with what waits for them."""
from datetime import timedelta

from app.extensions import db
from app.models.collectives import Collective, JoinRequest
from app.timeutil import utcnow
from tests.factories import make_user, submitted_scan
from tests.support import login


def test_visitor_is_sent_to_login_and_member_refused(client):
    assert client.get("/beheer").status_code == 302
    make_user(email="lid@example.org")
    login(client, "lid@example.org")
    assert client.get("/beheer").status_code == 403


def test_tiles_count_what_waits(client, moderator):
    submitted_scan(name="Zon Zuid")
    late = submitted_scan(name="Wind West")
    late.due_at = utcnow() - timedelta(days=2)
    collective = Collective(name="Buurt", slug="buurt", sector="energie", municipality="Ede")
    db.session.add(collective)
    applicant = make_user(email="nieuw@example.org")
    db.session.add(JoinRequest(user_id=applicant.id, collective=collective))
    db.session.commit()
    login(client, moderator.email)
    page = client.get("/beheer").get_data(as_text=True)
    assert "2 wachten op beoordeling" in page
    assert "1 te laat" in page
    assert "1 aanvragen om lid te worden" in page
    for link in ("/beheer/zelfscans", "/beheer/leden", "/beheer/contact", "/beheer/audit"):
        assert f'href="{link}"' in page
