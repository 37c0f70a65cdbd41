"""The Dutch analyser: how text becomes index terms. Words are lower-cased, stripped of accents
(`fold`), Dutch stop words are dropped and what remains is stemmed with Snowball's Dutch stemmer,
evened out for plurals (`dutch_stem`, `DutchStemFilter`). The schema is pickled into the index with
a reference to `DutchStemFilter`, so that class must stay importable (also as
`app.search.DutchStemFilter`, the name indexes written before the split refer to)."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

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
