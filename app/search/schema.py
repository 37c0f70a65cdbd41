"""What the search engine promises its callers: the public constants (kinds of result, sort
orders, audiences, limits), the Whoosh schema every document is written with, and the result
types that `search()` and `check()` return. The schema's text fields use the Dutch analyser, so
this module is also where the analyser meets the index."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from app.search.analysis import ANALYZER

# -- public constants -------------------------------------------------------------------------------

SEARCH_KINDS = {
    "discussie": "Discussies",
    "labvraag": "Labvragen",
    "kennis": "Kennisbank",
    "collectief": "Collectieven",
}
SORTS = ("relevantie", "datum")

AUDIENCE_PUBLIC = "public"
AUDIENCE_FORUM = "forum"
AUDIENCE_LABS = "labs"
AUDIENCES = (AUDIENCE_PUBLIC, AUDIENCE_FORUM, AUDIENCE_LABS)

MAX_QUERY_LENGTH = 500
MIN_PREFIX_LENGTH = 3
MAX_PER_PAGE = 100
SNIPPET_CHARS = 220
SCHEMA_VERSION = "2"  # 2: plurals, diminutives and irregular forms in the Dutch analyser


# -- the schema ------------------------------------------------------------------------------------

def make_schema():
    return Schema(
        id=ID(unique=True, stored=True),           # "thread:12"
        kind=ID(stored=True, sortable=True),        # a SEARCH_KINDS key
        audience=ID(stored=True, sortable=True),    # one of AUDIENCES
        scopes=KEYWORD(stored=False, lowercase=False, scorable=False),  # "group:3 thread:12"
        title=TEXT(analyzer=ANALYZER, stored=True, field_boost=2.0),
        text=TEXT(analyzer=ANALYZER, stored=True),  # what everybody who sees the doc may read
        members_text=TEXT(analyzer=ANALYZER, stored=True),  # knowledge bodies: can_read_knowledge
        display_title=STORED(),                     # shown title (a reply shows its thread's)
        where=STORED(),
        link=STORED(),                              # (endpoint, values) for url_for
        path=STORED(),                              # the address when the index was written
        date=DATETIME(stored=True, sortable=True),
        version=STORED(),                           # hash of everything above, for `check`
    )


SCHEMA = make_schema()
PUBLIC_FIELDS = ("title", "text")
MEMBER_FIELDS = ("title", "text", "members_text")

# -- results ---------------------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str
    kind_label: str
    title: str
    url: str
    where: str
    snippet: Markup
    date: datetime | None
    id: str = ""
    score: float | None = None
    # A collapsed search (search(..., collapse=True)): the key of the documents this hit stands
    # for ("thread:12", its best-ranked match shown) and how many of them match; "" and 1 otherwise.
    collapse_key: str = ""
    matches: int = 1


@dataclass
class SearchResults:
    query: str = ""
    hits: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    per_page: int = 20
    counts: dict = field(default_factory=lambda: {kind: 0 for kind in SEARCH_KINDS})
    as_words: bool = False
    kind: str | None = None
    sort: str = "relevantie"
    unavailable: bool = False  # the index could not be read (logged); shown as "try later"
    ranked: int | None = None  # set when only the best `ranked` matches can be paged through
    ranked_newest: bool = False  # ranked (or capped): the newest matches, not the best of all
    capped: int | None = None  # set when more than `capped` match: counts above it are "meer dan"
    prefix_limited: int | None = None  # set to the number of words searched when a woord* had more
    collapse: bool = False  # one hit per thread (the counts count hits, not documents)
    within: str | None = None  # a collapse key ("thread:12"): only the documents under it
    # Kinds whose count is a lower bound: collapsed hits counted among the first matches only
    # (PostgreSQL past COUNT_LIMIT); the page says "minstens".
    at_least: frozenset = frozenset()

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


@dataclass
class CheckReport:
    expected: int = 0
    indexed: int = 0
    missing: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    repaired: bool = False
    error: str | None = None

    @property
    def ok(self):
        return not (self.missing or self.stale or self.extra)
