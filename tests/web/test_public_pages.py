"""The public pages: Dutch, reachable, accessible in structure, and saying what they should."""
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import render_template

from tests.factories import PASSWORD, cheap_passwords, make_collective, make_user
from tests.support import csrf_token, login, submit

PAGES = {
    "/": "Kennis en contact voor burgercollectieven",
    "/over-ons": "Over CollectieveKracht",
    "/veelgestelde-vragen": "Veelgestelde vragen",
    "/privacy": "Privacyverklaring",
    "/cookies": "Cookieverklaring",
    "/contact": "Contact",
}
CONTENT_PAGES = [path for path in PAGES if path != "/contact"]

# Tags whose URL attribute the browser fetches by itself (assets, not links a person follows).
ASSET_ATTRIBUTES = {
    "script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
    "video": "src", "embed": "src", "object": "data", "link": "href",
}


class PageParser(HTMLParser):
    """Collects what the tests look at: headings, links, images, assets, inline code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings = []  # (level, text)
        self.links = []  # (href, text)
        self.images = []  # attribute dicts
        self.assets = []  # URLs the browser would fetch
        self.inline_scripts = 0
        self.style_attributes = 0
        self.style_elements = 0
        self.html_lang = None
        self.summaries = []
        self.nav = {}  # aria-label -> [link texts]
        self._heading = None
        self._link = None
        self._summary = None
        self._navs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.style_attributes += 1
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "style":
            self.style_elements += 1
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1
        if tag in ASSET_ATTRIBUTES and attrs.get(ASSET_ATTRIBUTES[tag]):
            self.assets.append(attrs[ASSET_ATTRIBUTES[tag]])
        if tag == "img":
            self.images.append(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag == "a":
            self._link = [attrs.get("href"), ""]
        if tag == "summary":
            self._summary = ""
        if tag == "nav":
            self._navs.append(attrs.get("aria-label", ""))
            self.nav.setdefault(attrs.get("aria-label", ""), [])

    def handle_endtag(self, tag):
        if self._heading and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None
        if tag == "a" and self._link:
            text = " ".join(self._link[1].split())
            self.links.append((self._link[0], text))
            if self._navs:
                self.nav[self._navs[-1]].append((self._link[0], text))
            self._link = None
        if tag == "summary" and self._summary is not None:
            self.summaries.append(" ".join(self._summary.split()))
            self._summary = None
        if tag == "nav" and self._navs:
            self._navs.pop()

    def handle_data(self, data):
        if self._heading:
            self._heading[1] += data
        if self._link:
            self._link[1] += data
        if self._summary is not None:
            self._summary += data


def fetch(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    parser = PageParser()
    parser.feed(html)
    return html, parser


def text_of(html):
    """The visible text of a page, whitespace collapsed, for content assertions."""
    without_tags = re.sub(r"<[^>]+>", " ", html)
    return " ".join(without_tags.split())


def hrefs(parser):
    return {href for href, _ in parser.links}


# -- every page --------------------------------------------------------------------------------

@pytest.mark.parametrize("path,h1", PAGES.items())
def test_page_is_dutch_with_one_expected_h1(client, path, h1):
    html, page = fetch(client, path)
    assert page.html_lang == "nl"
    assert '<html lang="nl">' in html
    h1s = [text for level, text in page.headings if level == 1]
    assert h1s == [h1]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_a_dutch_title(client, path):
    html, _ = fetch(client, path)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title.endswith("CollectieveKracht")
    # No English placeholder titles like "index" or "about" left over.
    assert title.split(" · ")[0].lower() not in {"index", "about", "faq", "privacy", "cookies"}


@pytest.mark.parametrize("path", PAGES)
def test_heading_levels_never_skip(client, path):
    _, page = fetch(client, path)
    levels = [level for level, _ in page.headings]
    assert levels[0] == 1
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, f"{path}: h{previous} followed by h{current}"
    assert all(text for _, text in page.headings), "empty heading"


@pytest.mark.parametrize("path", PAGES)
def test_header_navigation(client, path):
    _, page = fetch(client, path)
    main_menu = dict((text, href) for href, text in page.nav["Hoofdmenu"])
    assert main_menu["Forum"] == "/forum"
    assert main_menu["Labs"] == "/labs"
    assert main_menu["Kennisbank"] == "/kennisbank"
    assert main_menu["Collectieven"] == "/collectieven"


@pytest.mark.parametrize("path", PAGES)
def test_footer_links_to_all_footer_pages(client, path):
    _, page = fetch(client, path)
    footer = dict((text, href) for href, text in page.nav["Voettekst"])
    assert footer == {
        "Over ons": "/over-ons",
        "Veelgestelde vragen": "/veelgestelde-vragen",
        "Privacy": "/privacy",
        "Cookies": "/cookies",
        "Contact": "/contact",
    }


@pytest.mark.parametrize("path", PAGES)
def test_no_assets_from_other_hosts(client, path):
    html, page = fetch(client, path)
    assert page.assets, "the page should load our own CSS and JS"
    for url in page.assets:
        assert not re.match(r"(https?:)?//", url, re.I), f"{path} loads {url} from another host"
    # Nothing in a url(...) or @import pointing elsewhere either.
    assert not re.search(r"""(@import|url\()\s*['"]?(https?:)?//""", html, re.I)


@pytest.mark.parametrize("path", PAGES)
def test_images_have_alt_text(client, path):
    _, page = fetch(client, path)
    for image in page.images:
        assert "alt" in image, f"<img src={image.get('src')}> on {path} has no alt"


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_script_or_style(client, path):
    """The CSP forbids inline code, so a page with any would silently break."""
    _, page = fetch(client, path)
    assert page.inline_scripts == 0
    assert page.style_attributes == 0
    assert page.style_elements == 0


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_links_have_text_and_internal_targets_exist(client, path):
    _, page = fetch(client, path)
    for href, text in page.links:
        assert href, f"link without href on {path}"
        assert text, f"link to {href} on {path} has no text"
    internal = {h.split("#")[0] for h in hrefs(page) if h.startswith("/")} - {""}
    # /partner-worden is a planned section (DESIGN.md) that its own feature will serve.
    for target in sorted(internal - {"/partner-worden", "/forum", "/labs", "/kennisbank",
                                     "/collectieven", "/zelfscan", "/zoeken"}):
        response = client.get(target)
        assert response.status_code in (200, 302), f"{path} links to {target}: {response.status_code}"


# -- home ----------------------------------------------------------------------------------------

def test_home_calls_to_do_the_selfscan(client):
    html, page = fetch(client, "/")
    selfscan_links = [text for href, text in page.links if href == "/zelfscan"]
    assert "Doe de zelfscan" in selfscan_links
    assert client.get("/zelfscan").status_code == 200


def test_home_links_visitors_to_become_a_partner(client):
    html, page = fetch(client, "/")
    assert "/partner-worden" in hrefs(page)


@pytest.mark.parametrize("role, collective, first_button, gone", [
    ("member", True, "Naar de discussies", "Doe de zelfscan"),
    ("partner", False, "Naar de labs", "Doe de zelfscan"),
    ("moderator", False, "Naar beheer", "Doe de zelfscan"),
    ("member", False, "Zoek je collectief", "Zo werkt aanmelden"),
])
def test_home_speaks_to_who_is_signed_in(app, client, role, collective, first_button, gone):
    home = make_collective("De Windvang", slug="windvang") if collective else None
    person = make_user(email="p@example.org", name="Pien", role=role,
                       collective_id=home.id if home else None)
    cheap_passwords(person)
    login(client, "p@example.org")
    html = client.get("/").get_data(as_text=True)
    hero = html[html.index('class="d-flex flex-wrap gap-2 mb-0 hero-actions"'):]
    hero = hero[:hero.index("</p>")]
    assert first_button in hero and gone not in hero
    assert ">Log in</a>" not in html
    if role in ("partner", "moderator"):
        assert "/partner-worden" not in html


def test_home_explains_the_platform(client):
    html, page = fetch(client, "/")
    text = text_of(html)
    for phrase in ("burgercollectie", "niet-commercieel", "onderzoeksgroep", "wederkerigheid",
                   "gratis", "twee werkdagen", "persoonlijke account"):
        assert phrase in text, phrase
    for lab in ("Financelab", "Sciencelab", "Overheidslab", "Netwerklab"):
        assert lab in text
    assert {"/labs", "/forum", "/kennisbank", "/collectieven", "/inloggen"} <= hrefs(page)


def test_home_explains_joining_in_three_steps_in_order(client):
    text = text_of(client.get("/").get_data(as_text=True))
    steps = ["Doe de zelfscan.", "Wij maken de pagina van je collectief.", "Maak je persoonlijke account."]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)


def test_home_latest_sections_are_empty_until_filled(client):
    text = text_of(client.get("/").get_data(as_text=True))
    assert "Laatste discussies" not in text
    assert "Nieuw in de kennisbank" not in text


def test_home_latest_sections_render_what_a_feature_passes(app):
    threads = [{"title": "Hoe houden we vrijwilligers vast?", "url": "/forum/t/1",
                "group_name": "Leden & vrijwilligers"}]
    knowledge = [{"title": "Ledenenquête", "url": "/kennisbank/ledenenquete",
                  "type_label": "Instrument", "summary": "Een vragenlijst voor je leden."}]
    with app.test_request_context("/"):
        html = render_template("public/index.html", latest_threads=threads, latest_knowledge=knowledge)
    assert "Laatste discussies" in html
    assert '<a href="/forum/t/1">Hoe houden we vrijwilligers vast?</a>' in html
    assert "Leden &amp; vrijwilligers" in html  # escaped
    assert "Nieuw in de kennisbank" in html
    assert '<a href="/kennisbank/ledenenquete">Ledenenquête</a>' in html
    assert "Instrument" in html


def test_home_sets_no_cookie_for_a_visitor(client):
    response = client.get("/")
    assert "Set-Cookie" not in response.headers


# -- about ---------------------------------------------------------------------------------------

def test_about_names_the_research_group_and_team(client):
    html, page = fetch(client, "/over-ons")
    text = text_of(html)
    assert "Social Enterprise and Institutions for Collective Action" in text
    assert "Rotterdam School of Management" in text
    assert "Erasmus Universiteit" in text
    assert "onafhankelijke" in text
    h2s = [t for level, t in page.headings if level == 2]
    assert "Het team" in h2s  # the people come from the database: tests/web/test_team.py
    assert "/contact" in hrefs(page)


# -- FAQ -----------------------------------------------------------------------------------------

FAQ_TOPICS = [
    "burgercollectief", "zelfscan", "twee werkdagen", "Vlaanderen", "Vlaamse", "gratis",
    "wederkerigheid", "gepseudonimiseerd", "Overheidslab", "Financelab", "coöperatie",
    "sociale onderneming", "aandeelhouders", "Social Enterprise and Institutions for Collective Action",
    "niet-commercieel", "peer review", "10 tot 15 minuten", "rapport",
]


def test_faq_covers_every_topic(client):
    text = text_of(client.get("/veelgestelde-vragen").get_data(as_text=True))
    missing = [topic for topic in FAQ_TOPICS if topic not in text]
    assert not missing


def test_faq_questions_are_details_grouped_under_h2(client):
    html, page = fetch(client, "/veelgestelde-vragen")
    assert 'class="prose faq"' in html
    assert html.count("<details") == html.count("</details>") == len(page.summaries)
    assert len(page.summaries) >= 16
    assert all(summary.endswith("?") for summary in page.summaries)
    h2s = [t for level, t in page.headings if level == 2]
    for group in ("Over CollectieveKracht", "Aanmelden en meedoen", "De zelfscan en wederkerigheid",
                  "Privacy en gegevens", "Partners", "Kennis", "Staat je vraag er niet bij?"):
        assert group in h2s


def test_faq_links_to_privacy_partner_application_and_contact(client):
    _, page = fetch(client, "/veelgestelde-vragen")
    links = hrefs(page)
    assert {"/privacy", "/partner-worden", "/contact", "/zelfscan"} <= links


def test_faq_flemish_answer_names_the_dutch_only_labs(client):
    html = client.get("/veelgestelde-vragen").get_data(as_text=True)
    answer = html[html.index('id="vlaanderen"'):]
    answer = text_of(answer[:answer.index("</details>")])
    assert "welkom" in answer
    assert "Overheidslab" in answer and "Financelab" in answer
    assert "Nederlandse situatie" in answer


# -- privacy -------------------------------------------------------------------------------------

def test_privacy_statement_content(client):
    html, page = fetch(client, "/privacy")
    text = text_of(html)
    for phrase in (
        "Versie 1.0, 27 november 2026",
        "privacy@collectievekracht.example",
        "Erasmus Universiteit Rotterdam",
        "verwerkingsverantwoordelijke",
        "AVG",
        "Autoriteit Persoonsgegevens",
        "gepseudonimiseerd",
        "toestemmingstekst",
        "verkopen je gegevens niet",
        "voormalig lid",
        "verwerkersovereenkomst",
        "Inzage", "Correctie", "Verwijdering", "Dataportabiliteit", "Bezwaar",
        "Gerechtvaardigd belang", "Toestemming", "Uitvoering van de overeenkomst",
        "zelfscan", "contactformulier", "IP-adres",
    ):
        assert phrase in text, phrase
    assert "mailto:privacy@collectievekracht.example" in hrefs(page)
    assert "/cookies" in hrefs(page)


def test_privacy_lists_purposes_with_legal_basis_and_retention(client):
    html, page = fetch(client, "/privacy")
    h3s_after = [t for level, t in page.headings if level == 3]
    assert "Wetenschappelijk onderzoek met gepseudonimiseerde gegevens" in h3s_after
    purposes = html[html.index('id="doelen"'):html.index('id="onderzoek"')]
    # Every purpose names its data and its legal basis.
    assert purposes.count("<h3") == purposes.count(">Gegevens</dt>") == purposes.count(">Grondslag</dt>") >= 6
    retention = text_of(html[html.index('id="bewaartermijnen"'):html.index('id="rechten"')])
    for what in ("Accountgegevens", "Berichten en bijdragen", "Logbestanden van de server",
                 "Contactberichten"):
        assert what in retention


# -- cookies -------------------------------------------------------------------------------------

def test_cookie_statement_names_every_cookie_in_a_table(client):
    html, page = fetch(client, "/cookies")
    assert html.count("<table") == 1
    table = html[html.index("<table"):html.index("</table>")]
    assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table
    assert re.findall(r'<th scope="row"><code>(\w+)</code></th>', table) == [
        "session", "remember_token", "ck_apparaat"]
    table_text = text_of(table)
    assert "session" in table_text and "remember_token" in table_text
    assert "14 dagen" in table_text and "30 dagen" in table_text
    assert "Ingelogd blijven" in table_text
    text = text_of(html)
    assert "geen analytische cookies" in text
    assert "/privacy" in hrefs(page)


def test_cookie_statement_matches_configuration(app):
    """If someone changes a cookie name or lifetime, the statement must change with it."""
    assert app.config["SESSION_COOKIE_NAME"] == "session"
    assert app.config.get("REMEMBER_COOKIE_NAME", "remember_token") == "remember_token"
    assert app.config["LOGIN_DEVICE_COOKIE_NAME"] == "ck_apparaat"
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=14)
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)


def _cookie_names(*responses):
    names = set()
    for response in responses:
        for header in response.headers.getlist("Set-Cookie"):
            names.add(header.split("=", 1)[0].strip())
    return names


def test_only_the_session_cookie_without_remember_me(client):
    make_user(email="koekje@example.org")
    responses = [client.get(path) for path in PAGES]
    responses.append(login(client, "koekje@example.org"))
    responses += [client.get(path) for path in PAGES]
    # The device cookie comes with a successful sign-in (see the cookie statement).
    assert _cookie_names(*responses) == {"session", "ck_apparaat"}


def test_remember_me_adds_the_remember_token_cookie(client):
    make_user(email="koekje@example.org")
    response = submit(client, "/inloggen", {"email": "koekje@example.org", "password": PASSWORD,
                                            "remember": "y"})
    assert response.status_code == 302
    assert _cookie_names(response) == {"session", "remember_token", "ck_apparaat"}


def test_home_lists_latest_threads_for_members_only(client, app):
    """The home page shows recent discussions to those who may read the forum, never to visitors."""
    from tests.fixtures.forum import Cast
    from tests.factories import make_group, start_thread

    with app.app_context():
        cast = Cast()
        start_thread(make_group(name="Energie delen"), cast.member, title="Zonnepanelen op het dorpshuis")
    assert "Zonnepanelen op het dorpshuis" not in client.get("/").get_data(as_text=True)
    login(client, "los@example.org")  # logged in, but without a collective: no forum
    assert "Zonnepanelen op het dorpshuis" not in client.get("/").get_data(as_text=True)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/")})
    login(client, "lid2@example.org")
    member_home = client.get("/").get_data(as_text=True)
    assert "Laatste discussies" in member_home and "Zonnepanelen op het dorpshuis" in member_home
    assert "in Energie delen" in member_home
