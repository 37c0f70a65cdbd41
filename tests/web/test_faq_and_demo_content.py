"""The FAQ links "Wetenschappelijke kennis uitgelegd" when it is published (and never a dead link),
and the demo data brings that item and a made-up team; real installations start without either."""
import random
import re

from app.demo.knowledge import seed_knowledge
from app.demo.team import TEAM, seed_team
from app.extensions import db
from app.models.knowledge import STATUS_DRAFT, KnowledgeItem
from app.models.public import TeamMember
from tests.factories import make_item, quick_user
from tests.support import text

FAQ = "/veelgestelde-vragen"
SCIENCE = "/kennisbank/wetenschappelijke-kennis-uitgelegd"
TITLE = "Wetenschappelijke kennis uitgelegd"


def science_answer(client):
    html = text(client.get(FAQ))
    start = html.index('id="wetenschappelijke-kennis"')
    return html[start:html.index("</details>", start)]


def test_without_the_item_the_faq_points_to_the_scientific_items_of_the_knowledge_base(client):
    answer = science_answer(client)
    assert SCIENCE not in answer
    assert 'href="/kennisbank?soort=wetenschappelijk"' in answer
    assert client.get("/kennisbank?soort=wetenschappelijk").status_code == 200


def test_a_draft_is_not_linked(client):
    make_item(title=TITLE, status=STATUS_DRAFT)
    assert SCIENCE not in science_answer(client)


def test_the_published_item_is_linked_by_its_title(client):
    make_item(title=TITLE, kind="document")
    answer = science_answer(client)
    assert f'<a href="{SCIENCE}">{TITLE}</a>' in answer
    assert client.get(SCIENCE).status_code == 200


def test_the_demo_knowledge_has_the_item_the_faq_links_to(app, client):
    editor = quick_user("redactie@example.org", role="moderator")
    seed_knowledge(random.Random(2028), editor)
    db.session.commit()
    item = db.session.execute(
        db.select(KnowledgeItem).where(KnowledgeItem.title == TITLE)).scalar_one()
    assert item.is_published and item.source_name.startswith("Onderzoeksgroep")
    for words in ("peer review", "methode", "bronnen", "citizen science", "wetenschappelijk inzicht"):
        assert words in item.body_source.lower(), words
    href = re.search(r'<a href="([^"]+)">' + TITLE + "</a>", science_answer(client)).group(1)
    response = client.get(href)
    assert response.status_code == 200 and TITLE in text(response)


def test_the_demo_team_is_made_up_and_in_order(client):
    made = seed_team()
    db.session.commit()
    assert made == {"team members": len(TEAM)} and 3 <= len(TEAM) <= 4
    names = [m.name for m in db.session.execute(
        db.select(TeamMember).order_by(TeamMember.position)).scalars()]
    assert names == [name for name, _, _ in TEAM]
    html = text(client.get("/over-ons"))
    assert re.findall(r"<h3>([^<]+)</h3>", html[html.index('id="team"'):]) == names
