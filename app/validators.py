"""Field checks shared by the forms of several features (each in Dutch)."""
import re
import unicodedata

from wtforms.validators import ValidationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200

# Control characters other than tab, newline and carriage return have no place in what people type.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

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
        if has_control_characters(value) or (not self.multiline and ("\n" in value or "\r" in value)):
            raise ValidationError("Dit veld bevat onzichtbare tekens die we niet kunnen opslaan.")


def normalise_email(value):
    return value.strip().lower() if isinstance(value, str) else value


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
    if folded in _COMMON_PASSWORDS or folded.strip() in _COMMON_PASSWORDS:
        return "Dit wachtwoord wordt door veel mensen gebruikt en is makkelijk te raden. Kies een ander."
    if len(set(folded)) <= 2:
        return "Dit wachtwoord is makkelijk te raden. Kies een ander."
    local_part = (email or "").split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and folded.startswith(local_part)
            and len(folded) - len(local_part) < 4):
        return "Je wachtwoord lijkt te veel op je e-mailadres. Kies een ander."
    if name and folded.replace(" ", "") == name.lower().replace(" ", ""):
        return "Je wachtwoord lijkt te veel op je naam. Kies een ander."
    return None


class StrongPassword:
    """WTForms validator around password_problem; reads email and name fields when present."""

    def __call__(self, form, field):
        email = getattr(getattr(form, "email", None), "data", "") or getattr(form, "_user_email", "")
        name = getattr(getattr(form, "name", None), "data", "") or ""
        problem = password_problem(field.data, email or "", name if isinstance(name, str) else "")
        if problem:
            raise ValidationError(problem)


def safe_next_url(target):
    """Only a local path may be a redirect target after login (no open redirects)."""
    if not target or not isinstance(target, str) or len(target) > 500:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if has_control_characters(target) or any(c in target for c in "\r\n"):
        return None
    return target
