"""Single-use, expiring tokens sent by e-mail: the one place that makes and redeems them."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from app.extensions import db
from app.models.accounts import Token
from app.timeutil import utcnow

PURPOSE_RESET = "password-reset"
PURPOSE_VERIFY = "email-verify"
PURPOSE_EMAIL_CHANGE = "email-change"

LIFETIMES = {
    PURPOSE_RESET: timedelta(hours=1),
    PURPOSE_VERIFY: timedelta(hours=48),
    PURPOSE_EMAIL_CHANGE: timedelta(hours=48),
}

# The longest raw token we accept; anything longer is not ours (and not worth hashing).
MAX_TOKEN_LENGTH = 100


def hash_token(raw):
    """What is stored of a raw token (links carry the raw one; the database only its hash)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def address_digest(email, purpose, size=12):
    """A short keyed digest of an e-mail address (case-insensitive) that stands in for it where the
    address must not be readable: cookies, links, rate-limit keys. `purpose` keeps the digests of
    different uses apart; without the secret key nobody can compute or reverse one."""
    key = current_app.config["SECRET_KEY"].encode()[:64]
    return hashlib.blake2b((email or "").strip().lower().encode(), key=key, digest_size=size,
                           person=purpose.encode()[:16]).hexdigest()


def issue_token(purpose, user=None, email=None, payload=None, lifetime=None):
    """Create a token row (flushed, not committed) and return the raw token for the link.

    Earlier unused tokens of the same purpose for the same person are retired, so only the newest
    link works.
    """
    if user is not None and user.id is not None:
        retire_tokens(user, purpose)
    raw = secrets.token_urlsafe(32)
    lifetime = lifetime or LIFETIMES[purpose]
    token = Token(
        purpose=purpose,
        token_hash=hash_token(raw),
        user=user,
        email=email,
        payload=payload,
        expires_at=utcnow() + lifetime,
    )
    db.session.add(token)
    db.session.flush()
    return raw


def retire_tokens(user, *purposes):
    """Make every unused token of these purposes for this person unusable (flushed, not committed).

    Used when a link sent earlier should stop working: a newer link of the same kind, a changed
    password (open reset links), a changed e-mail address (links sent to the old one).
    """
    db.session.execute(
        db.update(Token)
        .where(Token.user_id == user.id, Token.purpose.in_(purposes), Token.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def find_token(raw, purpose):
    """The usable token for this raw value and purpose, or None (unknown, used or expired)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = db.session.execute(
        db.select(Token).where(Token.token_hash == hash_token(raw), Token.purpose == purpose)
    ).scalar_one_or_none()
    if token is None or not token.is_usable:
        return None
    return token


def consume_token(token):
    """Mark a token used; False when another request used it first (two clicks, two tabs)."""
    now = utcnow()
    result = db.session.execute(
        db.update(Token)
        .where(Token.id == token.id, Token.used_at.is_(None), Token.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        token.used_at = now
        return True
    return False
