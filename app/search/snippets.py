"""Snippets and links of hits, shared by both backends: the stored text with the matched words
marked (escaped, <mark> around each match, at most SNIPPET_CHARS) and the hit's address."""
from __future__ import annotations

from markupsafe import Markup, escape
from whoosh import highlight

from app.search.analysis import ANALYZER
from app.search.documents import document_path
from app.search.schema import SNIPPET_CHARS


class MarkFormatter(highlight.Formatter):
    """Escaped text with <mark> around the matched words."""

    between = " … "

    def _text(self, text):
        return str(escape(text))

    def format_token(self, text, token, replace=False):
        return "<mark>" + str(escape(highlight.get_text(text, token, replace))) + "</mark>"


_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70)
_FORMATTER = MarkFormatter()


def snippet(stored, terms_by_field, fields):
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


def hit_url(stored):
    link = stored.get("link")
    if link:
        endpoint, values = link
        url = document_path(endpoint, dict(values), None)
        if url:
            return url
    return stored.get("path") or "/"
