"""Thanks, "Dit hielp mij" and bookmarks cost no statement per post: the thread page, the question
page and /bewaard make as many statements with many posts, givers and bookmarks as with few."""
import pytest

from app import bookmarks, reactions
from app.extensions import db
from app.models.forum import Post, Thread
from app.models.labs import LabQuestion
from tests.factories import add_replies, answer, ask, make_group, quick_user, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.fixtures.labs import LabCast, question_path
from tests.fixtures.search import index_now
from tests.support import QueryCounter, login, text


def statements(client, path):
    with QueryCounter() as counter:
        response = client.get(path)
    assert response.status_code == 200, text(response)
    return counter.count, text(response)


def givers(collective, count, start=0):
    return [quick_user(f"gever{number}@example.org", collective=collective, name=f"Gever {number}",
                       commit=False) for number in range(start, start + count)]


def give(people, posts):
    for post in posts:
        for person in people:
            if person.id != post.author_id:
                reactions.give_thanks(person, post)
    db.session.commit()


@pytest.mark.parametrize("viewer", ["lid2@example.org", "mod@example.org"])
def test_thread_page_statements_stay_the_same_with_more_posts_thanks_and_bookmarks(app, client,
                                                                                    viewer):
    cast = Cast()
    people = givers(cast.collective, 12)
    db.session.commit()
    group = make_group()
    short, opening = start_thread(group, cast.member, title="Drie berichten")
    add_replies(short, [cast.member2, cast.partner], 2)
    give([cast.member2], [opening])
    long, _ = start_thread(group, cast.member, title="Twintig berichten")
    posts = [db.session.get(Post, p.id) for p in add_replies(long, [cast.member2, cast.partner], 19)]
    give(people + [cast.member2, cast.moderator], posts[:15])
    viewer_person = cast.member2 if viewer.startswith("lid2") else cast.moderator
    for thread, kept in ((short, [opening]), (long, posts[:10])):
        bookmarks.keep(viewer_person, "thread", db.session.get(Thread, thread.id))
        for post in kept:
            bookmarks.keep(viewer_person, "post", post)
    db.session.commit()
    login(client, viewer)
    for thread in (short, long):  # a first view records what was read (a write of its own)
        client.get(thread_path(thread))

    few, page_few = statements(client, thread_path(short))
    many, page_many = statements(client, thread_path(long))

    assert page_few.count("keer bedankt") == 1 and page_many.count("keer bedankt") == 15
    assert "14 keer bedankt" in page_many and "en 4 anderen" in page_many
    assert page_many.count('aria-pressed="true"><span aria-hidden="true">✓ </span>Bewaren') == 11
    assert few == many
    # With the thanks' names and the viewer's own thanks in one more; staff see their to-do count.
    assert many <= (8 if viewer.startswith("lid2") else 9)


def test_question_page_statements_stay_the_same_with_more_answers_and_helpful_marks(app, client):
    cast = LabCast()
    people = givers(cast.collective, 6)
    db.session.commit()
    small = ask(cast.member2, title="Een vraag met één antwoord")
    reactions.mark_helpful(cast.member, answer(cast.partner, small))
    large = ask(cast.member2, title="Een vraag met acht antwoorden")
    for number in range(8):
        reply = answer(cast.partner if number % 2 else cast.partner2, large, f"Antwoord {number}")
        for person in people[: number % 6 + 1]:
            reactions.mark_helpful(person, reply)
    for question in (small, large):
        bookmarks.keep(cast.member, "lab_question", db.session.get(LabQuestion, question.id))
    db.session.commit()
    index_now()  # (the similar questions' search would apply the waiting index jobs first)
    login(client, "lid@example.org")

    few, page_few = statements(client, question_path(small))
    many, page_many = statements(client, question_path(large))

    assert page_few.count("<summary") == 1 and page_many.count("<summary") == 8
    # Each finds the other as a similar question: one search, one statement on both pages.
    assert "Vergelijkbare vragen" in page_few and "Vergelijkbare vragen" in page_many
    assert few == many


def test_bewaard_statements_stay_the_same_with_more_bookmarks(app, client):
    cast = Cast()
    group = make_group()
    thread, opening = start_thread(group, cast.member, title="Een discussie")
    replies = add_replies(thread, [cast.member], 12)
    questions = [ask(cast.member, title=f"Labvraag {number}") for number in range(4)]
    bert = cast.member2
    bookmarks.keep(bert, "thread", db.session.get(Thread, thread.id))
    bookmarks.keep(bert, "post", opening)
    bookmarks.keep(bert, "lab_question", db.session.get(LabQuestion, questions[0].id))
    db.session.commit()
    login(client, "lid2@example.org")
    few, page_few = statements(client, "/bewaard")
    for reply in replies:
        bookmarks.keep(bert, "post", db.session.get(Post, reply.id))
    for question in questions[1:]:
        bookmarks.keep(bert, "lab_question", db.session.get(LabQuestion, question.id))
    db.session.commit()
    many, page_many = statements(client, "/bewaard")
    assert page_few.count('class="border-top py-3 bookmark-item') == 3
    assert page_many.count('class="border-top py-3 bookmark-item') == 18
    assert few == many
