"""Who may do what: one function per question, used by views and templates alike.

Views call `require(check)`; templates get the same functions through the context processor in
create_app(), so a button is shown exactly when the action behind it is allowed.
"""
from functools import wraps

from flask import abort
from flask_login import current_user


def can_moderate(user):
    return bool(user and user.is_authenticated and user.is_moderator)


def can_administer(user):
    return bool(user and user.is_authenticated and user.is_admin)


def can_view_admin(user):
    return can_moderate(user)


def require(check):
    """Decorator: 401 (login) for visitors, 403 for people the check refuses."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


TEMPLATE_CHECKS = {
    "can_moderate": can_moderate,
    "can_administer": can_administer,
    "can_view_admin": can_view_admin,
}
