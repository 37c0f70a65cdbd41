"""List pages cost the same SQL statements for many rows as for few (issue 18: "constant in the
number of items shown"). The forum, lab, profile, message, bookmark and notification lists have
their own tests next to their features; these are the other lists a person opens."""
from datetime import timedelta

from app.extensions import db
from app.models.audit import record
from app.timeutil import utcnow
from tests.factories import (add_replies, ask, answer, cheap_passwords, make_group, make_item,
                             make_items, make_organisation, make_partner, make_user, start_thread)
from tests.fixtures.forum import Cast
from tests.support import count_queries, isolated_client, login


def _more_items(count):
    for n in range(count):
        make_item(title=f"Nog een kennisitem {n}", slug=f"nog-een-kennisitem-{n}",
                  published_at=utcnow() - timedelta(days=40 + n))


def _statements(app, path, email=None):
    client = isolated_client(app)
    if email:
        login(client, email)
    client.get(path)  # the first request may fill per-process caches and note the device
    return count_queries(client, path)


def test_kennisbank_statements_do_not_grow_with_items(app):
    make_items(2)
    few = (_statements(app, "/kennisbank"), _statements(app, "/kennisbank?thema=actieve_leden"))
    _more_items(14)
    many = (_statements(app, "/kennisbank"), _statements(app, "/kennisbank?thema=actieve_leden"))
    assert many == few


def test_home_page_statements_do_not_grow_with_threads_and_items(app):
    cast = Cast()
    group = make_group()
    thread, _ = start_thread(group, cast.member, title="De eerste discussie")
    make_items(1)
    few = _statements(app, "/", "lid@example.org"), _statements(app, "/")
    for n in range(6):
        other, _ = start_thread(make_group(name=f"Groep {n}", slug=f"groep-{n}", position=n + 1),
                                cast.member2, title=f"Discussie {n}")
        add_replies(other, [cast.member], 2)
    _more_items(4)
    many = _statements(app, "/", "lid@example.org"), _statements(app, "/")
    assert many == few


def test_labs_page_statements_do_not_grow_with_questions_and_partners(app):
    cast = Cast()
    ask(cast.member, title="Een eerste vraag aan het lab")
    few = _statements(app, "/labs", "lid@example.org")
    organisation = make_organisation("Fonds Ruim Baan")
    partner = make_partner("fonds@example.org", "Frits Fonds", organisation, "financelab",
                           "netwerklab")
    for n, slug in enumerate(["financelab", "netwerklab", "financelab", "netwerklab"]):
        question = ask(cast.member2, lab_slug=slug, title=f"Nog een vraag nummer {n}")
        answer(partner, question)
    assert _statements(app, "/labs", "lid@example.org") == few


def test_audit_log_statements_do_not_grow_with_entries(app, moderator):
    cheap_passwords(moderator)
    target = make_user(email="bram@example.org", name="Bram")
    record(moderator, "member.suspend", target, "Bram geschorst")
    db.session.commit()
    few = _statements(app, "/beheer/audit", moderator.email)
    others = [make_user(email=f"persoon{n}@example.org", name=f"Persoon {n}") for n in range(8)]
    for person in others:
        record(moderator, "member.suspend", person, f"{person.name} geschorst")
        record(moderator, "forum.hide_post", None, "Bericht verborgen")
    db.session.commit()
    assert _statements(app, "/beheer/audit", moderator.email) == few


def test_group_admin_statements_do_not_grow_with_groups(app, moderator):
    cheap_passwords(moderator)
    make_group()
    few = _statements(app, "/beheer/groepen", moderator.email)
    for n in range(6):
        make_group(name=f"Groep {n}", slug=f"groep-{n}", position=n + 1)
    assert _statements(app, "/beheer/groepen", moderator.email) == few
