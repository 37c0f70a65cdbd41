"""Reading back the PDFs we write (no PDF reader is a dependency): the objects are plain text, the
page contents Flate streams. Enough to check the self-scan report's metadata, outline, links,
structure tree and text."""
import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_OBJECT = re.compile(rb"(\d+) 0 obj\n(.*?)\nendobj", re.S)
_LITERAL = re.compile(r"\((?:\\.|[^\\)])*\)")
_SHOWN = re.compile(r"(\((?:\\.|[^\\)])*\)) Tj")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "(": "(", ")": ")", "\\": "\\"}


def _unescape(literal):
    """A PDF literal string "(…)" as its bytes (as Latin-1 code points)."""
    body = literal[1:-1]
    return re.sub(r"\\(\d{1,3}|.)",
                  lambda m: chr(int(m.group(1), 8)) if m.group(1).isdigit()
                  else _ESCAPES.get(m.group(1), m.group(1)), body)


def string_value(token):
    """A PDF string token, "(…)" or "<FEFF…>", as text."""
    token = token.strip()
    if token.startswith("<"):
        raw = bytes.fromhex(token[1:-1])
        return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
    raw = _unescape(token).encode("latin-1")
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def objects(pdf):
    """{object number: its dictionary text} of every object (streams left out)."""
    out = {}
    for number, body in _OBJECT.findall(pdf):
        text = body.split(b"\nstream", 1)[0].decode("latin-1")
        out[int(number)] = text
    return out


def contents(pdf):
    """The decompressed content streams, in page order (fpdf2 writes each after its page)."""
    out = []
    for raw in _STREAM.findall(pdf):
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue  # not a Flate stream (none in our PDFs)
    return out


def page_text(stream):
    """The text a content stream shows, its strings in order, decoded from Windows-1252."""
    return "".join(_unescape(literal).encode("latin-1").decode("windows-1252")
                   for literal in _SHOWN.findall(stream))


def text(pdf):
    """All text shown on the pages, in order; lines keep the space they broke at, so words do
    not run together."""
    return "".join(page_text(stream) for stream in contents(pdf))


def entry(dictionary, key):
    """The value of `key` (a string token) in an object's dictionary text, or None."""
    match = re.search(re.escape(key) + r"\s*(<[0-9A-Fa-f]*>|\((?:\\.|[^\\)])*\))", dictionary)
    return string_value(match.group(1)) if match else None


def outline(pdf):
    """The titles of the outline (bookmarks), in document order."""
    items = [(number, body) for number, body in objects(pdf).items()
             if "/Parent" in body and "/Title" in body and "/Dest" in body]
    return [entry(body, "/Title") for _number, body in sorted(items)]


def struct_elements(pdf):
    """[(number, type, dictionary text)] of the structure elements."""
    out = []
    for number, body in sorted(objects(pdf).items()):
        if "/Type /StructElem" in body:
            kind = re.search(r"/S (/\w+)", body).group(1)
            out.append((number, kind, body))
    return out


def marked_tags(stream):
    """The tags of the marked-content sequences a content stream opens, in order."""
    return re.findall(r"^/(\w+) <<[^\n]*>> BDC$", stream, re.M)
