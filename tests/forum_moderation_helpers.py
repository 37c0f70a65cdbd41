"""Helpers of the forum moderation and permission tests."""
from flask import current_app
from werkzeug.security import generate_password_hash

from app.extensions import db
from tests.conftest import PASSWORD

_CHEAP_HASH = {}


def cheap_password_hash():
    """The test password hashed at the test configuration's low cost (made once per run)."""
    if "hash" not in _CHEAP_HASH:
        _CHEAP_HASH["hash"] = generate_password_hash(
            PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"])
    return _CHEAP_HASH["hash"]


def cheap_passwords(*people):
    """Give these people a cheaply hashed password: quick_user's full-cost scrypt makes every
    login take about a second, and these tests log in hundreds of times."""
    for person in people:
        person.password_hash = cheap_password_hash()
    db.session.commit()
