"""The thread page and the group page make a fixed number of SQL statements, whatever they show."""
import pytest

from app.extensions import db
from tests.factories import add_replies, make_group, start_thread
from tests.fixtures.forum import Cast, thread_path
from tests.support import QueryCounter, login, text


@pytest.fixture
def cast():
    return Cast()


def statements(client, path, again=False):
    """The statements of a GET of `path` (`again`: of a second view, after the first recorded
    what was read, as the reading marker writes only when a page shows something new)."""
    if again:
        assert client.get(path).status_code == 200
    with QueryCounter() as counter:
        response = client.get(path)
    assert response.status_code == 200, text(response)
    return counter.count, text(response)


def people(cast):
    # Members of a collective, a partner and staff: every kind of author line a page can show.
    return [cast.member, cast.member2, cast.partner, cast.moderator]


@pytest.mark.parametrize("viewer", ["lid2@example.org", "mod@example.org", "partner@example.org"])
def test_thread_page_statements_do_not_grow_with_posts(client, cast, viewer):
    group = make_group()
    short, _ = start_thread(group, cast.member, title="Drie berichten")
    add_replies(short, people(cast), 2)
    long, _ = start_thread(group, cast.member, title="Twintig berichten")
    add_replies(long, people(cast), 19)
    login(client, viewer)

    few, page_few = statements(client, thread_path(short), again=True)
    many, page_many = statements(client, thread_path(long), again=True)

    assert page_few.count('class="card mb-3 forum-post') == 3
    assert page_many.count('class="card mb-3 forum-post') == 20
    assert "Energiecoöperatie De Windvang" in page_many and "Partner</span>" in page_many
    assert "· Groenfonds Nederland" in page_many
    assert few == many
    # Person, thread, posts with their total and the reading and watching state, draft, bookmarks,
    # thanks, and the header's counts.
    assert many <= 8


def test_thread_page_first_view_adds_only_the_reading_marker(client, cast):
    """A view that shows new posts records them (a write of its own); a repeat view writes
    nothing, and which page of the thread it is does not matter."""
    from app.models.forum import ThreadRead

    group = make_group()
    thread, _ = start_thread(group, cast.member, title="Veertig berichten")
    add_replies(thread, [cast.member, cast.partner, cast.moderator], 39)  # nothing by the reader
    login(client, "lid2@example.org")
    reader = cast.member2

    first, _ = statements(client, thread_path(thread))
    again, _ = statements(client, thread_path(thread))
    assert db.session.get(ThreadRead, (reader.id, thread.id)).last_read_number == 20
    second_page, _ = statements(client, thread_path(thread) + "?pagina=2")
    db.session.expire_all()
    assert db.session.get(ThreadRead, (reader.id, thread.id)).last_read_number == 40
    assert again <= 8
    assert first == second_page > again  # the marker's write, the same on every page


def test_thread_page_statements_fixed_with_placeholders_and_edits(client, cast):
    """Deleted, hidden and edited posts take no extra statements either."""
    from app.forum import services
    from app.timeutil import utcnow

    group = make_group()
    short, _ = start_thread(group, cast.member, title="Drie berichten")
    add_replies(short, people(cast), 2)
    long, _ = start_thread(group, cast.member, title="Twintig berichten")
    replies = add_replies(long, people(cast), 19)
    services.delete_post(replies[0].author, replies[0])
    replies[1].hidden_at = utcnow()
    services.edit_post(replies[2].author, replies[2], "Aangepaste tekst")
    db.session.commit()
    login(client, "mod@example.org")

    few, _ = statements(client, thread_path(short), again=True)
    many, page = statements(client, thread_path(long), again=True)
    assert "Dit bericht is verwijderd door de schrijver." in page
    assert "Dit bericht is verborgen door een moderator." in page
    assert "bewerkt op" in page
    assert few == many


@pytest.mark.parametrize("viewer", ["lid2@example.org", "mod@example.org"])
def test_group_page_statements_do_not_grow_with_threads(client, cast, viewer):
    small = make_group("Wonen", position=1)
    large = make_group("Zorg", position=2)
    authors = people(cast)
    for number in range(3):
        thread, _ = start_thread(small, authors[number % 4], title=f"Discussie nummer {number}")
        add_replies(thread, authors, 1)
    for number in range(25):
        thread, _ = start_thread(large, authors[number % 4], title=f"Discussie nummer {number}")
        add_replies(thread, authors, 1)
    login(client, viewer)
    client.get(thread_path(thread))  # one read thread: the reading state is on the page too

    few, page_few = statements(client, "/forum/wonen")
    many, page_many = statements(client, "/forum/zorg")

    assert page_few.count('class="list-group-item py-3 forum-thread') == 3
    assert page_many.count('class="list-group-item py-3 forum-thread') == 25
    assert few == many
    assert many <= 10


def test_index_statements_do_not_grow_with_groups(client, cast):
    for number in range(2):
        make_group(f"Klein {number}", position=number)
    login(client, "lid@example.org")
    few, _ = statements(client, "/forum")
    for number in range(2, 12):
        group = make_group(f"Groep {number}", position=number)
        start_thread(group, cast.member2, title=f"Onderwerp {number}")
    many, page = statements(client, "/forum")
    assert page.count("forum-group-card") == 12
    assert few == many


@pytest.mark.parametrize("viewer", ["lid2@example.org", "mod@example.org", "partner@example.org"])
def test_profile_page_statements_do_not_grow_with_posts_and_lab_contributions(client, cast, viewer):
    from app.slugs import person_slug
    from tests.factories import ask, quick_user, respond

    quiet = quick_user("stil@example.org", collective=cast.collective, name="Stil Lid")
    groups = [make_group("Wonen", position=1), make_group("Zorg", position=2)]
    thread, _ = start_thread(groups[0], quiet, title="Eén discussie")
    respond(quiet, ask(quiet, title="Eén labvraag"), body="Eén aanvulling")
    for number in range(6):
        thread, _ = start_thread(groups[number % 2], cast.member, title=f"Discussie {number}")
        add_replies(thread, [cast.member, cast.member2], 3)
    for number, lab_slug in enumerate(["financelab", "sciencelab", "overheidslab", "netwerklab"] * 2):
        question = ask(cast.member, lab_slug=lab_slug, title=f"Labvraag nummer {number}")
        respond(cast.member, question, body=f"Aanvulling {number}")
    login(client, viewer)

    few, page_few = statements(client, f"/leden/{quiet.id}-{person_slug(quiet.name)}")
    many, page_many = statements(client, f"/leden/{cast.member.id}-{person_slug(cast.member.name)}")

    assert page_few.count('class="border-top py-2 profile-post"') == 1
    assert page_few.count('class="border-top py-2 profile-lab-') == 2
    assert page_many.count('class="border-top py-2 profile-post"') == 10  # a full page
    assert page_many.count('class="border-top py-2 profile-lab-') == 10
    assert few == many
    assert many <= 12  # person and session, profile, labs, posts and count, lab rows, count …
