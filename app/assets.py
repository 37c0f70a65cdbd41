"""What a browser downloads, kept light (issue 18): static files under names that carry a hash of
their content, compressed ahead of time and cached for a year; only the part of Bootstrap's CSS
our pages use; and pages compressed on the way out.

- `url_for('static', filename='css/site.css')` gives `/static/css/site.3f2a9c1b7e4d.css`: a
  url_defaults hook looks the name up in the manifest built when the app starts. Changed content
  gets a new name, so a browser may keep a hashed file forever (`immutable`) and never asks again.
  The plain name keeps working; it is revalidated on every use (`no-cache`).
- WhiteNoise serves both from STATIC_BUILD_DIR (each hashed file is written once, with .gz and .br
  beside it), in front of Flask: under gunicorn, `make run` and the tests alike.
- Bootstrap comes from Bootstrap-Flask's pinned package under `vendor/bootstrap/`: its CSS cut down
  to the rules whose classes occur in our templates, scripts or Python code (`bootstrap_subset`),
  its JavaScript whole (the collapse and dropdown plugins the header uses need its shared core,
  and the dropdown needs Popper; the package ships no smaller parts).
- With STATIC_AUTOREFRESH (development), an edited file or template is picked up on the next page.
"""
import gzip
import hashlib
import os
import re
import tempfile
import threading
import time
from pathlib import Path

import flask_bootstrap
from flask import request
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

BOOTSTRAP_DIR = Path(flask_bootstrap.__file__).parent / "static" / "bootstrap5"
BOOTSTRAP_CSS = "vendor/bootstrap/bootstrap.min.css"
VENDOR_FILES = {
    BOOTSTRAP_CSS: BOOTSTRAP_DIR / "css" / "bootstrap.min.css",
    "vendor/bootstrap/bootstrap.min.js": BOOTSTRAP_DIR / "js" / "bootstrap.min.js",
    "vendor/bootstrap/popper.min.js": BOOTSTRAP_DIR / "umd" / "popper.min.js",
}
HASH_LENGTH = 12
HASHED_NAME = re.compile(r"\.[0-9a-f]{%d}\.[A-Za-z0-9]+$" % HASH_LENGTH)
YEAR = 365 * 24 * 60 * 60
# The source maps are not shipped, so their comments would only send browser tools to a 404.
SOURCE_MAP_COMMENT = re.compile(rb"\s*(?:/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")
# Files whose words may be class names on a page (see used_class_names).
SCANNED_SUFFIXES = {".html", ".js", ".py"}

# Pages worth compressing, and the least size for which it pays.
COMPRESSIBLE_TYPES = {"text/html", "application/json", "text/plain", "text/csv", "application/xml"}
COMPRESS_MIN_BYTES = 1024
# Level 1, as nginx compresses by default: a 80 KB thread page in 0.3 ms instead of 1.0 ms at level
# 6, for 12.6 KB instead of 10.0 KB on the wire (measured on this machine).
COMPRESS_LEVEL = 1


def register_assets(app, headers=None):
    """Serve static files under hashed names through WhiteNoise, with `headers` (the security
    headers; Flask's after_request never sees these answers), and compress pages."""
    files = StaticFiles(app, headers)
    app.extensions["static_files"] = files

    @app.url_defaults
    def hashed_static_name(endpoint, values):
        if endpoint == "static" and "filename" in values:
            hashed = files.hashed(values["filename"])
            if hashed:
                values["filename"] = hashed

    if app.config.get("COMPRESS_RESPONSES", True):
        app.after_request(compress_response)


# -- hashed names ---------------------------------------------------------------------------------

class StaticFiles:
    """The manifest (name → hashed name) and the WhiteNoise application that serves the files."""

    def __init__(self, app, headers=None):
        self.extra_headers = dict(headers or {})
        self.static_dir = Path(app.static_folder)
        self.root = Path(app.root_path)
        self.build_dir = Path(app.config["STATIC_BUILD_DIR"])
        self.prefix = app.static_url_path.rstrip("/") + "/"
        self.autorefresh = bool(app.config.get("STATIC_AUTOREFRESH"))
        self.manifest = {}
        self.signatures = {}
        self.checked = {}
        self._lock = threading.Lock()
        self.whitenoise = WhiteNoise(
            app.wsgi_app, max_age=None, allow_all_origins=False,
            immutable_file_test=lambda path, url: bool(HASHED_NAME.search(url)),
            add_headers_function=self._headers)
        app.wsgi_app = self.whitenoise
        for name in self.names():
            self.build(name)

    def names(self):
        """Every file under static/ (its name relative to it, with /) and the vendored ones."""
        names = []
        for path in sorted(self.static_dir.rglob("*")):
            relative = path.relative_to(self.static_dir).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in relative.split("/")) \
                    and path.suffix not in (".gz", ".br"):
                names.append(relative)
        return names + list(VENDOR_FILES)

    def hashed(self, name):
        """The hashed name of a static file (None for a file we do not know)."""
        if self.autorefresh:
            self._refresh(name)
        return self.manifest.get(name)

    def content(self, name):
        if name == BOOTSTRAP_CSS:
            used = used_class_names(self.root)
            key = (used.words_key, used.pattern.pattern if used.pattern else "")
            if key not in _SUBSETS:  # the tests build many apps from the same files
                css = VENDOR_FILES[name].read_text(encoding="utf-8")
                _SUBSETS.clear()
                _SUBSETS[key] = bootstrap_subset(css, used).encode("utf-8")
            return _SUBSETS[key]
        if name in VENDOR_FILES:
            return SOURCE_MAP_COMMENT.sub(b"\n", VENDOR_FILES[name].read_bytes())
        return (self.static_dir / name).read_bytes()

    def signature(self, name):
        """What changes when the file (or, for Bootstrap's CSS, any scanned file) changes."""
        try:
            if name == BOOTSTRAP_CSS:
                stats = [path.stat() for path in scanned_files(self.root)]
                return len(stats), max(stat.st_mtime_ns for stat in stats)
            stat = (VENDOR_FILES.get(name) or self.static_dir / name).stat()
        except (OSError, ValueError):
            return None
        return stat.st_mtime_ns, stat.st_size

    def build(self, name):
        """Write the hashed file (once per content) and serve it under both names."""
        signature = self.signature(name) if self.autorefresh else None
        data = self.content(name)
        hashed = hashed_name(name, data)
        path = self.build_dir / hashed
        write_once(path, data)
        self.whitenoise.add_file_to_dictionary(self.prefix + hashed, str(path))
        self.whitenoise.add_file_to_dictionary(self.prefix + name, str(path))
        self.manifest[name] = hashed
        self.signatures[name] = signature

    def _refresh(self, name):
        # At most once a second per file: the Bootstrap subset looks at some 350 files (5 ms).
        now = time.monotonic()
        if now - self.checked.get(name, 0) < 1 or (
                name not in self.manifest and not (self.static_dir / name).is_file()):
            return
        self.checked[name] = now
        signature = self.signature(name)
        if signature is not None and signature != self.signatures.get(name):
            with self._lock:
                if signature != self.signatures.get(name):
                    self.build(name)

    def _headers(self, headers, path, url):
        for name, value in self.extra_headers.items():
            headers[name] = value
        if HASHED_NAME.search(url):
            headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            headers["Cache-Control"] = "no-cache"  # the plain name: always ask whether it changed
        headers["X-Content-Type-Options"] = "nosniff"


def hashed_name(name, data):
    """css/site.css → css/site.3f2a9c1b7e4d.css (the first 12 hex digits of a SHA-256)."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    folder, _, filename = name.rpartition("/")
    stem, dot, extension = filename.rpartition(".")
    hashed = f"{stem}.{digest}.{extension}" if dot and stem else f"{filename}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def write_once(path, data):
    """Write a content-addressed file and its compressed copies, unless there already. Every
    file appears at once (written aside, then renamed), and the copies before the file itself, so
    several workers starting together never serve a half-written one."""
    if path.is_file() and path.stat().st_size == len(data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    compressor = Compressor(quiet=True)
    if compressor.should_compress(path.name):
        copies = [(".br", compressor.compress_brotli)] if compressor.use_brotli else []
        for suffix, compress in copies + [(".gz", compressor.compress_gzip)]:
            compressed = compress(data)
            if len(compressed) <= 0.95 * len(data):
                _write_atomically(path.with_name(path.name + suffix), compressed)
    _write_atomically(path, data)


def _write_atomically(path, data):
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- the part of Bootstrap we use -----------------------------------------------------------------

# Classes and attributes that Bootstrap's collapse and dropdown plugins set themselves.
BOOTSTRAP_JS_NAMES = {"show", "collapse", "collapsing", "collapsed", "collapse-horizontal", "dropup",
                      "dropend", "dropstart", "dropup-center", "dropdown-center", "dropdown-menu",
                      "navbar", "navbar-nav", "data-bs-popper"}
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
CLASS_ATTRIBUTE = re.compile(r"""class="([^"]*)\"""")
JINJA_STATEMENT = re.compile(r"\{%.*?%\}", re.S)
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
WILDCARD = "\x00"
_SUBSETS = {}


class UsedNames:
    """Words that may be class names on a page, and patterns for names built in a template
    (`alert-{{ category }}` → every `alert-…` class)."""

    def __init__(self, words=(), patterns=()):
        self.words = frozenset(words) | BOOTSTRAP_JS_NAMES
        self.words_key = hashlib.sha256(" ".join(sorted(self.words)).encode()).hexdigest()
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    def __contains__(self, name):
        return name in self.words or bool(self.pattern and self.pattern.fullmatch(name))


def scanned_files(root):
    return sorted(path for path in Path(root).rglob("*")
                  if path.suffix in SCANNED_SUFFIXES and "__pycache__" not in path.parts
                  and path.is_file())


def used_class_names(root):
    """Every word in the templates, scripts and Python code under `root` (a class name given in
    Python, such as a badge colour, counts too), plus a pattern for each class a template builds
    from an expression. Generous on purpose: a word that is no class costs nothing."""
    words, patterns = set(), set()
    for path in scanned_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        words.update(WORD.findall(text))
        if path.suffix != ".html":
            continue
        for value in CLASS_ATTRIBUTE.findall(text):
            value = JINJA_EXPRESSION.sub(WILDCARD, JINJA_STATEMENT.sub(" ", value))
            for token in value.split():
                if WILDCARD in token and token.strip(WILDCARD):
                    patterns.add("[A-Za-z0-9_-]*".join(re.escape(part) for part in token.split(WILDCARD)))
    return UsedNames(words, sorted(patterns))


def bootstrap_subset(css, used):
    """`css` (a minified Bootstrap) without the selectors that need a class or `data-bs-`
    attribute not in `used`, without the rules and @media blocks left empty and the @keyframes no
    rule names; the licence comment stays, other comments go."""
    pieces = []  # (the name of a @keyframes or None, its text)
    for node in parse_css(css):
        kept = _purge(node, used)
        if kept is not None:
            keyframes = node[0] == "block" and node[1].startswith("@keyframes")
            pieces.append((node[1].split()[1] if keyframes else None, kept))
    rules = "".join(kept for name, kept in pieces if name is None)
    return "".join(kept for name, kept in pieces if name is None or re.search(
        rf"(?<![\w-]){re.escape(name)}(?![\w-])", rules)) + "\n"


def _purge(node, used):
    kind = node[0]
    if kind == "comment":
        return node[1] + "\n" if node[1].startswith("/*!") else None
    if kind == "statement":
        return node[1]
    if kind == "group":  # @media, @supports …: keep what is used inside
        inner = "".join(filter(None, (_purge(child, used) for child in node[2])))
        return f"{node[1]}{{{inner}}}" if inner else None
    prelude, body = node[1], node[2]
    if prelude.startswith("@"):  # @keyframes, @font-face, @page: whole
        return f"{prelude}{{{body}}}"
    selectors = [s for s in _split(prelude, ",") if _selector_is_used(s, used)]
    return f"{','.join(selectors)}{{{body}}}" if selectors else None


FUNCTIONAL_PSEUDO = re.compile(r":(?:not|is|where|has)\(")
SELECTOR_CLASS = re.compile(r"\.(-?[A-Za-z_][A-Za-z0-9_-]*)")
SELECTOR_DATA_ATTRIBUTE = re.compile(r"\[(data-bs-[A-Za-z0-9_-]+)")


def _selector_is_used(selector, used):
    # A class inside :not(), :is(), :where() or :has() is not needed for the selector to match.
    while match := FUNCTIONAL_PSEUDO.search(selector):
        end = _matching(selector, match.end() - 1, "(", ")")
        selector = selector[:match.start()] + selector[end + 1:]
    names = SELECTOR_CLASS.findall(selector) + SELECTOR_DATA_ATTRIBUTE.findall(selector)
    return all(name in used for name in names)


GROUP_RULES = ("@media", "@supports", "@container", "@layer", "@document")


def _parse(css, start=0, nested=False):
    """The rules of `css` as nodes: ("comment", text), ("statement", "@charset …;"),
    ("group", "@media …", [nodes]) and ("block", prelude, declarations)."""
    nodes, i, end = [], start, len(css)
    while i < end:
        while i < end and css[i].isspace():
            i += 1
        if i >= end:
            break
        if css[i] == "}":
            if nested:
                return nodes, i + 1
            raise ValueError(f"unexpected }} at {i}")
        if css.startswith("/*", i):
            close = css.index("*/", i + 2) + 2
            nodes.append(("comment", css[i:close]))
            i = close
            continue
        stop = _next(css, i, "{;}")
        prelude = css[i:stop].strip()
        if stop >= end or css[stop] != "{":
            nodes.append(("statement", prelude + ";"))
            i = stop + 1
        elif prelude.startswith(GROUP_RULES):
            children, i = _parse(css, stop + 1, nested=True)
            nodes.append(("group", prelude, children))
        else:
            close = _matching(css, stop, "{", "}")
            nodes.append(("block", prelude, css[stop + 1:close]))
            i = close + 1
    if nested:
        raise ValueError("a block is not closed")
    return nodes, i


def parse_css(css):
    """The rules of a style sheet: see _parse."""
    return _parse(css)[0]


def _skip_string(text, i):
    quote, i = text[i], i + 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _next(text, i, stops):
    """The index of the first of `stops` from i on, outside strings and parentheses."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0 and char in stops:
            return i
        i += 1
    return len(text)


def _matching(text, i, opening, closing):
    """The index of the `closing` that matches the `opening` at i (strings skipped)."""
    depth = 0
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = _skip_string(text, i)
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"no closing {closing}")


def _split(text, separator):
    parts, i = [], 0
    while i <= len(text):
        stop = _next(text, i, separator)
        parts.append(text[i:stop].strip())
        i = stop + 1
    return [part for part in parts if part]


# -- compressed pages -----------------------------------------------------------------------------

def compress_response(response):
    """Gzip a page for a browser that accepts it (a thread page: 45 KB → 7 KB). Static files are
    compressed ahead by WhiteNoise instead. BREACH (guessing a secret in a page from the size of
    compressed replies) needs thousands of signed-in requests sent by another site, which the
    SameSite=Lax cookies do not allow, and the CSRF token in our forms changes every second."""
    if (response.direct_passthrough or response.is_streamed or response.status_code in (204, 304)
            or response.status_code < 200 or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE_TYPES
            or not request.accept_encodings["gzip"]):
        return response
    data = response.get_data()
    if len(data) < COMPRESS_MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=COMPRESS_LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
