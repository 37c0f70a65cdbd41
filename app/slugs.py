"""Readable, ASCII-only parts of addresses and file names, made the same way everywhere."""
import re
import unicodedata


def slugify(text, max_length=70, fallback=""):
    """Lower-case ASCII letters, digits and single hyphens: "Coöperatie Zon!" → "cooperatie-zon"."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or fallback


def thread_slug(title):
    """The readable part of a thread address (the forum's URLs and the search index use it)."""
    return slugify(title, max_length=60, fallback="discussie")


def person_slug(name):
    """The readable part of a profile address (/leden/12-anna-de-vries): cosmetic, the id decides."""
    return slugify(name, max_length=60, fallback="lid")
