"""Evaluating a parsed query fast: set algebra over posting lists read a block at a time and
cached per immutable segment, counts per kind by set intersection, the audience filter as a set of
document numbers, and BM25 ranking over a bounded number of candidates. The segment cache is
process-wide and lives here only."""
from __future__ import annotations

import heapq
import math
import threading
from array import array
from collections import OrderedDict
from itertools import islice

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from app.search.schema import AUDIENCES

# -- evaluating a query ----------------------------------------------------------------------------
#
# Whoosh's matchers walk every matching document in Python, which is too slow for common words at
# 100,000 posts. So a query is evaluated here with set algebra over posting lists (read a block at
# a time and cached per immutable segment), counted per kind with set intersections, and ranked
# with BM25 over at most SCORE_LIMIT candidates. Whoosh still parses, stores and highlights.

SCORE_LIMIT = 20000
# Words a prefix (woord*) expands to at most, in index order; beyond it the results say so
# (SearchResults.prefix_limited) instead of leaving words out silently.
MAX_EXPANSIONS = 1000
BM25_K1, BM25_B = 1.2, 0.75

class BoundedCache:
    """A least-recently-used mapping that holds at most `max_weight` in total, where each value
    weighs `weigh(value)` (e.g. the document numbers in it), safe to share between threads.
    Memory stays bounded however many different words people search for."""

    def __init__(self, max_weight, weigh=lambda value: 1):
        self.max_weight = max_weight
        self.weigh = weigh
        self.weight = 0
        self._items = OrderedDict()  # key -> (value, weight)
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item[0]

    def put(self, key, value):
        weight = max(1, self.weigh(value))
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.weight -= old[1]
            if weight > self.max_weight:
                return value  # larger than the whole cache: used once, not kept
            self._items[key] = (value, weight)
            self.weight += weight
            while self.weight > self.max_weight:
                _, (_, dropped) = self._items.popitem(last=False)
                self.weight -= dropped
        return value

    def clear(self):
        with self._lock:
            self._items.clear()
            self.weight = 0

    def __len__(self):
        return len(self._items)

    def __contains__(self, key):
        with self._lock:
            return key in self._items


def _posting_weight(value):
    return len(value[0]) if isinstance(value, tuple) else len(value)


# Per immutable segment and process: (segment id, what) -> postings as compact arrays (8 bytes a
# posting), or a column. Shared by the threads of a process (hence the lock in BoundedCache).
SEGMENT_CACHE_MAX_ITEMS = 4_000_000  # postings and column values, all entries together (~40 MB)
_SEGMENT_CACHE = BoundedCache(SEGMENT_CACHE_MAX_ITEMS, _posting_weight)
# Per searcher (one index generation, one thread): merged postings as {docnum: weight} dicts,
# about 100 bytes an entry. Besides these, a searcher holds a few bytes per document: its kind and
# audience (shared strings), its date (8 bytes) and its field lengths (1 byte per field).
POSTINGS_CACHE_MAX_ENTRIES = 300_000  # ~30 MB
EXPANSIONS_CACHE_MAX_WORDS = 20_000  # the words of recent woord* prefixes


def _segment_cached(reader, what, make):
    key = (reader.segment().segment_id(), what)
    value = _SEGMENT_CACHE.get(key)
    if value is None:
        value = _SEGMENT_CACHE.put(key, make())
    return value


def _raw_postings(reader, fieldname, text):
    """(ids, weights) of a term in one segment, deleted documents included."""
    if (fieldname, text) not in reader:
        return (), ()
    return _matcher_postings(reader.postings(fieldname, text))


def _matcher_postings(matcher):
    """(ids, weights) of what a term's matcher walks."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids, weights = array("I"), array("f")  # 8 bytes a posting instead of about 70 in lists
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


def _segment_column(reader, name):
    """One segment's values of a sortable column for every document: dates as 8-byte numbers
    (Whoosh's own representation, which sorts as the dates do), other values as shared strings."""
    if name == "date":
        return array("q", (value or 0 for value in reader.column_reader(name, translate=False)))
    shared = {}
    return [shared.setdefault(value, value) for value in reader.column_reader(name)]


def _segment_lengths(reader, fieldname):
    """One segment's field length of every document as Whoosh stores it: one byte each
    (byte_to_length decodes). Read at once; Whoosh's doc_field_length reads one at a time."""
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    count = reader.doc_count_all()
    if column is None:
        return bytes(count)
    try:
        found = column._dbfile.get(column._basepos, column._count)
    except AttributeError:  # another column implementation: the general way
        found = bytes(array("B", column))
    return bytes(found) + bytes(max(0, count - len(found)))


def _segment_collapse_keys(reader, prefix):
    """One segment's collapse key of every document (None for most): "<prefix>:<n>" for the
    document with that id and for those with that scope term (a thread and its replies), read
    from the posting lists of those terms, not from the stored fields."""
    keys = [None] * reader.doc_count_all()
    start = prefix + ":"
    for fieldname in ("id", "scopes"):
        for word, terminfo in reader.iter_prefix(fieldname, start):
            word = word.decode("utf-8") if isinstance(word, bytes) else word
            for docnum in _term_ids(reader, fieldname, word, terminfo):
                keys[docnum] = word
    return keys


def _term_ids(reader, fieldname, word, terminfo):
    """The document numbers of a term, from the term info a walk over the terms gave: looking
    each term up again (as reader.postings does) made this ten times slower, about 250 ms for
    the 2,000 thread terms of 20,000 posts."""
    if terminfo.is_inlined():  # a term in one document (a thread's id): no postings to read
        return terminfo.inlined_postings()[0]
    terms = getattr(reader, "_terms", None)
    try:
        matcher = terms._codec.postings_reader(terms._postfile, terminfo,
                                               reader.schema[fieldname].format,
                                               term=(fieldname, word))
    except AttributeError:  # another codec: the general way
        return _raw_postings(reader, fieldname, word)[0]
    return _matcher_postings(matcher)[0]


class _Evaluation:
    """Per searcher (one index generation): postings as {docnum: weight}, kinds, audiences."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        # An empty index has one EmptyReader leaf without a segment: nothing to read there.
        self.leaves = [(reader, offset) for reader, offset in self.reader.leaf_readers()
                       if getattr(reader, "segment", lambda: None)() is not None]
        self.doc_count_all = max(self.reader.doc_count_all(), 1)  # deleted ones too, as Whoosh
        self.postings_cache = BoundedCache(POSTINGS_CACHE_MAX_ENTRIES, len)
        self.expansions = BoundedCache(EXPANSIONS_CACHE_MAX_WORDS, len)
        self.filters = {}
        self._columns = {}
        self._lengths = {}
        self._avg = {}

    # columns: kind, audience, date for every document number
    def column(self, name):
        if name not in self._columns:
            values = array("q") if name == "date" else []
            for reader, offset in self.leaves:
                if offset > len(values):
                    values.extend([0 if name == "date" else None] * (offset - len(values)))
                values.extend(_segment_cached(reader, ("column", name),
                                              lambda r=reader: _segment_column(r, name)))
            self._columns[name] = values
        return self._columns[name]

    def newest_first(self):
        """Every document number, the newest first (by date, then number): computed once per
        searcher, so picking the newest of many matches is a walk, not a sort."""
        if "newest_first" not in self._columns:
            dates = self.column("date")
            self._columns["newest_first"] = array("I", sorted(
                range(len(dates)), key=lambda n: (dates[n], n), reverse=True))
        return self._columns["newest_first"]

    def newest(self, docnums, count):
        """The `count` newest of the set `docnums`."""
        if count <= 0:
            return []
        return list(islice((n for n in self.newest_first() if n in docnums), count))

    def collapse_keys(self, prefix):
        """Every document's collapse key for `prefix` (None where it has none), by number."""
        name = ("collapse", prefix)
        if name not in self._columns:
            values = []
            for reader, offset in self.leaves:
                if offset > len(values):
                    values.extend([None] * (offset - len(values)))
                values.extend(_segment_cached(reader, name,
                                              lambda r=reader: _segment_collapse_keys(r, prefix)))
            values.extend([None] * (self.reader.doc_count_all() - len(values)))
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
            self.postings_cache.put(key, found)
        return found

    def _expansion(self, fieldname, prefix):
        """Up to MAX_EXPANSIONS + 1 words of the field that start with `prefix`, in index order
        (one more than a search takes tells that there were more); read once per searcher, as a
        query asks for them to match, to score and for the notice."""
        key = (fieldname, prefix, MAX_EXPANSIONS)
        words = self.expansions.get(key)
        if words is None:
            words = []
            for word in self.reader.expand_prefix(fieldname, prefix):
                if len(words) > MAX_EXPANSIONS:
                    break
                words.append(word.decode("utf-8") if isinstance(word, bytes) else word)
            self.expansions.put(key, words)
        return words

    def expand(self, fieldname, prefix):
        """The first MAX_EXPANSIONS words of the field that start with `prefix`."""
        return self._expansion(fieldname, prefix)[:MAX_EXPANSIONS]

    def prefix_limited(self, node):
        """MAX_EXPANSIONS when a woord* in `node` has more words than a search takes, else None.
        A question about the query, not state kept on this per-searcher object: searches in other
        threads share it."""
        if isinstance(node, wq.Prefix):
            found = self._expansion(node.fieldname, node.text)
            return MAX_EXPANSIONS if len(found) > MAX_EXPANSIONS else None
        if node.is_leaf():
            return None
        return next(filter(None, (self.prefix_limited(child) for child in node.children())), None)

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
        """[(field, word, boost)] whose weights make up the score (not those under NOT); the boost
        is the query's (the parser gives title words 2.0)."""
        out = [] if out is None else out
        if isinstance(node, wq.Not):
            return out
        if isinstance(node, wq.AndNot):
            return self.scoring_terms(node.a, out)
        if isinstance(node, wq.Prefix):
            out.extend((node.fieldname, word, node.boost)
                       for word in self.expand(node.fieldname, node.text))
            return out
        if isinstance(node, wq.Term):
            out.append((node.fieldname, node.text, node.boost))
            return out
        if isinstance(node, wq.Phrase):
            out.extend((node.fieldname, word, node.boost) for word in node.words)
            return out
        if node.is_leaf():
            return out
        for child in node.children():
            self.scoring_terms(child, out)
        return out

    def lengths(self, fieldname):
        """Every document's length byte of the field (Whoosh keeps a length as one byte;
        byte_to_length decodes it), for the whole reader."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            parts = bytearray()
            for reader, offset in self.leaves:
                if offset > len(parts):
                    parts.extend(bytes(offset - len(parts)))
                parts.extend(_segment_cached(reader, ("lengths", fieldname),
                                             lambda r=reader: _segment_lengths(r, fieldname)))
            lengths = self._lengths[fieldname] = bytes(parts)
        return lengths

    def length(self, docnum, fieldname):
        """The document's length of the field, as Whoosh's doc_field_length gives it."""
        lengths = self.lengths(fieldname)
        return byte_to_length(lengths[docnum]) if docnum < len(lengths) else 0

    def average_length(self, fieldname):
        """The field's length averaged over all documents, as stock BM25F has it (Whoosh's
        Searcher.avg_field_length). Not floored: most documents (replies) have no title, so the
        title's average is well below one word, and a floor of 1.0 made every title match weigh
        about three times what BM25F intends."""
        if fieldname not in self._avg:
            total = self.reader.field_length(fieldname) or 0
            self._avg[fieldname] = total / self.doc_count_all if total else 1.0
        return self._avg[fieldname]

    def idf(self, fieldname, word):
        """Whoosh's inverse document frequency, so that scores equal stock BM25F's."""
        df = self.reader.doc_frequency(fieldname, word)
        return math.log(self.doc_count_all / (df + 1)) + 1.0

    def scores(self, node, candidates):
        """{docnum: score} for `candidates`, equal to what Whoosh's stock BM25F(B=0.75, K1=1.2)
        gives a query of words, AND, OR and NOT (tests/unit/test_search_ranking.py checks it on a
        fixed corpus): per matching (field, word) boost * idf * tf * (K1 + 1) / (tf + K1 * (1 - B
        + B * length / average length)), summed. A title counts double twice over, as in stock
        Whoosh: the query parser boosts title words 2.0 and the schema's field_boost 2.0 doubles
        their term frequencies when indexing. The average length is over every document. A
        prefix scores the words it expands to and a phrase its words (Whoosh gives every match of
        those the same score)."""
        scores = dict.fromkeys(candidates, 0.0)
        for fieldname, word, boost in dict.fromkeys(self.scoring_terms(node)):
            weights = self.postings(fieldname, word)
            if not weights:
                continue
            weight = boost * self.idf(fieldname, word) * (BM25_K1 + 1)
            lengths = self.lengths(fieldname)
            avg = self.average_length(fieldname)
            # K1 * (1 - B + B * length / average) for each of the 256 length bytes, once.
            norms = [BM25_K1 * (1 - BM25_B + BM25_B * byte_to_length(b) / avg) for b in range(256)]
            if len(scores) < len(weights):
                for docnum in scores:
                    tf = weights.get(docnum)
                    if tf is not None:
                        scores[docnum] += weight * tf / (tf + norms[lengths[docnum]])
            else:
                for docnum, tf in weights.items():
                    if docnum in scores:
                        scores[docnum] += weight * tf / (tf + norms[lengths[docnum]])
        return scores

    def rank(self, node, candidates, limit):
        """The `limit` best of `candidates` by score; equal scores newest first."""
        scores = self.scores(node, candidates)
        dates = self.column("date")
        return heapq.nlargest(limit, scores, key=lambda n: (scores[n], dates[n], n))


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
