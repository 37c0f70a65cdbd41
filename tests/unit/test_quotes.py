"""Quotes of forum posts: the header with a link back to the quoted post (app.markup), how it
renders, and QUOTE_HEADER_RE (app.forum.mentions), which reads new and old headers alike to tell
the quoted authors; mentions inside a quote stay no mentions."""
from app.forum.mentions import QUOTE_HEADER_RE
from app.markup import mention_candidates, quote_header, quote_markdown, render_markdown


def test_the_header_links_back_to_the_quoted_post():
    assert quote_header("Anna de Vries", "/forum/bericht/12", "bericht #3") == (
        "> **Anna de Vries** schreef in [bericht #3](/forum/bericht/12):")
    assert quote_header("Anna de Vries") == "> **Anna de Vries** schreef:"  # no link: as before


def test_a_quote_is_the_header_then_every_line_after_a_marker():
    quoted = quote_markdown("Lotte", "regel 1\nregel 2\n\nregel 4", "/forum/bericht/5", "bericht #2")
    assert quoted == ("> **Lotte** schreef in [bericht #2](/forum/bericht/5):\n"
                      "> regel 1\n> regel 2\n> \n> regel 4\n\n")


def test_the_header_renders_as_a_sentence_with_a_link_inside_the_quote():
    html = str(render_markdown(quote_markdown("Lotte", "Hallo **allemaal**", "/forum/bericht/5",
                                              "bericht #2") + "Eens!"))
    assert html == (
        '<blockquote>\n<p><strong>Lotte</strong> schreef in '
        '<a href="/forum/bericht/5" rel="nofollow ugc noopener">bericht #2</a>:<br>\n'
        'Hallo <strong>allemaal</strong></p>\n</blockquote>\n<p>Eens!</p>')


def test_the_header_pattern_reads_new_and_old_headers():
    source = "\n".join([
        "> **Anna de Vries** schreef in [bericht #3](/forum/bericht/12):",
        "> tekst",
        "",
        "> **Bert Jansen** schreef:",  # a quote made before the link back existed
        "> meer tekst",
        "",
        "> **Carla** schreef in [bericht #10](/forum/bericht/40):   ",  # trailing spaces
        "> **Dirk** schreef in bericht #4:",  # no link: no header of ours
        "> **Eva** schreef in [bericht](https://example.org/x y):",  # no address with a space
        "> **Fien** schreef iets anders:",
        "**Gijs** schreef in [bericht #1](/forum/bericht/1):",  # not in a quote
        "> **Hans** schreef in [bericht #1](/forum/bericht/1): en meer",  # text after it
    ])
    assert QUOTE_HEADER_RE.findall(source) == ["Anna de Vries", "Bert Jansen", "Carla"]


def test_a_name_with_odd_characters_still_reads_back():
    header = quote_header("Özlem van der Berg-Jansen", "/forum/bericht/7", "bericht #1")
    assert QUOTE_HEADER_RE.findall(header) == ["Özlem van der Berg-Jansen"]
    assert QUOTE_HEADER_RE.findall(quote_header("x" * 121, "/forum/bericht/7", "bericht #1")) == []


def test_mentions_inside_a_quote_with_a_link_are_no_mentions():
    source = (quote_markdown("Anna", "Wat vindt @Bert Jansen hiervan?", "/forum/bericht/3",
                             "bericht #1") + "Ik vraag het @Carla ook.")
    assert mention_candidates(source) == [["Carla ook", "Carla"]]
