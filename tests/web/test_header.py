"""The header every page shares: navigation, search, account menu and the notification bell."""
from app.extensions import db
from app.notifications import notify
from tests.factories import make_user
from tests.support import login


def test_visitor_sees_login_and_no_bell(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/inloggen"' in page
    assert "site-bell" not in page


def test_bell_shows_the_unread_count_and_updates(client):
    person = make_user(email="bel@example.org")
    other = make_user(email="ander@example.org", name="Ander")
    for n in range(2):
        notify(person, "reply", f"Ander reageerde ({n})", "/forum", actor=other)
    db.session.commit()
    login(client, "bel@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "2 ongelezen meldingen" in page
    assert 'href="/meldingen"' in page
    from tests.support import submit

    submit(client, "/meldingen/gelezen", {}, page="/meldingen")
    assert "geen ongelezen meldingen" in client.get("/").get_data(as_text=True)


def test_staff_see_beheer(client, moderator):
    login(client, moderator.email)
    assert 'href="/beheer"' in client.get("/").get_data(as_text=True)


def test_the_header_counts_cost_one_statement_whoever_looks(app, moderator):
    """The bell, the envelope and (for staff) the to-do count are asked in one statement: a page
    without content queries costs a signed-in member or moderator one statement more than a
    visitor (the session's), and the counts are right."""
    from app.messages import start_conversation
    from app.models.forum import PostReport
    from tests.factories import add_replies, make_collective, make_group, quick_user, start_thread
    from tests.support import count_queries, isolated_client

    collective = make_collective("De Telling", slug="telling")
    member = quick_user("teller@example.org", collective=collective, name="Tessa Teller")
    writer = quick_user("schrijver@example.org", collective=collective, name="Sem Schrijver")
    notify(moderator, "reply", "Sem reageerde", "/forum", actor=writer)
    start_conversation(writer, [moderator], "Een vraag", "Hallo moderator")
    start_conversation(writer, [member], "Ook een vraag", "Hallo Tessa")
    thread, _ = start_thread(make_group(), writer, title="Een gemelde discussie")
    reported = add_replies(thread, [writer], 1)[0]
    db.session.add(PostReport(post_id=reported.id, reporter_id=member.id, reason="Klopt niet"))
    db.session.commit()

    visitor = count_queries(isolated_client(app), "/over-ons")
    counted = {}
    for person in (member, moderator):
        client = isolated_client(app)
        login(client, person.email)
        client.get("/over-ons")  # the first page after signing in may note the device
        counted[person.email] = count_queries(client, "/over-ons")
        page = client.get("/over-ons").get_data(as_text=True)
        assert "1 ongelezen gesprek" in page, person.email
        if person is moderator:
            assert "2 ongelezen meldingen" in page  # the reply and the message
            assert "er wacht 1 gemeld bericht" in page
    assert counted == {member.email: visitor + 2, moderator.email: visitor + 2}, (visitor, counted)
