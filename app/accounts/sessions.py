"""Signed-in sessions as rows: one per browser, listed on /account and ended on the server.

A sign-in creates a UserSession and gives the browser its raw token (inside Flask's signed session
cookie and, with "ingelogd blijven", the remember cookie); only a hash is stored. A request is
signed in while its row exists, the person is active, the row was used within SESSION_IDLE_TIMEOUT
and is younger than SESSION_MAX_AGE. Logging out deletes the row, so a copied cookie stops working
at once. Functions flush, never commit: the request's unit of work does.
"""
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from app.extensions import db
from app.models.accounts import User, UserSession
from app.timeutil import utcnow
from app.tokens import hash_token

MAX_TOKEN_LENGTH = 64
# last_seen_at is written at most this often per session (not on every request).
SEEN_RESOLUTION_SECONDS = 300


def idle_timeout():
    return current_app.config["SESSION_IDLE_TIMEOUT"]


def max_age():
    return current_app.config["SESSION_MAX_AGE"]


def start(user, user_agent=None, now=None):
    """A new session for `user`; sets user.current_session(_token) for Flask-Login's login_user."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, token_hash=hash_token(raw), created_at=now,
                      last_seen_at=now, user_agent=(user_agent or "")[:300] or None)
    db.session.add(row)
    db.session.flush()
    user.current_session, user.current_session_token = row, raw
    return row


def _alive(row, now):
    return row.last_seen_at + idle_timeout() > now and row.created_at + max_age() > now


def load(raw, now=None):
    """The active person whose live session carries token `raw`, or None (the loader of
    Flask-Login). An idle or too old session is deleted on the way."""
    if not raw or not isinstance(raw, str) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    now = now or utcnow()
    found = db.session.execute(
        db.select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(raw))
    ).first()
    if found is None:
        return None
    row, user = found
    if not _alive(row, now):
        db.session.delete(row)
        return None
    if not user.is_active:
        return None  # suspended: the rows were ended with the suspension; refuse anyway
    if (now - row.last_seen_at).total_seconds() >= SEEN_RESOLUTION_SECONDS:
        row.last_seen_at = now
    user.current_session, user.current_session_token = row, raw
    return user


def end(row):
    db.session.delete(row)


def end_current(user):
    """Logout: the session this request was signed in with."""
    if user is not None and getattr(user, "current_session", None) is not None:
        db.session.execute(db.delete(UserSession).where(UserSession.id == user.current_session.id))


def find_own(user, session_id):
    """One of `user`'s sessions by id, or None (someone else's looks the same as none)."""
    return db.session.execute(
        db.select(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    ).scalar_one_or_none()


def end_others(user):
    """Every session of `user` but the current one; returns how many ended."""
    query = db.delete(UserSession).where(UserSession.user_id == user.id)
    if getattr(user, "current_session", None) is not None:
        query = query.where(UserSession.id != user.current_session.id)
    return db.session.execute(query).rowcount


def live_sessions(user, now=None):
    """`user`'s live sessions, the most recently active first."""
    now = now or utcnow()
    rows = db.session.execute(
        db.select(UserSession).where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).scalars().all()
    return [row for row in rows if _alive(row, now)]


def remove_expired(now=None):
    """Delete sessions past their idle timeout or lifetime (the worker's retention does this)."""
    now = now or utcnow()
    return db.session.execute(
        db.delete(UserSession).where(
            (UserSession.last_seen_at <= now - idle_timeout())
            | (UserSession.created_at <= now - max_age()))
    ).rowcount


# -- describing a device -----------------------------------------------------------------------

@dataclass(frozen=True)
class Device:
    browser: str
    system: str

    @property
    def label(self):
        if self.browser and self.system:
            return f"{self.browser} op {self.system}"
        return self.browser or self.system or "Onbekend apparaat"


_BROWSERS = [  # order matters: Edge and Opera also say Chrome, Chrome also says Safari
    ("Edge", r"Edg(?:e|A|iOS)?/"), ("Opera", r"OPR/|Opera"), ("Samsung Internet", r"SamsungBrowser"),
    ("Firefox", r"Firefox/|FxiOS"), ("Chrome", r"Chrome/|CriOS"), ("Safari", r"Safari/"),
]
_SYSTEMS = [
    ("Android", r"Android"), ("iPhone", r"iPhone"), ("iPad", r"iPad"), ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"), ("ChromeOS", r"CrOS"), ("Linux", r"Linux|X11"),
]


def describe(user_agent):
    """"Chrome op Linux" from a User-Agent header (a rough guide for people, not a fingerprint)."""
    agent = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, agent)), "")
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, agent)), "")
    return Device(browser, system)


def ago(moment, now=None):
    """"3 minuten geleden" in Dutch."""
    seconds = max(0, int(((now or utcnow()) - moment).total_seconds())) if isinstance(
        moment, datetime) else 0
    if seconds < 60:
        return "zojuist"
    for size, one, many in ((86400, "dag", "dagen"), (3600, "uur", "uur"),
                            (60, "minuut", "minuten")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {one if count == 1 else many} geleden"
    return "zojuist"
