"""axe-core over the whole site: the demo site, every role (visitor, member, representative,
partner, moderator, administrator), each page state at 1280 px and at 390 px, the rules of WCAG 2.1
A and AA; not one violation.

The demo is seeded once for this module (not once per test as elsewhere), and each role signs in
once, in a browser context of its own that every page of that role reuses: the sweep only reads, so
its tests cannot disturb each other. A failure names the page state, the width and what axe found;
fix the template or the CSS, do not leave rules out (a false positive: exclude that one element in
EXCLUDE, with the reason).
"""
from types import SimpleNamespace

import pytest

from app import search
from app.demo import DEMO_PASSWORD, seed_demo
from app.extensions import db, limiter
from app.models.accounts import User
from app.models.bookmarks import Bookmark
from app.models.collectives import Collective
from app.models.forum import ForumGroup, Thread
from app.models.knowledge import STATUS_PUBLISHED, KnowledgeItem
from app.models.labs import Lab, LabQuestion, PartnerApplication
from app.models.messages import ConversationMember
from app.models.selfscan import SCAN_SUBMITTED, SelfScan
from tests.browser.accessibility import WCAG_21_AA, axe_violations
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.people import log_in
from tests.conftest import _empty_tables
from tests.factories import PASSWORD, make_user
from tests.fixtures.forum import thread_path
from tests.fixtures.labs import question_path
from tests.fixtures.selfscan import fill_scan
from tests.support import isolated_client

pytestmark = pytest.mark.browser

WIDTHS = ({"width": 1280, "height": 800}, {"width": 390, "height": 844})

ROLES = {  # who signs in for each role (None: a visitor)
    "visitor": None,
    "member": ("lid2@example.org", DEMO_PASSWORD),
    "representative": ("lid@example.org", DEMO_PASSWORD),
    "partner": ("financier@example.org", DEMO_PASSWORD),
    "moderator": ("moderator@example.org", PASSWORD),
    "administrator": ("beheerder@example.org", DEMO_PASSWORD),
}

# (role, page state): a path, or a name in the demo's `urls` below.
PAGES = [
    ("visitor", "/"),
    ("visitor", "/veelgestelde-vragen"),
    ("visitor", "/over-ons"),
    ("visitor", "/contact"),
    ("visitor", "/inloggen"),
    ("visitor", "/registreren"),
    ("visitor", "/forum"),
    ("visitor", "lab question"),
    ("visitor", "/kennisbank"),
    ("visitor", "/zoeken?q=energie"),
    ("visitor", "/zoeken?q=kwispelstaart"),
    ("visitor", "/zelfscan"),
    ("visitor", "self-scan step 2"),
    ("visitor", "/partner-worden"),
    ("visitor", "/collectieven"),
    ("member", "/"),
    ("member", "group"),
    ("member", "thread"),
    ("member", "new thread"),
    ("member", "ask question"),
    ("member", "knowledge item"),
    ("member", "/account"),
    ("representative", "/meldingen"),
    ("representative", "/bewaard"),
    ("representative", "/berichten"),
    ("representative", "conversation"),
    ("representative", "new message"),
    ("member", "profile"),
    ("representative", "bookmark form"),
    ("representative", "dashboard"),
    ("representative", "report"),
    ("representative", "collective page"),
    ("partner", "lab"),
    ("partner", "lab question"),
    ("partner", "/zoeken?q=energie"),
    ("moderator", "/beheer"),
    ("moderator", "/beheer/zelfscans"),
    ("moderator", "scan review"),
    ("moderator", "/beheer/meldingen"),
    ("moderator", "partner application"),
    ("moderator", "/beheer/labvragen"),
    ("moderator", "/beheer/contact"),
    ("moderator", "thread"),
    ("administrator", "/beheer/leden"),
    ("administrator", "member"),
    ("administrator", "/beheer/audit"),
    ("administrator", "knowledge item form"),
    ("administrator", "/inzichten"),
]

# Elements axe may not judge, each with the reason it is a false positive. None so far.
EXCLUDE = ()


@pytest.fixture(scope="module")
def demo(app):
    """The demo site, seeded once for the module and indexed for search; emptied afterwards."""
    with app.app_context():
        limiter.reset()
        seed_demo()
        make_user(email="moderator@example.org", name="Mo Derator", role="moderator")
        db.session.commit()
        search.apply_pending()
        urls = _urls(app)
    yield SimpleNamespace(urls=urls)
    with app.app_context():
        _empty_tables()
        limiter.reset()
        from app.search.index import reset_index_for_tests

        reset_index_for_tests(app.config["SEARCH_INDEX_DIR"])
        if db.engine.dialect.name == "postgresql":
            from app.search.postgres import empty

            empty()


@pytest.fixture(autouse=True)
def _clean(app, demo):
    """Instead of tests/conftest.py's: an app context per test, and the demo stays (nothing here
    writes to it)."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture(autouse=True)
def _empty_search_index():
    """Instead of tests/conftest.py's: the demo's index stays for the whole module."""
    yield


def _first(query):
    return db.session.execute(query.limit(1)).scalars().first()


def _urls(app):
    """The demo's pages that have an id or slug in their address, found the way a person would
    come across them (the busiest thread, a question with answers, …)."""
    energie = _first(db.select(ForumGroup).where(ForumGroup.slug == "energie"))
    thread = _first(db.select(Thread).where(Thread.group_id == energie.id)
                    .order_by(Thread.post_count.desc()))  # more than one page: the pagination too
    financelab = _first(db.select(Lab).where(Lab.slug == "financelab"))
    question = _first(db.select(LabQuestion).where(LabQuestion.lab_id == financelab.id)
                      .order_by(LabQuestion.id))
    item = _first(db.select(KnowledgeItem).where(KnowledgeItem.status == STATUS_PUBLISHED,
                                                 KnowledgeItem.body_html.contains("<h3>"))
                  .order_by(KnowledgeItem.id))
    representative = User.find_by_email("lid@example.org")
    collective = db.session.get(Collective, representative.collective_id)
    own_scan = _first(db.select(SelfScan).where(SelfScan.collective_id == collective.id)
                      .order_by(SelfScan.submitted_at.desc()))
    waiting = _first(db.select(SelfScan).where(SelfScan.status == SCAN_SUBMITTED).order_by(SelfScan.id))
    application = _first(db.select(PartnerApplication).order_by(PartnerApplication.id))
    bookmark = _first(db.select(Bookmark).where(Bookmark.user_id == representative.id)
                      .order_by(Bookmark.id))
    conversation = _first(db.select(ConversationMember).where(
        ConversationMember.user_id == representative.id).order_by(ConversationMember.id))
    partner = User.find_by_email("financier@example.org")
    # A visitor's draft self-scan after step 1, resumed through its link: step 2 has the scales.
    draft = fill_scan(isolated_client(app), stop_after_step=1)
    return {
        "group": f"/forum/{energie.slug}",
        "thread": thread_path(thread),
        "new thread": f"/forum/{energie.slug}/nieuw",
        "lab": f"/labs/{financelab.slug}",
        "lab question": question_path(question),
        "ask question": f"/labs/{financelab.slug}/vragen/nieuw",
        "knowledge item": f"/kennisbank/{item.slug}",
        "knowledge item form": f"/beheer/kennisbank/{item.id}",
        "collective page": f"/collectieven/{collective.slug}",
        "dashboard": f"/collectieven/{collective.slug}/dashboard",
        "member": f"/beheer/leden/{representative.id}",
        "report": f"/zelfscan/{own_scan.id}/rapport",
        "scan review": f"/beheer/zelfscans/{waiting.id}",
        "partner application": f"/beheer/partners/{application.id}",
        "bookmark form": f"/bewaard/{bookmark.id}/bewerken",
        "conversation": f"/berichten/{conversation.conversation_id}",
        "new message": f"/berichten/nieuw?aan={partner.id}",
        "profile": f"/leden/{partner.id}",  # redirected to its address with the name
        "self-scan step 2": draft.resume_url,
    }


@pytest.fixture(scope="module")
def signed_in(browser, live_server, demo):
    """One browser page per role, signed in once (lazily) and reused by every page of that role."""
    pages, contexts = {}, []

    def page_of(role):
        if role not in pages:
            context = browser.new_context(viewport=WIDTHS[0], locale="nl-NL", base_url=live_server)
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
            page = context.new_page()
            if ROLES[role]:
                email, password = ROLES[role]
                log_in(page, email, password)
            pages[role] = page
        return pages[role]

    yield page_of
    for context in contexts:
        context.close()


@pytest.mark.parametrize("role, state", PAGES, ids=[f"{role}:{state}".replace(" ", "-") for role, state in PAGES])
def test_no_wcag_violations_at_desktop_and_phone_width(signed_in, demo, role, state):
    page = signed_in(role)
    path = demo.urls.get(state, state)
    page.set_viewport_size(WIDTHS[0])
    response = page.goto(path)
    assert response.status == 200, f"{role} gets {response.status} for {path}"
    problems = {}
    for width in WIDTHS:  # the same document, resized: the layout is CSS, the scripts do not care
        page.set_viewport_size(width)
        found = axe_violations(page, WCAG_21_AA, EXCLUDE)
        if found:
            problems[width["width"]] = found
    assert problems == {}, f"axe on {path} as {role}: {problems}"
