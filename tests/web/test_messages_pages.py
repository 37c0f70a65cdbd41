"""Long conversations come in pages: a conversation opens at its first unread message (else at its
newest page, with the reply form), reading a page marks just that page read, the reply form and its
errors live on the last page, and a page costs as many statements however long the conversation."""
import re
from datetime import timedelta

import pytest

from app import messages
from app.extensions import db
from app.models.messages import ConversationMember
from app.timeutil import utcnow
from tests.fixtures.forum import Cast
from tests.support import QueryCounter, isolated_client, login, submit, text

PER_PAGE = 3


@pytest.fixture
def cast(monkeypatch):
    monkeypatch.setattr(messages, "MESSAGES_PER_PAGE", PER_PAGE)
    return Cast()


def as_person(app, email):
    client = isolated_client(app)
    assert login(client, email).status_code == 302
    return client


def conversation_of(cast, count, start=None):
    """Anna writes to Bert: `count` messages, a minute apart, "Bericht 1" … """
    start = start or utcnow() - timedelta(days=1)
    talk = messages.start_conversation(cast.member, [cast.member2], "Lang gesprek", "Bericht 1",
                                       now=start)
    for number in range(2, count + 1):
        messages.reply(cast.member, talk, f"Bericht {number}", now=start + timedelta(minutes=number))
    db.session.commit()
    return talk


def shown(page):
    return [int(n) for n in re.findall(r"<p>Bericht (\d+)</p>", page)]


def new_ones(page):
    return page.count('<span class="badge text-bg-primary ms-1">nieuw</span>')


def bert_read_until(cast, talk):
    db.session.expire_all()
    return db.session.execute(db.select(ConversationMember.last_read_at).where(
        ConversationMember.conversation_id == talk.id,
        ConversationMember.user_id == cast.member2.id)).scalar_one()


def test_a_conversation_opens_at_the_first_unread_message_and_reads_page_by_page(app, cast):
    talk = conversation_of(cast, 8)
    bert = as_person(app, "lid2@example.org")
    path = f"/berichten/{talk.id}"
    page = text(bert.get(path))
    assert shown(page) == [1, 2, 3] and new_ones(page) == 3
    assert "Pagina 1 van 3" in page and "8 berichten" in page
    assert f'href="{path}?pagina=2"' in page  # the pager
    # Not the last page: no reply form, a link to the newest page's form instead.
    assert 'action="/berichten/%d/reageren"' % talk.id not in page
    assert f'href="{path}?pagina=3#antwoorden"' in page
    assert "1 ongelezen gesprek" in text(bert.get("/berichten"))  # pages 2 and 3 are unread

    page = text(bert.get(path))  # opens where he stopped
    assert shown(page) == [4, 5, 6] and new_ones(page) == 3
    page = text(bert.get(path))
    assert shown(page) == [7, 8] and 'action="/berichten/%d/reageren"' % talk.id in page
    assert "geen ongelezen berichten" in text(bert.get("/berichten"))

    # Everything read: the newest page, nothing marked new; an older page unreads nothing.
    page = text(bert.get(path))
    assert shown(page) == [7, 8] and new_ones(page) == 0
    read_until = bert_read_until(cast, talk)
    page = text(bert.get(f"{path}?pagina=1"))
    assert shown(page) == [1, 2, 3] and new_ones(page) == 0
    assert bert_read_until(cast, talk) == read_until


def test_the_writer_opens_at_the_newest_page_and_replies_land_there(app, cast):
    talk = conversation_of(cast, 7)
    anna = as_person(app, "lid@example.org")
    path = f"/berichten/{talk.id}"
    page = text(anna.get(path))
    assert shown(page) == [7] and "Pagina 3 van 3" in page and new_ones(page) == 0
    response = submit(anna, f"{path}/reageren", {"body": "Bericht 8"}, page=path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(path + "#bericht-")
    page = text(anna.get(location))
    assert shown(page) == [7, 8] and 'id="%s"' % location.split("#")[1] in page

    # A reply that is refused comes back on the newest page with the form and its message.
    response = submit(anna, f"{path}/reageren", {"body": ""}, page=path)
    assert response.status_code == 400
    page = text(response)
    assert "Schrijf eerst je bericht." in page and shown(page) == [7, 8]


def test_pages_past_the_end_and_a_moderator_at_the_reported_message(app, cast):
    talk = conversation_of(cast, 7)
    bert = as_person(app, "lid2@example.org")
    page = text(bert.get(f"/berichten/{talk.id}?pagina=99"))
    assert "Deze pagina bestaat niet" in page and shown(page) == []
    assert bert_read_until(cast, talk) is None  # nothing was shown, nothing read

    reported = db.session.execute(db.select(messages.Message).where(
        messages.Message.body_source == "Bericht 5")).scalar_one()
    messages.report_message(cast.member2, reported, "Niet aardig")
    db.session.commit()
    moderator = as_person(app, "mod@example.org")
    page = text(moderator.get(f"/berichten/{talk.id}"))
    assert shown(page) == [4, 5, 6] and "Melding afhandelen" in page
    assert new_ones(page) == 0 and "Antwoorden" not in page


def statements(client, path):
    with QueryCounter() as counter:
        response = client.get(path)
    assert response.status_code == 200, text(response)
    return counter.count


def test_a_page_costs_the_same_statements_however_long_the_conversation(app, cast):
    short = conversation_of(cast, 4)  # two pages
    long = conversation_of(cast, 30)  # ten pages
    bert = as_person(app, "lid2@example.org")
    # Opening at the first unread page, which is then marked read (a write each time).
    opening = [statements(bert, f"/berichten/{talk.id}") for talk in (short, long)]
    assert opening[0] == opening[1]
    # A page asked for, nothing new on it.
    asked = [statements(bert, f"/berichten/{talk.id}?pagina=1") for talk in (short, long)]
    assert asked[0] == asked[1]
    # The newest page, with the reply form, as it opens once everything is read.
    for talk in (short, long):
        for _ in range(12):
            bert.get(f"/berichten/{talk.id}")
    newest = [statements(bert, f"/berichten/{talk.id}") for talk in (short, long)]
    assert newest[0] == newest[1]
    # session, person, membership, opening page, count, page, participants, blocks, (marker write)
    assert max(opening + asked + newest) <= 10, (opening, asked, newest)
