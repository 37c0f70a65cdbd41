"""The audit log in Dutch: a description per action with its code, and a filter by kind."""
from app.extensions import db
from app.models.audit import record
from tests.factories import cheap_passwords, make_user
from tests.support import login, text


def test_the_audit_log_describes_actions_in_dutch_and_filters_by_kind(app, client, moderator):
    cheap_passwords(moderator)
    target = make_user(email="bram@example.org", name="Bram")
    record(moderator, "member.suspend", target, "Bram (bram@example.org) geschorst")
    record(moderator, "forum.hide_post", None, "Bericht 3 verborgen")
    db.session.commit()
    login(client, "moderator@example.org")
    page = text(client.get("/beheer/audit"))
    assert "Lid geschorst" in page and "member.suspend" in page
    assert "Bericht verborgen" in page
    only = text(client.get("/beheer/audit?actie=member.suspend"))
    assert "Bram (bram@example.org) geschorst" in only and "Bericht 3 verborgen" not in only
    assert 'value="member.suspend" selected' in only
    for odd in ("nonsense", "", "member.suspend%00", "x" * 500):
        response = client.get(f"/beheer/audit?actie={odd}")
        assert response.status_code == 200 and "Bericht 3 verborgen" in text(response)
    empty = text(client.get("/beheer/audit?actie=selfscan.reject"))
    assert "Er zijn geen acties van deze soort vastgelegd." in empty
