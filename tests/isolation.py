"""A test client whose every request runs in its own application context, as in production.

conftest's `_clean` fixture keeps one application context pushed for the whole test, and Flask
reuses an already pushed context of the same app for a request. Every request of a test would then
share `g` (Flask-Login's cached `g._login_user`, Flask-WTF's `g.csrf_token`) and the database
session: a second, anonymous client would be served as whoever logged in last, and a CSRF token
cached in `g` would outlive `session.clear()`. That hides exactly the session bugs these tests are
about, so the clients here hide the test's context while a request runs.
"""
import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    def open(self, *args, **kwargs):
        outer = _cv_app.set(None)  # the request pushes (and pops) a fresh app context
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(outer)


def isolated_client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(app):
    return isolated_client(app)
