"""`search()`: what a person may see (`rights_of`), parsing, evaluating and ranking the query,
and turning the best document numbers of the asked page into `SearchHit`s with a link and a
highlighted snippet. Index trouble gives an empty result marked unavailable, never an error."""
from __future__ import annotations

import heapq
import logging
import math
from collections import Counter

from flask import current_app
from whoosh import query as wq

from app.search import postgres
from app.search.backend import uses_postgresql
from app.search.documents import narrows, registry
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


def search(query, user, kind=None, sort="relevantie", page=1, per_page=20, collapse=False,
           within=None):
    """Search as `user` (None or an anonymous user for a visitor). Never raises for query text.

    `collapse`: documents that belong together (a thread and its replies, as the features
    registered with a `Collapse`) are one hit: the best-ranked match (the newest, sorted by date),
    with `matches` the number of matching documents it stands for; counts, totals and pages count
    hits. `within`: a collapse key such as "thread:12", or a key a feature registered as a `Within`
    ("lab:3"), narrows the search to the documents under it (each a hit of its own); a key no
    feature registered is ignored. Both are permission-filtered:
    a document the searcher may not see is neither shown nor counted."""
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
    within = within if narrows(within) else None
    collapses = {} if within else (dict(registry().collapses) if collapse else {})
    text = clean_query(query)
    results = SearchResults(query=text, page=page, per_page=per_page, kind=kind, sort=sort,
                            collapse=bool(collapses), within=within)
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
            postgres.run_search(q, results, audiences, fields, kind, sort, page, per_page,
                                collapses, within)
        except Exception:
            log.exception("Search failed for %r", text[:100])
            results.unavailable = True
            results.hits = []
        return results
    try:
        searcher = _searcher()
        _run_search(searcher, q, results, audiences, fields, kind, sort, page, per_page,
                    collapses, within)
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


def _candidates(evaluation, q, matched):
    """The documents ranked for a very common word: those with a word in their title and the
    newest others, SCORE_LIMIT in all (the page says so: results.ranked)."""
    titled = set()
    for fieldname, word, _ in evaluation.scoring_terms(q):
        if fieldname == "title":
            titled |= evaluation.postings(fieldname, word).keys() & matched
    if len(titled) > SCORE_LIMIT // 2:
        titled = set(evaluation.newest(titled, SCORE_LIMIT // 2))
    rest = evaluation.newest(matched - titled, SCORE_LIMIT - len(titled))
    return titled.union(rest)


def _first_per_key(order, docs, key_of, wanted):
    """The first `wanted` documents of `docs`, best first (`order` gives each its sort key, the
    best largest), with a key not seen before: one per thread. The best few are taken with nlargest, more only when threads repeat
    so often that those are not enough, so a page costs about what it costs uncollapsed."""
    take = wanted * 4
    while True:
        best = heapq.nlargest(take, docs, key=order)
        seen, picked = set(), []
        for docnum in best:
            key = key_of(docnum)
            if key not in seen:
                seen.add(key)
                picked.append(docnum)
                if len(picked) >= wanted:
                    return picked
        if take >= len(docs):
            return picked
        take *= 4


def _run_search(searcher, q, results, audiences, fields, kind, sort, page, per_page,
                collapses=None, within=None):
    evaluation = _evaluation(searcher)
    matched = evaluation.docs(q)
    results.prefix_limited = evaluation.prefix_limited(q)
    allowed = _allowed_docs(evaluation, audiences)
    if allowed is not None:
        matched &= allowed
    if within:
        matched = matched & (evaluation.postings("id", within).keys()
                             | evaluation.postings("scopes", within).keys())
    kind_sets = evaluation.kind_sets()
    # Collapsed: each matching document's key (its thread, or itself) and per key how many match
    # (the permission filter is applied already, so only readable documents count).
    key_lists = [evaluation.collapse_keys(spec.prefix) for spec in (collapses or {}).values()]

    def key_of(docnum):
        for keys in key_lists:
            if keys[docnum] is not None:
                return keys[docnum]
        return docnum

    sizes = Counter()
    counts = {}
    for key in SEARCH_KINDS:
        docs = matched & kind_sets[key] if key in kind_sets else set()
        spec = (collapses or {}).get(key)
        if spec is not None:
            groups = Counter(map(evaluation.collapse_keys(spec.prefix).__getitem__, docs))
            alone = groups.pop(None, 0)  # (documents without a key are hits of their own)
            sizes.update(groups)
            counts[key] = len(groups) + alone
        else:
            counts[key] = len(docs)
    results.counts = counts
    if kind:
        matched = matched & kind_sets.get(kind, set())
    results.total = counts[kind] if kind else sum(counts.values())
    pageable = results.total
    candidates = matched
    if sort != "datum" and len(matched) > SCORE_LIMIT:
        # Only the best SCORE_LIMIT are ranked: the pages end there, and the page says so (no
        # empty pages past the ranking; sorting by date pages through all of them).
        candidates = _candidates(evaluation, q, matched)
        pageable = len(set(map(key_of, candidates))) if key_lists else SCORE_LIMIT
        if pageable < results.total:
            results.ranked = pageable
    results.pages = math.ceil(pageable / per_page)
    if not results.total or page > results.pages:
        return
    wanted = page * per_page
    dates = evaluation.column("date")
    if sort == "datum":
        if key_lists:
            ranked = _first_per_key(lambda n: (dates[n], n), matched, key_of, wanted)
        else:
            ranked = heapq.nlargest(wanted, matched, key=lambda n: (dates[n], n))
    elif key_lists:
        scores = evaluation.scores(q, candidates)
        ranked = _first_per_key(lambda n: (scores[n], dates[n], n), scores, key_of, wanted)
    else:
        ranked = evaluation.rank(q, candidates, wanted)
    terms_by_field = _highlight_terms(q, searcher, fields)
    for docnum in ranked[(page - 1) * per_page:wanted]:
        stored = searcher.stored_fields(docnum)
        group = key_of(docnum) if key_lists else None
        results.hits.append(SearchHit(
            kind=stored.get("kind"),
            kind_label=SEARCH_KINDS.get(stored.get("kind"), ""),
            title=stored.get("display_title") or stored.get("title") or "",
            url=hit_url(stored),
            where=stored.get("where") or "",
            snippet=snippet(stored, terms_by_field, fields),
            date=stored.get("date"),
            id=stored.get("id"),
            collapse_key=group if isinstance(group, str) else "",
            matches=sizes.get(group, 1) if isinstance(group, str) else 1,
        ))
