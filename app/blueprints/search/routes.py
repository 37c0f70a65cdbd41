"""The search page (/zoeken): one box over discussions, lab questions, the knowledge base and
collective pages. The engine (app.search) does the searching and the permission filtering; this
view only reads the query string, so any text someone types gives a normal page."""

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from app import search as engine
from app.accounts.profiles import authors_of
from app.blueprints.common import person_key
from app.extensions import limiter
from app.pagination import id_arg, page_arg

bp = Blueprint("search", __name__)

# The header box and the page's own box allow this much; longer text (a pasted page, a crafted
# link) is searched by its beginning, so one request cannot make the engine chew on thousands of words.
MAX_QUERY = engine.MAX_QUERY_LENGTH
PER_PAGE = 20
SORT_LABELS = {"relevantie": "Relevantie", "datum": "Nieuwste eerst"}
# The type of one hit, in the singular (the filters use the engine's plural SEARCH_KINDS labels).
BADGES = {"discussie": "Discussie", "labvraag": "Labvraag", "kennis": "Kennisbank",
          "collectief": "Collectief"}
# "… resultaten voor 'x' in de kennisbank": a filter in running text.
# ?discussie=<thread id>: only the posts of that thread (the link under a hit that stands for
# several); the engine calls a thread and its replies "thread:<id>" (app.forum.search's Collapse).
THREAD_KEY = "thread:{}"
WITHIN = {"discussie": "in de discussies", "labvraag": "in de labvragen", "kennis": "in de kennisbank",
          "collectief": "bij de collectieven"}


def clean_query(raw):
    """The query as searched and shown: the engine's cleaning (control and invisible characters
    out, spaces collapsed), capped at MAX_QUERY on a word boundary. Returns (query, shortened)."""
    text = engine.clean_query(raw)
    if len(text) <= MAX_QUERY:
        return text, False
    return text[:MAX_QUERY].rsplit(" ", 1)[0] or text[:MAX_QUERY], True


class ResultPages:
    """What the pagination macro needs, made from the engine's page numbers."""

    def __init__(self, page, pages):
        self.page = page
        self.pages = pages

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1

    def iter_pages(self, left_edge=1, left_current=2, right_current=2, right_edge=1):
        """Page numbers with None for a gap, like Flask-SQLAlchemy's Pagination.iter_pages."""
        shown = []
        for number in range(1, self.pages + 1):
            if (number <= left_edge or number > self.pages - right_edge
                    or self.page - left_current <= number <= self.page + right_current):
                if shown and shown[-1] is not None and number - shown[-1] > 1:
                    shown.append(None)
                shown.append(number)
        return shown


def count_shown(results, kind=None):
    """(number, bound) of a type filter (or all of them, or the total): bound "meer dan" when the
    count passed the engine's bound (shown as "1.000+"), "minstens" when threads were counted
    among the first matches only, "" when the number is exact."""
    counts = results.counts
    number = counts.get(kind, 0) if kind else sum(counts.values())
    lower = kind in results.at_least if kind else bool(results.at_least)
    if results.capped and number > results.capped:
        return results.capped, "meer dan"
    return number, "minstens" if lower else ""


@bp.get("/zoeken")
# A search costs more than a page view: generous for a person, a brake on scripts. The empty page
# (no query) is free.
@limiter.limit("60 per minute;600 per hour", key_func=person_key,
               exempt_when=lambda: not request.args.get("q", "").strip())
def index():
    query, shortened = clean_query(request.args.get("q", ""))
    kind = request.args.get("type", "")
    if kind not in engine.SEARCH_KINDS:
        kind = ""
    sort = request.args.get("sort", "")
    if sort not in engine.SORTS:
        sort = engine.SORTS[0]
    page = page_arg()
    thread_id = id_arg("discussie")
    # A link to one discussion that is not a number (or is out of range): search everything, and
    # say so rather than pretend.
    bad_thread = thread_id is None and bool(request.args.get("discussie", "").strip())
    if thread_id:
        kind = ""  # the posts of one discussion: the type filters do not apply

    def run(page):
        return engine.search(query, current_user, kind or None, sort, page, per_page=PER_PAGE,
                             collapse=True,
                             within=THREAD_KEY.format(thread_id) if thread_id else None)

    results = None
    if query:
        results = run(page)
        if page > 1 and not results.hits and results.total:
            # A page beyond the last (an old link, fewer results now, or past what can be paged
            # through): show the last page instead.
            page = max(1, results.pages)
            results = run(page)

    counts = dict(results.counts) if results else {}
    filters = []
    if results:
        filters = [("", "Alles", *count_shown(results))] + [
            (key, label, *count_shown(results, key)) for key, label in engine.SEARCH_KINDS.items()]
    thread_links = {}
    for hit in results.hits if results else ():
        if hit.matches > 1 and hit.collapse_key:
            thread_links[hit.id] = url_for(
                "search.index", q=query, discussie=hit.collapse_key.partition(":")[2],
                sort=None if sort == engine.SORTS[0] else sort)
    return render_template(
        "search/index.html",
        query=query,
        search_query=query,  # for the header's box
        shortened=shortened,
        kind=kind,
        sort=sort,
        results=results,
        counts=counts,
        count_all=sum(counts.values()),
        filters=filters,
        total_shown=count_shown(results, kind or None) if results else (0, ""),
        kinds=engine.SEARCH_KINDS,
        sort_labels=SORT_LABELS,
        badges=BADGES,
        within=WITHIN.get(kind, ""),
        thread_id=thread_id,
        # The discussion's title, from its own hits (so permission-filtered like them).
        thread_title=results.hits[0].title if thread_id and results and results.hits else "",
        bad_thread=bad_thread,
        thread_links=thread_links,
        # Who wrote each discussion post and lab question or answer found (one statement).
        authors=authors_of([hit.id for hit in results.hits]) if results else {},
        pages=ResultPages(results.page, results.pages) if results else None,
        max_query=MAX_QUERY,
    )
