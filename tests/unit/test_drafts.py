"""The drafts service (app.drafts): one draft per person and place, only where they may write,
the forms' limits, private to its writer, in the data download, gone with the account and after
90 days untouched."""
from datetime import timedelta

import pytest

from app import drafts
from app.blueprints.forum import forms as forum_forms
from app.blueprints.labs import forms as lab_forms
from app.extensions import db
from app.models.drafts import Draft
from app.privacy.export import collect_personal_data
from app.privacy.services import delete_account
from app.retention import apply_retention
from app.timeutil import utcnow
from tests.factories import ask, make_group, quick_user, start_thread
from tests.fixtures.labs import LabCast


@pytest.fixture
def cast():
    return LabCast()


@pytest.fixture
def places(cast):
    group = make_group("Energie", slug="energie")
    thread, _post = start_thread(group, cast.member2, title="Zon op het dorpshuis")
    question = ask(cast.member2)
    return {"group": group, "thread": thread, "question": question}


def all_drafts():
    db.session.expire_all()
    return db.session.execute(db.select(Draft).order_by(Draft.id)).scalars().all()


def test_one_draft_per_person_and_place_the_last_save_wins(cast, places):
    place = drafts.resolve(cast.member, f"forum.reply:{places['thread'].id}")
    drafts.save(cast.member, place, "Eerste versie")
    drafts.save(cast.member, place, "Tweede versie")
    other = drafts.resolve(cast.member, f"forum.thread:{places['group'].id}")
    drafts.save(cast.member, other, "Tekst", title="Een titel")
    drafts.save(cast.member2, drafts.resolve(cast.member2, place.key), "Van Bert")
    db.session.commit()
    rows = {(row.user_id, row.place): (row.title, row.body) for row in all_drafts()}
    assert rows == {
        (cast.member.id, place.key): (None, "Tweede versie"),
        (cast.member.id, other.key): ("Een titel", "Tekst"),
        (cast.member2.id, place.key): (None, "Van Bert"),
    }


def test_a_place_keeps_only_the_parts_its_form_has(cast, places):
    reply = drafts.resolve(cast.member, f"forum.reply:{places['thread'].id}")
    drafts.save(cast.member, reply, "Tekst", title="Geen titel hier", context="Geen achtergrond")
    question = drafts.resolve(cast.member, f"labs.question:{cast.financelab.id}")
    drafts.save(cast.member, question, "Vraag", title="  Een   titel ", context="Achtergrond\r\n")
    db.session.commit()
    by_place = {row.place: row for row in all_drafts()}
    assert (by_place[reply.key].title, by_place[reply.key].context) == (None, None)
    kept = by_place[question.key]
    assert (kept.title, kept.body, kept.context) == ("Een titel", "Vraag", "Achtergrond")


def test_saving_an_empty_form_removes_the_draft(cast, places):
    place = drafts.resolve(cast.member, f"forum.reply:{places['thread'].id}")
    drafts.save(cast.member, place, "Iets")
    assert drafts.save(cast.member, place, "  \n ") is None
    db.session.commit()
    assert all_drafts() == []


def test_too_long_or_invisible_characters_are_refused_in_dutch(cast, places):
    reply = drafts.resolve(cast.member, f"forum.reply:{places['thread'].id}")
    with pytest.raises(drafts.DraftError, match="hoogstens 20.000 tekens"):
        drafts.save(cast.member, reply, "x" * 20_001)
    answer_place = drafts.resolve(cast.member2, f"labs.response:{places['question'].id}")
    with pytest.raises(drafts.DraftError, match="hoogstens 10.000 tekens"):
        drafts.save(cast.member2, answer_place, "x" * 10_001)
    with pytest.raises(drafts.DraftError, match="onzichtbare tekens"):
        drafts.save(cast.member, reply, "nul\x00byte")
    thread_place = drafts.resolve(cast.member, f"forum.thread:{places['group'].id}")
    with pytest.raises(drafts.DraftError, match="onzichtbare tekens"):
        drafts.save(cast.member, thread_place, "Tekst", title="twee\nregels")
    assert drafts.save(cast.member, reply, "x" * 20_000) is not None


def test_the_limits_are_those_of_the_forms():
    assert drafts.FORUM_TEXT == forum_forms.MAX_BODY
    assert drafts.TITLE == forum_forms.MAX_TITLE == lab_forms.MAX_TITLE
    assert drafts.LAB_TEXT == lab_forms.MAX_TEXT


def test_resolve_says_who_may_keep_a_draft_where(cast, places):
    thread, question = places["thread"], places["question"]
    keys = {
        "new thread": f"forum.thread:{places['group'].id}",
        "reply": f"forum.reply:{thread.id}",
        "question": f"labs.question:{cast.financelab.id}",
        "answer": f"labs.answer:{question.id}",
        "response": f"labs.response:{question.id}",
    }
    people = {"member": cast.member, "other_member": cast.other_member, "partner": cast.partner,
              "scientist": cast.scientist, "moderator": cast.moderator, "outsider": cast.outsider}
    allowed = {
        "new thread": {"member", "other_member", "partner", "scientist", "moderator"},
        "reply": {"member", "other_member", "partner", "scientist", "moderator"},
        "question": {"member", "other_member"},
        # Only the partners of the question's lab (and moderators) answer …
        "answer": {"partner", "moderator"},
        # … and only the asking collective (and moderators) responds.
        "response": {"member", "moderator"},
    }
    for what, key in keys.items():
        may = {name for name, person in people.items() if drafts.resolve(person, key) is not None}
        assert may == allowed[what], what


def test_no_draft_where_the_thread_is_gone_locked_or_the_key_is_odd(cast, places):
    thread = places["thread"]
    key = f"forum.reply:{thread.id}"
    thread.locked = True
    db.session.commit()
    assert drafts.resolve(cast.member, key) is None
    assert drafts.resolve(cast.moderator, key) is not None  # moderators still reply there
    thread.locked, thread.deleted_at = False, utcnow()
    db.session.commit()
    assert drafts.resolve(cast.member, key) is None
    assert drafts.resolve(cast.moderator, key) is None
    for odd in (None, 5, "", "forum.reply", "forum.reply:", "forum.reply:x", "forum.reply:-1",
                "forum.reply:0", "forum.reply:007", "forum.reply:99999999999", "forum.reply:٣",
                "kennisbank:1", "forum.reply:1:2", "x" * 100, f"forum.reply:{thread.id + 100}"):
        assert drafts.resolve(cast.moderator, odd) is None, odd


def test_a_draft_is_read_by_its_writer_only(cast, places):
    key = f"forum.reply:{places['thread'].id}"
    drafts.save(cast.member, drafts.resolve(cast.member, key), "Alleen voor Anna")
    db.session.commit()
    assert drafts.find(cast.member, key).body == "Alleen voor Anna"
    for other in (cast.member2, cast.moderator):
        assert drafts.find(other, key) is None
        assert drafts.open_drafts(other) == []
        assert drafts.discard(other, key) is False
    db.session.commit()
    assert [row.body for row in all_drafts()] == ["Alleen voor Anna"]


def test_open_drafts_newest_first_and_flag_places_no_longer_writable(cast, places):
    reply = drafts.resolve(cast.member, f"forum.reply:{places['thread'].id}")
    question = drafts.resolve(cast.member, f"labs.question:{cast.financelab.id}")
    drafts.save(cast.member, reply, "Reactie", now=utcnow() - timedelta(hours=1))
    drafts.save(cast.member, question, "Vraag", title="Over leningen")
    places["thread"].locked = True
    db.session.commit()
    listed = drafts.open_drafts(cast.member)
    assert [item.draft.body for item in listed] == ["Vraag", "Reactie"]
    assert listed[0].place.label == "Vraag aan het Financelab"
    assert listed[1].place is None  # the thread was locked meanwhile


def test_the_retention_job_removes_drafts_untouched_for_90_days(cast, places):
    reply = drafts.resolve(cast.member, f"forum.reply:{places['thread'].id}")
    question = drafts.resolve(cast.member, f"labs.question:{cast.financelab.id}")
    drafts.save(cast.member, reply, "Oud", now=utcnow() - timedelta(days=91))
    drafts.save(cast.member, question, "Nog bezig", now=utcnow() - timedelta(days=89))
    db.session.commit()
    counts = apply_retention()
    db.session.commit()
    assert counts["drafts"] == 1
    assert [row.body for row in all_drafts()] == ["Nog bezig"]


def test_the_data_download_holds_ones_own_drafts(cast, places):
    key = f"labs.question:{cast.financelab.id}"
    drafts.save(cast.member, drafts.resolve(cast.member, key), "Mijn vraag", title="Titel",
                context="Achtergrond")
    drafts.save(cast.member2, drafts.resolve(cast.member2, key), "Van Bert")
    db.session.commit()
    data = collect_personal_data(cast.member)
    assert [(d["place"], d["title"], d["body"], d["context"]) for d in data["drafts"]] == [
        (key, "Titel", "Mijn vraag", "Achtergrond")]
    assert data["drafts"][0]["updated_at"].endswith("Z")


def test_deleting_the_account_removes_its_drafts(cast, places):
    key = f"forum.reply:{places['thread'].id}"
    drafts.save(cast.member, drafts.resolve(cast.member, key), "Weg ermee")
    drafts.save(cast.member2, drafts.resolve(cast.member2, key), "Blijft")
    db.session.commit()
    delete_account(cast.member)
    db.session.commit()
    assert [row.body for row in all_drafts()] == ["Blijft"]


def test_a_removed_user_row_takes_its_drafts_along(cast, places):
    person = quick_user("tijdelijk@example.org", collective=cast.collective)
    key = f"forum.reply:{places['thread'].id}"
    drafts.save(person, drafts.resolve(person, key), "Tekst")
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(db.text("PRAGMA foreign_keys=ON"))
    db.session.execute(db.text("DELETE FROM users WHERE id = :id"), {"id": person.id})
    db.session.commit()
    assert all_drafts() == []
