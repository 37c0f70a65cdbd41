"""Choosing the people of a new message by name, without JavaScript ("Naam toevoegen" and
"Toevoegen" on /berichten/nieuw) and with it (the JSON lookup /berichten/personen): who is found,
what is said about a name that finds nobody or several people, the limit of ten, no enumeration
beyond what profiles show, and the rate limit."""
import re

from app import messages
from app.extensions import db
from app.models.messages import Conversation, ConversationMember
from app.privacy import services as privacy
from tests.factories import quick_user
from tests.fixtures.messages import as_person, cast  # noqa: F401  (a fixture)
from tests.support import csrf_token, isolated_client, submit, text


def add(client, names, chosen=(), **extra):
    """Press "Toevoegen" with `names` typed and the people `chosen` ticked."""
    data = {"names": names, "add": "Toevoegen", "aan": [str(person.id) for person in chosen],
            "subject": extra.get("subject", ""), "body": extra.get("body", "")}
    return submit(client, "/berichten/nieuw", data)


def ticked(page):
    """The ids of the people ticked under "Aan"."""
    return [int(n) for n in re.findall(r'name="aan" value="(\d+)" id="aan-\d+" checked', page)]


def offered(page):
    """The ids offered to choose from (not ticked) for an ambiguous name."""
    return [int(n) for n in re.findall(r'name="aan" value="(\d+)" id="kies-', page)]


def conversations():
    db.session.expire_all()
    return db.session.execute(db.select(Conversation)).scalars().all()


def test_a_name_typed_and_added_becomes_a_ticked_person_and_the_text_stays(app, cast):
    anna = as_person(app, "lid@example.org")
    assert 'href="/berichten/nieuw">Nieuw bericht</a>' in text(anna.get("/berichten"))
    page = text(anna.get("/berichten/nieuw"))
    assert 'id="names"' in page and "Toevoegen" in page and "Nog niemand gekozen" in page
    response = add(anna, "bert jansen", subject="Over de ALV", body="Mijn tekst")
    assert response.status_code == 200, text(response)
    page = text(response)
    assert ticked(page) == [cast.member2.id]
    assert 'value="Over de ALV"' in page and "Mijn tekst" in page
    assert "Geef je bericht een onderwerp" not in page  # only the names were judged
    assert conversations() == []  # adding sends nothing

    # The start of a name is enough when it fits one person; several at once with commas.
    response = add(anna, "Petra, ", chosen=[cast.member2])
    assert response.status_code == 200
    assert ticked(text(response)) == [cast.member2.id, cast.partner.id]


def test_names_still_typed_are_looked_up_when_the_message_is_sent(app, cast):
    anna = as_person(app, "lid@example.org")
    response = submit(anna, "/berichten/nieuw", {"names": "Bert Jansen; Mo Derator",
                                                 "subject": "Vraag", "body": "Hallo allebei"})
    assert response.status_code == 302, text(response)
    [talk] = conversations()
    members = {m.user_id for m in db.session.execute(
        db.select(ConversationMember).where(ConversationMember.conversation_id == talk.id)).scalars()}
    assert members == {cast.member.id, cast.member2.id, cast.moderator.id}


def test_a_name_that_fits_several_people_offers_them_to_choose(app, cast):
    bea = quick_user("bea@example.org", collective=cast.collective, name="Bea Bakker")
    anna = as_person(app, "lid@example.org")
    response = add(anna, "B", subject="Vraag")  # one letter: too short to look up
    assert response.status_code == 400 and "Niemand gevonden met de naam ‘B’" in text(response)
    response = add(anna, "Be", subject="Vraag")
    page = text(response)
    assert response.status_code == 200 and "Meerdere mensen passen bij ‘Be’" in page
    assert set(offered(page)) == {cast.member2.id, bea.id} and ticked(page) == []
    assert "Energiecoöperatie De Windvang" in page  # who is who
    assert 'value="Be"' in page  # the name stays in the box
    # Ticking one of them and sending: only she gets it (the box no longer holds the name).
    response = submit(anna, "/berichten/nieuw", {"aan": str(bea.id), "names": "",
                                                 "subject": "Vraag", "body": "Hoi Bea"})
    assert response.status_code == 302
    # Sending while the name is still ambiguous sends nothing.
    response = submit(anna, "/berichten/nieuw", {"names": "Be", "subject": "Nog een",
                                                 "body": "Tekst"})
    assert response.status_code == 400 and "Meerdere mensen passen bij" in text(response)
    assert len(conversations()) == 1


def test_unknown_hidden_and_deleted_people_are_all_nobody_and_blocked_ones_are_named(app, cast):
    gone = quick_user("weg@example.org", collective=cast.collective, name="Willem Weg")
    privacy.delete_account(gone)
    db.session.commit()
    anna = as_person(app, "lid@example.org")
    nobody = "Niemand gevonden met de naam ‘{}’ aan wie je kunt schrijven."
    for name in ("Xander Onbekend", "Olga Los", "Willem Weg", "Voormalig lid", "lid2@example.org",
                 "los@example.org"):
        response = add(anna, name)
        page = text(response)
        assert response.status_code == 400, name
        assert nobody.format(name) in page, name
        assert ticked(page) == [] and "@example.org</" not in page
    # Bert blocks Anna: his name is found, but she cannot write to him (as his profile shows).
    messages.block(cast.member2, cast.member)
    db.session.commit()
    response = add(anna, "Bert Jansen")
    assert response.status_code == 400
    assert "Aan Bert Jansen kun je geen bericht sturen." in text(response)
    assert ticked(text(response)) == []
    # Oneself.
    assert "Jezelf hoef je niet toe te voegen." in text(add(anna, "anna de vries"))


def test_at_most_ten_people(app, cast):
    people = [quick_user(f"p{n}@example.org", collective=cast.collective, name=f"Persoon Nummer{n}")
              for n in range(11)]
    anna = as_person(app, "lid@example.org")
    response = add(anna, ", ".join(person.name for person in people))
    page = text(response)
    assert response.status_code == 400
    assert ticked(page) == [person.id for person in people[:10]]
    assert ("Je kunt een bericht aan hoogstens 10 mensen tegelijk sturen; Persoon Nummer10 is "
            "niet toegevoegd.") in page
    # Eleven ticked: nothing is sent and nobody is dropped without a word.
    response = submit(anna, "/berichten/nieuw", {"aan": [str(person.id) for person in people],
                                                 "subject": "Te veel", "body": "Hallo"})
    assert response.status_code == 400
    assert "aan hoogstens 10 mensen tegelijk sturen" in text(response)
    assert len(ticked(text(response))) == 11 and conversations() == []
    response = add(anna, "x" * 601)
    assert response.status_code == 400 and "Typ hoogstens tien namen" in text(response)


def test_the_lookup_finds_the_same_people_and_nothing_more(app, cast):
    anna = as_person(app, "lid@example.org")
    response = anna.get("/berichten/personen?q=be")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {"people": [{
        "id": cast.member2.id, "name": "Bert Jansen",
        "collective": "Energiecoöperatie De Windvang", "organisation": None}]}
    for query in ("an", "anna", "los", "olga", "example.org", "lid2@"):
        assert anna.get(f"/berichten/personen?q={query}").get_json() == {"people": []}, query
    messages.block(cast.member2, cast.member)
    db.session.commit()
    assert anna.get("/berichten/personen?q=be").get_json() == {"people": []}
    assert anna.get("/berichten/personen?q=" + "x" * 61).status_code == 400
    assert anna.get("/berichten/personen?q=a%00b").status_code == 400
    assert isolated_client(app).get("/berichten/personen?q=be").status_code == 401
    assert as_person(app, "los@example.org").get("/berichten/personen?q=be").status_code == 403


def test_the_form_loads_the_suggestions_script_with_its_lookup(app, cast):
    page = text(as_person(app, "lid@example.org").get("/berichten/nieuw"))
    assert re.search(r'<script src="/static/js/recipients[.\w]*\.js" data-lookup="/berichten/personen" '
                     r'data-field="names" defer>', page)


def test_lookups_by_name_are_rate_limited_per_person(app, cast):
    from app.blueprints.messages import routes
    anna = as_person(app, "lid@example.org")
    token = csrf_token(anna, "/berichten/nieuw")
    limit = int(routes.LOOKUP_RATE.split()[0])
    for n in range(limit - 1):
        assert anna.get("/berichten/personen?q=be").status_code == 200, n
    # "Toevoegen" counts with the same limit; pressing it without a name does not.
    assert anna.post("/berichten/nieuw", data={"csrf_token": token, "add": "Toevoegen",
                                               "names": ""}).status_code == 200
    assert anna.post("/berichten/nieuw", data={"csrf_token": token, "add": "Toevoegen",
                                               "names": "Bert"}).status_code == 200
    assert anna.post("/berichten/nieuw", data={"csrf_token": token, "add": "Toevoegen",
                                               "names": "Bert"}).status_code == 429
    assert anna.get("/berichten/personen?q=be").status_code == 429
    # Someone else is not held back.
    assert as_person(app, "lid2@example.org").get("/berichten/personen?q=an").status_code == 200
