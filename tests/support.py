"""Helpers for driving the app in tests: responses, forms, logins, mail, reloads and query counts.

Builders of rows live in tests/factories.py; fixtures stay in the conftest.py files.
"""
import re

from flask.globals import _cv_app
from flask.testing import FlaskClient

from app.accounts import second_factor
from app.accounts.mentions import mention_href
from app.extensions import db
from app.models.accounts import AccountRequest, User
from app.timeutil import utcnow
from app.models.notifications import Notification
from app.models.outbox import OutboxMessage
from app.worker import Worker
from tests.factories import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def text(response):
    """A response's body as text."""
    return response.get_data(as_text=True)


def reload(row, ident=None):
    """A fresh copy from the database: reload(row), or reload(Model, id)."""
    db.session.expire_all()
    if ident is None:
        return db.session.get(type(row), row.id)
    return db.session.get(row, ident)


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context, as in production.

    Each test keeps one app context pushed (so it can use the database directly), and Flask would
    reuse it for requests: every request would then share `g` (Flask-Login's cached user,
    Flask-WTF's CSRF token) and the database session. Hiding the test's context while a request
    runs makes the request push, and pop, a fresh one.
    """

    def open(self, *args, **kwargs):
        outer = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(outer)


def isolated_client(app):
    """Another client of `app` (a second browser), with cookies of its own."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


def csrf_token(client, url):
    """GET a page and return the CSRF token of its (first) form."""
    response = client.get(url)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def submit(client, url, data, page=None, follow_redirects=False):
    """Post a form like a browser: fetch the page for its CSRF token first."""
    payload = dict(data)
    if "csrf_token" not in payload:
        payload["csrf_token"] = csrf_token(client, page or url)
    return client.post(url, data=payload, follow_redirects=follow_redirects)


SECOND_STEP = "/inloggen/tweede-stap"


def login(client, email, password=PASSWORD, follow_redirects=False):
    """Log in through the login form, and through the second step with the code the person's app
    shows now when they have one. Someone who must have a second factor (staff, research access)
    and has none is given one first, as if they had set it up earlier: tests of the setup itself
    sign in with `submit(client, "/inloggen", ...)`."""
    user = User.find_by_email(email)
    if user is not None and user.needs_second_factor and not user.has_second_factor:
        give_second_factor(user)
    response = submit(client, "/inloggen", {"email": email, "password": password})
    if response.status_code == 302 and response.headers["Location"].endswith(SECOND_STEP):
        response = submit(client, SECOND_STEP, {"code": fresh_code(user)})
    if follow_redirects and response.status_code in (301, 302, 303):
        return client.get(response.headers["Location"], follow_redirects=True)
    return response


def give_second_factor(user, secret=None):
    """Turn on `user`'s second factor directly (as if set up earlier); returns the secret."""
    user.totp_secret = secret or second_factor.new_secret()
    user.totp_enabled_at = utcnow()
    user.totp_last_step = None
    db.session.commit()
    return user.totp_secret


def fresh_code(user):
    """The code `user`'s app shows now, usable although an earlier sign-in in this 30-second
    window used it: the stored last step is cleared first (as if the next window had begun)."""
    db.session.execute(db.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    return second_factor.current_code(reload(User, user.id).totp_secret)


def outbox(recipient=None):
    """Queued messages, oldest first (optionally for one recipient)."""
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient)
    db.session.expire_all()
    return db.session.execute(query).scalars().all()


def link_from(message, path_prefix):
    """The first absolute link in a message's text whose path starts with path_prefix."""
    match = re.search(r"https?://[^\s/]+(" + re.escape(path_prefix) + r"[^\s<>\"]*)", message.body_text)
    assert match, f"no link to {path_prefix} in: {message.body_text}"
    return match.group(1)


def notifications(user=None, kind=None):
    """Notifications, oldest first (optionally of one person and/or of one kind)."""
    db.session.expire_all()
    query = db.select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return db.session.execute(query).scalars().all()


def handle_account_requests():
    """What the worker's account-requests job does, until none wait: registrations become accounts
    (or notices) and reset requests links. Returns how many were acted on."""
    from app.accounts.auth import process_account_requests

    done = 0
    while True:
        count = process_account_requests()
        left = db.session.execute(db.select(AccountRequest.id)).first()
        db.session.commit()
        done += count
        if left is None:
            return done


def worker_round(app, only=None):
    """Run every worker job (or those named in `only`) once, due or not, as `flask worker --once`
    does but ignoring the shared schedule; {name: outcome}."""
    return Worker(app, only=only).run_once(force=True)


class QueryCounter:
    """Counts the SQL statements sent while it is active (with QueryCounter() as counter: ...)."""

    def __enter__(self):
        from sqlalchemy import event

        self.count = 0
        self._event = event
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, *args, **kwargs):
        self.count += 1

    def __exit__(self, *exc):
        self._event.remove(db.engine, "before_cursor_execute", self._count)


def count_queries(client, url):
    """The number of SQL statements one GET of `url` sends (which must answer 200)."""
    with QueryCounter() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def mention_html(person, written=None):
    """How a saved text shows an @mention of `person` (`written`: the name as typed)."""
    shown = "@" + (written or person.name)
    href = mention_href(person)
    if href:
        return f'<a class="mention" href="{href}" rel="nofollow ugc noopener">{shown}</a>'
    return f'<span class="mention">{shown}</span>'
