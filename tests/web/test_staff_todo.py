"""Moderators see in the header how much waits for them, with what it is for screen readers."""
from datetime import timedelta

from app.extensions import db
from app.models.public import ContactMessage
from app.timeutil import utcnow
from tests.factories import ask, cheap_passwords, make_user, submitted_scan
from tests.fixtures.labs import LabCast
from tests.support import login, text


def header(client, path="/"):
    page = text(client.get(path))
    return page[page.index("<header"):page.index("</header>")]


def test_the_header_counts_what_waits_for_staff_and_only_for_staff(app, client):
    cast = LabCast()
    old = ask(cast.member)
    old.created_at = utcnow() - timedelta(days=14)  # unanswered for more than five working days
    submitted_scan()
    db.session.add(ContactMessage(name="Iemand", email="iemand@example.org", subject="Vraag",
                                  message="Hoe werkt aanmelden precies?"))
    db.session.commit()
    cheap_passwords(cast.moderator, cast.member)
    login(client, "mod@example.org")
    top = header(client)
    assert 'site-todo-count' in top
    assert '<span aria-hidden="true">3</span>' in top
    for words in ("1 zelfscan te beoordelen", "1 labvraag zonder antwoord", "1 contactbericht"):
        assert words in top, words
    member = app.test_client()
    login(member, "lid@example.org")
    assert "site-todo-count" not in header(member)
    assert "site-todo-count" not in header(app.test_client())


def test_no_count_when_nothing_waits(app, client):
    moderator = make_user(email="mod@example.org", name="Mo", role="moderator")
    cheap_passwords(moderator)
    login(client, "mod@example.org")
    assert "site-todo-count" not in header(client)
