"""The labs through the test client: asking, answering, responding, accepting, editing with
history, the Belgian notice, limits, reminders and the moderators' list (the lab pages themselves,
with their filters and pages, are in test_labs_pages.py)."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.forum import services as forum_services
from app.labs import services
from app.models.forum import ForumGroup
from app.models.labs import LabQuestion, LabReply
from app.models.outbox import OutboxMessage
from app.notifications import send_notification_emails
from app.timeutil import utcnow
from tests.factories import answer, ask, make_collective, quick_user, respond
from tests.fixtures.labs import (
    LabCast, days_ago, question_path, questions, replies_of, reply_path, revisions,
)
from tests.fixtures.search import index_now
from tests.support import (
    QueryCounter, csrf_token, isolated_client, login, notifications, reload, submit, text,
)

ASK = "/labs/financelab/vragen/nieuw"
QUESTION = {
    "title": "Hoe financieren we een buurtbatterij?",
    "body": "We willen een **buurtbatterij** kopen voor 40 huishoudens. Hoe pakken we dat aan?",
    "context": "We zijn een energiecoöperatie met 300 leden in Utrecht.",
}


@pytest.fixture
def cast():
    return LabCast()


def client_for(app, email):
    new_client = isolated_client(app)
    response = login(new_client, email)
    assert response.status_code == 302, text(response)
    return new_client


# -- the whole journey -----------------------------------------------------------------------------

def test_ask_answer_respond_accept(app, client, cast):
    # A member asks on behalf of her collective.
    login(client, "lid@example.org")
    form = text(client.get(ASK))
    assert "namens <strong>Energiecoöperatie De Windvang</strong>" in form
    response = submit(client, ASK, {**QUESTION, "is_research": "y"})
    assert response.status_code == 302
    [question] = questions()
    assert response.headers["Location"] == question_path(question)
    assert (question.collective_id, question.author_id) == (cast.collective.id, cast.member.id)
    assert question.status == "open" and question.is_research and question.answer_count == 0
    assert "<strong>buurtbatterij</strong>" in question.body_html
    assert "300 leden" in question.context_html
    # Every partner of Financelab is told; nobody else.
    told = {n.user_id for n in notifications(kind="lab_question")}
    assert told == {cast.partner.id, cast.partner2.id}
    [note] = notifications(cast.partner, "lab_question")
    assert note.url == question_path(question)
    assert "Financelab" in note.text and "Energiecoöperatie De Windvang" in note.text
    assert "buurtbatterij" in note.excerpt and note.mail_state == "pending"

    # The partner answers.
    partner = client_for(app, "financier@example.org")
    page = text(partner.get(question_path(question)))
    assert "Beantwoorden" in page and 'name="answer"' in page
    assert 'name="response"' not in page
    response = submit(partner, question_path(question, "/beantwoorden"),
                      {"answer": "Begin met een **ledenlening**."}, page=question_path(question))
    assert response.status_code == 302
    [reply] = replies_of(question)
    assert response.headers["Location"] == question_path(question) + f"#antwoord-{reply.id}"
    assert (reply.kind, reply.organisation_id) == ("answer", cast.fonds.id)
    question = reload(LabQuestion, question.id)
    assert question.status == "beantwoord" and question.answer_count == 1
    assert question.first_answer_at is not None
    [note] = notifications(cast.member, "lab_answer")
    assert "Petra Geldmans (Fonds Groene Energie)" in note.text
    assert note.url.endswith(f"#antwoord-{reply.id}")

    # The page shows the partner badge and organisation.
    page = text(client.get(question_path(question)))
    assert "Petra Geldmans" in page and "lab-partner-badge" in page and "Fonds Groene Energie" in page
    assert "<strong>ledenlening</strong>" in page
    assert "Dit antwoord heeft geholpen" in page

    # A fellow member responds; the asker and the partner are told.
    bert = client_for(app, "lid2@example.org")
    response = submit(bert, question_path(question, "/reageren"),
                      {"response": "Hoe hoog mag zo'n lening zijn?"}, page=question_path(question))
    assert response.status_code == 302
    assert [r.kind for r in replies_of(question)] == ["answer", "response"]
    assert {n.user_id for n in notifications(kind="lab_response")} == {cast.member.id, cast.partner.id}
    assert reload(LabQuestion, question.id).answer_count == 1  # a response is no answer

    # The asker accepts the answer.
    response = submit(client, reply_path(reply, "accepteren"), {}, page=question_path(question))
    assert response.status_code == 302
    question = reload(LabQuestion, question.id)
    assert question.status == "opgelost" and question.solved_at is not None
    accepted = reload(LabReply, reply.id)
    assert accepted.accepted_at is not None and accepted.accepted_by_id == cast.member.id
    [note] = notifications(cast.partner, "lab_accepted")
    assert "Anna de Vries" in note.text

    # The partner sees it marked, first.
    page = text(partner.get(question_path(question)))
    assert page.index("Geaccepteerd antwoord") < page.index("Hoe hoog mag")
    assert 'text-bg-success lab-status">Opgelost<' in page


def test_partners_get_email_about_a_new_question_per_their_settings(cast):
    cast.partner2.notify_email = "off"
    db.session.commit()
    question = ask(cast.member)
    assert send_notification_emails(now=utcnow() + timedelta(minutes=5)) == 1
    [mail] = db.session.execute(db.select(OutboxMessage)).scalars().all()
    assert mail.recipient == "financier@example.org"
    assert question_path(question) in mail.body_text


def test_accepted_answer_is_shown_first(client, cast):
    question = ask(cast.member)
    first = answer(cast.partner, question, "Het eerste antwoord", now=days_ago(3))
    answer(cast.partner2, question, "Het tweede antwoord", now=days_ago(2))
    respond(cast.member, question, "Een reactie van het collectief", now=days_ago(1))
    second = replies_of(question)[1]
    services.accept_answer(cast.member, second)
    db.session.commit()
    login(client, "lid@example.org")
    page = text(client.get(question_path(question)))
    order = [page.index(t) for t in ("Het tweede antwoord", "Het eerste antwoord", "Een reactie van")]
    assert order == sorted(order)
    assert page.count("Geaccepteerd antwoord") == 1
    assert first.id != second.id


def test_accepting_another_answer_moves_the_mark(app, client, cast):
    question = ask(cast.member)
    first = answer(cast.partner, question, "Antwoord van Petra")
    second = answer(cast.partner2, question, "Antwoord van Bas")
    login(client, "lid2@example.org")  # a fellow member may accept too
    for reply in (first, second):
        response = submit(client, reply_path(reply, "accepteren"), {}, page=question_path(question))
        assert response.status_code == 302
    first, second = reload(LabReply, first.id), reload(LabReply, second.id)
    assert first.accepted_at is None and second.accepted_at is not None
    assert reload(LabQuestion, question.id).status == "opgelost"
    assert len(notifications(cast.partner, "lab_accepted")) == 1
    assert len(notifications(cast.partner2, "lab_accepted")) == 1
    # Accepting the accepted one again changes nothing.
    submit(client, reply_path(second, "accepteren"), {}, page=question_path(question))
    assert len(notifications(cast.partner2, "lab_accepted")) == 1


def test_unaccept_puts_the_question_back_to_answered(client, cast):
    question = ask(cast.member)
    reply = answer(cast.partner, question)
    services.accept_answer(cast.member, reply)
    db.session.commit()
    login(client, "lid@example.org")
    page = text(client.get(question_path(question)))
    assert "Niet meer accepteren" in page
    response = submit(client, reply_path(reply, "niet-accepteren"), {}, page=question_path(question))
    assert response.status_code == 302
    question = reload(LabQuestion, question.id)
    assert question.status == "beantwoord" and question.solved_at is None
    assert reload(LabReply, reply.id).accepted_at is None
    assert "Geaccepteerd antwoord" not in text(client.get(question_path(question)))


def test_a_response_cannot_be_accepted(client, cast):
    question = ask(cast.member)
    answer(cast.partner, question)
    response_reply = respond(cast.member2, question)
    login(client, "lid@example.org")
    response = submit(client, reply_path(response_reply, "accepteren"), {}, page=question_path(question))
    assert response.status_code == 302
    assert reload(LabQuestion, question.id).status == "beantwoord"
    assert reload(LabReply, response_reply.id).accepted_at is None
    assert "Alleen een antwoord" in text(client.get(question_path(question)))


def test_every_answer_notifies_the_asker_and_only_the_first_sets_the_status(cast):
    question = ask(cast.member)
    answer(cast.partner, question, now=days_ago(2))
    first_at = reload(LabQuestion, question.id).first_answer_at
    answer(cast.partner2, question, now=days_ago(1))
    question = reload(LabQuestion, question.id)
    assert question.answer_count == 2 and question.first_answer_at == first_at
    assert len(notifications(cast.member, "lab_answer")) == 2


def test_moderator_answers_without_an_organisation(app, cast):
    question = ask(cast.member)
    moderator = client_for(app, "mod@example.org")
    submit(moderator, question_path(question, "/beantwoorden"), {"answer": "Kijk eens in de kennisbank."},
           page=question_path(question))
    [reply] = replies_of(question)
    assert reply.kind == "answer" and reply.organisation_id is None
    assert reload(LabQuestion, question.id).status == "beantwoord"
    page = text(moderator.get(question_path(question)))
    assert "Moderator</span>" in page


def test_organisation_on_an_answer_stays_when_the_partner_moves_on(client, cast):
    question = ask(cast.member)
    answer(cast.partner, question)
    cast.partner.partner_organisation_id = cast.bank.id
    db.session.commit()
    login(client, "lid@example.org")
    page = text(client.get(question_path(question)))
    assert "Fonds Groene Energie" in page


# -- writing: previews, limits ---------------------------------------------------------------------

def test_preview_shows_the_question_without_saving_it(client, cast):
    login(client, "lid@example.org")
    response = submit(client, ASK, {**QUESTION, "preview": "Voorbeeld"})
    assert response.status_code == 200
    page = text(response)
    assert "Voorbeeld (nog niet opgeslagen)" in page and "<strong>buurtbatterij</strong>" in page
    assert "We zijn een energiecoöperatie met 300 leden" in page  # the text stays in the form
    assert questions() == [] and notifications() == []


def test_answer_preview_does_not_save(app, cast):
    question = ask(cast.member)
    partner = client_for(app, "financier@example.org")
    response = submit(partner, question_path(question, "/beantwoorden"),
                      {"answer": "Een *voorlopig* antwoord", "answer_preview": "Voorbeeld"},
                      page=question_path(question))
    assert response.status_code == 200
    assert "<em>voorlopig</em>" in text(response) and replies_of(question) == []


def test_posting_limit_counts_lab_posts_and_keeps_the_text_but_not_forum_posts(client, cast):
    group = ForumGroup(name="Energie", slug="energie")
    db.session.add(group)
    db.session.commit()
    forum_services.create_thread(cast.member, group, "Net een discussie gestart", "Hallo allemaal")
    db.session.commit()
    login(client, "lid@example.org")
    # A forum post a moment ago does not hold up a lab question …
    assert submit(client, ASK, QUESTION).status_code == 302
    # … but a second lab question right after the first is held, with its text kept.
    second = dict(QUESTION, title="Nog een vraag over een buurtbatterij")
    response = submit(client, ASK, second)
    assert response.status_code == 429
    page = text(response)
    assert "Je plaatste net al een bericht in de labs" in page and "Nog een vraag over een buurtbatterij" in page
    assert len(questions()) == 1


def test_flood_of_posts_hits_the_rate_limit(client, cast):
    login(client, "lid@example.org")
    token = csrf_token(client, ASK)
    statuses = [client.post(ASK, data={**QUESTION, "preview": "Voorbeeld", "csrf_token": token}).status_code
                for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


# -- editing keeps history -------------------------------------------------------------------------

def test_editing_a_question_keeps_the_old_version(app, client, cast):
    question = ask(cast.member, title="Een eerste versie van de titel")
    login(client, "lid@example.org")
    edit = question_path(question, "/bewerken")
    assert QUESTION["title"] not in text(client.get(edit))
    response = submit(client, edit, {**QUESTION, "title": "Een betere titel voor de vraag"})
    assert response.status_code == 302
    question = reload(LabQuestion, question.id)
    assert question.title == "Een betere titel voor de vraag" and question.edit_count == 1
    [revision] = revisions()
    assert revision.question_id == question.id and revision.title == "Een eerste versie van de titel"
    assert revision.editor_id == cast.member.id
    assert "bewerkt op" in text(client.get(question_path(question)))
    # Saving the same again changes nothing.
    submit(client, edit, {**QUESTION, "title": "Een betere titel voor de vraag"})
    assert len(revisions()) == 1
    # Moderators see the history; the asker does not.
    assert client.get(question_path(question, "/geschiedenis")).status_code == 403
    moderator = client_for(app, "mod@example.org")
    history = text(moderator.get(question_path(question, "/geschiedenis")))
    assert "Een eerste versie van de titel" in history and "Anna de Vries" in history


def test_editing_an_answer_keeps_the_old_version(app, cast):
    question = ask(cast.member)
    reply = answer(cast.partner, question, "Mijn eerste antwoord")
    partner = client_for(app, "financier@example.org")
    path = reply_path(reply, "bewerken")
    assert "Mijn eerste antwoord" in text(partner.get(path))
    response = submit(partner, path, {"body": "Mijn verbeterde antwoord"})
    assert response.status_code == 302
    reply = reload(LabReply, reply.id)
    assert reply.body_source == "Mijn verbeterde antwoord" and reply.edited_at is not None
    [revision] = revisions()
    assert revision.reply_id == reply.id and revision.body_source == "Mijn eerste antwoord"
    page = text(partner.get(question_path(question)))
    assert "bewerkt op" in page and "Mijn verbeterde antwoord" in page
    moderator = client_for(app, "mod@example.org")
    assert "Mijn eerste antwoord" in text(moderator.get(question_path(question, "/geschiedenis")))


def test_moderator_edit_is_audited(app, cast):
    from app.models.audit import AuditLog

    question = ask(cast.member)
    moderator = client_for(app, "mod@example.org")
    submit(moderator, question_path(question, "/bewerken"),
           {**QUESTION, "title": "Door de moderator verbeterd"})
    [entry] = db.session.execute(db.select(AuditLog)).scalars().all()
    assert entry.action == "labs.edit_question" and entry.actor_id == cast.moderator.id


# -- Belgian collectives ---------------------------------------------------------------------------

@pytest.mark.parametrize("slug, notice", [("financelab", True), ("overheidslab", True),
                                          ("sciencelab", False), ("netwerklab", False)])
def test_belgian_collective_sees_the_notice_on_the_ask_form(client, slug, notice):
    gent = make_collective("Voedselbos Gent", slug="gent", sector="voedsel", municipality="Gent",
                           province="Oost-Vlaanderen", country="BE")
    quick_user("gent@example.org", collective=gent)
    login(client, "gent@example.org")
    response = client.get(f"/labs/{slug}/vragen/nieuw")
    assert response.status_code == 200
    assert ("Jullie collectief komt uit België" in text(response)) is notice


def test_dutch_collective_sees_no_belgian_notice(client, cast):
    login(client, "lid@example.org")
    page = text(client.get(ASK))
    assert "Nederlandse situatie" in page and "België" not in page


def test_belgian_collective_may_still_ask_in_financelab(client):
    gent = make_collective("Voedselbos Gent", slug="gent", country="BE", municipality="Gent")
    quick_user("gent@example.org", collective=gent)
    login(client, "gent@example.org")
    assert submit(client, ASK, QUESTION).status_code == 302
    assert questions()[0].collective_id == gent.id


# -- the wrong lab in the address ------------------------------------------------------------------

def test_question_under_another_lab_redirects_to_its_own(client, cast):
    question = ask(cast.member)
    login(client, "lid@example.org")
    response = client.get(f"/labs/sciencelab/vragen/{question.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == question_path(question)


def test_question_page_queries_do_not_grow_with_the_replies(client, cast):
    question = ask(cast.member)
    path = question_path(question)
    answer(cast.partner, question)
    login(client, "lid@example.org")
    client.get(path)
    with QueryCounter() as few:
        client.get(path)
    for n in range(6):
        answer(cast.partner2 if n % 2 else cast.partner, question, f"Antwoord {n}")
        respond(cast.member2 if n % 2 else cast.representative, question, f"Reactie {n}")
    services.accept_answer(cast.member, replies_of(question)[3])
    db.session.commit()
    index_now()  # (the similar questions' search would apply the waiting index jobs first)
    with QueryCounter() as many:
        page = text(client.get(path))
    assert many.count == few.count
    assert page.count('class="card mb-3 lab-reply') == 13


def test_the_pause_between_posts_counts_per_place_the_daily_maximum_for_both(cast):
    from app.accounts.limits import FORUM, LABS, PostingLimit, check_posting_limit

    ask(cast.member)  # just now, in the labs
    with pytest.raises(PostingLimit, match="Je plaatste net al een bericht in de labs"):
        check_posting_limit(cast.member, place=LABS)
    check_posting_limit(cast.member, place=FORUM)  # a forum reply right after is fine
    with pytest.raises(PostingLimit):
        check_posting_limit(cast.member)  # everything together: still counted
