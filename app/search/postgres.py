"""The PostgreSQL backend: search documents are rows of `search_documents`, written in the same
transaction as the change that causes them, and searched with PostgreSQL's full-text index.

Nothing lives outside the database: no index directory, no file lock, no applier thread and
nothing per web process in memory, so any number of web processes on any number of machines
search the same documents. The table exists only on PostgreSQL (its migration does nothing on
SQLite) and is not one of the app's models.

Terms
PostgreSQL's own Dutch configuration is not used: a document's terms come from *our* Dutch
analyser (app.search.analysis), so both backends stem alike. Each row stores them as a tsvector
with positions and weights: title words weight A, text B. `public_terms` holds title and text;
`member_terms` (only for documents with members-only text, i.e. knowledge items) holds title,
text and members-only text, for people who may read that.

Queries
What people type is parsed once for both backends (app.search.query) and the parsed query becomes
a tsquery: words AND, OR, NOT and -woord, "phrases" (adjacent positions), woord* (lexeme prefix
match, nothing truncated). The audience filter is part of the WHERE clause, so counts, totals and
pages are permission-filtered. Counts per kind and the total are exact up to COUNT_LIMIT.

Ranking
ts_rank with weights A (title) 1.0 and B (text) 0.5 — a title word counts twice, as in the Whoosh
backend's field boost — and normalisation 1 (the rank divided by 1 + log of the document's
length), so a short focused post is not buried by long ones. When more than RANK_LIMIT documents
match, the newest RANK_LIMIT of them are ranked (the page says so and the pages stop there).
Counts stop at COUNT_LIMIT + 1 ("meer dan 1.000"); sorted by date, the newest COUNT_LIMIT can be
paged through. Both bounds keep a query's work independent of the size of the site.

Applying
A session event (app.search.events) collects the index jobs of every flush and, just before the
commit, writes their documents inside the same transaction (in a savepoint). If that fails, the
jobs are stored in `search_jobs` instead, and `apply_pending()` (the worker) applies them later,
claiming them with SELECT … FOR UPDATE SKIP LOCKED so several workers never take the same job.
"""
from __future__ import annotations

import json
import logging
import math
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSQUERY, TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session as OrmSession
from whoosh import query as wq

from app.extensions import db
from app.models.search import SearchJob
from app.search.analysis import ANALYZER
from app.search.documents import CHUNK, _scope, all_documents, is_scope, registry
from app.search.jobs import _request_context, plan_jobs, retry_delay
from app.search.schema import SEARCH_KINDS, SearchHit
from app.search.snippets import hit_url, snippet
from app.timeutil import utcnow

log = logging.getLogger(__name__)

# Work per query is bounded, however common a word is: matches are counted exactly up to
# COUNT_LIMIT (beyond it the page says "meer dan 1.000"), and at most the newest RANK_LIMIT
# matches are ranked by relevance and paged through. The benchmark chose the figures: at 1,000,000
# posts a common word then costs what it costs at 10,000.
COUNT_LIMIT = 1_000
RANK_LIMIT = 1_000
MAX_POSITION = 16383    # PostgreSQL's largest word position
MAX_POSITIONS = 255     # positions kept per word and document (PostgreSQL keeps at most 256)
MAX_LEXEME_BYTES = 2000  # PostgreSQL refuses longer words (2046 bytes)
FIELD_GAP = 8           # positions between title and text, so no phrase spans both
# ts_rank's weights for D, C, B, A: text (B) counts half as much as title (A).
RANK_WEIGHTS = sa.literal_column("'{0.05, 0.1, 0.5, 1.0}'::float4[]")
RANK_NORMALISATION = 1  # divide by 1 + log(document length)

metadata = sa.MetaData()

DOCUMENTS = sa.Table(
    "search_documents", metadata,
    sa.Column("id", sa.String(40), primary_key=True),        # "thread:12"
    sa.Column("kind", sa.String(20), nullable=False),         # a SEARCH_KINDS key
    sa.Column("audience", sa.String(20), nullable=False),     # one of AUDIENCES
    sa.Column("scopes", ARRAY(sa.String(40)), nullable=False),  # {"group:3", "thread:12"}
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("display_title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("members_text", sa.Text, nullable=False),
    sa.Column("place", sa.Text, nullable=False),              # the document's "where"
    sa.Column("link", JSONB, nullable=True),                  # [endpoint, values]
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("date", sa.DateTime, nullable=True),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("public_terms", TSVECTOR, nullable=False),
    sa.Column("member_terms", TSVECTOR, nullable=True),
)
TABLE_NAME = DOCUMENTS.name

# -- documents as rows -----------------------------------------------------------------------------


def _lexeme(word):
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def terms_vector(parts):
    """The tsvector text of [(text, weight letter)], analysed by our Dutch analyser."""
    positions = {}
    offset = 0
    for text, weight in parts:
        if not text:
            continue
        last = offset
        for token in ANALYZER(text, positions=True):
            word = token.text
            position = min(offset + token.pos + 1, MAX_POSITION)
            last = position
            if not word or len(word.encode("utf-8")) > MAX_LEXEME_BYTES:
                continue
            found = positions.setdefault(word, [])
            if len(found) < MAX_POSITIONS:
                found.append(f"{position}{weight}")
        offset = last + FIELD_GAP
    return " ".join(f"{_lexeme(word)}:{','.join(found)}" for word, found in positions.items())


def document_row(doc):
    members_text = doc.get("members_text") or ""
    public = [(doc.get("title") or "", "A"), (doc.get("text") or "", "B")]
    link = doc.get("link")
    return {
        "id": doc["id"], "kind": doc["kind"], "audience": doc["audience"],
        "scopes": (doc.get("scopes") or "").split(),
        "title": doc.get("title") or "", "display_title": doc.get("display_title") or "",
        "text": doc.get("text") or "", "members_text": members_text,
        "place": doc.get("where") or "",
        "link": [link[0], dict(link[1])] if link else None,
        "path": doc.get("path") or "", "date": doc.get("date"), "version": doc["version"],
        "public_terms": terms_vector(public),
        "member_terms": terms_vector(public + [(members_text, "B")]) if members_text else None,
    }


def _upsert(connection, rows):
    if not rows:
        return
    statement = pg_insert(DOCUMENTS)
    updated = {column.name: statement.excluded[column.name]
               for column in DOCUMENTS.columns if column.name != "id"}
    connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_=updated), rows)


def write(connection, scope_terms, deletes, adds):
    """Clear the scopes, remove `deletes` and (re)write `adds` ({id: document})."""
    for term in sorted(scope_terms):
        connection.execute(DOCUMENTS.delete().where(DOCUMENTS.c.scopes.contains([term])))
    gone = sorted(set(deletes) - set(adds))
    for start in range(0, len(gone), CHUNK):
        connection.execute(DOCUMENTS.delete().where(DOCUMENTS.c.id.in_(gone[start:start + CHUNK])))
    docs = list(adds.values())
    for start in range(0, len(docs), CHUNK):
        _upsert(connection, [document_row(doc) for doc in docs[start:start + CHUNK]])


def _documents_of(session, jobs):
    """(scope terms, deletes, adds) for (doc type, doc id) jobs; raises when a row cannot be read
    (the caller then leaves the jobs to the worker, which isolates the row that fails)."""
    scope_terms, deletes, adds, singles = set(), set(), {}, {}
    for doc_type, doc_id in jobs:
        if is_scope(doc_type):
            found = _scope(doc_type, doc_id, session)
            if found is None:
                continue
            term, docs = found
            scope_terms.add(term)
            adds.update((doc["id"], doc) for doc in docs)
        else:
            singles.setdefault(doc_type, set()).add(doc_id)
    for doc_type, ids in singles.items():
        source = registry().sources.get(doc_type)
        if source is None:
            raise ValueError(f"unknown doc type {doc_type!r}")
        ids = sorted(ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            found = {doc["id"]: doc
                     for doc in source.documents(session, (source.model.id.in_(chunk),))}
            for doc_id in chunk:
                key = f"{doc_type}:{doc_id}"
                deletes.add(key)
                if key in found:
                    adds[key] = found[key]
                else:
                    adds.pop(key, None)
    return scope_terms, deletes, adds


def write_in_transaction(session, jobs):
    """Write the documents of `jobs` in the session's own transaction, just before it commits.
    Returns the jobs that could not be written (the caller queues them for the worker)."""
    connection = session.connection()
    savepoint = connection.begin_nested()
    try:
        with _request_context(), session.no_autoflush:
            scope_terms, deletes, adds = _documents_of(session, jobs)
        write(connection, scope_terms, deletes, adds)
    except Exception:
        log.exception("Search: could not write %d document(s) with their change; queued for the "
                      "worker", len(jobs))
        savepoint.rollback()
        return list(jobs)
    savepoint.commit()
    return []


# -- the queue the worker applies ---------------------------------------------------------------

BATCH_SIZE = 500


def _due(session, limit, include_waiting):
    query = (sa.select(SearchJob.id, SearchJob.doc_type, SearchJob.doc_id)
             .order_by(SearchJob.id).limit(limit).with_for_update(skip_locked=True))
    if not include_waiting:
        now = utcnow()
        query = query.where(sa.or_(SearchJob.next_attempt_at.is_(None),
                                   SearchJob.next_attempt_at <= now))
    return [tuple(row) for row in session.execute(query)]


def apply_pending(limit=None, lock_timeout=None, include_waiting=False):
    """Apply queued jobs (left by a change whose documents could not be written with it, by
    `check`, or by hand); returns how many were applied. Several workers may run it at once: each
    claims its jobs with FOR UPDATE SKIP LOCKED. A job that fails gets a back-off. Never raises."""
    applied = 0
    while limit is None or applied < limit:
        batch = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - applied)
        try:
            done = _apply_batch(batch, include_waiting)
        except Exception:
            log.exception("Search: applying queued jobs failed; they stay queued")
            return applied
        if done <= 0:
            break
        applied += done
    return applied


def _apply_batch(limit, include_waiting):
    with OrmSession(db.engine) as session:
        jobs = _due(session, limit, include_waiting)
        if not jobs:
            return 0
        scope_terms, deletes, adds, failures = plan_jobs(session, jobs)
        write(session.connection(), scope_terms, deletes, adds)
        done = [job_id for job_id, _, _ in jobs if job_id not in failures]
        for start in range(0, len(done), CHUNK):
            session.execute(sa.delete(SearchJob).where(SearchJob.id.in_(done[start:start + CHUNK])))
        now = utcnow()
        for job_id, message in failures.items():
            job = session.get(SearchJob, job_id)
            if job is not None:
                job.attempts = (job.attempts or 0) + 1
                job.next_attempt_at = now + retry_delay(job.attempts)
                job.last_error = message[:500]
        session.commit()
        return len(done)


# -- rebuild, check, status ------------------------------------------------------------------------

REBUILD_LOCK = 7_246_001  # pg_advisory_lock key: one rebuild at a time


def rebuild(progress=None):
    """Write every document again, CHUNK a transaction, then remove rows no document has: search
    keeps working throughout. Returns the number of documents."""
    count = 0
    with db.engine.connect() as lock:
        lock.execute(sa.select(sa.func.pg_advisory_lock(REBUILD_LOCK)))
        try:
            with OrmSession(db.engine) as session, db.engine.connect() as connection:
                before = set(connection.execute(sa.select(DOCUMENTS.c.id)).scalars())
                connection.commit()
                seen, batch = set(), []
                with _request_context():
                    for doc in all_documents(session):
                        batch.append(doc)
                        seen.add(doc["id"])
                        if len(batch) >= CHUNK:
                            count += _write_batch(connection, batch, progress)
                            batch = []
                if batch:
                    count += _write_batch(connection, batch, progress)
                gone = sorted(before - seen)
                for start in range(0, len(gone), CHUNK):
                    connection.execute(
                        DOCUMENTS.delete().where(DOCUMENTS.c.id.in_(gone[start:start + CHUNK])))
                connection.commit()
            # Fresh statistics: without them the planner guesses a few dozen matches for a word
            # in 16,000 documents and picks nested loops. VACUUM also merges what the rebuild left
            # in the GIN indexes' pending lists (up to gin_pending_list_limit), which every search
            # through those indexes would scan until autovacuum came by (the posts of 20 threads
            # through the scopes index: 20-30 ms instead of 1). It cannot run in a transaction.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as upkeep:
                upkeep.execute(sa.text("VACUUM (ANALYZE) search_documents"))
        finally:
            lock.execute(sa.select(sa.func.pg_advisory_unlock(REBUILD_LOCK)))
            lock.commit()
    apply_pending(include_waiting=True)
    return count


def _write_batch(connection, docs, progress):
    _upsert(connection, [document_row(doc) for doc in docs])
    connection.commit()
    if progress:
        progress(len(docs))
    return len(docs)


def indexed_versions():
    with db.engine.connect() as connection:
        return dict(connection.execute(sa.select(DOCUMENTS.c.id, DOCUMENTS.c.version)).all())


def document_count():
    with db.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(DOCUMENTS)).scalar_one()


def empty():
    """Remove every document (the test suite, between tests)."""
    with db.engine.begin() as connection:
        connection.execute(DOCUMENTS.delete())


# -- searching -------------------------------------------------------------------------------------


def tsquery_text(q):
    """The tsquery text of a parsed (Whoosh) query, or None when nothing is left to look for.
    Fields do not matter here: a person searches one vector (public or with members' text)."""
    if isinstance(q, wq.Term):
        return _lexeme(q.text) if q.text else None
    if isinstance(q, wq.Prefix):
        return _lexeme(q.text) + ":*" if q.text else None
    if isinstance(q, wq.Phrase):
        words = [_lexeme(word) for word in q.words if word]
        return "(" + " <-> ".join(words) + ")" if len(words) > 1 else (words[0] if words else None)
    if isinstance(q, (wq.And, wq.Or)):
        parts = [part for part in dict.fromkeys(tsquery_text(sub) for sub in q.subqueries) if part]
        if not parts:
            return None
        joined = (" & " if isinstance(q, wq.And) else " | ").join(parts)
        return "(" + joined + ")" if len(parts) > 1 else parts[0]
    if isinstance(q, wq.Not):
        inner = tsquery_text(q.query)
        return "!(" + inner + ")" if inner else None
    if isinstance(q, wq.AndNot):
        positive, negative = tsquery_text(q.a), tsquery_text(q.b)
        if not positive:
            return None
        return f"({positive} & !({negative}))" if negative else positive
    if isinstance(q, wq.AndMaybe):
        return tsquery_text(q.a)
    if isinstance(q, wq.Require):
        parts = [part for part in (tsquery_text(q.a), tsquery_text(q.b)) if part]
        return "(" + " & ".join(parts) + ")" if parts else None
    return None


def _words_to_mark(q):
    """(exact terms, prefixes) of the query's positive leaves, for the snippets."""
    exact, prefixes = set(), set()

    def walk(node, negated=False):
        if isinstance(node, wq.Not):
            return
        if isinstance(node, (wq.AndNot, wq.AndMaybe)):
            walk(node.a)
            if isinstance(node, wq.AndMaybe):
                walk(node.b)
            return
        if isinstance(node, wq.Prefix):
            prefixes.add(node.text)
        elif isinstance(node, wq.Term):
            exact.add(node.text)
        elif isinstance(node, wq.Phrase):
            exact.update(node.words)
        elif hasattr(node, "subqueries"):
            for sub in node.subqueries:
                walk(sub)
        elif hasattr(node, "a") and hasattr(node, "b"):
            walk(node.a)
            walk(node.b)

    walk(q)
    return exact, tuple(prefixes)


def _marked_terms(row, exact, prefixes):
    words = set(exact)
    if prefixes:
        for text in (row.text, row.members_text):
            for token in ANALYZER(text or ""):
                if token.text.startswith(prefixes):
                    words.add(token.text)
                    if len(words) >= 50:
                        break
    words = frozenset(words)
    return {"text": words, "members_text": words}


@lru_cache(maxsize=8)
def _collapse_key(specs):
    """The SQL expression of a document's collapse key, for the Collapses `specs`: for a kind that
    collapses, its id when that is "<prefix>:<n>" (the thread), else its scope term "<prefix>:<n>"
    (a reply); for every other document its own id."""
    columns = DOCUMENTS.c
    whens = []
    for spec in specs:
        start = spec.prefix + ":"
        terms = sa.func.unnest(columns.scopes).table_valued("term").render_derived()
        anywhere = (sa.select(terms.c.term).where(terms.c.term.like(start + "%")).limit(1)
                    .scalar_subquery())
        # A reply's scopes are "group:<g> thread:<t>": looking at the first two terms is cheap
        # (a subquery per row cost a ranked page about a millisecond); any other order still works.
        first, second = columns.scopes[1], columns.scopes[2]
        whens.append((columns.kind == spec.kind, sa.case(
            (columns.id.like(start + "%"), columns.id),
            (second.like(start + "%"), second),
            (first.like(start + "%"), first),
            else_=sa.func.coalesce(anywhere, columns.id))))
    # Grouped and counted by byte order: the database's collation (a libc locale) compares each
    # pair of keys through strcoll, which made grouping a thousand matches cost milliseconds.
    return sa.collate(sa.case(*whens, else_=columns.id), "C")


def _counts(connection, visible):
    """Matches per kind, each counted up to COUNT_LIMIT + 1 (so the work stays bounded however
    common a word is), and whether any count reached that bound."""
    columns = DOCUMENTS.c
    first = sa.select(columns.kind).where(*visible).limit(COUNT_LIMIT + 1).subquery()
    counts = dict(connection.execute(
        sa.select(first.c.kind, sa.func.count()).group_by(first.c.kind)).all())
    if sum(counts.values()) <= COUNT_LIMIT:
        return counts, False
    for kind in SEARCH_KINDS:  # more than COUNT_LIMIT in all: count each kind up to the bound
        if counts.get(kind, 0) > COUNT_LIMIT:
            continue  # every match seen was of this kind: it is past the bound already
        limited = (sa.select(sa.literal(1)).where(*visible, columns.kind == kind)
                   .limit(COUNT_LIMIT + 1).subquery())
        counts[kind] = connection.execute(
            sa.select(sa.func.count()).select_from(limited)).scalar_one()
    return counts, True


def run_search(q, results, audiences, fields, kind, sort, page, per_page, collapses=None,
               within=None):
    """Fill `results` (counts, total, pages, hits) for a parsed query; `collapses` ({kind:
    Collapse}) makes one hit per thread, `within` (a collapse key) keeps that thread's documents."""
    text = tsquery_text(q)
    if not text:
        return
    columns = DOCUMENTS.c
    members = "members_text" in fields
    sizes = {}
    with db.engine.connect() as connection:
        # Plan every statement for its own words: psycopg prepares statements that run often, and
        # a generic plan cannot know whether a word is rare or in every post. These settings hold
        # for this transaction only.
        # The documents are read from memory: PostgreSQL's default cost of a random page (a
        # spinning disk's) made it scan the whole table for a word in a few percent of posts
        # rather than visit the pages its full-text index points to (2-3 times slower).
        connection.execute(sa.select(
            sa.func.set_config("plan_cache_mode", "force_custom_plan", True),
            sa.func.set_config("random_page_cost", "1.1", True)))
        if collapses:
            ids = _collapsed_page(connection, text, sorted(audiences), members, kind, sort, page,
                                  per_page, collapses, results, sizes)
        else:
            ids = _page(connection, text, audiences, members, kind, sort, page, per_page, within,
                        results)
        shown = (columns.id, columns.kind, columns.title, columns.display_title, columns.text,
                 columns.members_text, columns.place, columns.link, columns.path, columns.date)
        found = {row.id: row for row in connection.execute(
            sa.select(*shown).where(columns.id.in_(ids))).all()} if ids else {}
        rows = [found[doc_id] for doc_id in ids if doc_id in found]
    exact, prefixes = _words_to_mark(q)
    for row in rows:
        link = row.link
        if isinstance(link, str):
            link = json.loads(link)
        stored = {"link": tuple(link) if link else None, "path": row.path, "text": row.text,
                  "members_text": row.members_text}
        key, matches = sizes.get(row.id, ("", 1))
        results.hits.append(SearchHit(
            kind=row.kind,
            kind_label=SEARCH_KINDS.get(row.kind, ""),
            title=row.display_title or row.title or "",
            url=hit_url(stored),
            where=row.place or "",
            snippet=snippet(stored, _marked_terms(row, exact, prefixes), fields),
            date=row.date,
            id=row.id,
            collapse_key=key,
            matches=matches,
        ))


def _page(connection, text, audiences, members, kind, sort, page, per_page, within, results):
    """Counts, total and pages, and the ids of the asked page: one hit per document."""
    columns = DOCUMENTS.c
    query = sa.cast(sa.literal(text, sa.Text), TSQUERY)
    match = columns.public_terms.op("@@")(query)
    vector = columns.public_terms
    if members:
        match = sa.or_(match, columns.member_terms.op("@@")(query))
        vector = sa.func.coalesce(columns.member_terms, columns.public_terms)
    visible = [columns.audience.in_(sorted(audiences)), match]
    if within:
        visible.append(sa.or_(columns.id == within, columns.scopes.contains([within])))
    newest_first = (columns.date.desc().nulls_last(), columns.id.desc())  # ix_search_documents_newest
    counts, capped = _counts(connection, visible)
    results.counts = {key: counts.get(key, 0) for key in SEARCH_KINDS}
    where = list(visible)
    if kind:
        where.append(columns.kind == kind)
    results.total = counts.get(kind, 0) if kind else sum(results.counts.values())
    pageable = results.total
    if capped and results.total > COUNT_LIMIT:
        # More than COUNT_LIMIT: the newest COUNT_LIMIT are what can be paged through.
        results.capped = pageable = COUNT_LIMIT
    if sort != "datum" and (results.capped or pageable > RANK_LIMIT):
        results.ranked = pageable = min(pageable, RANK_LIMIT)
    results.ranked_newest = bool(results.ranked or results.capped)
    results.pages = math.ceil(pageable / per_page)
    if not results.total or page > results.pages:
        return []
    if sort == "datum":
        order = sa.select(columns.id).where(*where).order_by(*newest_first)
    else:
        # Ranked in one scan of the matches (only ids, dates and terms: the texts are read for
        # the page's rows alone); past RANK_LIMIT, of the newest matches, found by walking the
        # date index from the newest end, so a common word costs what a rare one does.
        matches = sa.select(columns.id, columns.date, vector.label("vector")).where(*where)
        if results.ranked:
            matches = matches.order_by(*newest_first).limit(RANK_LIMIT)
        matches = matches.subquery()
        rank = sa.func.ts_rank(RANK_WEIGHTS, matches.c.vector, query, RANK_NORMALISATION)
        order = sa.select(matches.c.id).order_by(
            rank.desc(), matches.c.date.desc().nulls_last(), matches.c.id.desc())
    return connection.execute(order.limit(per_page).offset((page - 1) * per_page)).scalars().all()


@lru_cache(maxsize=32)
def _collapsed_statements(members, sort, by_kind, specs):
    """The statements of a collapsed search, made once per shape, everything that varies a
    bind parameter: building and hashing these nested statements anew cost each search about a
    millisecond of the web process's time."""
    columns = DOCUMENTS.c
    query = sa.cast(sa.bindparam("terms", type_=sa.Text), TSQUERY)
    match = columns.public_terms.op("@@")(query)
    vector = columns.public_terms
    if members:
        match = sa.or_(match, columns.member_terms.op("@@")(query))
        vector = sa.func.coalesce(columns.member_terms, columns.public_terms)
    visible = [columns.audience.in_(sa.bindparam("audiences", expanding=True)), match]
    key = _collapse_key(specs)

    def tally(where):
        # Per key, then per kind: two hash aggregates (count(DISTINCT …) sorts, 2-3 times slower
        # on a thousand matches).
        first = (sa.select(columns.kind, key.label("key")).where(*where)
                 .limit(sa.bindparam("count_limit")).subquery())
        per_key = (sa.select(first.c.kind, sa.func.count().label("documents"))
                   .group_by(first.c.kind, first.c.key).subquery())
        return (sa.select(per_key.c.kind, sa.func.sum(per_key.c.documents), sa.func.count())
                .group_by(per_key.c.kind))

    where = visible + ([columns.kind == sa.bindparam("kind")] if by_kind else [])
    statements = {"count": tally(visible),
                  "count_kind": tally([*visible, columns.kind == sa.bindparam("count_kind")])}
    for limited in (False, True):
        picked = [columns.id, columns.date, key.label("key")]
        if sort != "datum":
            # Ranked here, once a row (ranked in the window's ORDER BY and selected as well, it
            # ran twice a row; it dominates the statement).
            picked.append(sa.func.ts_rank(RANK_WEIGHTS, vector, query, RANK_NORMALISATION)
                          .label("score"))
        window = sa.select(*picked).where(*where)
        if limited:
            window = (window.order_by(columns.date.desc().nulls_last(), columns.id.desc())
                      .limit(sa.bindparam("window")))  # ix_search_documents_newest
        window = window.subquery()
        scored = [window.c.score] if sort != "datum" else []
        best = [column.desc() for column in scored] + [
            window.c.date.desc().nulls_last(), window.c.id.desc()]
        # One window for both (the same partition, order and frame): PostgreSQL computes them in
        # one pass; row_number ignores the frame, the count covers the whole partition.
        ranked = sa.select(
            window.c.id, window.c.date, window.c.key, *scored,
            sa.func.row_number().over(partition_by=window.c.key, order_by=best,
                                      rows=(None, None)).label("place"),
            sa.func.count().over(partition_by=window.c.key, order_by=best,
                                 rows=(None, None)).label("matches"),
        ).subquery()
        order = [ranked.c.score.desc()] if scored else []
        # Past the bounds the pages are the threads in the window: counted alongside.
        hits = sa.func.count().over() if limited else sa.null()
        statements["page", limited] = (
            sa.select(ranked.c.id, ranked.c.key, ranked.c.matches, hits.label("hits"))
            .where(ranked.c.place == 1)
            .order_by(*order, ranked.c.date.desc().nulls_last(), ranked.c.id.desc())
            .limit(sa.bindparam("per_page")).offset(sa.bindparam("offset")))
        if limited:
            statements["threads"] = sa.select(sa.func.count(sa.distinct(window.c.key)))
    # The page's threads counted over all their matches (their documents through the scopes
    # index), for when the window held only some of them.
    statements["recount"] = (
        sa.select(key, sa.func.count())
        .where(*where, sa.or_(columns.id.in_(sa.bindparam("keys", expanding=True)),
                              columns.scopes.overlap(sa.bindparam("key_list",
                                                                  type_=ARRAY(sa.String(40))))))
        .group_by(key))
    return statements


def _collapsed_page(connection, text, audiences, members, kind, sort, page, per_page, collapses,
                    results, sizes):
    """Counts, total and pages, and the ids of the asked page: one hit per thread (its
    best-ranked match, or its newest sorted by date); fills `sizes` ({id: (key, matches)}).

    Counts per kind count distinct keys among the first COUNT_LIMIT + 1 matches: exact below the
    bound, a lower bound past it (results.at_least). The page comes from the same bounded window
    as one hit per document (at most the newest COUNT_LIMIT matches, RANK_LIMIT ranked), grouped
    with row_number() over the key. Below the bounds the window holds every match, so the pages
    are the exact count; past them, the pages are the threads in the window, and the page's
    threads are counted again over all their matches, so "N berichten" is never short."""
    statements = _collapsed_statements(members, sort, bool(kind), tuple(collapses.values()))
    params = {"terms": text, "audiences": audiences, "kind": kind, "count_limit": COUNT_LIMIT + 1}
    found = {row[0]: (int(row[1]), row[2])
             for row in connection.execute(statements["count"], params).all()}
    capped = sum(documents for documents, _ in found.values()) > COUNT_LIMIT
    at_least = set()
    if capped:
        for each in SEARCH_KINDS:  # more than COUNT_LIMIT in all: count each kind up to the bound
            if found.get(each, (0, 0))[0] <= COUNT_LIMIT:
                # (every match seen was of a kind past the bound: that one is counted already)
                row = connection.execute(statements["count_kind"],
                                         {**params, "count_kind": each}).first()
                found[each] = (int(row[1]), row[2]) if row else (0, 0)
            if each in collapses and found[each][0] > COUNT_LIMIT:
                at_least.add(each)
    results.at_least = frozenset(at_least)
    results.counts = {each: found.get(each, (0, 0))[1 if each in collapses else 0]
                      for each in SEARCH_KINDS}
    results.total = results.counts[kind] if kind else sum(results.counts.values())
    matching = found.get(kind, (0, 0))[0] if kind else sum(value[0] for value in found.values())
    limit = None
    if capped and matching > COUNT_LIMIT:
        results.capped = limit = COUNT_LIMIT
    if sort != "datum" and (limit or matching > RANK_LIMIT):
        limit = min(limit or matching, RANK_LIMIT)
    results.ranked_newest = bool(limit)
    if not limit:
        results.pages = math.ceil(results.total / per_page)
        if not results.total or page > results.pages:
            return []
    params.update(window=limit, per_page=per_page, offset=(page - 1) * per_page)
    rows = connection.execute(statements["page", bool(limit)], params).all()
    matches = {row.id: row.matches for row in rows}
    keys = sorted({row.key for row in rows if _kind_of(row.key, collapses)})
    if limit:
        pageable = rows[0].hits if rows else connection.execute(
            statements["threads"], params).scalar_one()
        if sort != "datum":
            results.ranked = pageable
        results.pages = math.ceil(pageable / per_page)
        if keys:
            counted = dict(connection.execute(
                statements["recount"], {**params, "keys": keys, "key_list": keys}).all())
            matches = {row.id: counted.get(row.key, row.matches) for row in rows}
    for row in rows:
        sizes[row.id] = (row.key, matches[row.id]) if row.key in keys else ("", 1)
    return [row.id for row in rows]


def _kind_of(key, collapses):
    """The collapsing kind whose keys look like `key` ("thread:12"), or None."""
    return next((kind for kind, spec in collapses.items() if spec.owns(key or "")), None)
