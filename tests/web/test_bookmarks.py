"""Bookmarks through the pages: "Bewaren" under a thread, a post and a lab question, /bewaard with
notes and reminders, changing and removing, what no longer can be read, and who may do what."""
import re
from datetime import timedelta

import pytest

from app import bookmarks
from app.extensions import db
from app.models.bookmarks import Bookmark
from app.models.forum import Post, Thread
from app.models.labs import LabQuestion
from app.privacy.export import collect_personal_data
from app.privacy.services import delete_account
from app.timeutil import utcnow
from app.workdays import local_today
from tests.factories import add_replies, answer, ask, make_group, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.fixtures.labs import question_path
from tests.support import csrf_token, isolated_client, login, reload, text


@pytest.fixture
def world():
    cast = Cast()
    thread, opening = start_thread(make_group(), cast.member, title="Zonnepanelen op het dorpshuis")
    reply = add_replies(thread, [cast.member2], 1)[0]
    question = ask(cast.member, title="Hoe financieren we een buurtbatterij?")
    return cast, thread, opening, reply, question


def as_person(app, email):
    client = isolated_client(app)
    assert login(client, email).status_code == 302
    return client


def keep(client, kind, target_id, page="/account"):
    return client.post("/bewaard/bewaren", data={"soort": kind, "doel": str(target_id),
                                                 "csrf_token": csrf_token(client, page)})


def kept(user):
    db.session.expire_all()
    return db.session.execute(db.select(Bookmark).where(Bookmark.user_id == user.id)
                              .order_by(Bookmark.id)).scalars().all()


def test_keeping_a_thread_a_post_and_a_question_and_finding_them_on_bewaard(app, world):
    cast, thread, opening, reply, question = world
    bert = as_person(app, "lid2@example.org")
    page = text(bert.get(thread_path(thread)))
    assert page.count('aria-pressed="false">Bewaren') == 3  # the thread and both posts

    response = keep(bert, "thread", thread.id)
    assert response.status_code == 302 and response.headers["Location"] == thread_path(thread)
    response = keep(bert, "post", reply.id)
    assert response.headers["Location"] == f"/forum/bericht/{reply.id}"
    assert keep(bert, "lab_question", question.id).headers["Location"] == question_path(question)
    assert keep(bert, "post", reply.id).status_code == 302  # a double click keeps it once
    assert [(b.kind, b.target_id) for b in kept(cast.member2)] == [
        ("thread", thread.id), ("post", reply.id), ("lab_question", question.id)]

    page = text(bert.get(thread_path(thread)))
    assert page.count('aria-pressed="true"><span aria-hidden="true">✓ </span>Bewaren') == 2
    assert "Notitie of herinnering" in page
    assert 'aria-pressed="true"' in text(bert.get(question_path(question)))

    listing = text(bert.get("/bewaard"))
    assert listing.index("Hoe financieren we een buurtbatterij?") < listing.index(
        "Bericht #2 van Bert Jansen") < listing.index("Zonnepanelen op het dorpshuis</a>")
    assert f'href="{thread_path(thread)}"' in listing and "Forum · Energie" in listing
    assert "Financelab" in listing


def test_a_note_and_a_reminder_with_dutch_messages_for_what_is_wrong(app, world):
    cast, thread, *_ = world
    bert = as_person(app, "lid2@example.org")
    keep(bert, "thread", thread.id)
    [bookmark] = kept(cast.member2)
    path = f"/bewaard/{bookmark.id}/bewerken"
    form = text(bert.get(path))
    assert '<label class="form-label" for="note">Notitie (niet verplicht)</label>' in form
    assert 'type="date"' in form and "om 8:00 uur een melding" in form
    token = csrf_token(bert, path)

    cases = [
        ({"note": "x" * 301, "remind_on": ""}, "Een notitie is hoogstens 300 tekens lang."),
        ({"note": "", "remind_on": local_today().isoformat()}, "Kies een datum na vandaag."),
        ({"note": "", "remind_on": "31-02-2027"}, "Vul een geldige datum in"),
        ({"note": "", "remind_on": (local_today() + timedelta(days=366 * 6)).isoformat()},
         "Kies een datum binnen 5 jaar."),
        ({"note": "verborgen\x07teken", "remind_on": ""}, "onzichtbare tekens"),
    ]
    for data, message in cases:
        response = bert.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 400 and message in text(response), data
    assert (reload(Bookmark, bookmark.id).note, reload(Bookmark, bookmark.id).remind_on) == ("", None)

    day = local_today() + timedelta(days=3)
    response = bert.post(path, data={"note": "  Lezen voor de ledenvergadering  ",
                                     "remind_on": day.isoformat(), "csrf_token": token,
                                     "terug": thread_path(thread)})
    assert response.status_code == 302 and response.headers["Location"] == thread_path(thread)
    stored = reload(Bookmark, bookmark.id)
    assert (stored.note, stored.remind_on) == ("Lezen voor de ledenvergadering", day)
    listing = text(bert.get("/bewaard"))
    assert "Lezen voor de ledenvergadering" in listing and "Herinnering op" in listing

    # A reminder date that has passed stays when only the note changes.
    stored.remind_on, stored.reminded_at = local_today() - timedelta(days=2), utcnow()
    db.session.commit()
    response = bert.post(path, data={"note": "Nieuwe notitie",
                                     "remind_on": stored.remind_on.isoformat(), "csrf_token": token})
    assert response.status_code == 302
    assert reload(Bookmark, bookmark.id).reminded_at is not None  # the same date: not again


def test_removing_from_the_page_and_from_the_list(app, world):
    cast, thread, opening, reply, question = world
    bert = as_person(app, "lid2@example.org")
    keep(bert, "thread", thread.id)
    keep(bert, "post", opening.id)
    first, second = kept(cast.member2)
    back = thread_path(thread) + "?pagina=1#bericht-1"
    response = bert.post(f"/bewaard/{second.id}/verwijderen",
                         data={"terug": back, "csrf_token": csrf_token(bert, "/bewaard")})
    assert response.status_code == 302 and response.headers["Location"] == back
    response = bert.post(f"/bewaard/{first.id}/verwijderen",
                         data={"pagina": "1", "csrf_token": csrf_token(bert, "/bewaard")})
    assert response.headers["Location"] == "/bewaard"
    assert kept(cast.member2) == []
    assert "Nog niets bewaard" in text(bert.get("/bewaard"))
    # Somewhere else to go back to is never followed.
    keep(bert, "thread", thread.id)
    [third] = kept(cast.member2)
    response = bert.post(f"/bewaard/{third.id}/verwijderen",
                         data={"terug": "//evil.example/x", "csrf_token": csrf_token(bert, "/bewaard")})
    assert response.headers["Location"] == "/bewaard"


def test_what_can_no_longer_be_read_is_listed_without_its_title(app, world):
    cast, thread, opening, reply, question = world
    bert = as_person(app, "lid2@example.org")
    for kind, target_id in (("thread", thread.id), ("post", opening.id),
                            ("lab_question", question.id)):
        keep(bert, kind, target_id)
    reload(Thread, thread.id).deleted_at = utcnow()
    reload(LabQuestion, question.id).hidden_at = utcnow()
    db.session.commit()
    listing = text(bert.get("/bewaard"))
    assert listing.count("Niet meer beschikbaar") == 3
    assert "Zonnepanelen" not in listing and "buurtbatterij" not in listing
    # A moderator still reads them, so theirs stay available.
    mo = as_person(app, "mod@example.org")
    reload(Thread, thread.id).deleted_at = None
    db.session.commit()
    keep(mo, "thread", thread.id)
    reload(Thread, thread.id).deleted_at = utcnow()
    db.session.commit()
    assert "Zonnepanelen op het dorpshuis" in text(mo.get("/bewaard"))


def test_someone_elses_bookmark_is_not_found(app, world):
    cast, thread, *_ = world
    bert = as_person(app, "lid2@example.org")
    keep(bert, "thread", thread.id)
    [bookmark] = kept(cast.member2)
    anna = as_person(app, "lid@example.org")
    assert anna.get(f"/bewaard/{bookmark.id}/bewerken").status_code == 404
    assert anna.post(f"/bewaard/{bookmark.id}/verwijderen",
                     data={"csrf_token": csrf_token(anna, "/bewaard")}).status_code == 404
    assert "Zonnepanelen" not in text(anna.get("/bewaard"))
    assert len(kept(cast.member2)) == 1


def test_who_may_keep_what(app, world):
    cast, thread, opening, reply, question = world
    visitor = isolated_client(app)
    assert visitor.get("/bewaard").status_code == 302
    response = visitor.post("/bewaard/bewaren", data={
        "soort": "thread", "doel": str(thread.id), "csrf_token": csrf_token(visitor, "/inloggen")})
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]

    outsider = as_person(app, "los@example.org")  # registered, no collective: reads no forum
    assert outsider.get("/bewaard").status_code == 200
    assert keep(outsider, "thread", thread.id).status_code == 403
    assert keep(outsider, "lab_question", question.id).status_code == 403

    bert = as_person(app, "lid2@example.org")
    assert keep(bert, "thread", 999999).status_code == 404
    assert keep(bert, "boek", thread.id).status_code == 404
    assert keep(bert, "thread", "-1").status_code == 404
    reload(Post, opening.id).hidden_at = utcnow()
    reload(LabQuestion, question.id).hidden_at = utcnow()
    db.session.commit()
    assert keep(bert, "post", opening.id).status_code == 404
    assert keep(bert, "lab_question", question.id).status_code == 404
    assert bert.post("/bewaard/bewaren", data={"soort": "thread", "doel": str(thread.id)}
                     ).status_code == 400  # no CSRF token
    assert bert.get("/bewaard/bewaren").status_code == 405
    assert kept(cast.member2) == [] and kept(cast.outsider) == []


def test_bewaard_is_paginated_newest_first(app, world, monkeypatch):
    from app.blueprints.bookmarks import routes

    cast, thread, opening, reply, question = world
    monkeypatch.setattr(routes, "PER_PAGE", 2)
    now = utcnow()
    for minutes, (kind, target_id) in enumerate((("thread", thread.id), ("post", opening.id),
                                                 ("post", reply.id))):
        bookmarks.keep(cast.member2, kind, db.session.get(
            {"thread": Thread, "post": Post}[kind], target_id), now=now + timedelta(minutes=minutes))
    db.session.commit()
    bert = as_person(app, "lid2@example.org")
    first = text(bert.get("/bewaard"))
    assert "Bericht #2" in first and "Bericht #1" in first
    assert "Zonnepanelen op het dorpshuis</a>" not in first
    assert 'href="/bewaard?pagina=2"' in first
    second = text(bert.get("/bewaard?pagina=2"))
    assert "Zonnepanelen op het dorpshuis</a>" in second
    assert "Deze pagina bestaat niet" in text(bert.get("/bewaard?pagina=9"))


def test_bookmarks_are_in_the_download_and_go_with_the_account(app, world):
    cast, thread, *_ = world
    bert = as_person(app, "lid2@example.org")
    keep(bert, "thread", thread.id)
    [bookmark] = kept(cast.member2)
    bookmarks.change(bookmark, "Mijn notitie", local_today() + timedelta(days=2))
    db.session.commit()
    data = collect_personal_data(reload(type(cast.member2), cast.member2.id))["bookmarks"]
    assert data == [{"kind": "thread", "target_id": thread.id, "note": "Mijn notitie",
                     "remind_on": (local_today() + timedelta(days=2)).isoformat(),
                     "reminded_at": None, "created_at": data[0]["created_at"],
                     "updated_at": data[0]["updated_at"]}]
    delete_account(reload(type(cast.member2), cast.member2.id))
    db.session.commit()
    assert kept(cast.member2) == []


def test_the_account_menu_links_to_bewaard(app, world):
    page = text(as_person(app, "lid2@example.org").get("/account"))
    assert re.search(r'<a class="dropdown-item" href="/bewaard">Bewaard</a>', page)
