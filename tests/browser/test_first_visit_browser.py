"""A light first visit (issue 18), measured in Chromium with the Performance API: a thread page of
20 posts with a cold cache transfers at most 100 KB in all (page, CSS, scripts, icons), and a
second visit fetches no static file at all. And the cut-down Bootstrap looks exactly like the whole
one on the pages people use most, on a desktop and a phone."""
import re

import pytest

from app.assets import BOOTSTRAP_CSS, VENDOR_FILES
from app.blueprints.forum.routes import thread_url
from app.extensions import db
from app.markup import render_markdown
from app.models.forum import Post
from tests.browser.conftest import ARTIFACTS, CSP_LISTENER, TIMEOUT_MS
from tests.browser.people import log_in, menu_is_folded, open_menu
from tests.factories import add_replies, ask, answer, make_collective, make_group, quick_user, start_thread

pytestmark = pytest.mark.browser

BUDGET_BYTES = 100 * 1024
ENTRIES = """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .map(e => ({name: e.name, transfer: e.transferSize, decoded: e.decodedBodySize}))"""
SENTENCES = [
    "Wij zijn vorig jaar begonnen met een ledenlening voor de zonnepanelen op het dak van de school.",
    "De gemeente wilde eerst een haalbaarheidsstudie zien, en die hebben we samen met de netbeheerder gemaakt.",
    "Het lastigste bleek het vinden van vrijwilligers die de administratie willen doen.",
    "Tip: nodig de wethouder uit voor de ledenvergadering, dat werkte bij ons heel goed.",
    "Onze penningmeester heeft een **rekenmodel** gemaakt dat we graag delen met andere coöperaties.",
    "Wie heeft ervaring met de postcoderoosregeling en de nieuwe subsidie voor coöperaties?",
]


def reply_text(n):
    """A reply of three to six sentences, like the ones in the demo forum."""
    return "\n\n".join(" ".join(SENTENCES[(n + k) % len(SENTENCES)] for k in range(1 + n % 3))
                       for _ in range(2))


def twenty_post_thread():
    collective = make_collective("Energiecoöperatie De Windvang")
    anna = quick_user("anna@example.org", collective=collective, name="Anna de Vries")
    bert = quick_user("bert@example.org", collective=collective, name="Bert Jansen")
    group = make_group("Energie", slug="energie", description="Over energiecoöperaties.")
    thread, _ = start_thread(group, anna, title="Ervaringen met een ledenlening?", body=reply_text(1))
    add_replies(thread, [bert, anna], 19, body="{n}")
    posts = db.session.execute(db.select(Post).where(Post.thread_id == thread.id)).scalars().all()
    for post in posts:
        post.body_source = reply_text(post.number)
        post.body_html = render_markdown(post.body_source)
    db.session.commit()
    return thread, anna


def thread_path(app, thread):
    with app.test_request_context():
        return thread_url(thread)


def fresh_context(browser, live_server, page, viewport=None):
    """A context with the page's cookies (so signed in) and an empty cache."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale="nl-NL",
                                  base_url=live_server, storage_state=page.context.storage_state())
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    return context


def test_a_first_visit_to_a_thread_page_is_light_and_a_second_fetches_no_static_file(
        app, page, browser, live_server):
    thread, anna = twenty_post_thread()
    path = thread_path(app, thread)
    log_in(page, "anna@example.org", name="Anna de Vries")
    context = fresh_context(browser, live_server, page)
    try:
        visit = context.new_page()
        visit.goto(path)
        visit.wait_for_load_state("load")
        assert visit.locator("article.forum-post").count() == 20
        first = visit.evaluate(ENTRIES)
        total = sum(entry["transfer"] for entry in first)
        listing = "\n".join(f"{e['transfer']:>7} {e['decoded']:>7} {e['name']}" for e in first)
        assert total <= BUDGET_BYTES, f"first visit transferred {total} bytes:\n{listing}"
        static = [e for e in first if "/static/" in e["name"]]
        assert any("bootstrap.min" in e["name"] for e in static) and any("site." in e["name"] for e in static)
        # Everything came compressed: the page and every text file transferred less than it holds.
        for entry in first:
            if re.search(r"\.(css|js)$", entry["name"]) or entry["name"].endswith(path):
                assert entry["transfer"] < entry["decoded"], entry

        # Chromium asks for the icon on its own time, after "load" (and so sometimes after the
        # entries above were read): let it finish, so it is in the cache like everything else.
        visit.wait_for_load_state("networkidle")

        # The second visit: the page itself comes again, but not one static file.
        visit.goto("/forum")
        visit.goto(path)
        visit.wait_for_load_state("load")
        second = visit.evaluate(ENTRIES)
        static_again = [e for e in second if "/static/" in e["name"]]
        # Every style sheet and script is asked for again, and from the cache; the icon may or may
        # not be asked for, but never transferred again either.
        def scripts_and_styles(entries):
            return {e["name"] for e in entries if re.search(r"\.(css|js)$", e["name"])}
        assert scripts_and_styles(static_again) == scripts_and_styles(static)
        assert [e for e in static_again if e["transfer"] != 0] == []
    finally:
        context.close()


# -- the cut-down Bootstrap looks like the whole one --------------------------------------------------

FULL_BOOTSTRAP = VENDOR_FILES[BOOTSTRAP_CSS].read_text(encoding="utf-8")


def screenshots_match(context, path, label, prepare=None):
    """Screenshot `path` with our Bootstrap and with the whole of it; True when identical (else
    both are kept in test-artifacts/)."""
    use_full = {"on": False}

    def bootstrap(route):
        if use_full["on"]:
            route.fulfill(body=FULL_BOOTSTRAP, content_type="text/css; charset=utf-8")
        else:
            route.continue_()

    context.route(re.compile(r"/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]+\.css$"), bootstrap)
    shots = []
    for full in (None, False, True):  # a first look, so read markers and the like are settled
        use_full["on"] = full
        page = context.new_page()
        page.goto(path)
        page.wait_for_load_state("load")
        if prepare:
            prepare(page)
        if full is not None:
            shots.append(page.screenshot(full_page=True, animations="disabled"))
        page.close()
    context.unroute(re.compile(r"/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]+\.css$"))
    if shots[0] != shots[1]:
        ARTIFACTS.mkdir(exist_ok=True)
        for name, shot in zip(("subset", "full"), shots):
            (ARTIFACTS / f"bootstrap-{label}-{name}.png").write_bytes(shot)
        return False
    return True


def open_header_menus(page):
    """On a phone the folded menu, on a desktop the account menu: what Bootstrap's plugins show."""
    if menu_is_folded(page):
        open_menu(page)
    else:
        page.locator("header #accountmenu").click()
        page.locator("header .dropdown-menu.show").wait_for()


@pytest.mark.parametrize("width", [1280, 390])
def test_our_bootstrap_looks_exactly_like_the_whole_of_it(app, page, browser, live_server, width):
    thread, anna = twenty_post_thread()
    question = ask(anna, "financelab", title="Hoe financieren we een buurtbatterij?")
    answer(quick_user("femke@example.org", name="Femke Bakker"), question)
    quick_user("beheer@example.org", role="admin", name="Bea Beheer")
    viewport = {"width": width, "height": 900}
    different = []
    for who, name, paths in [
        ("anna@example.org", "Anna de Vries", ["/", thread_path(app, thread), "/labs/financelab",
                                               f"/labs/financelab/vragen/{question.id}",
                                               "/kennisbank", "/account", "/over-ons"]),
        ("beheer@example.org", "Bea Beheer", ["/beheer"]),
    ]:
        log_in(page, who, name=None if width < 1200 else name)
        context = fresh_context(browser, live_server, page, viewport)
        try:
            for path in paths:
                label = f"{width}-{re.sub(r'[^a-z0-9]+', '-', path).strip('-') or 'home'}"
                if not screenshots_match(context, path, label):
                    different.append(label)
            if not screenshots_match(context, "/", f"{width}-menus", prepare=open_header_menus):
                different.append(f"{width}-menus")
        finally:
            context.close()
        page.context.clear_cookies()
    assert different == [], f"looks different with the whole of Bootstrap (see test-artifacts/): {different}"
