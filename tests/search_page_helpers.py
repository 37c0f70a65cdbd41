"""Content for the search page tests: one of each kind of document, and a way to search."""
import re
from datetime import timedelta

from app.extensions import db
from app.models.knowledge import STATUS_DRAFT, STATUS_PUBLISHED, KnowledgeItem
from app.timeutil import utcnow
from tests.collective_helpers import make_collective
from tests.forum_helpers import make_group, start_thread
from tests.lab_helpers import ask, quick_user


def index_now():
    """Apply the queued index jobs, as the request's after-commit hook or the worker would."""
    from app import search

    search.apply_pending()


def add_knowledge(title, summary, body="", kind="praktijkvoorbeeld", status=STATUS_PUBLISHED,
                  days_ago=1, slug=None):
    when = utcnow() - timedelta(days=days_ago)
    item = KnowledgeItem(
        slug=slug or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:100], kind=kind,
        title=title, summary=summary, body_source=body, body_html=f"<p>{body}</p>" if body else "",
        status=status, published_at=when if status == STATUS_PUBLISHED else None,
        created_at=when, updated_at=when,
    )
    db.session.add(item)
    db.session.commit()
    return item


class SearchCast:
    """People of every standing, and one document of every kind about a buurtbatterij.

    Public text (knowledge title and summary, the collective page) says "buurtbatterij"; the
    members-only text (forum, lab question, knowledge body) carries the secret word "geheimplan".
    """

    SECRET = "geheimplan"

    def __init__(self):
        self.collective = make_collective(
            "Energiecoöperatie Buurtbatterij Zuid", slug="buurtbatterij-zuid",
            description="Wij beheren een buurtbatterij voor veertig huishoudens in Zuid.")
        self.member = quick_user("lid@example.org", collective=self.collective, name="Anna de Vries")
        self.outsider = quick_user("los@example.org", name="Olga Los")  # no collective
        self.moderator = quick_user("mod@example.org", role="moderator", name="Mo Derator")
        self.group = make_group("Energie", slug="energie")
        self.thread, self.opening = start_thread(
            self.group, self.member, title="Ervaringen met een buurtbatterij",
            body=f"Ons {self.SECRET} voor de buurtbatterij kost veertigduizend euro.",
            now=utcnow() - timedelta(days=3))
        self.question = ask(self.member, title="Financiering van een buurtbatterij",
                            body=f"Hoe betalen we de buurtbatterij? Het {self.SECRET} staat klaar.",
                            now=utcnow() - timedelta(days=2))
        self.item = add_knowledge(
            "Handreiking buurtbatterij", "Stappenplan voor een buurtbatterij in de wijk.",
            body=f"Het volledige {self.SECRET} met de begroting van de buurtbatterij.", days_ago=5)
        self.draft = add_knowledge("Concept buurtbatterij", "Nog niet klaar: buurtbatterij.",
                                   status=STATUS_DRAFT, slug="concept-buurtbatterij")
        index_now()


def text(response):
    return response.get_data(as_text=True)


def hit_titles(page):
    """The titles of the hits on a results page, in order."""
    return [re.sub(r"<[^>]+>", "", title).strip()
            for title in re.findall(r'<h2 class="h5 mb-1"><a href="[^"]*">(.*?)</a></h2>', page, re.S)]


def filter_count(page, label):
    """The count shown on a type filter link (e.g. "Discussies 3" → 3); 0 when the page shows no
    filters (it leaves them out when nothing was found at all)."""
    if "search-filters" not in page:
        return 0
    match = re.search(re.escape(label) + r' <span class="badge search-count">([\d.]+)</span>', page)
    assert match, f"no filter {label!r} on the page"
    return int(match.group(1).replace(".", ""))


def current_filter(page):
    match = re.search(r'<a class="nav-link active" href="[^"]*"\s*aria-current="page">([^<]+?) <span', page)
    return match.group(1).strip() if match else None
