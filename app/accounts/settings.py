"""Changes a person makes to their own account."""
from app.mail import queue_mail
from app.models.accounts import User
from app.timeutil import utcnow
from app.tokens import (
    PURPOSE_EMAIL_CHANGE,
    PURPOSE_RESET,
    PURPOSE_VERIFY,
    consume_token,
    find_token,
    issue_token,
    retire_tokens,
)
from app.urls import external_url


def request_email_change(user, new_email):
    """Send a confirmation link to the new address; the change happens when it is followed.

    When the new address already belongs to someone, that owner is told instead, and the person
    asking sees the same answer (no enumeration).
    """
    owner = User.find_by_email(new_email)
    if owner is not None:
        if owner.id != user.id:
            queue_mail(owner.email, "Iemand probeerde jouw e-mailadres te gebruiken",
                       "email_in_use", user=owner)
        return
    raw = issue_token(PURPOSE_EMAIL_CHANGE, user=user, email=new_email)
    queue_mail(
        new_email,
        "Bevestig je nieuwe e-mailadres",
        "email_change",
        user=user,
        new_email=new_email,
        confirm_url=external_url("account.confirm_email_change", token=raw),
    )


def confirm_email_change(raw):
    """Apply a confirmed address change; returns the user, or None when the link is not valid."""
    token = find_token(raw, PURPOSE_EMAIL_CHANGE)
    if token is None or token.user is None or not token.email:
        return None
    if User.find_by_email(token.email) is not None or not consume_token(token):
        return None
    user = token.user
    old_email = user.email
    user.email = token.email
    user.email_verified_at = utcnow()
    # Reset and verification links that went to the old address stop working.
    retire_tokens(user, PURPOSE_RESET, PURPOSE_VERIFY)
    queue_mail(old_email, "Je e-mailadres is gewijzigd", "email_changed_notice", user=user,
               new_email=token.email)
    return user


def change_password(user, new_password):
    """Set a new password and end every other session of this person."""
    user.set_password(new_password)
    user.end_all_sessions()
    retire_tokens(user, PURPOSE_RESET)  # an open reset link could undo this change
    queue_mail(user.email, "Je wachtwoord is gewijzigd", "password_changed", user=user,
               reset_url=external_url("auth.forgot_password"))
