"""What people type, read as they mean it: -woord excludes, woord* also finds the whole word's
forms, an empty index answers with nothing found (not "try later")."""
import pytest

from app import search
from app.search import postgres, searching
from app.search.backend import uses_postgresql
from tests.factories import cheap_passwords, make_group, start_thread
from tests.fixtures.forum import Cast
from tests.support import isolated_client, login


@pytest.fixture(autouse=True)
def index_at_commit(app):
    app.config["SEARCH_APPLY"] = "inline"


@pytest.fixture
def cast():
    cast = Cast()
    cheap_passwords(cast.member)
    return cast


@pytest.fixture
def threads(cast):
    group = make_group("Energie", slug="energie")
    start_thread(group, cast.member, title="De gemeente en subsidie",
                 body="Onze gemeente geeft subsidie voor zonnepanelen.")
    start_thread(group, cast.member, title="De gemeente en vergunningen",
                 body="Wat vraagt de gemeente voor een windmolen?")
    start_thread(group, cast.member, title="Gemeentes die meedenken",
                 body="Welke gemeentes helpen een buurtje met paneeltjes?")


def titles(results):
    return sorted(hit.title for hit in results.hits)


def test_minus_excludes_a_word(cast, threads):
    assert titles(search.search("gemeente -subsidie", cast.member)) == [
        "De gemeente en vergunningen", "Gemeentes die meedenken"]
    assert titles(search.search('gemeente -"zonnepanelen"', cast.member)) == [
        "De gemeente en vergunningen", "Gemeentes die meedenken"]


def test_a_hyphen_inside_a_word_is_not_a_minus(cast, threads):
    results = search.search("gemeente-subsidie", cast.member)
    assert titles(results) == ["De gemeente en subsidie"]


def test_only_minus_words_search_the_words_themselves(cast, threads):
    results = search.search("-subsidie", cast.member)
    assert results.as_words and titles(results) == ["De gemeente en subsidie"]


def test_a_prefix_also_finds_the_whole_words_forms(cast, threads):
    # The index holds stems: zonnepanelen is indexed as "zonnepanel".
    assert titles(search.search("zonnepanelen*", cast.member)) == ["De gemeente en subsidie"]
    assert titles(search.search("zonnepan*", cast.member)) == ["De gemeente en subsidie"]
    assert titles(search.search("windmolens*", cast.member)) == ["De gemeente en vergunningen"]


def test_plurals_and_diminutives_find_each_other_through_a_search(cast, threads):
    assert len(search.search("gemeentes", cast.member).hits) == 3
    assert titles(search.search("buurt panelen", cast.member)) == ["Gemeentes die meedenken"]


def test_an_empty_index_finds_nothing_and_is_not_unavailable(cast):
    results = search.search("gemeente", cast.member)
    assert results.total == 0 and results.hits == []
    assert not results.unavailable


def test_pages_end_where_the_ranking_ends_and_the_page_says_so(app, cast, monkeypatch):
    group = make_group("Wonen", slug="wonen")
    for number in range(10):
        start_thread(group, cast.member, title=f"Warmtenet deel {number}",
                     body="Over het warmtenet in de wijk.")
    monkeypatch.setattr(searching, "SCORE_LIMIT", 4)   # the Whoosh backend's bound
    monkeypatch.setattr(postgres, "RANK_LIMIT", 4)     # the PostgreSQL backend's
    results = search.search("warmtenet", cast.member, per_page=2)
    assert results.total == 10 and results.ranked == 4 and results.pages == 2
    assert len(search.search("warmtenet", cast.member, page=2, per_page=2).hits) == 2
    beyond = search.search("warmtenet", cast.member, page=3, per_page=2)
    assert beyond.hits == [] and beyond.pages == 2
    by_date = search.search("warmtenet", cast.member, sort="datum", per_page=2)
    assert by_date.ranked is None and by_date.pages == 5

    client = isolated_client(app)
    login(client, cast.member.email)
    page = client.get("/zoeken?q=warmtenet").get_data(as_text=True)
    assert "search-ranked" in page and "sorteer op datum" in page
    assert "search-ranked" not in client.get("/zoeken?q=warmtenet&sort=datum").get_data(as_text=True)


def test_a_prefix_with_more_words_than_are_searched_says_so(app, cast, threads, monkeypatch):
    """Whoosh expands woord* to at most MAX_EXPANSIONS words; past that the page says so rather
    than leaving words out silently (PostgreSQL matches a prefix without a bound)."""
    from app.search import evaluation

    app.config["SEARCH_BACKEND"] = "whoosh"
    start_thread(make_group("Wonen", slug="wonen"), cast.member, title="Verbouwen",
                 body="Verduurzaming, verwarming en de vereniging van eigenaren.")
    monkeypatch.setattr(evaluation, "MAX_EXPANSIONS", 2)
    # verbouw, verduurzam, verwarm, verenig: more than two words start with "ver".
    limited = search.search("ver*", cast.member)
    assert limited.prefix_limited == 2 and limited.hits
    assert search.search("zonnepan*", cast.member).prefix_limited is None
    assert search.search("subsidie OR ver*", cast.member).prefix_limited == 2

    client = isolated_client(app)
    login(client, cast.member.email)
    page = client.get("/zoeken?q=ver*").get_data(as_text=True)
    assert "search-prefix-limited" in page and "de eerste 2" in page
    assert "search-prefix-limited" not in client.get("/zoeken?q=zonnepan*").get_data(as_text=True)


def test_postgresql_counts_a_very_common_word_up_to_a_bound_and_says_so(app, cast, monkeypatch):
    """PostgreSQL stops counting at COUNT_LIMIT ("meer dan"), ranks the newest matches and pages
    only through those, so a word in every post costs what a rare word costs."""
    if not uses_postgresql():
        pytest.skip("the PostgreSQL backend's bound (runs when DATABASE_URL is PostgreSQL)")
    group = make_group("Wonen", slug="wonen")
    for number in range(10):
        start_thread(group, cast.member, title=f"Warmtenet deel {number}",
                     body="Over het warmtenet in de wijk.")
    monkeypatch.setattr(postgres, "COUNT_LIMIT", 4)
    monkeypatch.setattr(postgres, "RANK_LIMIT", 4)
    results = search.search("warmtenet", cast.member, per_page=2)
    assert results.capped == 4 and results.total > 4 and results.counts["discussie"] == 5
    assert results.ranked == 4 and results.pages == 2 and results.ranked_newest
    newest = {f"Warmtenet deel {number}" for number in range(6, 10)}
    seen = {hit.title for page in (1, 2)
            for hit in search.search("warmtenet", cast.member, page=page, per_page=2).hits}
    assert seen == newest  # the four newest, ranked
    by_date = search.search("warmtenet", cast.member, sort="datum", per_page=2)
    assert by_date.capped == 4 and by_date.pages == 2
    assert [hit.title for hit in by_date.hits] == ["Warmtenet deel 9", "Warmtenet deel 8"]

    client = isolated_client(app)
    login(client, cast.member.email)
    page = client.get("/zoeken?q=warmtenet").get_data(as_text=True)
    assert "Meer dan <strong>4</strong> resultaten" in page and "search-capped" in page
    assert "4+" in page
    # A page past the bound shows the last one there is, not an empty page.
    assert "Warmtenet deel" in client.get("/zoeken?q=warmtenet&pagina=40").get_data(as_text=True)
