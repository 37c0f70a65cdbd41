"""Markdown to sanitised HTML: the one place that turns what people write into HTML.

Called once when a post (or answer, or knowledge item) is saved; the result is stored next to the
Markdown source, so showing a page never runs the sanitiser. Everything passes bleach's allow-list;
links get rel="nofollow ugc noopener" and only http(s) and mailto URLs survive. An @mention the
caller resolved (see `render_markdown`) becomes <a class="mention"> or <span class="mention">; that
class is the only one the allow-list lets through on a link or span.
"""
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import partial
from html import escape, unescape

import bleach
import markdown
from bleach.linkifier import URL_RE, LinkifyFilter
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

ALLOWED_TAGS = [
    "p", "br", "hr", "strong", "em", "b", "i", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h2", "h3", "h4", "h5", "table", "thead", "tbody", "tr", "th", "td",
    "span", "img",
]
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "th": ["align"],
    "td": ["align"],
    "blockquote": ["class"],
}
MENTION_CLASS = "mention"  # the one class a link or span may carry: a mention made at save time
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]
MAX_SOURCE_LENGTH = 20_000

# @mentions: people have names, not handles, so "@Bea de Beheerder" is @ followed by up to four
# words; mention_candidates() offers the longest first and the caller matches real names.
MENTION_RE = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?:[ ]\w[\w\-]*){0,3})")

# An <img> is only ever one this module made for an image the caller vouched for (`LocalImage`):
# a path on this site, never another website (the CSP would not load it either).
_LOCAL_PATH_RE = re.compile(r"^/[a-z0-9][a-z0-9/_-]*$")
_IMAGE_ATTRIBUTES = {
    "src": _LOCAL_PATH_RE.match,
    "alt": lambda value: True,
    "width": str.isdigit,
    "height": str.isdigit,
    "loading": lambda value: value == "lazy",
}


def _allowed_attribute(tag, name, value):
    if tag == "img":
        check = _IMAGE_ATTRIBUTES.get(name)
        return bool(check and check(value))
    if name == "class" and tag in ("a", "span"):
        return value == MENTION_CLASS
    return name in ALLOWED_ATTRIBUTES.get(tag, ())


def _set_link_rel(attrs, new=False):
    if attrs.get((None, "href")):
        attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


# Cleaning and linkifying in one pass: bare URLs become links, every link gets our rel.
# bleach's pattern for bare URLs starts with "\(*" (to strip them off again later): on a text of many
# "(" that is tried from every one of them, quadratic (20,000 "(" took 5 s). Without it a URL in
# parentheses is still found, from its first letter.
_URL_RE = re.compile(URL_RE.pattern.replace(r"\(*  # Match any opening parentheses.", "", 1),
                     URL_RE.flags)
assert _URL_RE.pattern != URL_RE.pattern, "bleach's URL pattern changed: review _URL_RE"

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_link_rel], skip_tags=["pre", "code"],
                     parse_email=False, url_re=_URL_RE)],
)


class _NoRawHtml(Extension):
    """Raw HTML in the source is shown as text, never passed through."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def _candidates(words):
    """The names an @mention's words may stand for, longest first."""
    words = words.rstrip(".,;:!?").split(" ")
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


# Text where an @ is no mention: code, and links (a mention is a link itself).
_NO_MENTIONS_IN = frozenset({"code", "pre", "a"})


def _text_slots(element, skipped=False):
    """(element, None) for an element's own text and (element, child) for the text after a child,
    wherever mentions may be: not inside code or a link."""
    inside = skipped or element.tag in _NO_MENTIONS_IN
    if not inside:
        yield element, None
    for child in list(element):
        yield from _text_slots(child, inside)
        if not inside:
            yield element, child


class _Mentions(Treeprocessor):
    """@Name in the text becomes a link (or span) with class "mention", for the names `links` (a
    function from the text's mentions, each a list of candidate names longest first, to
    {casefolded name: href or None}) vouches for. Runs after the inline patterns, so code spans
    and links are already elements (and skipped)."""

    def __init__(self, md, links):
        super().__init__(md)
        self.links = links

    def run(self, root):
        slots = [(element, child) for element, child in _text_slots(root)
                 if MENTION_RE.search((element.text if child is None else child.tail) or "")]
        if not slots:
            return
        mentions = []
        for element, child in slots:
            for match in MENTION_RE.finditer(element.text if child is None else child.tail):
                candidates = _candidates(match.group(1))
                if candidates not in mentions:
                    mentions.append(candidates)
        links = self.links(mentions) or {}
        for element, child in slots:
            self._mark(element, child, links)

    @staticmethod
    def _mark(element, child, links):
        text = element.text if child is None else child.tail
        parts, start = [], 0  # the text before the first mention, then each mention with its tail
        for match in MENTION_RE.finditer(text):
            name = next((n for n in _candidates(match.group(1)) if n.casefold() in links), None)
            if name is None:
                continue
            href = links[name.casefold()]
            mention = etree.Element("a" if href else "span", {"class": MENTION_CLASS})
            if href:
                mention.set("href", href)
            mention.text = "@" + name
            parts.append(text[start:match.start()])
            parts.append(mention)
            start = match.start() + 1 + len(name)
        if not parts:
            return
        parts.append(text[start:])
        position = 0 if child is None else list(element).index(child) + 1
        if child is None:
            element.text = parts[0]
        else:
            child.tail = parts[0]
        for offset, index in enumerate(range(1, len(parts) - 1, 2)):
            mention = parts[index]
            mention.tail = parts[index + 1]
            element.insert(position + offset, mention)


class _MentionLinks(Extension):
    def __init__(self, links):
        super().__init__()
        self.links = links

    def extendMarkdown(self, md):
        md.treeprocessors.register(_Mentions(md, self.links), "mentions", 15)  # after "inline"


# Python-Markdown looks for the end of a link from every "[" and "(" it meets, so a text of many
# brackets that never close (or nest deeply) takes time quadratic in their number: 10,000 "[" took
# 24 s. Such brackets are escaped before rendering (shown as typed), once there are more than a few;
# a few cost nothing and are left alone, so a code sample with one stray bracket keeps it.
MAX_LOOSE_BRACKETS = 20
MAX_BRACKET_DEPTH = 3
_PAIRS = {"[": "]", "(": ")"}


def _defuse_brackets(source):
    """`source` with its unclosed and too deeply nested "[" and "(" escaped, when there are more
    than MAX_LOOSE_BRACKETS of them; else unchanged."""
    loose = set()
    for opening, closing in _PAIRS.items():
        stack = []
        for index, char in enumerate(source):
            if char == opening and (index == 0 or source[index - 1] != "\\"):
                stack.append(index)
                if len(stack) > MAX_BRACKET_DEPTH:
                    loose.add(index)
            elif char == closing and stack:
                stack.pop()
        loose.update(stack)  # never closed
    if len(loose) <= MAX_LOOSE_BRACKETS:
        return source
    return "".join("\\" + char if index in loose else char for index, char in enumerate(source))


def _to_html(source, mention_links=None):
    source = _defuse_brackets(source)
    extensions = [_NoRawHtml(), "fenced_code", "tables", "sane_lists", "nl2br"]
    if mention_links is not None:
        extensions.append(_MentionLinks(mention_links))
    return markdown.markdown(source, extensions=extensions, output_format="html")


_H1_RE = re.compile(r"<(/?)h1>")
_H6_RE = re.compile(r"<(/?)h6>")
_IMG_RE = re.compile(r"<img\b([^>]*)>")
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class LocalImage:
    """An image of this site that a text may show: its thumbnail (`src`, `width` × `height`) as a
    link to the full picture (`href`); `alt` when the Markdown gives no description."""

    href: str
    src: str
    width: int
    height: int
    alt: str


def _image(match, shown):
    """An image in the Markdown: a picture when the caller vouched for its address (`shown`, from
    src to LocalImage), else a link to it, so nothing disappears without a word. Images of other
    websites are never loaded: they would tell that website who reads the post."""
    attrs = dict(_ATTR_RE.findall(match.group(1)))
    local = shown.get(unescape(attrs.get("src", "")))
    if local is None:
        label = attrs.get("alt") or "afbeelding"
        return f'<a href="{attrs.get("src", "")}">[{label}]</a>'
    alt = attrs.get("alt", "").strip() or escape(local.alt)
    return (f'<a href="{escape(local.href)}"><img src="{escape(local.src)}" alt="{alt}" '
            f'width="{int(local.width)}" height="{int(local.height)}" loading="lazy"></a>')


def render_markdown(source, mention_links=None, images=None):
    """Markdown source → safe HTML (a Markup string) to store beside the source.

    Headings keep their place: "# Kop" becomes h2 (the page itself has the h1), h6 becomes h5, so
    none is stripped into the next paragraph's text. Images become links to the image.

    `mention_links`: a function that gets the text's @mentions (each a list of the names it may
    stand for, longest first) and returns {casefolded name: href or None} for the real ones; those
    become <a class="mention" href> (<span class="mention"> for None). Names are resolved by the
    caller, on the server: nothing in the source itself can make a mention.

    `images`: a function that gets the addresses of the text's images (in order) and returns
    {address: LocalImage} for those to show as pictures; every other image stays a link."""
    html = _to_html((source or "")[:MAX_SOURCE_LENGTH], mention_links)
    html = _H6_RE.sub(r"<\1h5>", _H1_RE.sub(r"<\1h2>", html))
    shown = {}
    if images is not None:
        sources = [unescape(dict(_ATTR_RE.findall(attrs)).get("src", ""))
                   for attrs in _IMG_RE.findall(html)]
        shown = (images(sources) or {}) if sources else {}
    html = _IMG_RE.sub(lambda match: _image(match, shown), html)
    return Markup(_cleaner.clean(html))  # the allow-list has the last word, whatever Markdown made


_HEADING_RE = re.compile(r"<(/?)h([1-6])>")


def nest_headings(stored_html, top=2):
    """Stored HTML (made by render_markdown) with its headings renumbered to fit under a page's
    own headings: the first becomes `top` and none is more than one level deeper than the one
    before it, so "### Kop" straight under the page's h1 becomes an h2 instead of skipping a level.
    Relative depth is kept where it has no gaps. The HTML is ours (the allow-list leaves headings
    without attributes), so a pattern on the tags is enough."""
    if not stored_html:
        return ""
    stack = []  # (source level, new level) of the enclosing headings
    closing = []  # new levels of the open headings, to rename their end tags

    def renumber(match):
        if match.group(1):
            return f"</h{closing.pop() if closing else match.group(2)}>"
        level = int(match.group(2))
        while stack and stack[-1][0] > level:
            stack.pop()
        if stack and stack[-1][0] == level:
            new = stack.pop()[1]
        else:
            new = stack[-1][1] + 1 if stack else top
        new = min(new, 6)
        stack.append((level, new))
        closing.append(new)
        return f"<h{new}>"

    return _HEADING_RE.sub(renumber, str(stored_html))


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


def quote_header(author_name, link=None, label=None):
    """The first line of a quote: "> **Name** schreef in [bericht #3](/forum/bericht/12):" with a
    link back to the quoted post (`link`, shown as `label`), or "> **Name** schreef:" without one.
    app.forum.mentions.QUOTE_HEADER_RE reads both, to tell the quoted author."""
    if link and label:
        return f"> **{author_name}** schreef in [{label}]({link}):"
    return f"> **{author_name}** schreef:"


def quote_markdown(author_name, source, link=None, label=None):
    """Markdown that quotes someone's post (or a part of it), for the reply box: the header of
    `quote_header`, then each line of `source` after "> "."""
    lines = (source or "").strip().splitlines() or [""]
    quoted = "\n".join("> " + line for line in lines)
    return f"{quote_header(author_name, link, label)}\n{quoted}\n\n"


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
        candidates = _candidates(match.group(1))
        if candidates not in mentions:
            mentions.append(candidates)
    return mentions
