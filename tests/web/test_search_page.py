"""The search page /zoeken through the test client: what members and visitors find, filters,
sorting, pages, empty states and any text someone might type."""
import re
from datetime import timedelta

import pytest

from app.timeutil import utcnow
from tests.factories import make_group, start_thread
from tests.fixtures.search import (
    SearchCast, add_knowledge, current_filter, filter_count, hit_titles, index_now,
)
from tests.support import login, text

ALL_TITLES = {"Ervaringen met een buurtbatterij", "Financiering van een buurtbatterij",
              "Handreiking buurtbatterij", "Energiecoöperatie Buurtbatterij Zuid"}
PUBLIC_TITLES = {"Handreiking buurtbatterij", "Energiecoöperatie Buurtbatterij Zuid"}


@pytest.fixture
def cast():
    return SearchCast()


def search_page(client, **params):
    response = client.get("/zoeken", query_string=params)
    assert response.status_code == 200
    return text(response)


# -- what each person finds ----------------------------------------------------------------------

def test_member_finds_every_kind_with_where_and_date(client, cast):
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij")
    assert set(hit_titles(page)) == ALL_TITLES
    assert "Concept buurtbatterij" not in page  # a draft is never found
    assert filter_count(page, "Alles") == 4
    for label in ("Discussies", "Labvragen", "Kennisbank", "Collectieven"):
        assert filter_count(page, label) == 1
    assert "<strong>4</strong> resultaten" in page
    assert "Forum · Energie" in page  # where the discussion lives
    assert "Financelab" in page
    for badge in ("Discussie", "Labvraag", "Kennisbank", "Collectief"):
        assert re.search(r'<span class="badge search-kind[^"]*">' + badge + "</span>", page), badge
    # dates in Dutch
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    assert re.search(r'<span class="search-date">· \d{1,2} (' + months + r') \d{4}</span>', page)
    # the members-only text is searchable for a member
    page = search_page(client, q=cast.SECRET)
    assert set(hit_titles(page)) == {"Ervaringen met een buurtbatterij",
                                     "Financiering van een buurtbatterij", "Handreiking buurtbatterij"}
    assert f"<mark>{cast.SECRET}</mark>" in page


def test_hits_link_to_their_pages(client, cast):
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij")
    links = dict((re.sub(r"<[^>]+>", "", title), href) for href, title in
                 re.findall(r'<h2 class="h5 mb-1"><a href="([^"]*)">(.*?)</a></h2>', page, re.S))
    for title, href in links.items():
        assert client.get(href).status_code == 200, (title, href)
    assert links["Ervaringen met een buurtbatterij"].startswith(f"/forum/energie/{cast.thread.id}")
    assert links["Energiecoöperatie Buurtbatterij Zuid"].startswith("/collectieven/")


MEMBERS_ONLY_TEXT = ("veertigduizend", "staat klaar", "begroting", "Ervaringen met een buurtbatterij",
                     "Financiering van een buurtbatterij")


def _assert_only_public(page, cast, query=""):
    """Nothing of the members-only text shows (the secret word only where the query is echoed)."""
    assert set(hit_titles(page)) <= PUBLIC_TITLES
    for words in MEMBERS_ONLY_TEXT:
        assert words not in page
    if cast.SECRET not in query:
        assert cast.SECRET not in page
    assert "<mark>" + cast.SECRET not in page.lower()
    if "search-filters" in page:
        assert filter_count(page, "Discussies") == 0
        assert filter_count(page, "Labvragen") == 0


def test_visitor_sees_only_public_text(client, cast):
    page = search_page(client, q="buurtbatterij")
    assert set(hit_titles(page)) == PUBLIC_TITLES
    _assert_only_public(page, cast)
    assert filter_count(page, "Alles") == 2
    assert filter_count(page, "Discussies") == 0
    assert filter_count(page, "Labvragen") == 0
    assert filter_count(page, "Kennisbank") == 1
    assert filter_count(page, "Collectieven") == 1
    assert "om ook discussies, labvragen en de volledige kennisbank te doorzoeken" in page
    # the members-only word finds nothing, not even a count
    page = search_page(client, q=cast.SECRET)
    assert hit_titles(page) == []
    assert filter_count(page, "Alles") == 0
    assert "Geen resultaten" in page
    _assert_only_public(page, cast, query=cast.SECRET)


@pytest.mark.parametrize("kind", ["discussie", "labvraag", "kennis"])
def test_visitor_filtering_on_members_kinds_sees_nothing_secret(client, cast, kind):
    for q in ("buurtbatterij", cast.SECRET, f"body:{cast.SECRET}", f'"{cast.SECRET}"'):
        page = search_page(client, q=q, type=kind)
        _assert_only_public(page, cast, query=q)
        assert filter_count(page, "Kennisbank") <= 1


def test_logged_in_person_without_a_collective_searches_like_a_visitor(client, cast):
    login(client, cast.outsider.email)
    page = search_page(client, q="buurtbatterij")
    assert set(hit_titles(page)) == PUBLIC_TITLES
    _assert_only_public(page, cast)
    assert "Word lid van een collectief om ook discussies" in page


def test_moderator_finds_everything(client, cast):
    login(client, cast.moderator.email)
    page = search_page(client, q="buurtbatterij")
    assert set(hit_titles(page)) == ALL_TITLES
    assert "te doorzoeken" not in page


# -- filters, sorting, pages ----------------------------------------------------------------------

def test_type_filter_shows_one_kind_and_keeps_all_counts(client, cast):
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij", type="labvraag")
    assert hit_titles(page) == ["Financiering van een buurtbatterij"]
    assert current_filter(page) == "Labvragen"
    assert filter_count(page, "Alles") == 4
    assert filter_count(page, "Discussies") == 1
    assert "voor <q>buurtbatterij</q> in de labvragen" in page
    # the filter links keep the query and the sort
    page = search_page(client, q="buurtbatterij", sort="datum")
    assert 'href="/zoeken?q=buurtbatterij&amp;type=kennis&amp;sort=datum"' in page
    assert current_filter(page) == "Alles"


@pytest.mark.parametrize("params", [{"type": "bestaatniet"}, {"sort": "willekeurig"},
                                    {"type": "", "sort": ""}, {"pagina": "abc"},
                                    {"pagina": "-3"}, {"pagina": "99999999999999"},
                                    {"type": "<script>", "sort": "DROP TABLE"}])
def test_unknown_filters_are_ignored(client, cast, params):
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij", **params)
    assert set(hit_titles(page)) == ALL_TITLES
    assert current_filter(page) == "Alles"
    assert "<script>" not in page.split("<main", 1)[1]


def test_sort_by_date_puts_the_newest_first(client, cast):
    login(client, cast.member.email)
    group = make_group("Wonen", slug="wonen")
    for days, title in ((30, "Oude vraag over warmtepompen"), (1, "Nieuwe vraag over warmtepompen"),
                        (10, "Middelste vraag over warmtepompen")):
        start_thread(group, cast.member, title=title,
                     body="Warmtepompen warmtepompen warmtepompen" if days == 30 else "Warmtepompen",
                     now=utcnow() - timedelta(days=days))
    index_now()
    by_date = hit_titles(search_page(client, q="warmtepompen", sort="datum"))
    assert by_date == ["Nieuwe vraag over warmtepompen", "Middelste vraag over warmtepompen",
                       "Oude vraag over warmtepompen"]
    page = search_page(client, q="warmtepompen", sort="datum")
    assert re.search(r'<a class="btn btn-sm btn-secondary" href="[^"]*" aria-current="true">Nieuwste eerst', page)
    page = search_page(client, q="warmtepompen")
    assert re.search(r'aria-current="true">Relevantie', page)
    assert set(hit_titles(page)) == set(by_date)


def test_results_come_in_pages_of_twenty(client, cast):
    login(client, cast.member.email)
    group = make_group("Zorg", slug="zorg")
    start = utcnow() - timedelta(days=40)
    for n in range(25):
        start_thread(group, cast.member, title=f"Mantelzorgcafé nummer {n + 1}",
                     body="Een avond over mantelzorg in de buurt.", now=start + timedelta(days=n))
    index_now()
    first = search_page(client, q="mantelzorgcafé", sort="datum")
    assert len(hit_titles(first)) == 20
    assert "<strong>25</strong> resultaten" in first
    assert "pagina 1 van 2" in first
    assert hit_titles(first)[0] == "Mantelzorgcafé nummer 25"
    next_link = re.search(r'<a class="page-link" href="([^"]+)" rel="next">Volgende</a>', first)
    assert next_link
    href = next_link.group(1).replace("&amp;", "&")
    assert "sort=datum" in href and "pagina=2" in href and "q=mantelzorgcaf" in href
    second = text(client.get(href))
    assert len(hit_titles(second)) == 5
    assert hit_titles(second)[-1] == "Mantelzorgcafé nummer 1"
    assert not set(hit_titles(first)) & set(hit_titles(second))
    assert 'start="21"' in second
    # a page beyond the last shows the last page, not an empty list
    beyond = search_page(client, q="mantelzorgcafé", sort="datum", pagina=7)
    assert hit_titles(beyond) == hit_titles(second)


# -- empty states ---------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "\x00\x01"}])
def test_without_a_query_the_page_explains_what_can_be_searched(client, params):
    page = search_page(client, **params)
    assert "Wat kun je hier zoeken?" in page
    assert "woningen</em> vindt ook <em>woning" in page
    assert "resultaten" not in page.split("<main", 1)[1]
    assert "<title>Zoeken · CollectieveKracht</title>" in page
    assert "Log in</a> of <a" in page  # a visitor is told what logging in adds


def test_no_results_gives_tips(client, cast):
    login(client, cast.member.email)
    page = search_page(client, q="xylofoonorkest")
    assert "Geen resultaten" in page
    assert "Controleer de spelling" in page
    assert "Probeer minder woorden" in page
    assert "te doorzoeken" not in page  # a member needs no log-in hint
    # with a type filter that hides the hits, the way back to all results is offered
    page = search_page(client, q="buurtbatterij", type="labvraag")
    assert hit_titles(page)
    add_knowledge("Alleen kennis over zonnedaken", "Zonnedaken op scholen.", days_ago=2)
    index_now()
    page = search_page(client, q="zonnedaken", type="discussie")
    assert "Geen resultaten in de discussies" in page
    assert 'href="/zoeken?q=zonnedaken">Zoek in alles</a>: daar is 1 resultaat' in page


def test_visitor_without_results_is_told_to_log_in(client, cast):
    page = search_page(client, q=cast.SECRET)
    assert "Geen resultaten" in page
    assert "Log in</a> of <a" in page
    assert "om ook discussies, labvragen en de volledige kennisbank te doorzoeken" in page


# -- the page itself ------------------------------------------------------------------------------

def test_title_label_and_robots(client, cast):
    page = search_page(client, q="buurtbatterij")
    assert "<title>Zoeken: buurtbatterij · CollectieveKracht</title>" in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<label for="zoekvraag" class="form-label">Waar zoek je naar?</label>' in page
    assert re.search(r'<input id="zoekvraag"[^>]*value="buurtbatterij"', page)
    assert 'role="search"' in page


def test_header_search_box(client):
    page = search_page(client, q="energie")
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    form = re.search(r'<form class="site-search" role="search" action="/zoeken" method="get">(.*?)</form>',
                     header, re.S)
    assert form
    assert '<label for="zoekterm"' in form.group(1)
    field = re.search(r'<input id="zoekterm"[^>]*>', form.group(1)).group(0)
    assert 'name="q"' in field and 'value="energie"' in field
    assert int(re.search(r'maxlength="(\d+)"', field).group(1)) >= 200
    # elsewhere the box is empty
    home = text(client.get("/"))
    assert re.search(r'<input id="zoekterm"[^>]*value=""', home)


def test_snippet_highlights_and_escapes_html(client, cast):
    login(client, cast.member.email)
    start_thread(cast.group, cast.member, title="Zonnepanelen op het buurthuis",
                 body='<script>alert("x")</script> <b>vet</b> Wij plaatsen zonnepanelen & een omvormer.')
    index_now()
    page = search_page(client, q="zonnepanelen")
    assert hit_titles(page) == ["Zonnepanelen op het buurthuis"]
    snippet = re.search(r'<p class="search-snippet mb-0">(.*?)</p>', page, re.S).group(1)
    assert "<mark>zonnepanelen</mark>" in snippet.lower()
    assert "<script" not in snippet and "<b>" not in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0  # only <mark> tags
    assert "<script>alert" not in page


def test_thousands_are_written_the_dutch_way(client, cast, monkeypatch):
    from app import search

    real = search.search

    def many(*args, **kwargs):
        results = real(*args, **kwargs)
        results.total = 1234
        results.counts = {"discussie": 1200, "labvraag": 34}
        return results

    monkeypatch.setattr(search, "search", many)
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij")
    assert "<strong>1.234</strong> resultaten" in page
    assert filter_count(page, "Alles") == 1234
    assert "1.200" in page


# -- any text works ---------------------------------------------------------------------------------

MALFORMED = [
    '"buurtbatterij', 'buurtbatterij"', '"""', "(buurtbatterij", "buurtbatterij)", "((()))", "[]{}",
    "AND", "OR", "NOT", "buurtbatterij AND", "OR buurtbatterij", "AND OR NOT", "buurtbatterij AND (OR",
    "title:", "body:geheimplan", "title:buurtbatterij", ":", "*", "?", "buurt*", "~2", "^", "buurtbatterij^",
    "-", "+buurtbatterij -zon", "\\", "'", "<script>alert(1)</script>", "&amp;", "%", "%00",
    "buurtbatterij" * 250, "woord " * 600, "🔋⚡️🏘️", "buurtbatterij 🔋", "\x00", "buurt\x00batterij",
    "\x1b[31m", "\u202e", "\ufeff", "ééé", "İstanbul", "a" * 3000, "𝔟𝔲𝔲𝔯𝔱", "NaN", "null", "{{ 7*7 }}",
]


@pytest.mark.parametrize("query", MALFORMED)
def test_any_text_gives_a_normal_page(client, cast, query):
    page = search_page(client, q=query)
    assert "<h1>Zoeken</h1>" in page
    assert "\x00" not in page
    assert "Traceback" not in page
    assert "<script>alert" not in page
    if "7*7" in query:
        assert "{{ 7*7 }}" in page
    _assert_only_public(page, cast, query=query)


@pytest.mark.parametrize("query", ["body:geheimplan", "geheimplan", '"geheimplan"', "title:geheimplan OR geheimplan",
                                   "(geheimplan)", "geheimplan*", "body:geheimplan AND buurtbatterij"])
def test_field_syntax_does_not_open_members_text_to_visitors(client, cast, query):
    page = search_page(client, q=query)
    _assert_only_public(page, cast, query=query)
    if "buurtbatterij" not in query:  # the secret word is only in members-only text
        assert filter_count(page, "Alles") == 0


@pytest.mark.parametrize("query", ['buurtbatterij AND (OR "', "buurtbatterij AND", "OR buurtbatterij",
                                   "(buurtbatterij", '"buurtbatterij', "buurtbatterij)",
                                   "title:buurtbatterij", "buurtbatterij^", "NOT AND buurtbatterij"])
def test_malformed_query_still_finds_the_words_for_a_member(client, cast, query):
    """Operators or syntax with nothing to act on are left out: the words are searched."""
    login(client, cast.member.email)
    page = search_page(client, q=query)
    assert set(hit_titles(page)) == ALL_TITLES, query


def test_very_long_query_is_cut_with_a_note(client, cast):
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij " + "lang " * 600)
    assert "Je zoekvraag was erg lang" in page
    field = re.search(r'<input id="zoekvraag"[^>]*value="([^"]*)"', page).group(1)
    assert len(field) <= 500
    assert field.startswith("buurtbatterij lang")


def test_control_characters_are_removed_before_searching(client, cast):
    login(client, cast.member.email)
    page = search_page(client, q="buurtbatterij\x00\x07")
    assert set(hit_titles(page)) == ALL_TITLES
    assert re.search(r'<input id="zoekvraag"[^>]*value="buurtbatterij"', page)


def test_new_content_is_found_after_an_earlier_search(client, cast):
    """The page keeps working when the index changed since the last search in this process
    (the engine refreshes its cached searcher)."""
    login(client, cast.member.email)
    assert search_page(client, q="buurtbatterij")
    add_knowledge("Zonnedaken op scholen", "Zo leg je zonnedaken op scholen.", days_ago=1)
    index_now()
    page = search_page(client, q="zonnedaken")
    assert "Zoeken lukt op dit moment niet" not in page
    assert hit_titles(page) == ["Zonnedaken op scholen"]
    page = search_page(client, q="buurtbatterij")
    assert len(hit_titles(page)) == 4


def test_searching_is_rate_limited_per_person_with_a_dutch_page(client, cast):
    login(client, cast.member.email)
    for n in range(60):
        assert client.get("/zoeken", query_string={"q": f"buurtbatterij {n}"}).status_code == 200
    response = client.get("/zoeken", query_string={"q": "buurtbatterij"})
    assert response.status_code == 429
    assert "Even rustig aan" in text(response)
    assert client.get("/zoeken").status_code == 200  # the empty page still works
    # another person (or a visitor) is not affected
    other = client.application.test_client()
    assert other.get("/zoeken", query_string={"q": "buurtbatterij"}).status_code == 200


def test_statements_do_not_grow_with_the_number_of_hits(client, cast):
    """Hits come from the index's stored fields: no database query per hit."""
    from tests.support import QueryCounter

    login(client, cast.member.email)
    group = make_group("Wonen", slug="wonen")
    for n in range(20):
        start_thread(group, cast.member, title=f"Hofje {n}", body="Een knarrenhof bouwen met buren.")
    index_now()

    def statements(q):
        with QueryCounter() as counter:
            page = search_page(client, q=q)
        return counter.count, len(hit_titles(page))

    few, shown_few = statements("geheimplan")
    many, shown_many = statements("knarrenhof")
    assert (shown_few, shown_many) == (3, 20)
    assert many == few


def test_a_query_read_as_plain_words_is_explained(client, cast, monkeypatch):
    from app import search

    real = search.search

    def as_words(*args, **kwargs):
        results = real(*args, **kwargs)
        results.as_words = True
        return results

    login(client, cast.member.email)
    assert "search-as-words" not in search_page(client, q="buurtbatterij")
    monkeypatch.setattr(search, "search", as_words)
    page = search_page(client, q="buurtbatterij (")
    assert "We hebben daarom op de woorden zelf gezocht." in page
    assert set(hit_titles(page)) == ALL_TITLES
