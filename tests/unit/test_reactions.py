"""Thanks and "Dit hielp mij" on their own: one per person, counters that stay right, taking back,
the grouped notification (1, 2 and 4 givers), answer order, and what goes with an account."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from app import reactions
from app.extensions import db
from app.labs import queries as lab_queries
from app.models.accounts import User
from app.models.forum import Post
from app.models.labs import LabReply
from app.models.notifications import EMAIL_OFF, MAIL_PENDING, MAIL_SKIPPED
from app.models.reactions import LabReplyHelpful, PostThanks
from app.notifications import mark_read
from app.privacy.export import collect_personal_data
from app.privacy.services import delete_account
from app.timeutil import utcnow
from tests.factories import add_replies, answer, ask, make_group, quick_user, respond, start_thread
from tests.fixtures.forum import Cast
from tests.fixtures.labs import LabCast
from tests.support import QueryCounter, notifications, reload

T0 = utcnow().replace(microsecond=0) - timedelta(days=2)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def cast():
    return Cast()


@pytest.fixture
def post(cast):
    thread, _ = start_thread(make_group(), cast.member, title="Zonnepanelen op het dorpshuis")
    return add_replies(thread, [cast.member], 1)[0]  # Anna's reply


def readers(cast, count):
    """`count` forum readers besides Anna: Bert, Petra, Mo and more members."""
    people = [cast.member2, cast.partner, cast.moderator]
    for number in range(len(people), count):
        people.append(quick_user(f"lezer{number}@example.org", collective=cast.collective,
                                 name=f"Lezer {number}"))
    return people[:count]


def thank(people, post, start=T0):
    for minute, person in enumerate(people):
        assert reactions.give_thanks(person, post, now=start + minute * MINUTE)
    db.session.commit()


def thanks_count(post):
    return reload(Post, post.id).thanks_count


def thanks_rows(post):
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(PostThanks)
                              .where(PostThanks.post_id == post.id)).scalar_one()


# -- one per person, counters ----------------------------------------------------------------------

def test_a_thanks_counts_once_per_person_however_often_it_is_given(app, cast, post):
    assert reactions.give_thanks(cast.member2, post)
    assert not reactions.give_thanks(cast.member2, post)  # a double click
    db.session.commit()
    assert not reactions.give_thanks(cast.member2, post)  # and again later
    assert reactions.give_thanks(cast.partner, post)
    db.session.commit()
    assert (thanks_count(post), thanks_rows(post)) == (2, 2)


def test_the_table_itself_refuses_a_second_row_of_one_person(app, cast, post):
    reactions.give_thanks(cast.member2, post)
    db.session.commit()
    db.session.add(PostThanks(post_id=post.id, user_id=cast.member2.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert thanks_count(post) == 1


def test_taking_back_lowers_the_count_once(app, cast, post):
    thank([cast.member2, cast.partner], post)
    assert reactions.take_back_thanks(cast.member2, post)
    assert not reactions.take_back_thanks(cast.member2, post)  # a double click
    assert not reactions.take_back_thanks(cast.moderator, post)  # never thanked
    db.session.commit()
    assert (thanks_count(post), thanks_rows(post)) == (1, 1)


def test_the_count_never_goes_below_zero(app, cast, post):
    thank([cast.member2], post)
    db.session.execute(db.update(Post).where(Post.id == post.id).values(thanks_count=0))
    db.session.commit()
    assert reactions.take_back_thanks(cast.member2, post)
    db.session.commit()
    assert thanks_count(post) == 0


def test_double_clicks_at_the_same_moment_count_once(app, cast, post):
    """Two requests of one person at once, and others beside them: the unique row decides."""
    people = [cast.member2.id, cast.member2.id, cast.partner.id, cast.partner.id, cast.moderator.id]
    barrier, errors, results = threading.Barrier(len(people)), [], []

    def click(user_id):
        try:
            with app.app_context():
                barrier.wait()
                results.append(reactions.give_thanks(db.session.get(User, user_id),
                                                     db.session.get(Post, post.id)))
                db.session.commit()
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=click, args=(user_id,)) for user_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [], [str(error)[:300] for error in errors]
    assert sorted(results) == [False, False, True, True, True]
    assert (thanks_count(post), thanks_rows(post)) == (3, 3)


# -- the grouped notification ----------------------------------------------------------------------

def thanks_notifications(cast):
    return notifications(cast.member, kind="thanks")


def test_one_giver(app, cast, post):
    thank(readers(cast, 1), post)
    [note] = thanks_notifications(cast)
    assert note.text == "Bert Jansen bedankte je voor je bericht in “Zonnepanelen op het dorpshuis”"
    assert note.url == f"/forum/bericht/{post.id}" and note.actor_id == cast.member2.id


def test_two_givers_are_named_in_one_notification(app, cast, post):
    thank(readers(cast, 2), post)
    [note] = thanks_notifications(cast)
    assert note.text == ("Petra Partner en Bert Jansen bedankten je voor je bericht in "
                         "“Zonnepanelen op het dorpshuis”")
    assert note.actor_id == cast.partner.id  # the newest first


def test_four_givers_are_one_and_three_others(app, cast, post):
    people = readers(cast, 4)
    thank(people, post)
    [note] = thanks_notifications(cast)
    assert note.text == ("Lezer 3 en 3 anderen bedankten je voor je bericht in "
                         "“Zonnepanelen op het dorpshuis”")
    assert note.actor_id == people[-1].id
    assert note.read_at is None and note.mail_state == MAIL_PENDING


def test_after_reading_it_a_new_thanks_starts_a_new_group(app, cast, post):
    people = readers(cast, 3)
    thank(people[:2], post)
    mark_read(cast.member)
    db.session.commit()
    thank(people[2:], post, start=T0 + 10 * MINUTE)
    first, second = thanks_notifications(cast)
    assert "Petra Partner en Bert Jansen bedankten" in first.text
    assert second.text.startswith("Mo Derator bedankte je")


def test_taking_back_tells_nobody_and_the_group_says_who_is_left(app, cast, post):
    people = readers(cast, 3)
    thank(people, post)
    reactions.take_back_thanks(people[2], post)
    db.session.commit()
    [note] = thanks_notifications(cast)
    assert note.text.startswith("Petra Partner en Bert Jansen bedankten je")
    assert note.actor_id == cast.partner.id
    assert notifications(people[2]) == [] and notifications(cast.member2) == []
    for person in people[:2]:
        reactions.take_back_thanks(person, post)
    db.session.commit()
    assert thanks_notifications(cast) == []  # nobody left to name: no notification
    assert thanks_count(post) == 0


def test_the_email_setting_is_respected(app, cast, post):
    cast.member.notify_email = EMAIL_OFF
    db.session.commit()
    thank(readers(cast, 2), post)
    [note] = thanks_notifications(cast)
    assert note.mail_state == MAIL_SKIPPED


def test_no_notification_for_a_writer_who_can_no_longer_read_the_forum(app, cast, post):
    cast.member.collective_id = None
    db.session.commit()
    thank(readers(cast, 1), post)
    assert thanks_notifications(cast) == []
    assert thanks_count(post) == 1


def test_who_names_one_two_or_more():
    assert reactions.who(["Sanne"], 1) == "Sanne"
    assert reactions.who(["Sanne", "Piet"], 2) == "Sanne en Piet"
    assert reactions.who(["Sanne", "Piet"], 3) == "Sanne en 2 anderen"
    assert reactions.who(["Sanne", "Piet"], 4) == "Sanne en 3 anderen"


# -- what a page shows -----------------------------------------------------------------------------

def test_the_page_shows_ten_names_newest_first_and_knows_its_own(app, cast, post):
    people = readers(cast, 12)
    thank(people, post)
    seen = reactions.thanks_on(cast.member2, [reload(Post, post.id)])[post.id]
    assert seen.count == 12 and len(seen.names) == 10 and seen.others == 2
    assert seen.names[0] == "Lezer 11" and "Bert Jansen" not in seen.names
    assert seen.mine  # Bert is beyond the ten names shown, and still sees his own
    assert not reactions.thanks_on(cast.member, [reload(Post, post.id)])[post.id].mine


def test_nothing_to_load_without_thanks(app, cast, post):
    post = reload(Post, post.id)
    assert post.thanks_count == 0
    with QueryCounter() as counter:
        assert reactions.thanks_on(cast.member2, [post]) == {}
    assert counter.count == 0


# -- labs: "Dit hielp mij" and the order of answers ------------------------------------------------

@pytest.fixture
def labcast():
    return LabCast()


def test_helpful_counts_once_and_notifies_the_answerer_grouped(app, labcast):
    question = ask(labcast.member, title="Hoe financieren we een buurtbatterij?")
    reply = answer(labcast.partner, question)
    for minute, person in enumerate([labcast.member, labcast.member2, labcast.representative,
                                     labcast.other_member]):
        assert reactions.mark_helpful(person, reply, now=T0 + minute * MINUTE)
        assert not reactions.mark_helpful(person, reply, now=T0 + minute * MINUTE)
    db.session.commit()
    assert reload(LabReply, reply.id).helpful_count == 4
    [note] = notifications(labcast.partner, kind="helpful")
    assert note.text == ("Olaf Anders en 3 anderen hadden iets aan je antwoord op "
                         "“Hoe financieren we een buurtbatterij?”")
    assert note.url.endswith(f"#antwoord-{reply.id}")
    assert reactions.unmark_helpful(labcast.member2, reply)
    db.session.commit()
    assert reload(LabReply, reply.id).helpful_count == 3
    assert len(notifications(labcast.partner, kind="helpful")) == 1


def test_answers_accepted_first_then_most_helpful_then_oldest(app, labcast):
    from app.labs import services

    question = ask(labcast.member, title="Welke lening past bij ons?")
    first = answer(labcast.partner, question, "Eerste antwoord", now=T0)
    second = answer(labcast.partner2, question, "Tweede antwoord", now=T0 + MINUTE)
    third = answer(labcast.partner, question, "Derde antwoord", now=T0 + 2 * MINUTE)
    fourth = answer(labcast.partner2, question, "Vierde antwoord", now=T0 + 3 * MINUTE)
    response = respond(labcast.member2, question, "Een reactie", now=T0 + 4 * MINUTE)
    for person in (labcast.member, labcast.member2):
        reactions.mark_helpful(person, third)
    reactions.mark_helpful(labcast.member, fourth)
    services.accept_answer(labcast.member, first)
    db.session.commit()
    order = [reply.id for reply in lab_queries.replies_of(reload(type(question), question.id))]
    assert order == [first.id, third.id, fourth.id, second.id, response.id]


# -- privacy ---------------------------------------------------------------------------------------

def test_a_deleted_account_takes_its_thanks_back(app, cast, post):
    thank(readers(cast, 2), post)  # Bert, then Petra: a notification that names them, read
    mark_read(cast.member)
    db.session.commit()
    nina = quick_user("nieuw@example.org", collective=cast.collective, name="Nina Nieuw")
    reactions.take_back_thanks(cast.member2, post)
    thank([nina, cast.member2], post, start=T0 + 10 * MINUTE)  # Bert thanks again
    delete_account(reload(User, cast.member2.id))
    db.session.commit()
    assert thanks_count(post) == 2 and thanks_rows(post) == 2
    read, unread = thanks_notifications(cast)
    assert read.text.startswith("Petra Partner en Voormalig lid bedankten je")
    assert unread.text.startswith("Nina Nieuw bedankte je")  # Bert no longer counted or named


def test_the_download_holds_what_someone_gave(app, labcast):
    question = ask(labcast.member, title="Hoe financieren we een buurtbatterij?")
    reply = answer(labcast.partner, question)
    reactions.mark_helpful(labcast.member2, reply)
    group = make_group()
    thread, opening = start_thread(group, labcast.member, title="Een discussie")
    reactions.give_thanks(labcast.member2, opening)
    db.session.commit()
    data = collect_personal_data(reload(User, labcast.member2.id))["appreciation"]
    assert [item["post_id"] for item in data["thanks_given"]] == [opening.id]
    assert data["thanks_given"][0]["thread_title"] == "Een discussie"
    assert [item["lab_reply_id"] for item in data["helpful_given"]] == [reply.id]
    assert db.session.execute(db.select(db.func.count()).select_from(LabReplyHelpful)).scalar_one() == 1
