"""app.accounts.mentions: who can be found and mentioned in which place, links and notes."""
import re

import pytest

from app.accounts import mentions
from app.extensions import db
from app.markup import render_markdown
from app.models.accounts import STATUS_DELETED, STATUS_SUSPENDED
from app.permissions import can_read_forum, can_read_question, can_view_lab_questions
from app.timeutil import utcnow
from tests.factories import ask, quick_user
from tests.fixtures.labs import LabCast
from tests.support import mention_html


@pytest.fixture
def cast():
    return LabCast()


def names(people):
    return [person.name for person in people]


# -- the lookup -------------------------------------------------------------------------------------

def test_forum_readers_are_found_by_the_start_of_any_name_word(cast):
    find = mentions.find_mentionable
    assert names(find("Be", can_read_forum)) == ["Bert Jansen"]
    assert names(find("jan", can_read_forum)) == ["Bert Jansen"]  # a later word, any case
    assert names(find("bert ja", can_read_forum)) == ["Bert Jansen"]  # several words
    assert find("ansen", can_read_forum) == []  # inside a word: no
    # Partners and staff read the forum too; the registered person without a collective does not.
    assert names(find("petra", can_read_forum)) == ["Petra Geldmans"]
    assert names(find("mo", can_read_forum)) == ["Mo Derator"]
    assert find("olga", can_read_forum) == []


def test_the_writer_is_not_offered_and_names_starting_with_the_query_come_first(cast):
    quick_user("dirk@example.org", collective=cast.collective, name="Dirk Anker")
    found = mentions.find_mentionable("an", can_read_forum, exclude=cast.member)
    assert names(found) == ["Dirk Anker", "Olaf Anders"]  # Anna herself is not offered
    found = mentions.find_mentionable("an", can_read_forum, exclude=cast.member2)
    assert names(found) == ["Anna de Vries", "Dirk Anker", "Olaf Anders"]


def test_case_and_accents_are_ignored_both_ways(cast):
    quick_user("ozlem@example.org", collective=cast.collective, name="Özlem Çelik")
    quick_user("zoe@example.org", collective=cast.collective, name="Zoë Jansen-Ørsted")
    find = mentions.find_mentionable
    assert names(find("oz", can_read_forum)) == ["Özlem Çelik"]
    assert names(find("ÖZL", can_read_forum)) == ["Özlem Çelik"]
    assert names(find("cel", can_read_forum)) == ["Özlem Çelik"]
    assert names(find("zoe", can_read_forum)) == ["Zoë Jansen-Ørsted"]
    assert names(find("Zoë", can_read_forum)) == ["Zoë Jansen-Ørsted"]
    assert names(find("jansen", can_read_forum)) == ["Bert Jansen", "Zoë Jansen-Ørsted"]


def test_at_most_eight_people(cast):
    for number in range(12):
        quick_user(f"bea{number}@example.org", collective=cast.collective,
                   name=f"Bea {chr(ord('A') + number)}", commit=False)
    db.session.commit()
    found = mentions.find_mentionable("bea", can_read_forum)
    assert names(found) == [f"Bea {letter}" for letter in "ABCDEFGH"]
    assert mentions.find_mentionable("bea", can_read_forum, limit=3)[-1].name == "Bea C"


def test_suspended_and_deleted_people_are_not_found(cast):
    cast.member2.status = STATUS_SUSPENDED
    cast.partner.status = STATUS_DELETED
    db.session.commit()
    assert mentions.find_mentionable("bert", can_read_forum) == []
    assert mentions.find_mentionable("petra", can_read_forum) == []
    # A suspension that ended counts as active again.
    cast.member2.suspended_until = utcnow().replace(year=2000)
    db.session.commit()
    assert names(mentions.find_mentionable("bert", can_read_forum)) == ["Bert Jansen"]


def test_a_hidden_question_is_read_by_moderators_only(cast):
    question = ask(cast.member)
    readers = lambda person: can_read_question(person, question)  # noqa: E731
    assert names(mentions.find_mentionable("bert", readers)) == ["Bert Jansen"]
    assert names(mentions.find_mentionable("sam", readers)) == ["Sam Wetenschap"]  # any partner
    question.hidden_at = utcnow()
    db.session.commit()
    assert mentions.find_mentionable("bert", readers) == []
    assert mentions.find_mentionable("sam", readers) == []
    assert names(mentions.find_mentionable("mo", readers)) == ["Mo Derator"]
    # A new question is read by everyone who reads the labs.
    assert names(mentions.find_mentionable("olaf", can_view_lab_questions)) == ["Olaf Anders"]


@pytest.mark.parametrize("query", ["", "b", " ", "%", "_", "%%", "\\", "' OR 1=1 --", "b%", "_e"])
def test_odd_queries_find_nobody_and_match_no_wildcards(cast, query):
    assert mentions.find_mentionable(query, can_read_forum) == []


def test_what_the_lookup_tells_about_a_person(cast):
    assert mentions.lookup_entry(cast.member2) == {
        "id": cast.member2.id, "name": "Bert Jansen",
        "collective": "Energiecoöperatie De Windvang", "organisation": None,
    }
    assert mentions.lookup_entry(cast.partner) == {
        "id": cast.partner.id, "name": "Petra Geldmans", "collective": None,
        "organisation": "Fonds Groene Energie",
    }
    assert mentions.lookup_entry(cast.moderator)["collective"] is None


# -- @Name in a text --------------------------------------------------------------------------------

def test_mentions_of_readers_become_links_to_them(cast):
    html = str(mentions.render("Vraag aan @Bert Jansen en @Petra Geldmans, en @Olga Los.",
                               can_read_forum))
    assert mention_html(cast.member2) in html and mention_html(cast.partner) in html
    assert "@Olga Los" in html and "Olga Los</" not in html  # cannot read the forum: plain text
    assert mentions.mention_href(cast.member2).startswith("/")
    assert f'<a class="mention" href="{mentions.mention_href(cast.member2)}"' in html


def test_the_link_target_is_the_collective_or_nothing(cast):
    """Until people have profiles: a member's collective; a partner or moderator has none."""
    if mentions.mention_href(cast.partner) is not None:
        pytest.skip("profiles exist: every mention links to the person")
    assert mentions.mention_href(cast.member2) == "/collectieven/windvang"
    assert mentions.mention_href(cast.moderator) is None
    assert '<span class="mention">@Petra Geldmans</span>' in str(
        mentions.render("@Petra Geldmans", can_read_forum))


def test_a_name_two_readers_share_is_marked_not_linked_to_one_of_them(cast):
    quick_user("bert2@example.org", collective=cast.other_collective, name="Bert Jansen")
    assert mentions.mention_href(cast.member2)  # the first Bert alone would be a link
    html = str(mentions.render("Hoi @Bert Jansen", can_read_forum))
    assert html == '<p>Hoi <span class="mention">@Bert Jansen</span></p>'


def test_mentions_in_code_and_links_stay_text(cast):
    html = str(mentions.render("`@Bert Jansen` en [@Bert Jansen](https://example.org)\n\n"
                               "    @Bert Jansen", can_read_forum))
    assert "mention" not in html


def test_mentions_in_a_quote_are_linked_but_notify_nobody(cast):
    source = "> **Anna de Vries** schreef:\n> Vraag het @Bert Jansen\n\nEn @Petra Geldmans?"
    assert mention_html(cast.member2) in str(mentions.render(source, can_read_forum))
    assert names(mentions.readers_named(source, can_read_forum)) == ["Petra Geldmans"]


def test_crafted_mention_markup_in_the_source_does_not_pass(cast):
    source = ('<a class="mention" href="/collectieven/windvang">@Niemand</a> '
              '<span class="mention">nep</span> [x](/y "titel"){: .mention}')
    for html in (str(render_markdown(source)), str(mentions.render(source, can_read_forum))):
        assert "&lt;a class=" in html  # shown as text
        assert not re.search(r"<(?:a|span)\b[^>]*class=", html), html


def test_notes_say_who_cannot_read_the_place_and_which_names_are_nobodys(cast):
    source = ("@Bert Jansen, @Olga Los en @Karel Onbekend: kijk hier.\n"
              "> @Olga Los in een citaat\n")
    assert mentions.mention_notes(source, can_read_forum, "deze discussie") == [
        "Olga Los kan deze discussie niet lezen en krijgt geen melding.",
        "“@Karel” is niemand op het platform: er gaat geen melding uit.",
    ]
    assert mentions.mention_notes("@Bert Jansen", can_read_forum, "deze discussie") == []
    many = " ".join(f"@Bert Jansen{n}" for n in range(25))
    assert mentions.mention_notes(many, can_read_forum, "x")[-1] == (
        "Alleen de eerste 20 genoemde mensen krijgen een melding.")


def test_the_preview_shows_what_is_saved_and_the_notes(cast):
    shown = mentions.preview("Hoi @Bert Jansen en @Olga Los", can_read_forum, "deze discussie")
    assert shown.__html__() == str(mentions.render("Hoi @Bert Jansen en @Olga Los",
                                                   can_read_forum))
    assert shown.notes == ("Olga Los kan deze discussie niet lezen en krijgt geen melding.",)


def test_the_allow_list_keeps_exactly_the_mention_class_on_links_and_spans():
    # Markdown never passes raw HTML, but the sanitiser has the last word on whatever it gets.
    from app.markup import _cleaner

    html = _cleaner.clean('<a class="mention" href="/c/x">a</a> <a class="mention btn" href="/">b</a>'
                          ' <span class="mention">c</span> <span class="d-none">d</span>'
                          ' <p class="mention">e</p> <a class="mention" href="javascript:x">f</a>')
    assert html.count('class="mention"') == 3  # the first link, the first span and the last link
    assert "btn" not in html and "d-none" not in html and '<p class' not in html
    assert "javascript" not in html
