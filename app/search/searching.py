"""`search()`: what a person may see (`rights_of`), parsing, evaluating and ranking the query,
and turning the best document numbers of the asked page into `SearchHit`s with a link and a
highlighted snippet. Index trouble gives an empty result marked unavailable, never an error."""
from __future__ import annotations

import heapq
import logging
import math

from flask import current_app
from whoosh import query as wq

from app.search import postgres
from app.search.backend import uses_postgresql
from app.search.evaluation import SCORE_LIMIT, _allowed_docs, _evaluation
from app.search.events import APPLY_BEFORE_SEARCH, apply_mode
from app.search.index import IndexMissing, IndexUnavailable, _searcher
from app.search.jobs import apply_pending
from app.search.query import clean_query, parse_query
from app.search.snippets import hit_url, snippet
from app.search.schema import (AUDIENCE_PUBLIC, MAX_PER_PAGE,
                               MEMBER_FIELDS, PUBLIC_FIELDS, SEARCH_KINDS, SORTS,
                               SearchHit, SearchResults)

log = logging.getLogger(__name__)


def rights_of(user):
    """(audiences, searches members-only text) for a person (or a visitor), from the rights
    function the app registered (`register_search(app, rights=…)`: the permission rules live with
    the features, not here). Without one, only public text is searched."""
    rights = (current_app.extensions.get("search") or {}).get("rights")
    if rights is None:
        return frozenset({AUDIENCE_PUBLIC}), False
    audiences, members = rights(user)
    return frozenset(audiences) | {AUDIENCE_PUBLIC}, bool(members)


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
    if uses_postgresql():
        try:
            postgres.run_search(q, results, audiences, fields, kind, sort, page, per_page)
        except Exception:
            log.exception("Search failed for %r", text[:100])
            results.unavailable = True
            results.hits = []
        return results
    try:
        searcher = _searcher()
        _run_search(searcher, q, results, audiences, fields, kind, sort, page, per_page)
    except IndexMissing:
        pass  # no index yet (a new site, or a rebuild's first run): nothing found
    except IndexUnavailable as exc:
        log.error("Search index unavailable: %s", exc)
        results.unavailable = True
    except Exception:
        log.exception("Search failed for %r", text[:100])
        results.unavailable = True
        results.hits = []
    return results


def _apply_before_search():
    try:
        if apply_mode(current_app) == APPLY_BEFORE_SEARCH:
            (postgres.apply_pending if uses_postgresql() else apply_pending)()
    except Exception:
        log.exception("Search: applying waiting jobs before a search failed")


def _run_search(searcher, q, results, audiences, fields, kind, sort, page, per_page):
    evaluation = _evaluation(searcher)
    matched = evaluation.docs(q)
    results.prefix_limited = evaluation.prefix_limited(q)
    allowed = _allowed_docs(evaluation, audiences)
    if allowed is not None:
        matched &= allowed
    kind_sets = evaluation.kind_sets()
    results.counts = {key: len(matched & kind_sets[key]) if key in kind_sets else 0
                      for key in SEARCH_KINDS}
    if kind:
        matched = matched & kind_sets.get(kind, set())
    results.total = len(matched)
    pageable = results.total
    if sort != "datum" and results.total > SCORE_LIMIT:
        # Only the best SCORE_LIMIT are ranked: the pages end there, and the page says so (no
        # empty pages past the ranking; sorting by date pages through all of them).
        results.ranked = pageable = SCORE_LIMIT
    results.pages = math.ceil(pageable / per_page)
    if not results.total or page > results.pages:
        return
    wanted = page * per_page
    if sort == "datum":
        dates = evaluation.column("date")
        ranked = heapq.nlargest(wanted, matched, key=lambda n: (dates[n], n))
    else:
        candidates = matched
        if len(matched) > SCORE_LIMIT:
            # Very common words: rank the documents with a word in their title and the newest
            # others, not all of them (the page says so: results.ranked).
            titled = set()
            for fieldname, word, _ in evaluation.scoring_terms(q):
                if fieldname == "title":
                    titled |= evaluation.postings(fieldname, word).keys() & matched
            if len(titled) > SCORE_LIMIT // 2:
                titled = set(evaluation.newest(titled, SCORE_LIMIT // 2))
            rest = evaluation.newest(matched - titled, SCORE_LIMIT - len(titled))
            candidates = titled.union(rest)
        ranked = evaluation.rank(q, candidates, wanted)
    terms_by_field = _highlight_terms(q, searcher, fields)
    for docnum in ranked[(page - 1) * per_page:wanted]:
        stored = searcher.stored_fields(docnum)
        results.hits.append(SearchHit(
            kind=stored.get("kind"),
            kind_label=SEARCH_KINDS.get(stored.get("kind"), ""),
            title=stored.get("display_title") or stored.get("title") or "",
            url=hit_url(stored),
            where=stored.get("where") or "",
            snippet=snippet(stored, terms_by_field, fields),
            date=stored.get("date"),
            id=stored.get("id"),
        ))
