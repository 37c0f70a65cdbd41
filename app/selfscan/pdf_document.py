"""A small writer of tagged PDF documents on top of fpdf2: headings, paragraphs, lists, links,
tables and figures, each marked in a structure tree so screen readers can read the document.

fpdf2 2.8 tags little by itself: images and links given an alt text become a flat /Figure or
/Link element, and the outline (bookmarks) has no headings behind it. This module keeps its own
structure tree instead: /Document with /H1-/H3, /P, /L > /LI > /Lbl + /LBody, /Link (its text and
its annotation, by /OBJR), /Table > /TR > /TH (with /Scope) + /TD, /Caption and /Figure (with
/Alt). Footers, table borders and repeated table headers are marked as artifacts.

It uses fpdf2's internals (FPDF.struct_builder, FPDF._out, the page objects): the version is
pinned in requirements.txt and tests/unit/test_selfscan_pdf.py reads the structure back, so an
upgrade that changes them fails a test instead of silently producing an untagged PDF.

No pip package we depend on ships a Unicode TTF font, so text uses the core Helvetica font in the
Windows-1252 encoding: that covers Dutch and French accents (ë, ö, é, ç …), curly quotes, dashes
and the euro sign. `clean` removes control and invisible characters and turns a character outside
that encoding into its unaccented form (ł → l) or "?".
"""
import functools
import re
import types
import unicodedata
from contextlib import contextmanager
from xml.sax.saxutils import escape

ENCODING = "windows-1252"
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]"
)
# Letters that have no decomposition into a base letter plus accent.
_PLAIN = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h"}

FONT = "Helvetica"
TEXT = (33, 37, 41)
MUTED = (90, 98, 105)  # 6.2:1 on white
LINK = (10, 88, 202)  # 6.4:1 on white
HEADING = (20, 108, 67)  # the site's green, 6.1:1 on white
RULE = (173, 181, 189)
HEADER_FILL = (233, 236, 239)
MARGIN = 18
BOTTOM = 20  # the footer lives in the bottom margin
HEADING_ROOM = 30  # mm a table's first row leaves on a page for the heading above it
CELL_PAD = 1.3  # above and below the text of a table cell (fpdf2 adds 1 mm left and right)


def clean(text):
    """Text that the core font can show: no control characters, only Windows-1252 characters."""
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    out = []
    for char in text:
        try:
            char.encode(ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", _PLAIN.get(char, char))
                           if not unicodedata.combining(c))
            try:
                base.encode(ENCODING)
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


@functools.cache
def _fpdf():
    """fpdf2 and our structure-tree objects, loaded with the first PDF: fpdf2 brings Pillow and
    fontTools (about 38 MB), which a web worker should not load at start-up
    (tests/unit/test_memory_imports.py). The classes subclass fpdf2's PDFObject, so they can only
    be defined once it is imported."""
    import fpdf
    from fpdf.annotations import AnnotationDict, PDFAnnotation
    from fpdf.prefs import ViewerPreferences
    from fpdf.syntax import PDFObject, PDFString

    class StructElement(PDFObject):
        """A structure element: its kids are elements, marked content on a page or annotations."""

        def __init__(self, kind, parent, page=None, alt=None, attributes=None, title=None):
            super().__init__()
            self.kind, self.parent, self.page = kind, parent, page
            self.alt, self.attributes, self.title = alt, attributes, title
            self.kids = []

        def serialize(self, obj_dict=None, _security_handler=None):
            kids = []
            for kid in self.kids:
                if isinstance(kid, PDFObject):
                    kids.append(kid.ref)
                elif kid[0] == "mcid":  # ("mcid", page object, number)
                    kids.append(f"<</Type /MCR /Pg {kid[1].ref} /MCID {kid[2]}>>")
                else:  # ("annotation", page object, annotation)
                    kids.append(f"<</Type /OBJR /Pg {kid[1].ref} /Obj {kid[2].ref}>>")
            entries = {"/Type": "/StructElem", "/S": self.kind, "/P": self.parent.ref,
                       "/K": "[" + " ".join(kids) + "]"}
            if self.page is not None:
                entries["/Pg"] = self.page.ref
            if self.title:
                entries["/T"] = PDFString(self.title).serialize()
            if self.alt:
                entries["/Alt"] = PDFString(self.alt).serialize()
            if self.attributes:
                entries["/A"] = self.attributes
            return super().serialize(obj_dict=entries)

    class ParentTree(PDFObject):
        """The number tree from a page's /StructParents (an array: the element of each MCID) or
        an annotation's /StructParent (its /Link element) back into the structure tree."""

        def __init__(self):
            super().__init__()
            self.entries = []  # (key, [elements]) for a page, (key, element) for an annotation

        def serialize(self, obj_dict=None, _security_handler=None):
            nums = []
            for key, value in self.entries:
                if isinstance(value, list):
                    nums.append(f"{key} [{' '.join(element.ref for element in value)}]")
                else:
                    nums.append(f"{key} {value.ref}")
            return super().serialize(obj_dict={"/Nums": "[" + "\n".join(nums) + "]"})

    class StructTreeRoot(PDFObject):
        def __init__(self, parent_tree):
            super().__init__()
            self.parent_tree = parent_tree
            self.document = None

        def serialize(self, obj_dict=None, _security_handler=None):
            return super().serialize(obj_dict={
                "/Type": "/StructTreeRoot", "/K": f"[{self.document.ref}]",
                "/ParentTree": self.parent_tree.ref,
                "/ParentTreeNextKey": str(len(self.parent_tree.entries)),
            })

    return types.SimpleNamespace(
        FPDF=fpdf.FPDF, AnnotationDict=AnnotationDict,
        PDFAnnotation=PDFAnnotation,
        ViewerPreferences=ViewerPreferences, StructElement=StructElement, ParentTree=ParentTree,
        StructTreeRoot=StructTreeRoot,
    )


class StructureTree:
    """The structure tree of one document, and the marked content that ties page content to it.

    Content is only ever marked at a leaf (`content()`), never nested, so a page break in the
    middle (an auto page break inside a paragraph) simply closes the sequence on the old page and
    opens a new one, with a new MCID, on the next (`page_ends` / `page_starts`). It stands in for
    FPDF.struct_builder, which fpdf2 writes out at output() time: `empty()`, iterating over the
    objects to write, and `doc_struct_elem.k` (the top-level elements whose /Pg fpdf2 would set:
    none, since every element sets its own).
    """

    def __init__(self, pdf):
        lib = _fpdf()
        self._lib = lib
        self.pdf = pdf
        self.parent_tree = lib.ParentTree()
        self.root = lib.StructTreeRoot(self.parent_tree)
        self.document = lib.StructElement("/Document", self.root)
        self.root.document = self.document
        self.elements = [self.document]
        self.stack = [self.document]
        self.doc_struct_elem = types.SimpleNamespace(k=())
        self._open = None  # the element whose marked content is open, or "artifact"
        self._artifact = ""
        self._page_entries = {}  # page number -> the element of each MCID on that page

    # -- what fpdf2's output() asks of a struct_builder --
    def empty(self):
        return len(self.elements) == 1

    def __iter__(self):
        yield self.root
        yield from self.elements
        yield self.parent_tree

    def next_mcid_for_page(self, page_number):
        raise NotImplementedError("fpdf2's own tagging (alt_text) is not used in this document")

    add_marked_content = next_mcid_for_page

    # -- building --
    @property
    def current(self):
        return self.stack[-1]

    def add(self, kind, **fields):
        """A new element under the current one (not entered)."""
        element = self._lib.StructElement(kind, self.current, page=self.pdf.pages[self.pdf.page],
                                          **fields)
        self.current.kids.append(element)
        self.elements.append(element)
        return element

    @contextmanager
    def element(self, kind, **fields):
        """A new element under the current one, current while the block runs."""
        element = self.add(kind, **fields)
        self.stack.append(element)
        try:
            yield element
        finally:
            self.stack.pop()

    @contextmanager
    def within(self, element):
        """An existing element current again while the block runs (a link over two lines)."""
        self.stack.append(element)
        try:
            yield element
        finally:
            self.stack.pop()

    @contextmanager
    def content(self):
        """Marks what is drawn in the block as content of the current element."""
        if self._open is not None:
            raise RuntimeError("marked content cannot be nested")
        self._open = self.current
        self._begin()
        try:
            yield
        finally:
            self.pdf._out("EMC")
            self._open = None

    @contextmanager
    def tag(self, kind, **fields):
        """A new element whose content is what the block draws."""
        with self.element(kind, **fields) as element, self.content():
            yield element

    @contextmanager
    def artifact(self, kind="/Layout"):
        """What the block draws is decoration (borders, a repeated table header, the footer)."""
        if self._open is not None:
            raise RuntimeError("marked content cannot be nested")
        self._open, self._artifact = "artifact", kind
        self._begin()
        try:
            yield
        finally:
            self.pdf._out("EMC")
            self._open = None

    def _begin(self):
        pdf = self.pdf
        if self._open == "artifact":
            pdf._out(f"/Artifact <</Type {self._artifact}>> BDC")
            return
        page = pdf.page
        entries = self._page_entries.get(page)
        if entries is None:
            entries = self._page_entries[page] = []
            pdf.pages[page].struct_parents = len(self.parent_tree.entries)
            self.parent_tree.entries.append((pdf.pages[page].struct_parents, entries))
        mcid = len(entries)
        entries.append(self._open)
        self._open.kids.append(("mcid", pdf.pages[page], mcid))
        pdf._out(f"/{self._open.kind[1:]} <</MCID {mcid}>> BDC")

    def page_ends(self):
        """Called first thing in the footer: close what is open on this page."""
        if self._open is not None:
            self.pdf._out("EMC")

    def page_starts(self):
        """Called from the header of the next page: go on with what was open."""
        if self._open is not None:
            self._begin()

    def adopt_links(self, since):
        """Turns the link annotations fpdf2 added since `since` ({page: count}) into annotation
        objects that belong to the current /Link element, each with a description (/Contents)."""
        link = self.current
        text = link.alt or ""
        for page in range(min(since), self.pdf.page + 1):
            annotations = self.pdf.pages[page].annots
            for index in range(since.get(page, 0), len(annotations)):
                inline = annotations[index]
                if not isinstance(inline, self._lib.AnnotationDict):
                    continue
                annotation = self._lib.PDFAnnotation("Link", 0, 0, 0, 0, action=inline.a,
                                                     contents=text)
                annotation.rect, annotation.border = inline.rect, inline.border
                annotation.struct_parent = len(self.parent_tree.entries)
                self.parent_tree.entries.append((annotation.struct_parent, link))
                annotations[index] = annotation
                link.kids.append(("annotation", self.pdf.pages[page], annotation))


def _xmp(title, subject, author, lang):
    """XMP metadata: title, description, creator and language, as readers that ignore the
    document information dictionary (and accessibility checkers) look for them."""
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>'
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li>'
        '</rdf:Alt></dc:description>'
        f'<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>'
        f'<dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>'
        '</rdf:Description></rdf:RDF></x:xmpmeta>'
    )


class Document:
    """An A4 document with a tagged structure, an outline and a footer on every page."""

    def __init__(self, title, subject="", author="", footer=""):
        lib = _fpdf()
        self.lib = lib
        self.pdf = pdf = lib.FPDF(format="A4")
        pdf.core_fonts_encoding = ENCODING
        pdf.set_title(clean(title))
        pdf.set_lang("nl")
        pdf.set_subject(clean(subject))
        pdf.set_author(clean(author))
        pdf.set_creator(clean(author))
        pdf.set_xmp_metadata(_xmp(clean(title), clean(subject), clean(author), "nl"))
        pdf.viewer_preferences = lib.ViewerPreferences(display_doc_title=True)
        pdf.page_mode = "USE_OUTLINES"  # the bookmarks panel opens with the document
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=BOTTOM)
        pdf.alias_nb_pages()
        self.tags = StructureTree(pdf)
        pdf.struct_builder = self.tags
        self.footer_text = clean(footer)
        pdf.header = self._header  # FPDF calls self.header() / self.footer() on every page
        pdf.footer = self._footer
        pdf.set_text_color(*TEXT)
        pdf.add_page()

    def output(self):
        return bytes(self.pdf.output())

    # -- pages --
    def _header(self):
        self.tags.page_starts()

    def _footer(self):
        pdf = self.pdf
        self.tags.page_ends()
        pdf._out("/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
        y, x = pdf.y, pdf.x
        pdf.set_y(-14)
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*MUTED)
        pdf.cell(0, 8, f"{self.footer_text} - pagina {pdf.page_no()} van {{nb}}", align="C")
        pdf.set_text_color(*TEXT)
        pdf.set_xy(x, y)
        pdf._out("EMC")

    @property
    def room(self):
        """The height left on this page (mm)."""
        return self.pdf.page_break_trigger - self.pdf.y

    @property
    def page_height(self):
        """The height of a page's body (mm)."""
        return self.pdf.page_break_trigger - self.pdf.t_margin

    def need(self, height):
        """A new page unless `height` mm (at most a page) still fits on this one."""
        height = min(height, self.page_height)
        if height > self.room and self.pdf.y > self.pdf.t_margin + 0.01:
            self.pdf.add_page()

    def lines(self, text, width=0, size=10, style=""):
        """`text` wrapped at spaces to `width` mm (0: to the right margin) in the given font,
        less the 1 mm fpdf2 keeps free on either side of a cell; a word wider than that is cut.

        Each line but the last keeps a space at its end: without it a screen reader or a copy
        would glue the last word of a line to the first of the next. (Our own greedy wrap:
        fpdf2's multi_cell wraps character by character, far slower, and drops that space.)"""
        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        room = (width or pdf.epw) - 2 * pdf.c_margin
        space = pdf.get_string_width(" ")
        lines = []
        for paragraph in clean(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                wide = pdf.get_string_width(word)
                if line and used + space + wide <= room:
                    line, used = f"{line} {word}", used + space + wide
                    continue
                if line:
                    lines.append(line)
                while wide > room and len(word) > 1:  # cut: as many letters as fit, at least one
                    cut, taken = 0, 0.0
                    for char in word:
                        taken += pdf.get_string_width(char)
                        if taken > room and cut:
                            break
                        cut += 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    wide = pdf.get_string_width(word)
                line, used = word, wide
            lines.append(line)
        return [line + " " for line in lines[:-1]] + lines[-1:]

    def text_height(self, text, width=0, size=10, style="", line_height=None):
        """The height (mm) `text` takes, wrapped by `lines()`."""
        return len(self.lines(text, width, size, style)) * (line_height or size * 0.5)

    def _text(self, text, size, style="", line_height=None, align="L"):
        """`text` from the left margin to the right one, one cell per line of `lines()` (an
        auto page break may come between two lines)."""
        pdf = self.pdf
        lines = self.lines(text, 0, size, style)
        pdf.set_font(FONT, style, size)
        for line in lines:
            pdf.cell(0, line_height or size * 0.5, line, align=align, new_x="LMARGIN",
                     new_y="NEXT")

    # -- blocks --
    HEADING_SIZE = {1: 18, 2: 14, 3: 11.5}
    HEADING_SPACE = {1: 0, 2: 5, 3: 3}

    def heading_height(self, text, level):
        size = self.HEADING_SIZE[level]
        return (self.HEADING_SPACE[level] + 1.5
                + self.text_height(text, size=size, style="B", line_height=size * 0.45))

    def heading(self, text, level, keep=12):
        """An /H<level> heading (1-3), on one page with the first `keep` mm of what follows, and
        (levels 2 and 3) an entry in the outline: level 2 at its top, level 3 under it."""
        size = self.HEADING_SIZE[level]
        self.need(self.heading_height(text, level) + keep)
        pdf = self.pdf
        if pdf.y > pdf.t_margin + 0.01:
            pdf.ln(self.HEADING_SPACE[level])
        if level > 1:
            pdf.start_section(clean(text), level=level - 2)
        pdf.set_font(FONT, "B", size)
        pdf.set_text_color(*(HEADING if level < 3 else TEXT))
        with self.tags.tag(f"/H{level}"):
            self._text(text, size, "B", line_height=size * 0.45)
        pdf.set_text_color(*TEXT)
        pdf.ln(1.5)

    def paragraph_height(self, text, size=10, after=2):
        return self.text_height(text, size=size) + after

    def paragraph(self, text, size=10, style="", colour=TEXT, after=2, keep=0):
        """A /P paragraph; its first two lines never stand alone at a page's foot, nor the whole
        paragraph without the first `keep` mm of what follows."""
        pdf = self.pdf
        line = size * 0.5
        height = self.text_height(text, size=size, style=style)
        self.need(min(height, 2 * line) if not keep else height + after + keep)
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*colour)
        with self.tags.tag("/P"):
            self._text(text, size, style)
        pdf.set_text_color(*TEXT)
        pdf.ln(after)

    def rich_paragraph(self, parts, size=10, after=2):
        """A /P paragraph of (text, url or None) parts: a part with a url is a /Link."""
        plain = "".join(text for text, _url in parts)
        self.need(min(self.text_height(plain, size=size), size))
        with self.tags.element("/P"):
            self._flow(parts, size)
        self.pdf.ln(size * 0.5 + after)

    def link(self, text, url, size=10, style="B", after=2):
        """A paragraph that is one link, e.g. "Stel een vraag in het Financelab"."""
        self.need(self.text_height(text, size=size, style=style))
        with self.tags.element("/P"):
            self._flow([(text, url)], size, style)
        self.pdf.ln(size * 0.5 + after)

    def _flow(self, parts, size, style=""):
        """Text parts (text, url or None) as lines from the current position: wrapped by
        `lines()`, so a line keeps its space; a part with a url is one /Link element (its text on
        each line, and a link annotation per line)."""
        pdf = self.pdf
        line_height = size * 0.5
        parts = [(clean(text), url) for text, url in parts]
        plain = "".join(text for text, _url in parts)
        lines = self.lines(plain, 0, size, style)
        if "".join(lines) != plain:  # broken elsewhere than at one space: fpdf2 wraps instead
            lines = [plain]
        links = {}
        start = 0
        for number, line in enumerate(lines):
            end, offset = start + len(line), 0
            for index, (text, url) in enumerate(parts):
                first, last = max(start, offset), min(end, offset + len(text))
                offset += len(text)
                if first >= last:
                    continue
                piece = plain[first:last]
                if not url:
                    pdf.set_font(FONT, style, size)
                    with self.tags.content():
                        pdf.write(line_height, piece)
                    continue
                if index not in links:
                    links[index] = self.tags.add("/Link", alt=text)
                pdf.set_font(FONT, style + "U", size)
                pdf.set_text_color(*LINK)
                since = {pdf.page: len(pdf.pages[pdf.page].annots)}
                with self.tags.within(links[index]):
                    with self.tags.content():
                        pdf.write(line_height, piece.rstrip(" "), link=url)
                        if piece.endswith(" "):  # the space a line keeps, not underlined
                            pdf.set_font(FONT, style, size)
                            pdf.write(line_height, " ")
                    self.tags.adopt_links(since)
                pdf.set_text_color(*TEXT)
                pdf.set_font(FONT, style, size)
            start = end
            if number < len(lines) - 1:
                pdf.ln(line_height)

    @contextmanager
    def bullet_list(self):
        """An /L list; add items with `item()` inside the block."""
        with self.tags.element("/L"):
            yield
        self.pdf.ln(1)

    @contextmanager
    def item(self, height):
        """An /LI with a bullet (/Lbl); the block draws its /LBody, `height` mm, kept together."""
        pdf = self.pdf
        self.need(height)
        indent = 5
        with self.tags.element("/LI"):
            pdf.set_font(FONT, "", 10)
            y = pdf.y
            with self.tags.tag("/Lbl"):
                pdf.cell(indent, 5, "\u2022")  # in Windows-1252 too
            pdf.set_xy(pdf.l_margin + indent, y)
            pdf.set_left_margin(MARGIN + indent)
            try:
                with self.tags.element("/LBody"):
                    yield
            finally:
                pdf.set_left_margin(MARGIN)
                pdf.set_x(MARGIN)
        pdf.ln(1)

    def body_text(self, text, size=10, style="", colour=TEXT):
        """Text inside the current element (an /LBody), as its own marked content."""
        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*colour)
        with self.tags.content():
            self._text(text, size, style)
        pdf.set_text_color(*TEXT)

    @contextmanager
    def figure(self, alt, height):
        """A /Figure with alternative text; the block draws it in `height` mm, on one page."""
        self.need(height)
        pdf = self.pdf
        top = pdf.y
        k, page_height = pdf.k, pdf.h
        box = (f"[{MARGIN * k:.2f} {(page_height - top - height) * k:.2f} "
               f"{(pdf.w - MARGIN) * k:.2f} {(page_height - top) * k:.2f}]")
        with self.tags.tag("/Figure", alt=clean(alt),
                           attributes=f"<</O /Layout /Placement /Block /BBox {box}>>"):
            yield top
        pdf.set_xy(pdf.l_margin, top + height)

    def plan_table(self, rows, widths, header=None, caption=None, align=None, row_headers=True,
                   whole=False, size=9):
        """A /Table laid out, to measure (`.start`) before drawing it with `table()`.

        `header`: column titles (a /TH row, repeated as an artifact on each new page); `rows`:
        lists of cells, a cell being text or (text, span); the first cell of a row is a row header
        (/TH) when `row_headers`; `align` per column, "L" or "R". A row is never split. With
        `whole`, a table that fits on a page is kept on one page; otherwise it breaks between rows,
        with at least three rows before a break and two after it. `.start` is the height that must
        follow whatever should stay with the table (a heading)."""
        line = size * 0.46
        head = self._layout(header, widths, size, "B", line) if header else None
        body = [self._layout(row, widths, size, "", line) for row in rows]
        heights = [height for _cells, height in body]
        caption_height = self.text_height(caption, size=size, style="B") + 1 if caption else 0
        top = caption_height + (head[1] if head else 0)
        start = top + sum(heights[:3])
        if whole and top + sum(heights) <= self.page_height:
            start = top + sum(heights)
        elif start > self.page_height - HEADING_ROOM and heights:  # very tall rows
            start = top + heights[0]
        return types.SimpleNamespace(
            head=head, body=body, heights=heights, caption=caption, size=size, line=line,
            align=align or ["L"] * len(widths), row_headers=row_headers, start=start + 2,
        )

    def table(self, plan):
        """Draws a table planned with `plan_table()`."""
        pdf = self.pdf
        self.need(plan.start)
        body, heights = plan.body, plan.heights
        with self.tags.element("/Table"):
            if plan.caption:
                pdf.set_font(FONT, "B", plan.size)
                with self.tags.tag("/Caption"):
                    self._text(plan.caption, plan.size, "B")
                pdf.ln(1)
            if plan.head:
                self._row(plan.head, plan, kind="head")
            for index, (cells, height) in enumerate(body):
                # The last two rows go together, so the last never stands alone on a page.
                last_two = index == len(body) - 2 and height + heights[-1] <= self.page_height / 2
                if height > self.room or (last_two and height + heights[-1] > self.room):
                    pdf.add_page()
                    if plan.head:  # repeated for the reader's eye; a screen reader hears it once
                        self._row(plan.head, plan, kind="repeat")
                self._row((cells, height), plan, kind="body" if plan.row_headers else "data")
        pdf.ln(2)

    def _layout(self, row, widths, size, style, line):
        """([(lines, x offset, width, span, column)], height) of a row; each cell wrapped to its column.
        A cell taller than a page less room for a heading (absurdly long text) is cut short
        with "…", so a row always fits a page under its heading."""
        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        most_lines = int((self.page_height - HEADING_ROOM - 2 * CELL_PAD) // line)
        cells, column = [], 0
        for cell in row:
            text, span = cell if isinstance(cell, tuple) else (cell, 1)
            width = sum(widths[column:column + span])
            lines = self.lines(text, width, size, style)
            if len(lines) > most_lines:
                lines = lines[:most_lines - 1] + ["\u2026"]
            cells.append((lines or [""], sum(widths[:column]), width, span, column))
            column += span
        height = max(len(lines) for lines, *_rest in cells) * line + 2 * CELL_PAD
        return cells, height

    def _row(self, layout, plan, kind):
        """kind: "head" (column headers), "repeat" (the header again on a new page: an
        artifact), "body" (first cell a row header) or "data" (only data cells)."""
        pdf = self.pdf
        cells, height = layout
        size, line, align = plan.size, plan.line, plan.align
        top, left = pdf.y, pdf.l_margin
        total = sum(cell[2] for cell in cells)
        with self.tags.artifact():
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.2)
            if kind in ("head", "repeat"):
                pdf.set_fill_color(*HEADER_FILL)
                pdf.rect(left, top, total, height, style="F")
            pdf.line(left, top + height, left + total, top + height)
        style = "B" if kind in ("head", "repeat") else ""
        breaks = pdf.auto_page_break
        pdf.set_auto_page_break(False)  # the row was measured to fit
        try:
            if kind == "repeat":
                with self.tags.artifact("/Pagination"):
                    for lines, x, width, span, column in cells:
                        self._cell(lines, left + x, top, width, line, size, style,
                                   align[column] if span == 1 else "L")
            else:
                with self.tags.element("/TR"):
                    for n, (lines, x, width, span, column) in enumerate(cells):
                        attributes = []
                        if kind == "head":
                            tag, attributes = "/TH", ["/Scope /Column"]
                        elif kind == "body" and n == 0:
                            tag, attributes = "/TH", ["/Scope /Row"]
                        else:
                            tag = "/TD"
                        if span > 1:
                            attributes.append(f"/ColSpan {span}")
                        fields = ({"attributes": f"<</O /Table {' '.join(attributes)}>>"}
                                  if attributes else {})
                        with self.tags.tag(tag, **fields):
                            self._cell(lines, left + x, top, width, line, size, style,
                                       align[column] if span == 1 else "L")
        finally:
            pdf.set_auto_page_break(breaks, margin=BOTTOM)
        pdf.set_xy(left, top + height)

    def _cell(self, lines, x, top, width, line, size, style, align):
        pdf = self.pdf
        pdf.set_font(FONT, style, size)
        for number, text in enumerate(lines):
            pdf.set_xy(x, top + CELL_PAD + number * line)
            pdf.cell(width, line, text, align=align)
