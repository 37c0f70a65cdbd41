"""The collectives directory, a collective's page and editing it, through the test client."""
import re

import pytest

from app.extensions import db
from app.models.audit import AuditLog
from tests.factories import make_collective, make_user, member_of
from tests.support import csrf_token, login, reload, submit, text


def card_names(page):
    """The collective names on a directory page, in order."""
    return re.findall(r'<h2 class="h5 card-title"><a href="[^"]+">([^<]+)</a>', page)


@pytest.fixture
def several():
    return [
        make_collective("Zorgcoöperatie Hand in Hand", sector="zorg", municipality="Zwolle",
                        province="Overijssel", description="Zorg door en voor de buurt."),
        make_collective("buurtenergie Oost", sector="energie", municipality="Arnhem",
                        province="Gelderland"),
        make_collective("Energie Delta", sector="energie", municipality="Middelburg",
                        province="Zeeland"),
        make_collective("Voedselbos Gent", sector="voedsel", municipality="Gent",
                        province="Oost-Vlaanderen", country="BE"),
    ]


# -- directory -------------------------------------------------------------------------------------

def test_directory_lists_every_collective_sorted_by_name(client, several):
    response = client.get("/collectieven")
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Collectieven</h1>" in page
    assert card_names(page) == ["buurtenergie Oost", "Energie Delta", "Voedselbos Gent",
                                "Zorgcoöperatie Hand in Hand"]
    assert "Zorg &amp; welzijn · Zwolle, Overijssel" in page
    assert "Zorg door en voor de buurt." in page
    assert "Gent, Oost-Vlaanderen · <span" in page and "België</span>" in page
    assert page.count("België</span>") == 1  # only the Belgian card carries the flag text
    assert 'href="/collectieven/energie-delta"' in page


@pytest.mark.parametrize("query, expected", [
    ("sector=energie", ["buurtenergie Oost", "Energie Delta"]),
    ("provincie=Zeeland", ["Energie Delta"]),
    ("provincie=Oost-Vlaanderen", ["Voedselbos Gent"]),
    ("naam=ENERGIE", ["buurtenergie Oost", "Energie Delta"]),
    ("naam=+oost+", ["buurtenergie Oost"]),
    ("sector=energie&provincie=Gelderland", ["buurtenergie Oost"]),
    ("sector=energie&naam=delta", ["Energie Delta"]),
    ("sector=zorg&provincie=Zeeland", []),
    ("sector=energie&provincie=Gelderland&naam=oost", ["buurtenergie Oost"]),
])
def test_directory_filters_alone_and_combined(client, several, query, expected):
    response = client.get("/collectieven?" + query)
    assert response.status_code == 200
    assert card_names(text(response)) == expected


def test_filter_form_keeps_the_chosen_values(client, several):
    page = text(client.get("/collectieven?sector=energie&provincie=Zeeland&naam=Delta"))
    assert '<option selected value="energie">' in page
    assert '<option selected value="Zeeland">' in page
    assert 'value="Delta"' in page
    assert 'href="/collectieven">Wis filters</a>' in page
    # Every filter has a visible label tied to its field.
    for field in ("naam", "sector", "provincie"):
        assert f'<label class="form-label" for="{field}">' in page


def test_name_filter_treats_like_wildcards_as_plain_characters(client):
    make_collective("100% Groen", slug="honderd-procent")
    make_collective("Buurt_fonds Noord", slug="buurtfonds")
    make_collective("Gewone naam", slug="gewoon")
    assert card_names(text(client.get("/collectieven?naam=%25"))) == ["100% Groen"]
    assert card_names(text(client.get("/collectieven?naam=_"))) == ["Buurt_fonds Noord"]
    assert card_names(text(client.get("/collectieven?naam=%5C"))) == []  # a backslash
    assert card_names(text(client.get("/collectieven?naam=0%25+G"))) == ["100% Groen"]


@pytest.mark.parametrize("query", [
    "sector=%3Cscript%3Ealert(1)%3C/script%3E",
    "sector=Energie",
    "provincie=Atlantis",
    "provincie=%27%3B+DROP+TABLE+collectives%3B--",
    "naam=%00",
    "naam=a%01b",
    "naam=" + "x" * 5000,
    "sector=energie&sector=zorg",
    "pagina=-3",
    "pagina=abc",
    "pagina=99999999999999999999",
    "naam[]=x&sector[]=energie",
])
def test_hostile_filter_values_are_ignored_never_an_error(client, several, query):
    response = client.get("/collectieven?" + query)
    assert response.status_code == 200
    names = card_names(text(response))
    if query.startswith("sector=energie&sector=zorg"):
        assert names == ["buurtenergie Oost", "Energie Delta"]  # the first value counts
    else:
        assert len(names) == 4  # the invalid filter is dropped, the full list shows
    assert "<script>alert(1)" not in text(response)


def test_pagination_shows_twenty_per_page_and_keeps_filters(client):
    for number in range(25):
        make_collective(f"Collectief {number:02d}", sector="wonen", municipality="Leiden",
                        province="Zuid-Holland")
    make_collective("Ander collectief", sector="zorg")
    first = text(client.get("/collectieven?sector=wonen"))
    assert card_names(first) == [f"Collectief {n:02d}" for n in range(20)]
    assert "25 collectieven gevonden" in first and "pagina 1 van 2" in first
    assert 'href="/collectieven?sector=wonen&amp;pagina=2" rel="next"' in first
    second = text(client.get("/collectieven?sector=wonen&pagina=2"))
    assert card_names(second) == [f"Collectief {n:02d}" for n in range(20, 25)]
    assert 'rel="prev"' in second
    beyond = client.get("/collectieven?sector=wonen&pagina=7")
    assert beyond.status_code == 200
    assert "Deze pagina bestaat niet" in text(beyond)


def test_empty_state_helps_further(client, several):
    page = text(client.get("/collectieven?naam=bestaatniet"))
    assert "Geen collectieven gevonden" in page
    assert 'href="/collectieven">wis de filters</a>' in page
    assert "Staat jullie collectief er nog niet bij?" in page
    assert 'href="/zelfscan">Doe de zelfscan</a>' in page


def test_empty_directory(client):
    page = text(client.get("/collectieven"))
    assert "Geen collectieven gevonden" in page and "Doe de zelfscan" in page


# -- a collective's page ---------------------------------------------------------------------------

def test_detail_shows_public_information_to_a_visitor(client):
    collective = make_collective(
        "Energiecoöperatie De Windvang", municipality="Houten", province="Utrecht",
        description="Wij wekken samen stroom op.\n\nDoe mee! <b>niet vet</b>",
        website="https://windvang.example.nl/over-ons",
    )
    member_of(collective, "rep@example.org", name="Rita Representant", role="representative")
    response = client.get("/collectieven/energiecooperatie-de-windvang")
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Energiecoöperatie De Windvang</h1>" in page
    for fact in ("Energie", "Houten", "Utrecht", "Nederland"):
        assert f">{fact}</dd>" in page
    # Plain text: markup escaped, line breaks kept (the paragraph preserves them).
    assert ('<p class="preserve-lines prose">Wij wekken samen stroom op.\n\nDoe mee! '
            '&lt;b&gt;niet vet&lt;/b&gt;</p>') in page
    assert ('<a href="https://windvang.example.nl/over-ons" rel="nofollow ugc noopener">'
            in page)
    # No member list for visitors, but a way in.
    assert "Rita Representant" not in page
    assert "alleen zichtbaar voor leden van een collectief op het platform" in page
    assert "Maak een account aan en vraag lidmaatschap aan" in page
    assert 'href="/registreren?next=/collectieven/energiecooperatie-de-windvang"' in page
    assert 'href="/inloggen?next=/collectieven/energiecooperatie-de-windvang"' in page
    assert "Nederlandse situatie" not in page


def test_members_of_collectives_see_the_member_list_and_a_bare_account_does_not(client):
    collective = make_collective("De Groene Schuur", slug="groene-schuur")
    member_of(collective, "rep@example.org", name="Rita Representant", role="representative")
    member_of(collective, "lid@example.org", name="Bas Buurman")
    other = make_collective("De Windvang", slug="windvang")
    member_of(other, "ander@example.org", name="Anne Ander")
    make_user(email="buiten@example.org", name="Buiten Staander")

    login(client, "buiten@example.org")  # registered, no collective yet
    page = text(client.get("/collectieven/groene-schuur"))
    assert "Rita Representant" not in page and "Bas Buurman" not in page
    assert "Word lid van jullie collectief om te zien wie er lid is" in page
    submit(client, "/uitloggen", {}, page="/account")

    login(client, "ander@example.org")  # a member of another collective
    page = text(client.get("/collectieven/groene-schuur"))
    assert "Rita Representant" in page and "Bas Buurman" in page
    assert page.index("Rita Representant") < page.index("Bas Buurman")  # representative first
    assert "Rita Representant</a> <span" in page and "vertegenwoordiger</span>" in page
    assert page.count("vertegenwoordiger</span>") == 1
    assert "Buiten Staander</li>" not in page


def test_belgian_collective_gets_the_lab_note(client):
    make_collective("Voedselbos Gent", slug="voedselbos-gent", sector="voedsel",
                    municipality="Gent", province="Oost-Vlaanderen", country="BE")
    page = text(client.get("/collectieven/voedselbos-gent"))
    assert ">België</dd>" in page
    assert "Overheidslab" in page and "Financelab" in page
    assert "gericht op de Nederlandse situatie" in page


@pytest.mark.parametrize("website", [
    "javascript:alert(1)", "ftp://files.example.org", "www.zonder-schema.nl", "data:text/html,x",
])
def test_website_that_is_not_http_is_not_linked(client, website):
    make_collective("Stichting Raar", slug="raar", website=website)
    page = text(client.get("/collectieven/raar"))
    assert website not in page.split("<main", 1)[1].split("</main>")[0]


@pytest.mark.parametrize("slug", [
    "bestaat-niet", "x" * 500, "%00", "a%0Ab", "%F0%9F%92%A9", "..%2F..%2Fetc", "%27%20OR%201=1",
])
def test_unknown_or_hostile_slug_is_404(client, slug):
    make_collective("Bestaand", slug="bestaand")
    for suffix in ("", "/bewerken", "/dashboard"):
        assert client.get(f"/collectieven/{slug}{suffix}").status_code == 404


# -- editing ---------------------------------------------------------------------------------------

@pytest.fixture
def windvang():
    collective = make_collective("De Windvang", slug="windvang", description="Oud.")
    member_of(collective, "rep@example.org", name="Rita Representant", role="representative")
    member_of(collective, "lid@example.org", name="Bas Buurman")
    return collective


def test_representative_edits_description_and_website(client, windvang):
    login(client, "rep@example.org")
    page = text(client.get("/collectieven/windvang"))
    assert 'href="/collectieven/windvang/bewerken"' in page
    form = client.get("/collectieven/windvang/bewerken")
    assert form.status_code == 200 and "Oud.</textarea>" in text(form)
    response = submit(client, "/collectieven/windvang/bewerken", {
        "description": "  Regel één\r\nRegel twee  ", "website": " https://windvang.example.nl ",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == "/collectieven/windvang"
    saved = reload(windvang)
    assert saved.description == "Regel één\nRegel twee"
    assert saved.website == "https://windvang.example.nl"
    assert db.session.execute(db.select(AuditLog)).scalars().all() == []  # no audit for a rep
    page = text(client.get("/collectieven/windvang"))
    assert "De gegevens van het collectief zijn opgeslagen." in page
    # The website can be removed again.
    submit(client, "/collectieven/windvang/bewerken", {"description": "Kort.", "website": ""})
    assert reload(windvang).website is None


def test_moderator_edit_is_audited(client, windvang, moderator):
    login(client, moderator.email)
    response = submit(client, "/collectieven/windvang/bewerken",
                      {"description": "Door de moderator.", "website": "http://windvang.nl"})
    assert response.status_code == 302
    assert reload(windvang).description == "Door de moderator."
    entry = db.session.execute(db.select(AuditLog)).scalar_one()
    assert entry.action == "collective.edit" and entry.actor_id == moderator.id
    assert entry.target_type == "collectives" and entry.target_id == windvang.id


@pytest.mark.parametrize("email, role, own", [
    ("lid@example.org", "member", True),
    ("andere-rep@example.org", "representative", False),
    ("partner@example.org", "partner", False),
    ("los@example.org", "member", False),
])
def test_edit_is_refused_for_everyone_else(client, windvang, email, role, own):
    if not own:
        other = make_collective("Ander Collectief", slug="ander")
        fields = {"collective_id": other.id} if role == "representative" else {}
        make_user(email=email, role=role, **fields)
    login(client, email)
    assert client.get("/collectieven/windvang/bewerken").status_code == 403
    assert 'href="/collectieven/windvang/bewerken"' not in text(client.get("/collectieven/windvang"))
    token = csrf_token(client, "/collectieven")
    response = client.post("/collectieven/windvang/bewerken",
                           data={"csrf_token": token, "description": "Gekaapt", "website": ""})
    assert response.status_code == 403
    assert reload(windvang).description == "Oud."


def test_visitor_is_sent_to_login_to_edit(client, windvang):
    response = client.get("/collectieven/windvang/bewerken")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")


@pytest.mark.parametrize("data, message", [
    ({"description": "x" * 2001, "website": ""}, "hoogstens 2000 tekens"),
    ({"description": "ok", "website": "javascript:alert(1)"}, "begint met https://"),
    ({"description": "ok", "website": "ftp://windvang.nl"}, "begint met https://"),
    ({"description": "ok", "website": "https://"}, "begint met https://"),
    ({"description": "ok", "website": "https://wind vang.nl"}, "geen spaties"),
    ({"description": "ok", "website": "https://[::1"}, "begint met https://"),
    ({"description": "ok", "website": "https://w.nl/" + "a" * 300}, "hoogstens 300 tekens"),
    ({"description": "stil\x00le", "website": ""}, "onzichtbare tekens"),
    ({"description": "ok\u202e", "website": ""}, "onzichtbare tekens"),
    ({"description": "ok", "website": "https://windvang.nl\x07"}, "onzichtbare tekens"),
])
def test_bad_edit_input_gets_a_dutch_message_and_changes_nothing(client, windvang, data, message):
    login(client, "rep@example.org")
    response = submit(client, "/collectieven/windvang/bewerken", data)
    assert response.status_code == 400
    assert message in text(response)
    assert 'aria-invalid="true"' in text(response)
    saved = reload(windvang)
    assert saved.description == "Oud." and saved.website is None


def test_edit_with_odd_form_shapes_never_errors(client, windvang):
    login(client, "rep@example.org")
    token = csrf_token(client, "/collectieven/windvang/bewerken")
    # Missing fields: an empty description is allowed, nothing else breaks.
    assert client.post("/collectieven/windvang/bewerken",
                       data={"csrf_token": token}).status_code == 302
    # Repeated fields and markup are stored as plain text.
    response = client.post("/collectieven/windvang/bewerken", data={
        "csrf_token": token, "description": ["<script>x</script>", "tweede"], "website": "",
    })
    assert response.status_code == 302
    assert reload(windvang).description == "<script>x</script>"
    assert "&lt;script&gt;x&lt;/script&gt;" in text(client.get("/collectieven/windvang"))
    # Without a CSRF token nothing is saved.
    response = client.post("/collectieven/windvang/bewerken", data={"description": "Zonder token"})
    assert response.status_code == 400
    assert reload(windvang).description == "<script>x</script>"


def test_query_count_does_not_grow_with_the_number_of_rows(client):
    from app.models.collectives import JoinRequest
    from tests.support import QueryCounter
    from tests.factories import quick_user

    collective = make_collective("De Windvang", slug="windvang")
    member_of(collective, "rep@example.org", role="representative")
    login(client, "rep@example.org")

    def add(count, start):
        for n in range(start, start + count):
            make_collective(f"Collectief {n:02d}")
            quick_user(f"lid{n}@example.org", collective=collective, name=f"Lid {n}")
            person = quick_user(f"aanvrager{n}@example.org", name=f"Aanvrager {n}")
            db.session.add(JoinRequest(user_id=person.id, collective_id=collective.id))
            db.session.commit()
        counts = []
        for url in ("/collectieven", "/collectieven/windvang", "/collectieven/windvang/dashboard"):
            with QueryCounter() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    few = add(2, 0)
    many = add(15, 2)
    assert many == few
