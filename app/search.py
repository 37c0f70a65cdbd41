"""Full-text search: one index over discussions, lab questions, the knowledge base and collectives.

This is the only module that knows Whoosh; the app calls `search()`, `apply_pending()`,
`rebuild()` and `check()`, so a PostgreSQL full-text backend can replace it behind the same names.

How the index follows the database
- SQLAlchemy session events (registered by `register_search(app)`) notice new, changed and deleted
  rows of the indexed models at flush time and write `SearchJob` rows in the same transaction, so
  an index job exists exactly when the change was committed; no view has to remember anything.
- After the commit the jobs are applied: synchronously in tests (SEARCH_SYNC), otherwise by a
  daemon thread of the process. The mail worker round applies what is left, as a safety net.
- Applying takes the index's write lock (one writer at a time, across processes), then reads each
  job's row as it is *now* (so jobs are idempotent and order does not matter), updates or removes
  the documents, commits the index and only then deletes those job rows by id. A job that fails is
  kept with a back-off; an index that is busy, missing or broken delays updates, never a request.

Who sees what
Every document carries an `audience`: "public" (knowledge items, collective pages), "forum"
(threads, posts) or "labs" (lab questions and replies). A searcher's rights
(`can_read_forum`, `can_view_lab_questions`) give the audiences they may see; the filter is applied
inside the query, so totals, counts per kind and pages are all permission-filtered. Knowledge
bodies are members-only text in a separate field (`members_text`) that only people with
`can_read_knowledge` search and see snippets of.
"""
from __future__ import annotations

import hashlib
import html as html_module
import heapq
import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from markupsafe import Markup, escape
from sqlalchemy import event, inspect as sa_inspect
from sqlalchemy.orm import Session as OrmSession

from whoosh import highlight, index as whoosh_index, query as wq
from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.matching.wrappers import FilterMatcher
from whoosh.qparser import AndGroup, MultifieldParser, plugins, syntax
from whoosh.support.charset import accent_map

from app.extensions import db
from app.models.search import SearchJob
from app.timeutil import utcnow

log = logging.getLogger(__name__)

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
SCHEMA_VERSION = "1"

# -- the Dutch analyser ----------------------------------------------------------------------------

_dutch_stem = stemmer_for_language("nl")


def fold(text):
    """Lower case without accents: "Coöperatie" → "cooperatie"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@lru_cache(maxsize=50_000)
def dutch_stem(word):
    """Snowball's Dutch stem, evened out where Dutch spelling alternates in the plural:
    coöperaties → coöperatie, collectieven → collectief, huizen → huis."""
    stem = _dutch_stem(word)
    if len(stem) > 4 and stem.endswith("ies"):
        stem = stem[:-1]
    if len(stem) > 3 and stem.endswith("v"):
        stem = stem[:-1] + "f"
    elif len(stem) > 3 and stem.endswith("z"):
        stem = stem[:-1] + "s"
    return stem


class DutchStemFilter(Filter):
    """Stems every token with `dutch_stem` (cached)."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = dutch_stem(token.text)
            yield token


DUTCH_STOPWORDS = frozenset(fold(word) for word in stopwords_for_language("nl"))


def dutch_analyzer():
    return (
        RegexTokenizer(r"\w+(?:[.'’]\w+)*")
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=DUTCH_STOPWORDS, minsize=1)
        | DutchStemFilter()
    )


ANALYZER = dutch_analyzer()


def analyse(text):
    """The index terms of `text` (for tests and diagnostics)."""
    return [token.text for token in ANALYZER(text)]


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


# -- the index on disk -----------------------------------------------------------------------------

_process_lock = threading.Lock()  # one writer per process (the file lock covers other processes)
_local = threading.local()        # per thread: {index dir: searcher}
_used_dirs = set()                # index dirs this process wrote to (tests reset only those)


def index_dir():
    from flask import current_app

    configured = current_app.config.get("SEARCH_INDEX_DIR") or "search_index"
    return os.path.abspath(configured)


class IndexUnavailable(Exception):
    """The index directory is missing and cannot be made, unreadable or broken."""


def open_index(create=True):
    """The index in SEARCH_INDEX_DIR (made, empty, when it is not there yet)."""
    path = index_dir()
    try:
        if whoosh_index.exists_in(path):
            ix = whoosh_index.open_dir(path)
            if set(ix.schema.names()) != set(SCHEMA.names()):
                raise IndexUnavailable(f"index in {path} has another schema: run `search rebuild`")
            return ix
        if not create:
            raise IndexUnavailable(f"no index in {path}")
        os.makedirs(path, exist_ok=True)
        lock_path = os.path.join(path, "CREATE.lock")
        with open(lock_path, "a") as lock_file:
            import fcntl

            fcntl.flock(lock_file, fcntl.LOCK_EX)  # several workers starting at once make one index
            try:
                if not whoosh_index.exists_in(path):
                    whoosh_index.create_in(path, SCHEMA)
                    _used_dirs.add(path)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return whoosh_index.open_dir(path)
    except IndexUnavailable:
        raise
    except Exception as exc:  # OSError, EmptyIndexError, corrupt files, …
        raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc


def _searcher():
    """A searcher of the current index for this thread, renewed when the index changed (a new
    generation, or a new directory swapped in by a rebuild)."""
    path = index_dir()
    cache = getattr(_local, "searchers", None)
    if cache is None:
        cache = _local.searchers = {}
    searcher, inode = cache.get(path, (None, None))
    try:
        current_inode = os.stat(path).st_ino if os.path.isdir(path) else None
        if searcher is not None and (inode != current_inode or not searcher.up_to_date()):
            # A new searcher, not searcher.refresh(): Whoosh-Reloaded's refresh reuses segment
            # readers by segment id and so misses deletions made since.
            try:
                searcher.close()
            except Exception:
                pass
            searcher = None
        if searcher is None:
            searcher = open_index().searcher()
            current_inode = os.stat(path).st_ino
    except IndexUnavailable:
        cache.pop(path, None)
        raise
    except Exception as exc:
        cache.pop(path, None)
        raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc
    cache[path] = (searcher, current_inode)
    return searcher


def _forget_searchers(path=None):
    cache = getattr(_local, "searchers", None) or {}
    for key in list(cache):
        if path is None or key == path:
            try:
                cache.pop(key)[0].close()
            except Exception:
                pass


def reset_index_for_tests(path=None):
    """Remove the index (of `path`, or those this process wrote to): cheap when there is none."""
    paths = set(_used_dirs)
    if path:
        paths.add(os.path.abspath(path))
    existing = [p for p in paths if os.path.exists(p)]
    _used_dirs.clear()
    if not existing:
        return
    _forget_searchers()
    for p in existing:
        shutil.rmtree(p, ignore_errors=True)
    _SEGMENT_CACHE.clear()


class IndexBusy(Exception):
    """Another process or thread holds the index's write lock."""


def _writer(ix, timeout):
    from whoosh.index import LockError

    if not _process_lock.acquire(timeout=max(timeout, 0.001)):
        raise IndexBusy()
    try:
        return _LockedWriter(ix.writer(timeout=timeout, delay=0.05))
    except LockError:
        _process_lock.release()
        raise IndexBusy() from None
    except Exception:
        _process_lock.release()
        raise


class _LockedWriter:
    """A Whoosh writer that also releases the per-process lock when it is done."""

    def __init__(self, writer):
        self.writer = writer
        self._released = False

    def _release(self):
        if not self._released:
            self._released = True
            _process_lock.release()

    def commit(self, **kwargs):
        try:
            self.writer.commit(**kwargs)
        finally:
            self._release()

    def cancel(self):
        try:
            self.writer.cancel()
        finally:
            self._release()

    def __getattr__(self, name):
        return getattr(self.writer, name)


# -- documents from the database -------------------------------------------------------------------

_TAG_RE = re.compile(r"<[^>]*>")


def _plain(stored_html):
    """The text of HTML that app.markup made at save time (sanitised: an allow-list of tags),
    without its tags — far cheaper than rendering the Markdown source again."""
    if not stored_html:
        return ""
    return " ".join(html_module.unescape(_TAG_RE.sub(" ", stored_html)).split())


def _url(endpoint, values, fallback):
    """The path for a stored link; `fallback` when the route does not exist (yet)."""
    from flask import url_for
    from werkzeug.routing import BuildError

    try:
        return url_for(endpoint, **values)
    except (BuildError, RuntimeError, ValueError):
        return fallback


def _finish(doc):
    payload = json.dumps(
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(doc.items())},
        sort_keys=True, default=str, ensure_ascii=False,
    )
    doc["version"] = SCHEMA_VERSION + ":" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]
    return doc


def _thread_doc(thread, opening):
    from app.blueprints.forum.services import thread_slug

    group = thread.group
    values = {"group_slug": group.slug, "thread_id": thread.id, "slug": thread_slug(thread.title)}
    text = _plain(opening.body_html) if opening is not None and opening.is_visible else ""
    return _finish({
        "id": f"thread:{thread.id}", "kind": "discussie", "audience": AUDIENCE_FORUM,
        "scopes": f"group:{group.id}", "title": thread.title, "display_title": thread.title,
        "text": text, "members_text": "", "where": f"Forum · {group.name}",
        "link": ("forum.thread", values),
        "path": _url("forum.thread", values,
                     f"/forum/{group.slug}/{thread.id}-{values['slug']}"),
        "date": thread.created_at,
    })


def _post_doc(post, thread):
    group = thread.group
    values = {"post_id": post.id}
    return _finish({
        "id": f"post:{post.id}", "kind": "discussie", "audience": AUDIENCE_FORUM,
        "scopes": f"group:{group.id} thread:{thread.id}",
        # The thread's title is shown, not searched: a title word would match every reply.
        "title": "", "display_title": thread.title,
        "text": _plain(post.body_html), "members_text": "", "where": f"Forum · {group.name}",
        "link": ("forum.post_permalink", values),
        "path": _url("forum.post_permalink", values, f"/forum/bericht/{post.id}"),
        "date": post.created_at,
    })


def _question_doc(question):
    lab = question.lab
    values = {"lab_slug": lab.slug, "question_id": question.id}
    text = _plain(question.body_html)
    context = _plain(question.context_html)
    return _finish({
        "id": f"labquestion:{question.id}", "kind": "labvraag", "audience": AUDIENCE_LABS,
        "scopes": f"lab:{lab.id}", "title": question.title, "display_title": question.title,
        "text": (text + " " + context).strip(), "members_text": "", "where": lab.name,
        "link": ("labs.question", values),
        "path": _url("labs.question", values, f"/labs/{lab.slug}/vragen/{question.id}"),
        "date": question.created_at,
    })


def _reply_doc(reply, question):
    lab = question.lab
    values = {"lab_slug": lab.slug, "question_id": question.id, "_anchor": f"antwoord-{reply.id}"}
    return _finish({
        "id": f"labreply:{reply.id}", "kind": "labvraag", "audience": AUDIENCE_LABS,
        "scopes": f"lab:{lab.id} question:{question.id}", "title": "",
        "display_title": question.title, "text": _plain(reply.body_html), "members_text": "",
        "where": lab.name, "link": ("labs.question", values),
        "path": _url("labs.question", values,
                     f"/labs/{lab.slug}/vragen/{question.id}#antwoord-{reply.id}"),
        "date": reply.created_at,
    })


def _knowledge_doc(item):
    values = {"slug": item.slug}
    return _finish({
        "id": f"knowledge:{item.id}", "kind": "kennis", "audience": AUDIENCE_PUBLIC,
        "scopes": "", "title": item.title, "display_title": item.title,
        "text": item.summary or "", "members_text": _plain(item.body_html),
        "where": f"Kennisbank · {item.kind_label}",
        "link": ("knowledge.item", values),
        "path": _url("knowledge.item", values, f"/kennisbank/{item.slug}"),
        "date": item.published_at or item.created_at,
    })


def _collective_doc(collective):
    values = {"slug": collective.slug}
    place = ", ".join(part for part in (collective.municipality, collective.province) if part)
    text = " ".join(part for part in (collective.description or "", place,
                                      collective.sector_label) if part)
    return _finish({
        "id": f"collective:{collective.id}", "kind": "collectief", "audience": AUDIENCE_PUBLIC,
        "scopes": "", "title": collective.name, "display_title": collective.name,
        "text": text, "members_text": "", "where": f"Collectieven · {collective.municipality}",
        "link": ("collectives.detail", values),
        "path": _url("collectives.detail", values, f"/collectieven/{collective.slug}"),
        "date": collective.created_at,
    })


# Which rows make documents, as queries: each yields (doc id, doc) for visible rows only.

def _models():
    from app.models.collectives import Collective
    from app.models.forum import ForumGroup, Post, Thread
    from app.models.knowledge import STATUS_PUBLISHED, KnowledgeItem
    from app.models.labs import Lab, LabQuestion, LabReply

    return locals()


def _thread_docs(session, where=()):
    m = _models()
    Thread, Post = m["Thread"], m["Post"]
    threads = session.execute(
        db.select(Thread).where(Thread.deleted_at.is_(None), *where).order_by(Thread.id)
    ).scalars().all()
    if not threads:
        return
    openings = {}
    ids = [t.id for t in threads]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for post in session.execute(
            db.select(Post).where(Post.thread_id.in_(chunk), Post.number == 1)
        ).scalars():
            openings[post.thread_id] = post
    for thread in threads:
        yield _thread_doc(thread, openings.get(thread.id))


def _post_docs(session, where=()):
    m = _models()
    Thread, Post = m["Thread"], m["Post"]
    rows = session.execute(
        db.select(Post, Thread).join(Thread, Post.thread_id == Thread.id)
        .where(Post.number > 1, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
               Thread.deleted_at.is_(None), *where)
        .order_by(Post.id)
        .execution_options(yield_per=1000)
    )
    for post, thread in rows:
        yield _post_doc(post, thread)


def _question_docs(session, where=()):
    LabQuestion = _models()["LabQuestion"]
    for question in session.execute(
        db.select(LabQuestion).where(LabQuestion.hidden_at.is_(None), *where).order_by(LabQuestion.id)
    ).scalars():
        yield _question_doc(question)


def _reply_docs(session, where=()):
    m = _models()
    LabQuestion, LabReply = m["LabQuestion"], m["LabReply"]
    rows = session.execute(
        db.select(LabReply, LabQuestion).join(LabQuestion, LabReply.question_id == LabQuestion.id)
        .where(LabReply.hidden_at.is_(None), LabReply.deleted_at.is_(None),
               LabQuestion.hidden_at.is_(None), *where)
        .order_by(LabReply.id)
    )
    for reply, question in rows:
        yield _reply_doc(reply, question)


def _knowledge_docs(session, where=()):
    m = _models()
    KnowledgeItem = m["KnowledgeItem"]
    for item in session.execute(
        db.select(KnowledgeItem).where(KnowledgeItem.status == m["STATUS_PUBLISHED"], *where)
        .order_by(KnowledgeItem.id)
    ).scalars():
        yield _knowledge_doc(item)


def _collective_docs(session, where=()):
    Collective = _models()["Collective"]
    for collective in session.execute(
        db.select(Collective).where(*where).order_by(Collective.id)
    ).scalars():
        yield _collective_doc(collective)


def all_documents(session):
    """Every document the database says should be in the index."""
    yield from _thread_docs(session)
    yield from _post_docs(session)
    yield from _question_docs(session)
    yield from _reply_docs(session)
    yield from _knowledge_docs(session)
    yield from _collective_docs(session)


def count_documents(session):
    """How many documents all_documents() will give (for the progress bar)."""
    m = _models()
    Thread, Post = m["Thread"], m["Post"]
    LabQuestion, LabReply = m["LabQuestion"], m["LabReply"]
    KnowledgeItem, Collective = m["KnowledgeItem"], m["Collective"]
    count = db.func.count()
    total = session.execute(db.select(count).select_from(Thread).where(Thread.deleted_at.is_(None))).scalar_one()
    total += session.execute(
        db.select(count).select_from(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.number > 1, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
               Thread.deleted_at.is_(None))).scalar_one()
    total += session.execute(db.select(count).select_from(LabQuestion)
                             .where(LabQuestion.hidden_at.is_(None))).scalar_one()
    total += session.execute(
        db.select(count).select_from(LabReply).join(LabQuestion, LabReply.question_id == LabQuestion.id)
        .where(LabReply.hidden_at.is_(None), LabReply.deleted_at.is_(None),
               LabQuestion.hidden_at.is_(None))).scalar_one()
    total += session.execute(db.select(count).select_from(KnowledgeItem)
                             .where(KnowledgeItem.status == m["STATUS_PUBLISHED"])).scalar_one()
    total += session.execute(db.select(count).select_from(Collective)).scalar_one()
    return total


# Jobs: a document type with an id (that one document), or a scope (all documents under it).

def _single(doc_type, doc_id, session):
    """The document for one row, or None when it should not be in the index."""
    m = _models()
    if doc_type == "thread":
        docs = list(_thread_docs(session, (m["Thread"].id == doc_id,)))
    elif doc_type == "post":
        docs = list(_post_docs(session, (m["Post"].id == doc_id,)))
    elif doc_type == "labquestion":
        docs = list(_question_docs(session, (m["LabQuestion"].id == doc_id,)))
    elif doc_type == "labreply":
        docs = list(_reply_docs(session, (m["LabReply"].id == doc_id,)))
    elif doc_type == "knowledge":
        docs = list(_knowledge_docs(session, (m["KnowledgeItem"].id == doc_id,)))
    elif doc_type == "collective":
        docs = list(_collective_docs(session, (m["Collective"].id == doc_id,)))
    else:
        raise ValueError(f"unknown doc type {doc_type!r}")
    return docs[0] if docs else None


_ID_COLUMNS = {
    "thread": ("Thread", _thread_docs), "post": ("Post", _post_docs),
    "labquestion": ("LabQuestion", _question_docs), "labreply": ("LabReply", _reply_docs),
    "knowledge": ("KnowledgeItem", _knowledge_docs), "collective": ("Collective", _collective_docs),
}


def _load_singles(doc_type, doc_ids, session):
    """({doc key: doc} for the visible rows among doc_ids, {doc_id: error} for rows that failed),
    500 rows a query; a failing chunk is retried row by row so one bad row blocks only itself."""
    found, failed = {}, {}
    if doc_type not in _ID_COLUMNS:
        return found, {doc_id: f"unknown doc type {doc_type!r}" for doc_id in doc_ids}
    model_name, documents = _ID_COLUMNS[doc_type]
    column = _models()[model_name].id
    for start in range(0, len(doc_ids), 500):
        chunk = doc_ids[start:start + 500]
        try:
            found.update((doc["id"], doc) for doc in documents(session, (column.in_(chunk),)))
        except Exception:
            session.rollback()
            for doc_id in chunk:
                try:
                    doc = _single(doc_type, doc_id, session)
                    if doc is not None:
                        found[doc["id"]] = doc
                except Exception as exc:
                    log.exception("Search: could not index %s %s", doc_type, doc_id)
                    session.rollback()
                    failed[doc_id] = f"{type(exc).__name__}: {exc}"
    return found, failed


def _scope(doc_type, doc_id, session):
    """(index scope term, documents that should be under it) for a scope job."""
    m = _models()
    Thread, Post, LabQuestion, LabReply = m["Thread"], m["Post"], m["LabQuestion"], m["LabReply"]
    if doc_type == "thread_posts":
        return f"thread:{doc_id}", list(_post_docs(session, (Post.thread_id == doc_id,)))
    if doc_type == "group":
        return f"group:{doc_id}", (list(_thread_docs(session, (Thread.group_id == doc_id,)))
                                   + list(_post_docs(session, (Thread.group_id == doc_id,))))
    if doc_type == "question_replies":
        return f"question:{doc_id}", list(_reply_docs(session, (LabReply.question_id == doc_id,)))
    if doc_type == "lab":
        return f"lab:{doc_id}", (list(_question_docs(session, (LabQuestion.lab_id == doc_id,)))
                                 + list(_reply_docs(session, (LabQuestion.lab_id == doc_id,))))
    return None


SCOPE_TYPES = ("thread_posts", "group", "question_replies", "lab")
SINGLE_TYPES = ("thread", "post", "labquestion", "labreply", "knowledge", "collective")

# -- the queue: session events ---------------------------------------------------------------------

# model name -> (job doc type, columns whose change matters, scope doc type on a structural change,
#                columns whose change also re-indexes the scope)
_WATCHED = {
    "Thread": ("thread", {"title", "group_id", "deleted_at", "created_at"}, "thread_posts",
               {"title", "group_id", "deleted_at"}),
    "ForumGroup": (None, set(), "group", {"name", "slug"}),
    "LabQuestion": ("labquestion", {"title", "body_source", "body_html", "context_source",
                                    "context_html", "hidden_at", "lab_id"},
                    "question_replies", {"title", "hidden_at", "lab_id"}),
    "LabReply": ("labreply", {"body_source", "body_html", "hidden_at", "deleted_at", "question_id"},
                 None, set()),
    "Lab": (None, set(), "lab", {"name", "slug"}),
    "KnowledgeItem": ("knowledge", {"title", "summary", "body_source", "body_html", "status",
                                    "kind", "slug", "published_at", "created_at"}, None, set()),
    "Collective": ("collective", {"name", "slug", "description", "municipality", "province",
                                  "sector", "country"}, None, set()),
}
_POST_COLUMNS = {"body_source", "body_html", "deleted_at", "hidden_at", "thread_id", "number"}


def _changed(obj, columns):
    state = sa_inspect(obj)
    for name in columns:
        attr = state.attrs.get(name) if name in state.attrs else None
        if attr is not None and attr.history.has_changes():
            return True
    return False


def jobs_for_flush(session):
    """(doc_type, doc_id) pairs for what this flush changed."""
    jobs = []
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        name = type(obj).__name__
        is_new, is_deleted = obj in session.new, obj in session.deleted
        if name == "Post":
            if not (is_new or is_deleted or _changed(obj, _POST_COLUMNS)):
                continue
            if obj.number == 1:
                jobs.append(("thread", obj.thread_id))
            else:
                jobs.append(("post", obj.id))
            continue
        spec = _WATCHED.get(name)
        if spec is None:
            continue
        doc_type, columns, scope_type, scope_columns = spec
        if doc_type and (is_new or is_deleted or _changed(obj, columns)):
            jobs.append((doc_type, obj.id))
        if scope_type and not is_new and (is_deleted or _changed(obj, scope_columns)):
            jobs.append((scope_type, obj.id))
    return [(t, i) for t, i in jobs if i is not None]


def _after_flush(session, flush_context):
    if not session.info.get("search_enabled", _search_enabled_for(session)):
        return
    try:
        jobs = jobs_for_flush(session)
    except Exception:  # never let indexing bookkeeping break a save
        log.exception("Search: could not work out the index jobs of a flush")
        return
    if not jobs:
        return
    seen = session.info.setdefault("search_jobs_seen", set())
    fresh = [job for job in dict.fromkeys(jobs) if job not in seen]
    if not fresh:
        return
    now = utcnow()
    session.connection().execute(
        SearchJob.__table__.insert(),
        [{"doc_type": t, "doc_id": i, "created_at": now, "attempts": 0} for t, i in fresh],
    )
    seen.update(fresh)
    session.info["search_jobs_queued"] = True


def _search_enabled_for(session):
    from flask import current_app, has_app_context

    return has_app_context() and current_app.extensions.get("search") is not None


def _after_commit(session):
    if session.in_nested_transaction():  # a savepoint was released; the real commit comes later
        return
    queued = session.info.pop("search_jobs_queued", False)
    session.info.pop("search_jobs_seen", None)
    if queued:
        _after_commit_apply()


def _after_soft_rollback(session, previous_transaction):
    # Jobs written in a rolled-back savepoint are gone: forget them so they are written again.
    session.info.pop("search_jobs_seen", None)
    if not session.in_transaction():
        session.info.pop("search_jobs_queued", None)


def sync_mode(app):
    """How jobs are applied: True — right after each commit, in the request (default in tests);
    "search" — just before the next search (the test suite's choice: tests that never search
    do no index work); False — by a daemon thread of the process (default otherwise)."""
    return app.config.get("SEARCH_SYNC", app.testing)


def _after_commit_apply():
    from flask import current_app, has_app_context, has_request_context

    if not has_app_context():
        return
    app = current_app._get_current_object()
    try:
        mode = sync_mode(app)
        if mode == "search":
            return
        if mode or not has_request_context():
            # Tests, and CLI commands and scripts (a daemon thread would die with the process).
            apply_pending(lock_timeout=app.config.get("SEARCH_LOCK_TIMEOUT", 5.0))
        else:
            _wake_applier(app)
    except Exception:  # a change is committed; indexing it must never fail the request
        log.exception("Search: applying index jobs after a commit failed; they stay queued")


_registered_events = False


def register_search(app):
    """Queue index jobs on every change of an indexed model (called from create_app)."""
    global _registered_events
    app.extensions["search"] = {"applier": None}
    if not _registered_events:
        from flask_sqlalchemy.session import Session as FlaskSession

        event.listen(FlaskSession, "after_flush", _after_flush)
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
        _registered_events = True


# -- the applier thread (outside tests) ------------------------------------------------------------

_appliers = {}
_appliers_lock = threading.Lock()


def _wake_applier(app):
    key = (id(app), os.getpid())
    with _appliers_lock:
        entry = _appliers.get(key)
        if entry is None or not entry[0].is_alive():
            wake = threading.Event()
            thread = threading.Thread(target=_applier_loop, args=(app, wake), daemon=True,
                                      name="search-indexer")
            _appliers[key] = entry = (thread, wake)
            thread.start()
    entry[1].set()


def _applier_loop(app, wake):
    idle = app.config.get("SEARCH_POLL_SECONDS", 60)
    while True:
        wake.wait(idle)
        wake.clear()
        for attempt in range(20):  # the index may be busy with another worker's batch
            try:
                with app.app_context():
                    apply_pending()
                    left = _due_count()
            except Exception:
                log.exception("Search: index round failed; retrying later")
                left = 0
            if not left:
                break
            time.sleep(min(0.2 * (attempt + 1), 2.0))


def _due_count(include_waiting=False):
    with OrmSession(db.engine) as session:
        query = db.select(db.func.count()).select_from(SearchJob)
        if not include_waiting:
            now = utcnow()
            query = query.where(
                db.or_(SearchJob.next_attempt_at.is_(None), SearchJob.next_attempt_at <= now))
        return session.execute(query).scalar_one()


# -- applying jobs ---------------------------------------------------------------------------------

BATCH_SIZE = 500


def retry_delay(attempts):
    """Back-off for a failed job: 10 s, 20 s, 40 s … at most an hour."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


def apply_pending(limit=None, lock_timeout=2.0, include_waiting=False):
    """Apply queued index jobs, one writer at a time; returns how many jobs were applied.

    Never raises for index trouble: a busy index leaves the jobs for the next round, a broken one
    gives them a back-off and an error message. `include_waiting` also takes jobs whose back-off
    has not ended (the CLI and tests use it after a repair)."""
    applied = 0
    try:
        if not _due_count(include_waiting):
            return 0  # the common case: nothing to do, and the index is not touched
    except Exception:
        log.exception("Search: could not read the job queue")
        return 0
    while limit is None or applied < limit:
        batch_limit = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - applied)
        done = _apply_batch(batch_limit, lock_timeout, include_waiting)
        if done <= 0:
            break
        applied += done
    return applied


def _apply_batch(batch_limit, lock_timeout, include_waiting):
    try:
        ix = open_index()
    except IndexUnavailable as exc:
        log.error("Search index unavailable, jobs stay queued: %s", exc)
        _record_failure_for_due(str(exc), batch_limit, include_waiting)
        return 0
    try:
        writer = _writer(ix, lock_timeout)
    except IndexBusy:
        return 0
    except Exception as exc:  # unwritable directory, …
        log.error("Search index not writable, jobs stay queued: %s", exc)
        _record_failure_for_due(f"{type(exc).__name__}: {exc}", batch_limit, include_waiting)
        return 0
    committed = False
    jobs = []
    with OrmSession(db.engine) as session:
        try:
            jobs = [(job.id, job.doc_type, job.doc_id)
                    for job in _due_jobs(session, batch_limit, include_waiting)]
            if not jobs:
                writer.cancel()
                return 0
            failures = {}
            deletes, adds = set(), {}
            scope_terms = set()
            with _request_context():
                singles = {}
                for (doc_type, doc_id), job_ids in _group_jobs(jobs).items():
                    if doc_type in SCOPE_TYPES:
                        try:
                            term, docs = _scope(doc_type, doc_id, session)
                            scope_terms.add(term)
                            for doc in docs:
                                adds[doc["id"]] = doc
                        except Exception as exc:
                            log.exception("Search: could not index %s %s", doc_type, doc_id)
                            for job_id in job_ids:
                                failures[job_id] = f"{type(exc).__name__}: {exc}"
                    else:
                        singles.setdefault(doc_type, {})[doc_id] = job_ids
                for doc_type, by_id in singles.items():
                    found, failed = _load_singles(doc_type, list(by_id), session)
                    for doc_id, job_ids in by_id.items():
                        doc_key = f"{doc_type}:{doc_id}"
                        if doc_id in failed:
                            for job_id in job_ids:
                                failures[job_id] = failed[doc_id]
                            continue
                        deletes.add(doc_key)
                        if doc_key in found:
                            adds[doc_key] = found[doc_key]
                        else:
                            adds.pop(doc_key, None)
            session.rollback()  # reading done: no transaction held while the index is written
            for term in scope_terms:
                writer.delete_by_term("scopes", term)
            for doc_key in deletes | set(adds):
                writer.delete_by_term("id", doc_key)
            for doc in adds.values():
                writer.add_document(**doc)
            writer.commit()
            committed = True
            _used_dirs.add(index_dir())
        except Exception as exc:
            if not committed:
                try:
                    writer.cancel()
                except Exception:
                    pass
                log.exception("Search: index batch failed; jobs stay queued")
                session.rollback()
                _mark_failed(session, [job[0] for job in jobs], f"{type(exc).__name__}: {exc}")
                return 0
            raise
        done_ids = [job[0] for job in jobs if job[0] not in failures]
        _delete_jobs(session, done_ids)
        if failures:
            for job_id, message in failures.items():
                _mark_failed(session, [job_id], message)
        return len(done_ids)


class _request_context:
    """A request context for url_for while documents are built (none exists in a thread)."""

    def __enter__(self):
        from flask import current_app, has_request_context

        self._ctx = None
        if not has_request_context():
            self._ctx = current_app.test_request_context("/")
            self._ctx.push()
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.pop()
        return False


def _due_jobs(session, limit, include_waiting=False):
    query = db.select(SearchJob).order_by(SearchJob.id).limit(limit)
    if not include_waiting:
        now = utcnow()
        query = query.where(db.or_(SearchJob.next_attempt_at.is_(None), SearchJob.next_attempt_at <= now))
    return session.execute(query).scalars().all()


def _group_jobs(jobs):
    grouped = {}
    for job_id, doc_type, doc_id in jobs:
        grouped.setdefault((doc_type, doc_id), []).append(job_id)
    return grouped


def _delete_jobs(session, job_ids):
    try:
        for start in range(0, len(job_ids), 500):
            session.execute(db.delete(SearchJob).where(SearchJob.id.in_(job_ids[start:start + 500])))
        session.commit()
    except Exception:  # applied again later, which is harmless
        log.exception("Search: could not remove applied jobs")
        session.rollback()


def _mark_failed(session, job_ids, message):
    if not job_ids:
        return
    try:
        now = utcnow()
        for job in session.execute(db.select(SearchJob).where(SearchJob.id.in_(job_ids))).scalars():
            job.attempts = (job.attempts or 0) + 1
            job.next_attempt_at = now + retry_delay(job.attempts)
            job.last_error = message[:500]
        session.commit()
    except Exception:
        log.exception("Search: could not record a failed job")
        session.rollback()


def _record_failure_for_due(message, limit, include_waiting):
    try:
        with OrmSession(db.engine) as session:
            jobs = _due_jobs(session, limit, include_waiting)
            _mark_failed(session, [job.id for job in jobs], message)
    except Exception:
        log.exception("Search: could not record index trouble on the jobs")


class paused:
    """`with search.paused():` — changes in this block queue no index jobs (bulk loads such as
    the benchmark's 100,000 posts; run `rebuild()` afterwards)."""

    def __init__(self, session=None):
        self.session = session

    def __enter__(self):
        session = self.session or db.session()
        self._session = session
        self._before = session.info.get("search_enabled")
        session.info["search_enabled"] = False
        return self

    def __exit__(self, *exc):
        if self._before is None:
            self._session.info.pop("search_enabled", None)
        else:
            self._session.info["search_enabled"] = self._before
        return False


def queue(doc_type, doc_id, session=None):
    """Queue one job by hand (the session events do this for every normal change)."""
    session = session or db.session
    session.add(SearchJob(doc_type=doc_type, doc_id=doc_id))


def pending_jobs():
    with OrmSession(db.engine) as session:
        return session.execute(db.select(db.func.count()).select_from(SearchJob)).scalar_one()


# -- rebuild and check -----------------------------------------------------------------------------

def rebuild(progress=None):
    """Build the whole index from the database in a fresh directory next to the index and swap it
    in; returns the number of documents. `progress(n)` is called as documents are added.

    The current index's write lock is held from before the database is read until the new index
    is in place, so no job can be applied (and deleted) to the old index meanwhile: jobs queued
    during the rebuild stay in the table and are applied to the new index right after the swap."""
    path = index_dir()
    parent = os.path.dirname(path) or "."
    os.makedirs(parent, exist_ok=True)
    guard = None
    try:
        guard = _writer(whoosh_index.open_dir(path), timeout=60.0)
    except IndexBusy:
        raise RuntimeError("the index stayed busy for a minute; try again") from None
    except Exception:
        guard = None  # no index yet, or a broken one: nothing to protect
    fresh = tempfile.mkdtemp(prefix=".search-rebuild-", dir=parent)
    count = 0
    try:
        ix = whoosh_index.create_in(fresh, SCHEMA)
        writer = ix.writer(limitmb=128)
        try:
            with OrmSession(db.engine) as session, _request_context():
                for doc in all_documents(session):
                    writer.add_document(**doc)
                    count += 1
                    if progress and count % 100 == 0:
                        progress(100)
            writer.commit(optimize=True)
            if progress and count % 100:
                progress(count % 100)
        except BaseException:
            writer.cancel()
            raise
        _swap_in(fresh, path)
        fresh = None
        _used_dirs.add(path)
    finally:
        if guard is not None:
            try:
                guard.cancel()
            except Exception:
                pass
        if fresh:
            shutil.rmtree(fresh, ignore_errors=True)
    apply_pending(include_waiting=True, lock_timeout=30.0)  # what changed while we were reading
    return count


def _swap_in(fresh, path):
    """Replace the index directory by `fresh` (two renames). Readers that have the old files open
    keep reading them until they notice the new generation."""
    old = None
    if os.path.exists(path):
        for name in os.listdir(path):  # keep files that are not the index's, e.g. .gitkeep
            if name.startswith(".") and os.path.isfile(os.path.join(path, name)):
                shutil.copy2(os.path.join(path, name), os.path.join(fresh, name))
        old = path + f".old-{os.getpid()}-{int(time.time() * 1000)}"
        os.rename(path, old)
    os.rename(fresh, path)
    _forget_searchers(path)
    _SEGMENT_CACHE.clear()
    if old:
        shutil.rmtree(old, ignore_errors=True)


def indexed_versions():
    """{doc id: version} of everything in the index."""
    searcher = open_index().searcher()
    try:
        return {fields["id"]: fields.get("version") for fields in searcher.all_stored_fields()}
    finally:
        searcher.close()


def check(repair=True):
    """Compare the index with the database; with repair, queue and apply what differs."""
    report = CheckReport()
    try:
        have = indexed_versions()
    except IndexUnavailable as exc:
        report.error = str(exc)
        have = {}
    report.indexed = len(have)
    with OrmSession(db.engine) as session, _request_context():
        want = {doc["id"]: doc["version"] for doc in all_documents(session)}
    report.expected = len(want)
    report.missing = sorted(set(want) - set(have))
    report.extra = sorted(set(have) - set(want))
    report.stale = sorted(key for key in set(want) & set(have) if want[key] != have[key])
    if not repair or report.ok and not report.error:
        report.repaired = report.ok and not report.error
        return report
    if report.error:
        try:
            rebuild()
            report.repaired = True
        except Exception as exc:
            report.error = f"{report.error}; rebuild failed: {exc}"
        return report
    with OrmSession(db.engine) as session:
        now = utcnow()
        rows = [{"doc_type": key.split(":", 1)[0], "doc_id": int(key.split(":", 1)[1]),
                 "created_at": now, "attempts": 0}
                for key in report.missing + report.stale + report.extra]
        session.execute(SearchJob.__table__.insert(), rows)
        session.commit()
    apply_pending(include_waiting=True, lock_timeout=30.0)
    try:
        after = indexed_versions()
        with OrmSession(db.engine) as session, _request_context():
            want = {doc["id"]: doc["version"] for doc in all_documents(session)}
        report.repaired = after == want
    except Exception as exc:
        report.error = str(exc)
        report.repaired = False
    return report


def status():
    """Numbers for `search status`."""
    info = {"dir": index_dir(), "pending_jobs": pending_jobs(), "documents": None,
            "failing_jobs": 0}
    with OrmSession(db.engine) as session:
        info["failing_jobs"] = session.execute(
            db.select(db.func.count()).select_from(SearchJob).where(SearchJob.attempts > 0)
        ).scalar_one()
    try:
        searcher = open_index().searcher()
        try:
            info["documents"] = searcher.doc_count()
        finally:
            searcher.close()
    except IndexUnavailable as exc:
        info["error"] = str(exc)
    return info


# -- searching -------------------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def clean_query(text):
    text = _CONTROL_RE.sub(" ", str(text or ""))
    return " ".join(text.split())


def rights_of(user):
    """(audiences, searches members-only text) for a person (or a visitor)."""
    from app.permissions import can_read_forum, can_read_knowledge, can_view_lab_questions

    audiences = {AUDIENCE_PUBLIC}
    if can_read_forum(user):
        audiences.add(AUDIENCE_FORUM)
    if can_view_lab_questions(user):
        audiences.add(AUDIENCE_LABS)
    return frozenset(audiences), bool(can_read_knowledge(user))


class _PrefixNode(syntax.TextNode):
    """word* → a prefix of the folded word, not of its stem (the stemmer would cut it)."""

    qclass = wq.Prefix

    def r(self):
        return "%r*" % self.text

    def query(self, parser):
        return wq.Prefix(self.fieldname or parser.fieldname, fold(self.text))


class _PrefixPlugin(plugins.PrefixPlugin):
    nodetype = _PrefixNode


_FIELD_SYNTAX_RE = re.compile(r"(\w+)\s*:")


def _without_field_syntax(text):
    """"title:zonnepanelen" → "zonnepanelen"; other "a:b" → "a b". Fields are not for users."""
    return _FIELD_SYNTAX_RE.sub(lambda m: " " if m.group(1) in SCHEMA.names() else m.group(1) + " ",
                                text)


@lru_cache(maxsize=4)
def _parser(fields, words_only):
    parser = MultifieldParser(list(fields), SCHEMA, fieldboosts={"title": 2.0}, group=AndGroup)
    if words_only:
        keep = (plugins.WhitespacePlugin, plugins.MultifieldPlugin)
        for plugin in list(parser.plugins):
            if not isinstance(plugin, keep):
                parser.remove_plugin(plugin)
        return parser
    for plugin_class in (plugins.FieldsPlugin, plugins.RangePlugin, plugins.EveryPlugin,
                         plugins.SingleQuotePlugin, plugins.BoostPlugin, plugins.WildcardPlugin):
        parser.remove_plugin_class(plugin_class)
    parser.add_plugin(_PrefixPlugin())
    return parser


def _positive_terms(q):
    """Does the query require something to be present (not only NOT …, which would match
    almost everything)?"""
    if isinstance(q, wq.Not):
        return False
    if isinstance(q, (wq.AndNot, wq.AndMaybe, wq.Require)):
        return _positive_terms(q.a)
    if isinstance(q, wq.Or):
        return bool(q.subqueries) and all(_positive_terms(sub) for sub in q.subqueries)
    if isinstance(q, wq.CompoundQuery):
        return any(_positive_terms(sub) for sub in q.subqueries)
    if isinstance(q, wq.BinaryQuery):
        return _positive_terms(q.a) or _positive_terms(q.b)
    if isinstance(q, wq.WrappingQuery):
        return _positive_terms(q.child)
    return isinstance(q, (wq.Term, wq.Prefix, wq.Phrase))


def _acceptable(q):
    """Only terms, phrases and prefixes of at least MIN_PREFIX_LENGTH characters."""
    leaves = list(q.leaves()) if q.is_leaf() is False else [q]
    for node in leaves:
        if isinstance(node, wq.Prefix):
            if len(node.text) < MIN_PREFIX_LENGTH:
                return False
        elif not isinstance(node, (wq.Term, wq.Phrase)) or isinstance(node, wq.MultiTerm):
            return False
    return True


def parse_query(text, fields):
    """(whoosh query or None, as_words). Never raises."""
    as_words = False
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        as_words = True
    q = None
    if not as_words:
        try:
            tidy = tidy_operators(_without_field_syntax(text))
            q = _parser(fields, False).parse(fold_for_parser(tidy))
            if q is wq.NullQuery:
                return None, False  # only stop words and signs: nothing to look for
            if not _positive_terms(q) or not _acceptable(q):
                q, as_words = None, True
        except Exception:
            q, as_words = None, True
    if q is None:
        words = " ".join(dict.fromkeys(
            word.lower() for word in _WORD_RE.findall(_without_field_syntax(text))))
        if not words:
            return None, as_words
        try:
            q = _parser(fields, True).parse(words)
        except Exception:
            return None, True
        if q is wq.NullQuery:
            return None, as_words
    return q, as_words


_BINARY_OPERATORS = {"AND", "OR", "ANDNOT", "ANDMAYBE"}
_TOKEN_RE = re.compile(r'"[^"]*"|"|\(|\)|[^\s()"]+')


def _starts_operand(token):
    return token is not None and token not in _BINARY_OPERATORS and token != ")"


def _ends_operand(token):
    return token is not None and token not in _BINARY_OPERATORS and token not in ("NOT", "(")


def tidy_operators(text):
    """Leave out what has nothing to act on: operators at the start or end or next to another
    operator, unmatched brackets and quotes, empty brackets. "buurtbatterij AND (OR \"" →
    "buurtbatterij". Well-formed queries come out the same (but for spacing)."""
    tokens = [token for token in _TOKEN_RE.findall(text) if token != '"']
    unmatched, stack = set(), []
    for index, token in enumerate(tokens):
        if token == "(":
            stack.append(index)
        elif token == ")":
            if stack:
                stack.pop()
            else:
                unmatched.add(index)
    unmatched.update(stack)
    tokens = [token for index, token in enumerate(tokens) if index not in unmatched]
    changed = True
    while changed:
        changed = False
        kept = []
        for index, token in enumerate(tokens):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            previous = kept[-1] if kept else None
            if token in _BINARY_OPERATORS and not (_ends_operand(previous) and _starts_operand(following)):
                changed = True
                continue
            if token == "NOT" and (not _starts_operand(following) or following == "NOT"):
                changed = True
                continue
            if token == ")" and previous == "(":
                kept.pop()
                changed = True
                continue
            kept.append(token)
        tokens = kept
    return " ".join(tokens)


def fold_for_parser(text):
    """Accents off (so prefixes match folded index terms); operators AND/OR/NOT stay upper case."""
    parts = []
    for word in re.split(r"(\s+)", text):
        parts.append(word if word in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE") else fold(word))
    return "".join(parts)


# -- evaluating a query ----------------------------------------------------------------------------
#
# Whoosh's matchers walk every matching document in Python, which is too slow for common words at
# 100,000 posts. So a query is evaluated here with set algebra over posting lists (read a block at
# a time and cached per immutable segment), counted per kind with set intersections, and ranked
# with BM25 over at most SCORE_LIMIT candidates. Whoosh still parses, stores and highlights.

SCORE_LIMIT = 2000
MAX_EXPANSIONS = 100
BM25_K1, BM25_B = 1.2, 0.75
FIELD_WEIGHTS = {"title": 2.0, "text": 1.0, "members_text": 1.0}

_SEGMENT_CACHE = {}  # (segment id, what) -> value; segments never change once written
_SEGMENT_CACHE_MAX_ITEMS = 3_000_000  # document numbers held, all entries together (~100 MB)
_segment_cache_items = 0


def _segment_cached(reader, what, make):
    global _segment_cache_items
    key = (reader.segment().segment_id(), what)
    value = _SEGMENT_CACHE.get(key)
    if value is None:
        value = make()
        size = len(value[0]) if isinstance(value, tuple) else len(value)
        if _segment_cache_items + size > _SEGMENT_CACHE_MAX_ITEMS:
            _SEGMENT_CACHE.clear()  # merged-away segments and rare words go with it
            _segment_cache_items = 0
        _SEGMENT_CACHE[key] = value
        _segment_cache_items += size
    return value


def _raw_postings(reader, fieldname, text):
    """(ids, weights) of a term in one segment, deleted documents included."""
    if (fieldname, text) not in reader:
        return (), ()
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids, weights = [], []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids[matcher._i:])
            weights.extend(matcher._weights[matcher._i:])
            matcher._next_block()
    else:  # another codec: the slow, general way
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


class _Evaluation:
    """Per searcher (one index generation): postings as {docnum: weight}, kinds, audiences."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = list(self.reader.leaf_readers())
        self.doc_count = max(self.reader.doc_count(), 1)
        self.postings_cache = {}
        self.filters = {}
        self._columns = {}
        self._lengths = {}
        self._avg = {}

    # columns: kind, audience, date for every document number
    def column(self, name):
        if name not in self._columns:
            values = []
            for reader, offset in self.leaves:
                if offset > len(values):
                    values.extend([None] * (offset - len(values)))
                values.extend(_segment_cached(reader, ("column", name),
                                              lambda r=reader: list(r.column_reader(name))))
            self._columns[name] = values
        return self._columns[name]

    def kind_sets(self):
        if "kind_sets" not in self._columns:
            sets = {}
            for docnum, kind in enumerate(self.column("kind")):
                sets.setdefault(kind, set()).add(docnum)
            self._columns["kind_sets"] = sets
        return self._columns["kind_sets"]

    def postings(self, fieldname, text):
        key = (fieldname, text)
        found = self.postings_cache.get(key)
        if found is None:
            found = {}
            for reader, offset in self.leaves:
                ids, weights = _segment_cached(
                    reader, ("postings", fieldname, text),
                    lambda r=reader: _raw_postings(r, fieldname, text))
                deleted = reader.deleted_docs_set if reader.has_deletions() else ()
                if deleted:
                    found.update((offset + i, w) for i, w in zip(ids, weights) if i not in deleted)
                else:
                    found.update(zip([offset + i for i in ids], weights))
            self.postings_cache[key] = found
        return found

    def expand(self, fieldname, prefix):
        words = []
        for word in self.reader.expand_prefix(fieldname, prefix):
            words.append(word.decode("utf-8") if isinstance(word, bytes) else word)
            if len(words) >= MAX_EXPANSIONS:
                break
        return words

    def docs(self, node):
        """The set of document numbers matching `node`."""
        if isinstance(node, wq.Term):
            return self.postings(node.fieldname, node.text).keys()  # a set-like view
        if isinstance(node, wq.Prefix):
            found = set()
            for word in self.expand(node.fieldname, node.text):
                found.update(self.postings(node.fieldname, word))
            return found
        if isinstance(node, wq.And):
            positive = [sub for sub in node.subqueries if not isinstance(sub, wq.Not)]
            negative = [sub.query for sub in node.subqueries if isinstance(sub, wq.Not)]
            sets = sorted((self.docs(sub) for sub in positive), key=len)
            if not sets:
                return set()
            found = set(sets[0])
            for other in sets[1:]:
                found = found & other
                if not found:
                    break
            for sub in negative:
                found = found - self.docs(sub)
            return found
        if isinstance(node, wq.Or):
            found = set()
            for sub in node.subqueries:
                if not isinstance(sub, wq.Not):
                    found |= self.docs(sub)
            return found
        if isinstance(node, wq.AndNot):
            return self.docs(node.a) - self.docs(node.b)
        if isinstance(node, wq.AndMaybe):
            return self.docs(node.a)
        if isinstance(node, wq.Require):
            return self.docs(node.a) & self.docs(node.b)
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return set()
        return set(node.docs(self.searcher))  # phrases and the rest: Whoosh's matchers

    def scoring_terms(self, node, out=None):
        """[(field, word)] whose weights make up the score (not those under NOT)."""
        out = [] if out is None else out
        if isinstance(node, wq.Not):
            return out
        if isinstance(node, wq.AndNot):
            return self.scoring_terms(node.a, out)
        if isinstance(node, wq.Prefix):
            out.extend((node.fieldname, word) for word in self.expand(node.fieldname, node.text))
            return out
        if isinstance(node, wq.Term):
            out.append((node.fieldname, node.text))
            return out
        if isinstance(node, wq.Phrase):
            out.extend((node.fieldname, word) for word in node.words)
            return out
        if node.is_leaf():
            return out
        for child in node.children():
            self.scoring_terms(child, out)
        return out

    def length(self, docnum, fieldname):
        key = (docnum, fieldname)
        value = self._lengths.get(key)
        if value is None:
            value = self._lengths[key] = self.reader.doc_field_length(docnum, fieldname, 0)
        return value

    def average_length(self, fieldname):
        if fieldname not in self._avg:
            total = self.reader.field_length(fieldname) or 0
            self._avg[fieldname] = max(total / self.doc_count, 1.0)
        return self._avg[fieldname]

    def rank(self, node, candidates, limit):
        """The `limit` best of `candidates` by BM25 over the query's words (title counts double)."""
        scores = dict.fromkeys(candidates, 0.0)
        for fieldname, word in dict.fromkeys(self.scoring_terms(node)):
            weights = self.postings(fieldname, word)
            if not weights:
                continue
            df = len(weights)
            idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
            boost = FIELD_WEIGHTS.get(fieldname, 1.0) * idf
            avg = self.average_length(fieldname)
            small, large = (scores, weights) if len(scores) < len(weights) else (weights, scores)
            for docnum in small:
                if docnum in large:
                    tf = weights[docnum]
                    norm = BM25_K1 * (1 - BM25_B + BM25_B * self.length(docnum, fieldname) / avg)
                    scores[docnum] += boost * tf * (BM25_K1 + 1) / (tf + norm)
        return heapq.nlargest(limit, scores, key=lambda n: (scores[n], n))


def _evaluation(searcher):
    evaluation = getattr(searcher, "_ck_evaluation", None)
    if evaluation is None:
        evaluation = searcher._ck_evaluation = _Evaluation(searcher)
    return evaluation


def _allowed_docs(evaluation, audiences):
    """The document numbers this person may see, or None for "all of them"."""
    if set(AUDIENCES) <= set(audiences):
        return None
    if audiences not in evaluation.filters:
        doc_audiences = evaluation.column("audience")
        evaluation.filters[audiences] = {
            n for n, audience in enumerate(doc_audiences) if audience in audiences}
    return evaluation.filters[audiences]


class MarkFormatter(highlight.Formatter):
    """Escaped text with <mark> around the matched words."""

    between = " … "

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return "<mark>" + str(escape(highlight.get_text(text, token, replace))) + "</mark>"


_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
_FORMATTER = MarkFormatter()


def _snippet(stored, terms_by_field, fields):
    for name in ("text", "members_text"):
        if name not in fields:
            continue
        text = stored.get(name) or ""
        terms = terms_by_field.get(name)
        if not text or not terms:
            continue
        try:
            marked = highlight.highlight(text, terms, ANALYZER, _FRAGMENTER, _FORMATTER, top=2,
                                         minscore=1)
        except Exception:
            marked = ""
        if marked:
            return Markup(marked)
    text = stored.get("text") or ""
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return Markup(escape(text))


def _highlight_terms(q, searcher, fields):
    """{field: set of index terms} to mark in snippets (prefixes expanded, at most 50 each)."""
    terms = {}
    try:
        leaves = list(q.leaves()) if not q.is_leaf() else [q]
        for node in leaves:
            if isinstance(node, wq.Prefix):
                if node.fieldname in fields:
                    expanded = terms.setdefault(node.fieldname, set())
                    for n, word in enumerate(searcher.reader().expand_prefix(node.fieldname, node.text)):
                        if n >= 50:
                            break
                        expanded.add(word.decode("utf-8") if isinstance(word, bytes) else word)
                continue
            for fieldname, word in node.terms(phrases=True):
                if fieldname in fields:
                    terms.setdefault(fieldname, set()).add(
                        word.decode("utf-8") if isinstance(word, bytes) else word)
    except Exception:
        log.exception("Search: could not collect the words to highlight")
    return {name: frozenset(words) for name, words in terms.items()}


def _hit_url(stored):
    link = stored.get("link")
    if link:
        endpoint, values = link
        url = _url(endpoint, dict(values), None)
        if url:
            return url
    return stored.get("path") or "/"


def search(query, user, kind=None, sort="relevantie", page=1, per_page=20):
    """Search as `user` (None or an anonymous user for a visitor). Never raises for query text."""
    try:
        page = max(1, int(page or 1))
    except (TypeError, ValueError):
        page = 1
    try:
        per_page = min(MAX_PER_PAGE, max(1, int(per_page or 20)))
    except (TypeError, ValueError):
        per_page = 20
    kind = kind if kind in SEARCH_KINDS else None
    sort = sort if sort in SORTS else "relevantie"
    text = clean_query(query)
    results = SearchResults(query=text, page=page, per_page=per_page, kind=kind, sort=sort)
    if not text:
        return results
    audiences, members = rights_of(user)
    fields = MEMBER_FIELDS if members else PUBLIC_FIELDS
    q, results.as_words = parse_query(text, fields)
    if q is None:
        return results
    _apply_before_search()
    try:
        searcher = _searcher()
        _run_search(searcher, q, results, audiences, fields, kind, sort, page, per_page)
    except IndexUnavailable as exc:
        log.error("Search index unavailable: %s", exc)
        results.unavailable = True
    except Exception:
        log.exception("Search failed for %r", text[:100])
        results.unavailable = True
        results.hits = []
    return results


def _apply_before_search():
    from flask import current_app

    try:
        if sync_mode(current_app) == "search":
            apply_pending()
    except Exception:
        log.exception("Search: applying waiting jobs before a search failed")


def _run_search(searcher, q, results, audiences, fields, kind, sort, page, per_page):
    evaluation = _evaluation(searcher)
    matched = evaluation.docs(q)
    allowed = _allowed_docs(evaluation, audiences)
    if allowed is not None:
        matched &= allowed
    kind_sets = evaluation.kind_sets()
    results.counts = {key: len(matched & kind_sets[key]) if key in kind_sets else 0
                      for key in SEARCH_KINDS}
    if kind:
        matched = matched & kind_sets.get(kind, set())
    results.total = len(matched)
    results.pages = max(1, math.ceil(results.total / per_page)) if results.total else 0
    if not results.total or page > results.pages:
        return
    wanted = page * per_page
    if sort == "datum":
        dates = evaluation.column("date")
        ranked = heapq.nlargest(wanted, matched, key=lambda n: (dates[n] or 0, n))
    else:
        candidates = matched
        if len(matched) > SCORE_LIMIT:
            # Very common words: rank the documents with a word in their title and the most
            # recently indexed others (document numbers grow as documents are added), not all of
            # them: BM25 in Python over 50,000 documents would take too long.
            titled = set()
            for fieldname, word in evaluation.scoring_terms(q):
                if fieldname == "title":
                    titled |= evaluation.postings(fieldname, word).keys() & matched
            if len(titled) > SCORE_LIMIT // 2:
                titled = set(heapq.nlargest(SCORE_LIMIT // 2, titled))
            rest = heapq.nlargest(SCORE_LIMIT - len(titled), matched - titled)
            candidates = titled.union(rest)
        ranked = evaluation.rank(q, candidates, wanted)
    terms_by_field = _highlight_terms(q, searcher, fields)
    for docnum in ranked[(page - 1) * per_page:wanted]:
        stored = searcher.stored_fields(docnum)
        results.hits.append(SearchHit(
            kind=stored.get("kind"),
            kind_label=SEARCH_KINDS.get(stored.get("kind"), ""),
            title=stored.get("display_title") or stored.get("title") or "",
            url=_hit_url(stored),
            where=stored.get("where") or "",
            snippet=_snippet(stored, terms_by_field, fields),
            date=stored.get("date"),
            id=stored.get("id"),
        ))
