"""Account life cycle: registration, verification, password reset, login bookkeeping.

Functions flush, never commit: the view owns the transaction, so an e-mail is queued in the same
transaction as the change it reports.
"""
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import ROLE_MEMBER, User, password_hash_method
from app.timeutil import utcnow
from app.tokens import (
    PURPOSE_RESET,
    PURPOSE_VERIFY,
    consume_token,
    find_token,
    issue_token,
)
from app.urls import external_url

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


def register_user(name, email, password):
    """Create a self-registered account and send the verification mail.

    When the address already has an account, nothing is created; its owner gets a notice instead,
    and the caller shows the same page either way (no enumeration). Returns the new user or None.
    """
    existing = User.find_by_email(email)
    if existing is not None:
        # Hash anyway, so the answer takes as long as for a new account (no enumeration by timing).
        generate_password_hash(password or "", method=password_hash_method())
        queue_mail(
            existing.email,
            "Je hebt al een account bij CollectieveKracht",
            "account_exists",
            user=existing,
            login_url=external_url("auth.login"),
            reset_url=external_url("auth.forgot_password"),
        )
        return None
    user = User(name=name, email=email.lower(), role=ROLE_MEMBER)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    return user


def send_verification(user):
    raw = issue_token(PURPOSE_VERIFY, user=user)
    queue_mail(
        user.email,
        "Bevestig je e-mailadres",
        "verify_email",
        user=user,
        verify_url=external_url("auth.verify_email", token=raw),
    )


def verify_email(raw):
    """Mark the address of the token's owner verified; returns the user or None."""
    token = find_token(raw, PURPOSE_VERIFY)
    if token is None or token.user is None or not consume_token(token):
        return None
    token.user.email_verified_at = token.user.email_verified_at or utcnow()
    return token.user


def request_password_reset(email):
    """Queue a reset link when the address has an account; silent otherwise."""
    user = User.find_by_email(email)
    if user is None:
        return
    raw = issue_token(PURPOSE_RESET, user=user)
    queue_mail(
        user.email,
        "Een nieuw wachtwoord instellen",
        "reset_password",
        user=user,
        reset_url=external_url("auth.reset_password", token=raw),
    )


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
