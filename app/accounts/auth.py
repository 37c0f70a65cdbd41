"""Account life cycle: registration, verification, password reset, login bookkeeping.

Functions flush, never commit: the view owns the transaction, so an e-mail is queued in the same
transaction as the change it reports.
"""
from datetime import timedelta
from functools import lru_cache

from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import (
    REQUEST_REGISTER, REQUEST_RESET, ROLE_MEMBER, AccountRequest, Token, User,
    password_hash_method,
)
from app.timeutil import utcnow
from app.tokens import (
    PURPOSE_RESET,
    PURPOSE_VERIFY,
    consume_token,
    find_token,
    issue_token,
)
from app.urls import external_url
from app.validators import safe_next_url

# Where a registration started (say a collective's page), to return there after verifying and
# logging in. The request row the worker reads has no room for it, so it waits beside that row as
# a token row of this purpose (its raw value is never sent) naming the row's id; the worker moves
# it into the verification link's token, which works on any device the mail is opened on.
PURPOSE_REGISTRATION_NEXT = "registration-next"
REGISTRATION_NEXT_LIFETIME = timedelta(days=7)


@lru_cache(maxsize=4)
def _dummy_hash(method):
    """Compared against when no account matches, so a login for an unknown address costs as much
    time as one for a known address (no enumeration by timing): hashed the way passwords are."""
    return generate_password_hash("no-such-account-placeholder", method=method)


def authenticate(email, password):
    """The person with this e-mail address and password, or None; same cost either way."""
    user = User.find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(password_hash_method()), password or "")
        return None
    return user if user.check_password(password or "") else None


def record_login(user):
    user.last_login_at = utcnow()


def request_registration(name, email, password, next_url=None):
    """Record a registration: the password hashed and one row, the same work whether or not the
    address has an account (no enumeration, also not by timing). The worker creates the account
    and sends the verification mail, or tells the owner that the account exists. `next_url`, a
    local path (anything else is dropped), is where the person goes after verifying and logging
    in."""
    row = AccountRequest(
        kind=REQUEST_REGISTER, email=(email or "").strip().lower()[:254], name=name,
        password_hash=generate_password_hash(password or "", method=password_hash_method()))
    db.session.add(row)
    next_url = safe_next_url(next_url)
    if next_url:
        db.session.flush()
        issue_token(PURPOSE_REGISTRATION_NEXT, email=row.email,
                    payload={"request": row.id, "next": next_url},
                    lifetime=REGISTRATION_NEXT_LIFETIME)


def _registration_next(row):
    """The page a waiting registration started from, or None; its note is removed."""
    notes = db.session.execute(
        db.select(Token).where(Token.purpose == PURPOSE_REGISTRATION_NEXT, Token.email == row.email)
    ).scalars().all()
    for note in notes:
        if isinstance(note.payload, dict) and note.payload.get("request") == row.id:
            db.session.delete(note)
            return safe_next_url(note.payload.get("next")) if note.is_usable else None
    return None


def register_user(name, email, password_hash, next_url=None):
    """Create a self-registered account (its password already hashed) and send the verification
    mail. When the address already has an account, nothing is created and its owner gets a notice
    instead (its login link, like the verification link, leads on to `next_url`). Returns the new
    user or None."""
    existing = User.find_by_email(email)
    if existing is not None:
        if existing.email_verified_at is None and existing.created_at > utcnow() - DOUBLE_SUBMIT:
            return None  # the same form sent twice a moment ago: one account, one e-mail
        queue_mail(
            existing.email,
            "Je hebt al een account bij CollectieveKracht",
            "account_exists",
            user=existing,
            login_url=external_url("auth.login", **_next_arg(next_url)),
            reset_url=external_url("auth.forgot_password"),
        )
        return None
    user = User(name=name, email=email.lower(), role=ROLE_MEMBER, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    send_verification(user, next_url)
    return user


def _next_arg(next_url):
    next_url = safe_next_url(next_url)
    return {"next": next_url} if next_url else {}


def send_verification(user, next_url=None):
    """Mail a (new) verification link; it leads on to `next_url`, or to where the link it
    replaces led (a link sent again keeps its way back to the collective's page)."""
    next_url = safe_next_url(next_url) or _open_verification_next(user)
    raw = issue_token(PURPOSE_VERIFY, user=user, payload=_next_arg(next_url) or None)
    queue_mail(
        user.email,
        "Bevestig je e-mailadres",
        "verify_email",
        user=user,
        verify_url=external_url("auth.verify_email", token=raw),
    )


def send_reset_link(user):
    raw = issue_token(PURPOSE_RESET, user=user)
    queue_mail(
        user.email,
        "Een nieuw wachtwoord instellen",
        "reset_password",
        user=user,
        reset_url=external_url("auth.reset_password", token=raw),
    )


def _open_verification_next(user):
    """Where the newest still usable verification link of this person leads on to, or None."""
    token = db.session.execute(
        db.select(Token)
        .where(Token.user_id == user.id, Token.purpose == PURPOSE_VERIFY,
               Token.used_at.is_(None), Token.expires_at > utcnow())
        .order_by(Token.id.desc()).limit(1)
    ).scalar_one_or_none()
    payload = token.payload if token is not None else None
    return safe_next_url(payload.get("next")) if isinstance(payload, dict) else None


def verify_email(raw):
    """Mark the address of the token's owner verified. Returns (user, where to go next: a local
    path or None), or (None, None) for an unknown, used or expired link."""
    token = find_token(raw, PURPOSE_VERIFY)
    if token is None or token.user is None or not consume_token(token):
        return None, None
    token.user.email_verified_at = token.user.email_verified_at or utcnow()
    payload = token.payload if isinstance(token.payload, dict) else {}
    return token.user, safe_next_url(payload.get("next"))


def request_password_reset(email):
    """Record the request: the same single insert whether or not the address has an account, so
    neither the answer nor its timing tells. The worker sends the link (process_account_requests)."""
    db.session.add(AccountRequest(kind=REQUEST_RESET, email=(email or "").strip()[:254]))


# A reset request older than this is dropped unsent (the worker was down for long: a link that
# arrives hours later is no longer expected, and the person asks again).
RESET_REQUEST_MAX_AGE = timedelta(hours=1)
# A registration for an address whose unverified account is this new is the same form sent twice.
DOUBLE_SUBMIT = timedelta(minutes=10)


def process_account_requests(limit=100):
    """Handle the waiting registrations and reset requests, oldest first, each once (a row is
    deleted in the transaction that acts on it; the caller commits). Returns the number of
    e-mails queued or accounts created."""
    rows = db.session.execute(
        db.select(AccountRequest).order_by(AccountRequest.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    done = 0
    cutoff = utcnow() - RESET_REQUEST_MAX_AGE
    for row in rows:
        db.session.delete(row)
        if row.kind == REQUEST_REGISTER:
            next_url = _registration_next(row)
            try:
                with db.session.begin_nested():
                    register_user(row.name, row.email, row.password_hash, next_url)
            except IntegrityError:  # registered elsewhere meanwhile: the account exists
                continue
            done += 1
        elif row.kind == REQUEST_RESET and row.created_at >= cutoff:
            user = User.find_by_email(row.email)
            if user is None:
                continue
            send_reset_link(user)
            done += 1
    return done


def reset_password(token, password):
    """Set a new password with a (found) reset token; False if the token was used meanwhile."""
    if not consume_token(token):
        return False
    user = token.user
    user.set_password(password)
    user.end_all_sessions()
    # Following the link proves the address works.
    user.email_verified_at = user.email_verified_at or utcnow()
    queue_mail(user.email, "Je wachtwoord is gewijzigd", "password_changed", user=user,
               reset_url=external_url("auth.forgot_password"))
    return True
