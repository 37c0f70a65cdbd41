"""Markdown to sanitised HTML: the one place that turns what people write into HTML.

Called once when a post (or answer, or knowledge item) is saved; the result is stored next to the
Markdown source, so showing a page never runs the sanitiser. Everything passes bleach's allow-list;
links get rel="nofollow ugc noopener" and only http(s) and mailto URLs survive.
"""
import re
from functools import partial
from html import unescape

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from markdown.extensions import Extension
from markupsafe import Markup

ALLOWED_TAGS = [
    "p", "br", "hr", "strong", "em", "b", "i", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "table", "thead", "tbody", "tr", "th", "td",
    "span",
]
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "span": ["class"],
    "th": ["align"],
    "td": ["align"],
    "blockquote": ["class"],
}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]
MAX_SOURCE_LENGTH = 20_000

# @mentions: people have names, not handles, so "@Bea de Beheerder" is @ followed by up to four
# words; mention_candidates() offers the longest first and the caller matches real names.
MENTION_RE = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?:[ ]\w[\w\-]*){0,3})")

def _set_link_rel(attrs, new=False):
    if attrs.get((None, "href")):
        attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


# Cleaning and linkifying in one pass: bare URLs become links, every link gets our rel.
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags=["pre", "code"],
                     parse_email=False)],
)


class _NoRawHtml(Extension):
    """Raw HTML in the source is shown as text, never passed through."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def _to_html(source):
    return markdown.markdown(
        source,
        extensions=[_NoRawHtml(), "fenced_code", "tables", "sane_lists", "nl2br"],
        output_format="html",
    )


_H1_RE = re.compile(r"<(/?)h1>")
_H6_RE = re.compile(r"<(/?)h6>")
_IMG_RE = re.compile(r"<img\b([^>]*)>")
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')


def _image_as_link(match):
    """Images are not shown in posts (no outside images, no uploads there yet): an image in the
    Markdown becomes a link to it, so nothing disappears without a word."""
    attrs = dict(_ATTR_RE.findall(match.group(1)))
    label = attrs.get("alt") or "afbeelding"
    return f'<a href="{attrs.get("src", "")}">[{label}]</a>'


def render_markdown(source):
    """Markdown source → safe HTML (a Markup string) to store beside the source.

    Headings keep their place: "# Kop" becomes h2 (the page itself has the h1), h6 becomes h5, so
    none is stripped into the next paragraph's text. Images become links to the image."""
    html = _to_html((source or "")[:MAX_SOURCE_LENGTH])
    html = _H6_RE.sub(r"<\1h5>", _H1_RE.sub(r"<\1h2>", html))
    html = _IMG_RE.sub(_image_as_link, html)
    return Markup(_cleaner.clean(html))  # the allow-list has the last word, whatever Markdown made


_TAG_RE = re.compile(r"<[^>]*>")


def html_text(stored_html):
    """The text of HTML this module made at save time (sanitised: an allow-list of tags), without
    its tags: far cheaper than rendering the Markdown source again (the search index uses it)."""
    if not stored_html:
        return ""
    return " ".join(unescape(_TAG_RE.sub(" ", stored_html)).split())


def plain_text(source, limit=None):
    """The text of Markdown source without markup, for snippets, e-mails and search."""
    html = _to_html((source or "")[:MAX_SOURCE_LENGTH])
    text = bleach.clean(html, tags=[], strip=True)
    text = re.sub(r"\s+", " ", text.replace("&amp;", "&").replace("&lt;", "<")
                  .replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'")).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def quote_markdown(author_name, source):
    """Markdown that quotes someone's post, for the reply box."""
    lines = (source or "").strip().splitlines() or [""]
    quoted = "\n".join("> " + line for line in lines)
    return f"> **{author_name}** schreef:\n{quoted}\n\n"


# Lines of a > quote: a mention in quoted text is the quoted author's, not a new one, so it
# notifies nobody (quoting a post would otherwise notify its mentioned people again).
_QUOTED_LINE_RE = re.compile(r"^[ ]{0,3}>.*$", re.MULTILINE)


def mention_candidates(source):
    """For each @mention in the source (outside > quotes), the names it may stand for, longest
    first.

    "@Bea de Beheerder schreef" gives ["Bea de Beheerder schreef", "Bea de Beheerder", "Bea de",
    "Bea"]; the caller picks the longest that is a real person's name.
    """
    mentions = []
    for match in MENTION_RE.finditer(_QUOTED_LINE_RE.sub("", source or "")):
        words = match.group(1).rstrip(".,;:!?").split(" ")
        candidates = [" ".join(words[:n]) for n in range(len(words), 0, -1)]
        if candidates not in mentions:
            mentions.append(candidates)
    return mentions
