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


# Plurals no rule derives; the singular is what they are indexed as.
IRREGULAR = {
    "leden": "lid", "steden": "stad", "kinderen": "kind", "eieren": "ei", "bladeren": "blad",
    "liederen": "lied", "goederen": "goed", "volkeren": "volk", "gelederen": "gelid",
}
LONG_VOWELS = ("aa", "ee", "oo", "uu", "ie", "oe", "ei", "ij", "ui", "eu", "ou", "au")
VOWELS = "aeiouy"
APOSTROPHES = ("'", "’")


def _without_diminutive(word):
    """huisje → huis, paneeltje → paneel, boompje → boom, balletje → bal, buurtje → buurt.

    Dutch adds -je, -tje, -pje or -etje; the spelling alone cannot always tell which. Where it
    cannot (kaart+je or kaar+tje?), the word keeps its t: buurtje finds buurt, deurtje not deur.
    """
    if len(word) < 5 or not word.endswith("je") or word.endswith("ije"):
        return word  # vrije, blije: an adjective's -e after ij, not a diminutive
    if word.endswith("etje") and len(word) > 6 and word[-5] == word[-6] and word[-5] not in VOWELS:
        return word[:-5]  # balletje → bal, karretje → kar
    if word.endswith("mpje"):
        base = word[:-3]  # boompje → boom; lampje → lamp
        return base if base[:-1].endswith(LONG_VOWELS) else word[:-2]
    if word.endswith("tje"):
        base = word[:-3]
        if base.endswith(("l", "w")) or base.endswith(("ee", "ie", "oe", "ei", "ij", "eu", "ou", "au")):
            return base  # paneeltje, vrouwtje, ideetje
        if base.endswith("n") and base[:-1].endswith(LONG_VOWELS):
            return base  # tuintje
        if base.endswith(("aa", "oo", "uu")):
            return base + "t"  # straatje, bootje
        return word[:-2]  # buurtje, kaartje, plantje, projectje
    return word[:-2]  # huisje, vraagje, groepje


def _normalised(word):
    """The word with what Snowball does not handle evened out, before it stems."""
    for mark in APOSTROPHES:  # deelauto's → deelauto, thema's → thema
        if word.endswith(mark + "s"):
            word = word[:-2]
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith("heden") and len(word) > 6:
        return word[:-5] + "heid"  # mogelijkheden → mogelijkheid
    if word.endswith(("eeen", "ieen")):
        return word[:-2]  # ideeën → idee, energieën → energie (accents are folded already)
    if word.endswith("jes") and len(word) > 5:
        word = word[:-1]  # huisjes → huisje
    word = _without_diminutive(word)
    if word.endswith("ens") and len(word) > 6:
        return word[:-1]  # windmolens → windmolen
    if (word.endswith("es") and len(word) > 4 and word[-3] not in VOWELS
            and word[-3] not in "rcgs"):
        return word[:-1]  # gemeentes → gemeente, cafés → café; not adres, proces, succes
    if word.endswith("ies") and len(word) > 5 and word[-4] not in "vz":
        return word[:-1]  # subsidies → subsidie; not advies (adviezen)
    return word


@lru_cache(maxsize=50_000)
def dutch_stem(word):
    """Snowball's Dutch stem of the word, evened out where Dutch plurals and diminutives differ
    from the singular in ways Snowball does not know: gemeentes, windmolens, repaircafés, huisje,
    paneeltje, ideeën, deelauto's, notarissen, adviezen, leden, steden all give their singular's
    stem. tests/unit/test_dutch_analysis.py holds the word groups that must meet and those that
    must not."""
    stem = _dutch_stem(_normalised(word))
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in VOWELS:
        stem = stem[:-1]  # notarissen → notaris, ballen → bal, gemeenschappen → gemeenschap
    if len(stem) > 4 and stem.endswith("ds"):
        stem = stem[:-1]  # fondsen → fonds → fond, as Snowball stems fonds
    if len(stem) > 3 and stem.endswith("v"):
        stem = stem[:-1] + "f"  # collectieven → collectief
    elif len(stem) > 3 and stem.endswith("z"):
        stem = stem[:-1] + "s"  # huizen → huis, adviezen → advies
    if len(stem) > 3 and stem.endswith("ns"):
        stem = stem[:-1]  # mensen → mens → men, as Snowball stems mens (and kans, grens, wens)
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
