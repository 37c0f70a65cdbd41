"""Reading what people type: cleaning the text, tidying stray operators and brackets, and parsing
it into a Whoosh query over the fields the searcher may search (AND by default, OR/NOT/phrases and
word* prefixes allowed, field syntax not). A query that is not acceptable is read again as plain
words; parsing never raises."""
from __future__ import annotations

import re
from functools import lru_cache

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, plugins, syntax

from app.search.analysis import dutch_stem, fold
from app.search.schema import MAX_QUERY_LENGTH, MIN_PREFIX_LENGTH, SCHEMA

# -- searching -------------------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def clean_query(text):
    text = _CONTROL_RE.sub(" ", str(text or ""))
    return " ".join(text.split())


class _PrefixNode(syntax.TextNode):
    """word* → terms starting with the folded word, and the stem of the whole word: the index holds
    stems, so zonnepanelen* finds "zonnepanel" (the stem of zonnepanelen) as well as longer words
    that start with "zonnepanelen"."""

    qclass = wq.Prefix

    def r(self):
        return "%r*" % self.text

    def query(self, parser):
        fieldname = self.fieldname or parser.fieldname
        folded = fold(self.text)
        stem = dutch_stem(folded)
        if stem == folded or not stem:
            return wq.Prefix(fieldname, folded)
        return wq.Or([wq.Prefix(fieldname, folded), wq.Term(fieldname, stem)])


class _PrefixPlugin(plugins.PrefixPlugin):
    nodetype = _PrefixNode


_FIELD_SYNTAX_RE = re.compile(r"(\w+)\s*:")
# "-woord" and -"twee woorden" at the start of a word mean NOT, as in web search engines; a hyphen
# inside a word (zonne-energie) does not.
_MINUS_RE = re.compile(r'(?:(?<=\s)|(?<=^)|(?<=\())-+(?=[\w"])')


def _minus_as_not(text):
    """"gemeente -subsidie" → "gemeente NOT subsidie"."""
    return _MINUS_RE.sub("NOT ", text)


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
            tidy = tidy_operators(_minus_as_not(_without_field_syntax(text)))
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
