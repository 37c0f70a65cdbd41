"""app.markup: Markdown in, sanitised HTML out, whatever people type."""
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from app.markup import (
    _URL_RE, MAX_LOOSE_BRACKETS, _defuse_brackets, mention_candidates, nest_headings, plain_text,
    quote_markdown, render_markdown,
)

# Vectors in the spirit of the OWASP XSS filter evasion cheat sheet, written as a person could
# type them into a post: raw HTML, Markdown links and images, encodings and broken markup.
XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    '<IMG SRC="javascript:alert(\'XSS\');">',
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    '<IMG SRC="jav\tascript:alert(\'XSS\');">',
    '<IMG SRC="jav&#x0A;ascript:alert(\'XSS\');">',
    "<SCRIPT/XSS SRC=\"http://xss.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<iframe src=http://xss.example/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<TABLE BACKGROUND="javascript:alert(\'XSS\')">',
    '<DIV STYLE="background-image: url(javascript:alert(\'XSS\'))">',
    '<a href="javascript:alert(1)">klik</a>',
    "<a href=\"jav&#x09;ascript:alert(1)\">klik</a>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klik</a>',
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik]( javascript:alert(1) )",
    "[klik](&#106;avascript:alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](vbscript:msgbox(1))",
    '[klik](http://example.org "title" onmouseover="alert(1)")',
    "![plaatje](javascript:alert(1))",
    "![plaatje](http://example.org/x.png \"onerror=alert(1)\")",
    "[a]: javascript:alert(1)\n\n[klik][a]",
    "<javascript:alert(1)>",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "**<script>alert(1)</script>**",
    "> <script>alert(1)</script>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
]

ALLOWED_OUTPUT_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "a", "table",
                       "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "hr", "h3", "h4",
                       "h5", "del", "s", "b", "i", "span"}


class _Collector(HTMLParser):
    """Collects the tags and attributes a browser would see in the HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _elements(html):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_no_script_handler_or_javascript_url_survives(vector):
    html = str(render_markdown(vector))
    for tag, attrs in _elements(html):
        assert tag in ALLOWED_OUTPUT_TAGS, f"<{tag}> survived in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} survived in {html!r}"
            assert name in {"href", "title", "rel", "class", "align"}, f"{name} in {html!r}"
            if name == "href":
                scheme = urlsplit((value or "").strip()).scheme.lower()
                assert scheme in {"http", "https", "mailto"}, f"href {value!r} in {html!r}"
    assert "<script" not in html.lower()


def test_markdown_becomes_html():
    html = str(render_markdown("**vet** en *schuin*\n\n- een\n- twee"))
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html
    assert "<li>een</li>" in html


def test_links_get_rel_nofollow_ugc_noopener():
    html = str(render_markdown("[site](https://example.org) en https://example.net/pad"))
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.org"' in html and 'href="https://example.net/pad"' in html


def test_raw_html_is_shown_as_text():
    html = str(render_markdown("Gebruik <b>geen</b> HTML"))
    assert "&lt;b&gt;geen&lt;/b&gt;" in html


def test_code_blocks_are_escaped_once():
    html = str(render_markdown("```\n<b>x</b> & y\n```"))
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html


def test_plain_text_and_quote():
    assert plain_text("**Hallo** & [link](http://a)") == "Hallo & link"
    assert plain_text("een twee drie vier", limit=10) == "een twee…"
    quoted = quote_markdown("Lotte", "regel 1\nregel 2")
    assert quoted.startswith("> **Lotte** schreef:\n> regel 1\n> regel 2")


def test_mention_candidates_longest_first():
    mentions = mention_candidates("Hoi @Bea de Beheerder, en @daan! Mail: info@example.org")
    assert "Bea de Beheerder" in mentions[0]
    assert mentions[0].index("Bea de Beheerder") < mentions[0].index("Bea")
    assert ["daan"] in mentions
    assert all("example" not in c for group in mentions for c in group)


def test_headings_stay_headings_and_are_never_glued_to_the_next_paragraph():
    assert str(render_markdown("## Kop\nTekst eronder")) == "<h2>Kop</h2>\n<p>Tekst eronder</p>"
    assert "<h2>Grote kop</h2>" in str(render_markdown("# Grote kop\nx"))  # the page has the h1
    assert "<h4>Klein</h4>" in str(render_markdown("#### Klein"))
    assert "<h5>Kleinst</h5>" in str(render_markdown("###### Kleinst"))
    assert "<h1" not in str(render_markdown("# A")) and "<h6" not in str(render_markdown("###### B"))


def test_an_image_becomes_a_link_and_never_an_img():
    html = str(render_markdown("![Ons dak](https://example.org/dak.jpg)"))
    assert '<a href="https://example.org/dak.jpg" rel="nofollow ugc noopener">[Ons dak]</a>' in html
    assert "<img" not in html
    hostile = str(render_markdown('![x" onerror="alert(1)](javascript:alert(1))'))
    assert "<img" not in hostile and "javascript:" not in hostile
    assert not re.search(r"<[^>]*onerror", hostile)  # only as text, never as an attribute


def test_mentions_inside_quotes_are_not_mentions():
    source = quote_markdown("Anna", "Wat vindt @Bert Jansen hiervan?") + "Ik vraag het @Carla ook."
    assert mention_candidates(source) == [["Carla ook", "Carla"]]
    assert mention_candidates("> > @Dirk in een dubbel citaat\n   > @Eva ingesprongen") == []


def _levels(html):
    return [int(level) for level in re.findall(r"<h(\d)>", html)]


@pytest.mark.parametrize("source, levels", [
    ("### A\n\n#### B\n\n### C", [2, 3, 2]),  # a body that starts at ### starts at the page's h2
    ("## A\n\n#### B\n\n##### C\n\n## D", [2, 3, 4, 2]),  # a skipped level closes up
    ("#### A\n\n## B\n\n### C", [2, 2, 3]),  # never above the top
    ("Tekst zonder koppen", []),
])
def test_nested_headings_start_under_the_page_and_never_skip_a_level(source, levels):
    html = nest_headings(render_markdown(source))
    assert _levels(html) == levels
    assert re.findall(r"</h(\d)>", html) == [str(level) for level in levels]  # each closed as opened


def test_nested_headings_keep_text_and_leave_escaped_tags_alone():
    html = nest_headings(render_markdown("### Kop met `<h3>` erin\n\nTekst over &lt;h4&gt;."))
    assert html.startswith("<h2>Kop met <code>&lt;h3&gt;</code> erin</h2>")
    assert "&lt;h4&gt;" in html
    assert nest_headings("") == "" and nest_headings(None) == ""
    assert _levels(nest_headings(render_markdown("### A\n\n#### B"), top=3)) == [3, 4]


# -- texts built to make rendering slow (quadratic in unclosed brackets) ------------------------

def test_many_unclosed_brackets_are_escaped_and_shown_as_typed():
    loose = "[" * (MAX_LOOSE_BRACKETS + 1)
    assert _defuse_brackets(loose) == "\\[" * (MAX_LOOSE_BRACKETS + 1)
    assert _defuse_brackets("(" * 50) == "\\(" * 50
    assert "[" * 30 in str(render_markdown("a " + "[" * 30))  # shown, not eaten


def test_deep_nesting_is_defused_but_ordinary_links_and_a_few_strays_are_untouched():
    deep = "[" * 40 + "x" + "]" * 40
    assert _defuse_brackets(deep).count("\\[") == 37  # deeper than three
    ordinary = "Zie [de site](https://example.org) en (dit), of [x en arr[0"
    assert _defuse_brackets(ordinary) == ordinary
    many_links = " ".join(f"[link {n}](https://example.org/{n})" for n in range(200))
    assert _defuse_brackets(many_links) == many_links
    assert str(render_markdown(many_links)).count("<a ") == 200


def test_bare_urls_are_found_without_the_quadratic_parenthesis_prefix():
    assert not _URL_RE.pattern.lstrip().startswith("\\(")
    html = str(render_markdown("Zie (https://example.org/pad) of (voorbeeld.nl)."))
    assert '(<a href="https://example.org/pad"' in html
    assert '(<a href="http://voorbeeld.nl"' in html
