"""/zoeken shows a discussion once, however many of its posts match: its best post as the snippet
and "3 berichten in deze discussie" linking to those posts (?discussie=<id>); pages count
discussions; a visitor sees and counts nothing of the forum through it; any ?discussie= value
gives a normal page. Runs on each available search backend."""
import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.forum import moderation
from app.timeutil import utcnow
from tests.factories import add_replies, make_group, start_thread
from tests.fixtures.search import (SearchCast, filter_count, hit_titles, index_now,
                                   pytest_generate_tests)  # noqa: F401
from tests.fixtures.search import search_backend  # noqa: F401  (a fixture)
from tests.support import login, text

Q = SearchCast.SECRET  # in the thread's opening post, its replies, a lab question and knowledge


@pytest.fixture(autouse=True)
def backend(app, search_backend):
    app.config["SEARCH_APPLY"] = "inline"
    return search_backend


@pytest.fixture
def cast():
    return SearchCast()


@pytest.fixture
def busy_thread(cast):
    """The cast's thread, whose opening post names the secret plan, gets two replies about it (the
    last one the most focused) and one about something else."""
    start = utcnow() - timedelta(days=2)
    first, = add_replies(cast.thread, [cast.member], 1, start=start,
                         body="Het geheimplan" + " en verder een lang verhaal over de vergadering" * 8)
    best, = add_replies(cast.thread, [cast.member], 1, start=start + timedelta(hours=1),
                        body="Geheimplan, geheimplan: het geheimplan laadt op!")
    add_replies(cast.thread, [cast.member], 1, start=start + timedelta(hours=2),
                body="Over iets anders.")
    index_now()
    return first, best


def search_page(client, **params):
    response = client.get("/zoeken", query_string=params)
    assert response.status_code == 200
    return text(response)


def thread_link(page):
    match = re.search(r'<p class="search-thread-matches mb-0"><a href="([^"]+)">([^<]+)</a>', page)
    return (match.group(1).replace("&amp;", "&"), match.group(2)) if match else (None, None)


def snippets(page):
    return re.findall(r'<p class="search-snippet mb-0">(.*?)</p>', page, re.S)


def test_a_thread_with_three_matching_posts_is_one_hit_with_a_link_to_them(client, cast, busy_thread):
    first, best = busy_thread
    login(client, cast.member.email)
    page = search_page(client, q=Q)
    titles = hit_titles(page)
    assert titles.count("Ervaringen met een buurtbatterij") == 1
    assert len(titles) == 3  # the thread, the lab question, the knowledge item
    assert "<strong>3</strong> resultaten" in page and filter_count(page, "Discussies") == 1
    assert filter_count(page, "Alles") == 3
    href, label = thread_link(page)
    assert label == "3 berichten in deze discussie"
    assert href == f"/zoeken?q=geheimplan&discussie={cast.thread.id}"
    # The thread's hit shows its best post: that post's words, and its address.
    assert f'href="/forum/bericht/{best.id}">Ervaringen met een buurtbatterij</a>' in page
    assert any("laadt op" in snippet for snippet in snippets(page))
    assert not any("vergadering" in snippet for snippet in snippets(page))

    inside = text(client.get(href))
    assert hit_titles(inside) == ["Ervaringen met een buurtbatterij"] * 3
    assert ("<strong>3</strong> berichten voor <q>geheimplan</q> in deze discussie"
            in re.sub(r"\s+", " ", inside))
    assert "in de discussie <q>Ervaringen met een buurtbatterij</q>" in inside
    assert 'href="/zoeken?q=geheimplan">Zoek weer overal</a>' in inside
    assert "search-filters" not in inside and thread_link(inside) == (None, None)
    assert "veertigduizend" in inside and "laadt op" in inside and "vergadering" in inside
    # Sorting inside the discussion keeps to it.
    newest = search_page(client, q=Q, discussie=cast.thread.id, sort="datum")
    assert hit_titles(newest) == ["Ervaringen met een buurtbatterij"] * 3
    assert "laadt op" in snippets(newest)[0]
    assert f"discussie={cast.thread.id}" in re.search(r'href="([^"]*)"[^>]*>Relevantie', newest).group(1)


def test_pages_count_discussions_without_repeats(client, cast):
    login(client, cast.member.email)
    group = make_group("Zorg", slug="zorg")
    start = utcnow() - timedelta(days=60)
    for number in range(25):
        thread, _ = start_thread(group, cast.member, title=f"Mantelzorgcafé nummer {number + 1}",
                                 body="Een avond over het mantelzorgcafé.",
                                 now=start + timedelta(days=number))
        add_replies(thread, [cast.member], 2, start=start + timedelta(days=number, hours=1),
                    body="Ook in ons mantelzorgcafé, deel {n}.")
    index_now()
    for sort in ("relevantie", "datum"):
        first = search_page(client, q="mantelzorgcafé", sort=sort)
        assert "<strong>25</strong> resultaten" in first and "pagina 1 van 2" in first
        assert len(hit_titles(first)) == 20
        assert first.count("3 berichten in deze discussie") == 20
        href = re.search(r'<a class="page-link" href="([^"]+)" rel="next">', first).group(1)
        second = text(client.get(href.replace("&amp;", "&")))
        assert len(hit_titles(second)) == 5 and 'start="21"' in second
        shown = hit_titles(first) + hit_titles(second)
        assert len(set(shown)) == 25, sort
        beyond = search_page(client, q="mantelzorgcafé", sort=sort, pagina=9)
        assert hit_titles(beyond) == hit_titles(second)


def test_a_visitor_sees_and_counts_nothing_of_the_forum(client, cast, busy_thread):
    for who in (None, cast.outsider):
        if who is not None:
            login(client, who.email)
        page = search_page(client, q="buurtbatterij")
        assert filter_count(page, "Discussies") == 0 and filter_count(page, "Alles") == 2
        assert "berichten in deze discussie" not in page
        assert "Ervaringen met een buurtbatterij" not in page
        inside = search_page(client, q=Q, discussie=cast.thread.id)
        assert hit_titles(inside) == []
        assert "Ervaringen met een buurtbatterij" not in inside and "laadt op" not in inside
        assert "Geen resultaten in deze discussie" in inside


def test_a_hidden_post_is_not_counted(client, cast, busy_thread):
    first, best = busy_thread
    moderation.hide_post(cast.moderator, first, "Reclame")
    db.session.commit()
    index_now()
    login(client, cast.member.email)
    page = search_page(client, q=Q)
    assert thread_link(page)[1] == "2 berichten in deze discussie"
    inside = search_page(client, q=Q, discussie=cast.thread.id)
    assert len(hit_titles(inside)) == 2 and "vergadering" not in inside


def test_a_discussion_with_one_matching_post_has_no_link(client, cast):
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij")
    assert "Ervaringen met een buurtbatterij" in hit_titles(page)
    assert "berichten in deze discussie" not in page


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1.5", "1e3", "99999999999999999999",
                                   "<script>", " ", "thread:1"])
def test_any_discussie_value_gives_a_normal_page(client, cast, busy_thread, value):
    login(client, cast.member.email)
    page = search_page(client, q=Q, discussie=value)
    assert "<script>" not in page.split("<main", 1)[1]
    if value.strip():
        assert "De link naar één discussie klopte niet. We hebben daarom overal gezocht." in page
    assert len(hit_titles(page)) == 3  # searched everywhere


def test_a_discussion_that_is_not_there_finds_nothing_and_says_where(client, cast, busy_thread):
    login(client, cast.member.email)
    page = search_page(client, q=Q, discussie=987654)
    assert hit_titles(page) == [] and "Geen resultaten in deze discussie" in page
    assert 'href="/zoeken?q=geheimplan">Zoek weer overal</a>' in page
    assert "klopte niet" not in page


def test_threads_counted_among_the_first_matches_say_minstens(client, cast, busy_thread, monkeypatch):
    """PostgreSQL counts at most COUNT_LIMIT matches: past it, the threads among them are a lower
    bound ("minstens"), and a kind past the bound itself is "meer dan" as before."""
    from app import search

    real = search.search

    def bounded(*args, **kwargs):
        results = real(*args, **kwargs)
        results.counts = {"discussie": 412, "labvraag": 3, "kennis": 0, "collectief": 0}
        results.total = 415
        results.at_least = frozenset({"discussie"})
        results.capped = 1000
        return results

    monkeypatch.setattr(search, "search", bounded)
    login(client, cast.member.email)
    page = re.sub(r"\s+", " ", search_page(client, q=Q))
    assert "Minstens <strong>415</strong> resultaten" in page
    assert ('Discussies <span class="badge search-count"><span class="visually-hidden">minstens '
            '</span>412+</span>') in page
    assert 'Alles <span class="badge search-count"><span class="visually-hidden">minstens </span>415+' in page
    assert 'Labvragen <span class="badge search-count">3</span>' in page

    def past(*args, **kwargs):
        results = bounded(*args, **kwargs)
        results.counts = {"discussie": 412, "labvraag": 0, "kennis": 1001, "collectief": 0}
        results.total = 1413
        return results

    monkeypatch.setattr(search, "search", past)
    page = re.sub(r"\s+", " ", search_page(client, q=Q))
    assert "Meer dan <strong>1.000</strong> resultaten" in page
    assert ('Kennisbank <span class="badge search-count"><span class="visually-hidden">meer dan '
            '</span>1.000+</span>') in page
