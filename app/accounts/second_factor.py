"""Two-step sign-in: time-based codes (TOTP, RFC 6238) from an authenticator app, and recovery codes.

`pyotp` makes and checks the codes; `segno` draws the QR code the app scans, as SVG on our own page
(the secret never leaves the platform). A code is accepted for its own 30-second step and one step
either side (clocks drift), and never twice: the last accepted step is stored and only a later one
is accepted, in one conditional UPDATE so that two requests with the same code cannot both pass.
Ten recovery codes, each usable once, are shown when the second factor is turned on; only hashes
are stored.

Moderators, administrators and partners with research access must have a second factor
(User.needs_second_factor); everyone else may. Functions flush, never commit.
"""
import hmac
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import or_, update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts import sessions
from app.errors import UserError
from app.extensions import db
from app.mail import queue_mail
from app.models.accounts import RecoveryCode, User
from app.models.audit import record
from app.timeutil import utcnow
from app.tokens import hash_token
from app.urls import external_url

ISSUER = "CollectieveKracht"
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after the current one is accepted too
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy by hand
RECOVERY_CODE_LENGTH = 10


class SecondFactorError(UserError):
    """A refused change to someone's second factor, with the Dutch explanation as its message."""


# -- secrets, QR codes and codes ---------------------------------------------------------------

def new_secret():
    """A fresh random secret (160 bits, base32), as authenticator apps expect it."""
    return pyotp.random_base32()


def valid_secret(secret):
    return isinstance(secret, str) and re.fullmatch(r"[A-Z2-7]{32}", secret) is not None


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri):
    """The QR code of `uri` as inline SVG markup (drawn here; no outside service sees the secret)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=4, title="QR-code om te scannen met je authenticator-app",
        svgclass="qr-code", lineclass=None)


def grouped(secret):
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def current_code(secret, now=None):
    """The code an authenticator app shows now (demo-code and the tests use it)."""
    return pyotp.TOTP(secret).at(int(now if now is not None else time.time()))


def _digits(code):
    code = re.sub(r"[\s-]", "", code or "") if isinstance(code, str) else ""
    return code if re.fullmatch(r"\d{6}", code) else None


def matching_step(secret, code, now=None):
    """The time step `code` belongs to (this one or one either side), or None."""
    code = _digits(code)
    if code is None or not valid_secret(secret):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time, whatever matched before.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def accept_code(user, code, now=None):
    """True when `code` is a current code of `user`'s app that was not accepted before; it is then
    used up (it and every earlier code). Safe against two requests sending the same code at once."""
    if not user.has_second_factor:
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is None:
        return False
    taken = db.session.execute(
        update(User)
        .where(User.id == user.id,
               or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        return False  # replayed: this code (or a later one) was accepted already
    set_committed_value(user, "totp_last_step", step)
    return True


# -- recovery codes ----------------------------------------------------------------------------

def _normal_recovery(code):
    code = re.sub(r"[\s-]", "", code or "").lower() if isinstance(code, str) else ""
    return code if len(code) == RECOVERY_CODE_LENGTH and set(code) <= set(RECOVERY_ALPHABET) else None


def _display(code):
    return f"{code[:5]}-{code[5:]}"


def issue_recovery_codes(user, now=None):
    """Ten new recovery codes for `user` (the old ones stop working); returns them for showing
    once, as "abcde-fghjk"."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
             for _ in range(RECOVERY_CODE_COUNT)]
    now = now or utcnow()
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(code), created_at=now))
    db.session.flush()
    return [_display(code) for code in codes]


def use_recovery_code(user, code, now=None):
    """True when `code` is one of `user`'s unused recovery codes; it is then used up."""
    normal = _normal_recovery(code)
    if normal is None or not user.has_second_factor:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == hash_token(normal),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return used == 1


def remaining_recovery_codes(user):
    return db.session.execute(
        db.select(db.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def check(user, code, now=None):
    """The second step of signing in (and of confirming a change): "code" for an app code,
    "recovery" for a recovery code, None when neither is right."""
    if accept_code(user, code, now):
        return "code"
    if use_recovery_code(user, code):
        return "recovery"
    return None


# -- turning it on and off ---------------------------------------------------------------------

def enable(user, secret, code, now=None):
    """Turn on (or move to a new app) with the secret shown on the setup page and the first code
    the app made from it. Ends the person's other sessions (they signed in without this step) and
    returns the ten new recovery codes. Raises SecondFactorError when the code is wrong."""
    if not valid_secret(secret):
        raise SecondFactorError(
            "De instelling is verlopen. Scan de nieuwe QR-code en vul de code opnieuw in.")
    step = matching_step(secret, code, now)
    if step is None:
        raise SecondFactorError(
            "Deze code klopt niet. Vul de zes cijfers in die je app nu toont; staat de klok van "
            "je telefoon goed?")
    moved = user.has_second_factor
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = issue_recovery_codes(user)
    sessions.end_others(user)
    queue_mail(user.email,
               "Je tweestapsverificatie is verplaatst" if moved
               else "Tweestapsverificatie staat aan",
               "second_factor_enabled", user=user, moved=moved,
               account_url=external_url("account.index"))
    return codes


def _clear(user):
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user):
    """Turn it off (the view has checked the password and a code). Refused for people who must
    have it."""
    if user.needs_second_factor:
        raise SecondFactorError(
            "Voor jouw rol is tweestapsverificatie verplicht; je kunt hem niet uitzetten. Nieuwe "
            "telefoon? Stel hem dan opnieuw in.")
    if not user.has_second_factor:
        raise SecondFactorError("Tweestapsverificatie staat al uit.")
    _clear(user)
    queue_mail(user.email, "Tweestapsverificatie staat uit", "second_factor_disabled", user=user,
               account_url=external_url("account.index"),
               reset_url=external_url("auth.forgot_password"))


def reset_by_staff(actor, target, reason):
    """A moderator or administrator removes someone's second factor (say, phone and recovery codes
    lost, identity checked another way): written to the audit log, the person gets an e-mail and
    is signed out everywhere; who must have one sets it up again at the next sign-in."""
    if target.id == actor.id:
        raise SecondFactorError(
            "Je kunt je eigen tweestapsverificatie hier niet opnieuw instellen; doe dat via je "
            "account of vraag een andere beheerder.")
    if not target.has_second_factor:
        raise SecondFactorError(f"{target.name} heeft geen tweestapsverificatie ingesteld.")
    _clear(target)
    target.end_all_sessions()
    record(actor, "member.second_factor_reset", target,
           f"Tweestapsverificatie van {target.name} ({target.email}) opnieuw ingesteld",
           reason=reason[:500])
    queue_mail(target.email, "Je tweestapsverificatie is uitgezet door een beheerder",
               "second_factor_reset", user=target, reason=reason, required=target.needs_second_factor,
               login_url=external_url("auth.login"), contact_url=external_url("public.contact"))
