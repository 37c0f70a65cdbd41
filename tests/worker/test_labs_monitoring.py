"""Keeping lab questions moving: the reminder to accept an answer, the moderators' list of
questions nobody answered, and a lab notification e-mail delivered to a real SMTP server."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.labs import services
from app.mail import deliver_due
from app.models.labs import LabQuestion
from app.notifications import send_notification_emails
from app.timeutil import utcnow
from app.workdays import is_working_day, local_today, start_of_local_day, working_days_between
from tests.factories import answer, ask
from tests.fixtures.labs import LabCast, question_path
from tests.support import isolated_client, login, notifications, reload, submit, text


@pytest.fixture
def cast():
    return LabCast()


def client_for(app, email):
    new_client = isolated_client(app)
    response = login(new_client, email)
    assert response.status_code == 302, text(response)
    return new_client


# -- reminders -------------------------------------------------------------------------------------

def test_reminder_after_a_week_exactly_once(cast):
    now = utcnow()
    stale = ask(cast.member, title="Een vraag met een oud antwoord", now=now - timedelta(days=10))
    answer(cast.partner, stale, now=now - timedelta(days=7))
    fresh = ask(cast.member, title="Een vraag met een vers antwoord", now=now - timedelta(days=10))
    answer(cast.partner, fresh, now=now - timedelta(days=6, hours=23))
    solved = ask(cast.member, title="Een opgeloste vraag van vorige maand", now=now - timedelta(days=30))
    services.accept_answer(cast.member, answer(cast.partner, solved, now=now - timedelta(days=20)))
    ask(cast.member, title="Een vraag zonder enig antwoord", now=now - timedelta(days=30))
    db.session.commit()

    assert services.send_accept_reminders(now=now) == 1
    [note] = notifications(cast.member, "lab_reminder")
    assert "Heeft een antwoord op je vraag “Een vraag met een oud antwoord” geholpen?" in note.text
    assert "Markeer het dan als geaccepteerd" in note.text
    assert note.url == question_path(stale)
    assert reload(LabQuestion, stale.id).accept_reminder_sent_at is not None

    assert services.send_accept_reminders(now=now) == 0
    assert services.send_accept_reminders(now=now + timedelta(days=30)) == 1  # the fresh one, later
    assert len(notifications(cast.member, "lab_reminder")) == 2


# -- monitoring ------------------------------------------------------------------------------------

def working_days_back(days, now=None):
    """A moment (naive UTC, noon in Amsterdam) exactly `days` working days before today."""
    day, counted = local_today(now), 0
    while counted < days:
        day -= timedelta(days=1)
        if is_working_day(day + timedelta(days=1)):
            counted += 1
    return start_of_local_day(day) + timedelta(hours=10)


def test_moderators_see_open_questions_after_five_working_days(app, cast):
    late = ask(cast.member, title="Al zes werkdagen zonder antwoord", now=working_days_back(6))
    ask(cast.member, title="Pas twee werkdagen oud", now=working_days_back(2))
    answered = ask(cast.member, title="Oud maar wel beantwoord", now=working_days_back(9))
    answer(cast.partner, answered)
    science = ask(cast.member, "sciencelab", title="Sciencelab-vraag zonder antwoord",
                  now=working_days_back(7))
    assert working_days_between(late.created_at, utcnow()) == 6

    moderator = client_for(app, "mod@example.org")
    page = text(moderator.get("/beheer/labvragen"))
    assert "Al zes werkdagen zonder antwoord" in page and "Sciencelab-vraag" in page
    assert "Pas twee werkdagen oud" not in page and "Oud maar wel beantwoord" not in page
    assert page.index("Sciencelab-vraag") < page.index("Al zes werkdagen")  # oldest first
    assert "6 werkdagen" in page and "7 werkdagen" in page
    assert "Energiecoöperatie De Windvang" in page

    per_lab = text(moderator.get("/beheer/labvragen/financelab"))
    assert "Al zes werkdagen zonder antwoord" in per_lab and science.title not in per_lab
    assert moderator.get("/beheer/labvragen/bestaat-niet").status_code == 404


def test_the_monitoring_page_is_for_moderators(app, cast):
    for email in ("lid@example.org", "financier@example.org"):
        assert client_for(app, email).get("/beheer/labvragen").status_code == 403
    assert isolated_client(app).get("/beheer/labvragen").status_code == 302


# -- e-mail through a real SMTP server -------------------------------------------------------------

def test_answer_notification_is_delivered_by_smtp(app, cast, running_smtp_server):
    question = ask(cast.member)
    partner = client_for(app, "financier@example.org")
    submit(partner, question_path(question, "/beantwoorden"), {"answer": "Probeer een **ledenlening**."},
           page=question_path(question))
    # The partners' new-question e-mails and the asker's answer e-mail go out in the round.
    send_notification_emails(now=utcnow() + timedelta(minutes=5))
    sent, failed = deliver_due()
    assert failed == 0 and sent >= 1
    mails = {m["To"]: m for m in running_smtp_server.messages}
    mail = mails["lid@example.org"]
    subject = " ".join(mail["Subject"].split())  # unfolded
    assert subject == ("Petra Geldmans (Fonds Groene Energie) beantwoordde je vraag "
                       "“Hoe financieren we een buurtbatterij?”")
    plain = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"http://localhost{question_path(question)}#antwoord-" in plain
    assert "Probeer een ledenlening." in plain
    assert mail["List-Unsubscribe"].startswith("<http://localhost/meldingen/afmelden/")


# -- unit tests of the pieces ---------------------------------------------------------------------

def test_unanswered_cutoff_skips_weekends_and_holidays():
    from datetime import date, datetime

    from app.labs.queries import unanswered_cutoff

    now = datetime(2026, 4, 30, 10, 0)  # a Thursday; Monday 27 April is King's Day
    assert unanswered_cutoff(now) == start_of_local_day(date(2026, 4, 23))
    # The cutoff agrees with working_days_between for every hour of the weeks before.
    for hours in range(0, 24 * 21):
        asked = now - timedelta(hours=hours)
        assert (asked < unanswered_cutoff(now)) is (working_days_between(asked, now) >= 5), asked


def test_unaccept_of_an_answer_that_is_not_accepted_changes_nothing(cast):
    question = ask(cast.member)
    reply = answer(cast.partner, question)
    assert services.unaccept_answer(cast.member, reply) is False
    assert reload(LabQuestion, question.id).status == "beantwoord"


def test_changing_only_the_research_flag_keeps_no_revision(cast):
    from tests.fixtures.labs import revisions

    question = ask(cast.member)
    assert services.edit_question(cast.member, question, question.title, question.body_source,
                                  question.context_source, True) is True
    db.session.commit()
    question = reload(LabQuestion, question.id)
    assert question.is_research and question.edited_at is None and revisions() == []
    assert services.edit_question(cast.member, question, question.title, question.body_source,
                                  question.context_source, True) is False


def test_a_response_cannot_be_accepted_by_the_service(cast):
    from tests.factories import respond

    question = ask(cast.member)
    response = respond(cast.member2, question)
    with pytest.raises(services.LabError):
        services.accept_answer(cast.member, response)


def test_nobody_is_told_about_their_own_answer_or_response(cast):
    from tests.factories import respond

    question = ask(cast.member)
    answer(cast.moderator, question)  # a moderator answers
    respond(cast.member, question)    # the asker responds: the moderator who answered is told
    assert [n.user_id for n in notifications(kind="lab_response")] == [cast.moderator.id]
    assert notifications(cast.member, "lab_response") == []
