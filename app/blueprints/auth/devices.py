"""Sign-in throttling that a stranger cannot turn against the owner of an account.

Guesses are limited per address (all accounts), per (account, address) pair, and per account from
devices that have never signed in to it. A browser that signed in to an account successfully
gets a signed "device cookie" for that account (OWASP's device cookies against online guessing);
with it, the per-account limit does not apply, so wrong guesses from elsewhere never lock the owner
out of their own device. Only failed attempts count towards the pair and account limits.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from app.tokens import address_digest

DEVICE_COOKIE_DAYS = 365
MAX_ACCOUNTS_PER_DEVICE = 5  # the cookie remembers this many accounts (a shared computer)


def _posted_email():
    return (request.form.get("email", "") or "").strip().lower()[:254]


def _account_tag(email):
    """The address as the cookie and the limiter's keys hold it: a keyed digest."""
    return address_digest(email, "sign-in")


def pair_key():
    return f"login-pair:{_account_tag(_posted_email())}:{get_remote_address()}"


def account_key():
    return f"login-account:{_account_tag(_posted_email())}"


def failed(response):
    """Whether a sign-in attempt failed (a success redirects)."""
    return response.status_code != 302


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="sign-in-device")


def _known_tags():
    value = request.cookies.get(current_app.config["LOGIN_DEVICE_COOKIE_NAME"])
    if not value:
        return []
    try:
        tags = _serializer().loads(value)
    except BadSignature:
        return []
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def trusted_device():
    """Whether this browser signed in to the posted account before (exempt from its limit)."""
    email = _posted_email()
    return bool(email) and _account_tag(email) in _known_tags()


def remember_device(response, email):
    """After a successful sign-in: mark this browser as one of the account's devices."""
    tag = _account_tag(email)
    tags = [tag] + [known for known in _known_tags() if known != tag]
    response.set_cookie(
        current_app.config["LOGIN_DEVICE_COOKIE_NAME"],
        _serializer().dumps(tags[:MAX_ACCOUNTS_PER_DEVICE]),
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600, httponly=True, samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), path="/")
    return response
