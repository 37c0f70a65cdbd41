"""Field checks shared by the forms of several features (each in Dutch)."""
import re
import unicodedata

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.routing import IntegerConverter
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200

# Control characters other than tab, newline and carriage return have no place in what people type,
# nor do invisible formatting characters that can hide or reorder text (zero-width space, bidi
# overrides, byte-order mark). The zero-width (non-)joiners U+200C/U+200D are allowed: emoji
# sequences and several scripts (Persian, Hindi …) need them.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
# Line breaks: fine in a multi-line text, not in a one-line field such as a name.
_LINE_BREAKS = ("\n", "\r", "\u2028", "\u2029")

# The 30,000 most used passwords (from zxcvbn's lists) plus a few that people here would choose.
_COMMON_PASSWORDS = frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"]) | frozenset(
    {
        "wachtwoord", "wachtwoord1", "wachtwoord12", "wachtwoord123", "wachtwoord1234",
        "welkom123", "welkom1234", "welkomwelkom", "collectievekracht", "collectieve kracht",
        "collectievekracht1", "collectievekracht123", "burgercollectief", "cooperatie123",
        "energiecooperatie", "nederland123", "amsterdam123", "rotterdam123", "zomer2026",
        "winter2026", "kracht-demo-2026",
    }
)


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def normalise_body(value):
    """One kind of line break, no blank lines or trailing spaces around the text.

    Leading spaces of the first line stay: in Markdown they can start a code block.
    """
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip("\n").rstrip()


def normalise_title(value):
    """Trimmed, with runs of spaces (and tabs) made single."""
    if not isinstance(value, str):
        return value
    return re.sub(r"[ \t]+", " ", value).strip()


def has_control_characters(value):
    return bool(value) and bool(_CONTROL.search(value))


class NoControlCharacters:
    """Refuse invisible control characters (a line break is allowed where multiline=True)."""

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, form, field):
        value = field.data or ""
        if not isinstance(value, str):
            return
        if has_control_characters(value) or (
            not self.multiline and any(c in value for c in _LINE_BREAKS)
        ):
            raise ValidationError("Dit veld bevat onzichtbare tekens die we niet kunnen opslaan.")


def normalise_email(value):
    """Trimmed, composed (NFC) and lower case, so one address has one spelling."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value.strip()).lower()


# Characters people put around a common word to "strengthen" it (password → Password2026!).
_AFFIX = re.compile(r"^([\W\d_]*)(.*?)([\W\d_]*)$", re.DOTALL)
_MAX_AFFIX = 6


def _core(folded):
    """The password without a few digits or signs around it ("!welkom123" → "welkom"), or None."""
    prefix, core, suffix = _AFFIX.match(folded.strip()).groups()
    return core if len(prefix) + len(suffix) <= _MAX_AFFIX else None


def _is_common(folded, core):
    if folded in _COMMON_PASSWORDS or folded.strip() in _COMMON_PASSWORDS:
        return True
    return core is not None and len(core) >= 4 and core in _COMMON_PASSWORDS


def _is_repetitive(folded):
    """A short unit repeated (abcabcabc, 1212…) or a run of consecutive characters (abcdef, 9876)."""
    length = len(folded)
    for size in range(1, length // 2 + 1):
        unit = folded[:size]
        repeated = (unit * (length // size + 1))[:length] == folded
        if repeated and (size <= 4 or unit in _COMMON_PASSWORDS):
            return True
    steps = {ord(b) - ord(a) for a, b in zip(folded, folded[1:])}
    return steps == {1} or steps == {-1}


def password_problem(password, email="", name=""):
    """A Dutch explanation of why this password is refused, or None when it is fine.

    Length and a list of common passwords, no composition rules (NIST SP 800-63B, ASVS 2.1).
    """
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Een wachtwoord mag hoogstens {MAX_PASSWORD_LENGTH} tekens lang zijn."
    folded = unicodedata.normalize("NFKC", password).lower()
    core = _core(folded)
    if _is_common(folded, core):
        return "Dit wachtwoord wordt door veel mensen gebruikt en is makkelijk te raden. Kies een ander."
    if len(set(folded)) <= 2 or _is_repetitive(folded):
        return "Dit wachtwoord is makkelijk te raden. Kies een ander."
    email = (email or "").strip().lower()
    local_part = email.split("@")[0]
    if email and (
        email in folded
        or (len(local_part) >= 3 and core == local_part)
        or (len(local_part) >= 4 and folded.startswith(local_part)
            and len(folded) - len(local_part) < 4)
    ):
        return "Je wachtwoord lijkt te veel op je e-mailadres. Kies een ander."
    name = (name or "").strip().lower().replace(" ", "")
    if name and name in (folded.replace(" ", ""), (core or "").replace(" ", "")):
        return "Je wachtwoord lijkt te veel op je naam. Kies een ander."
    return None


class StrongPassword:
    """WTForms validator around password_problem.

    Compares with the form's email and name fields when present, otherwise with `_user_email` and
    `_user_name` that a view sets on the form (e.g. the person whose password is being changed).
    """

    def __call__(self, form, field):
        email = getattr(getattr(form, "email", None), "data", "") or getattr(form, "_user_email", "")
        name = getattr(getattr(form, "name", None), "data", "") or getattr(form, "_user_name", "")
        problem = password_problem(
            field.data,
            email if isinstance(email, str) else "",
            name if isinstance(name, str) else "",
        )
        if problem:
            raise ValidationError(problem)


def safe_next_url(target):
    """Only a local path may be a redirect target after login (no open redirects)."""
    if not target or not isinstance(target, str) or len(target) > 500:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    # Browsers drop tabs and line breaks from URLs ("/\t/evil.example" becomes "//evil.example"),
    # so no whitespace or control character of any kind is accepted.
    if has_control_characters(target) or any(c.isspace() for c in target):
        return None
    return target


class TextForm(FlaskForm):
    """A form that reads only the posted form fields (text), never uploads or a JSON body.

    FlaskForm also fills fields from request.files and from a JSON body, so a field could receive
    a file, a number, a list or a dict, and validators such as Length raise TypeError on those
    (a 500). Forms without file fields derive from this class instead.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                return request.form if _is_submitted() else None
            return formdata


# Ids are INTEGER columns: a larger number in a URL cannot be ours (and would overflow PostgreSQL).
MAX_ID = 2**31 - 1


class ConfirmForm(TextForm):
    """A one-button form (delete, watch, remove from a lab …): only the CSRF token is checked."""

    submit = SubmitField("Bevestigen")


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a database id, 0 … MAX_ID. A larger number is a 404 at routing,
    never an integer overflow in the database (registered in create_app)."""

    def __init__(self, url_map):
        super().__init__(url_map, max=MAX_ID)


def select_choices(pairs):
    """(value, label) pairs as WTForms choices (plain tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]
