"""What the site header shows the signed-in person, counted in one SQL statement per page.

The bell (unread notifications), the envelope (conversations with a message not yet seen, for
people who use private messages) and, for staff, what waits in /beheer. Each module owns its
count and gives it as a scalar subquery; here they are asked together, once per request.
"""
from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from app import messages, notifications, staff_queue
from app.extensions import db
from app.permissions import can_view_admin
from app.timeutil import utcnow

NOTHING = {"unread_notifications": None, "unread_messages": None, "staff_todo": None}


def header_counts():
    """{"unread_notifications": int, "unread_messages": int or None, "staff_todo": (total, parts)
    or None} for the signed-in person; None everywhere for a visitor and outside a request (an
    e-mail being rendered)."""
    if not has_request_context() or not current_user.is_authenticated:
        return NOTHING
    if "header_counts" not in g:
        g.header_counts = _count(current_user._get_current_object())
    return g.header_counts


def _count(user):
    columns = {"unread_notifications": notifications.unread_count_query(user)}
    uses_messages = messages.can_use_messages(user)
    if uses_messages:
        columns["unread_messages"] = messages.unread_count_query(user)
    staff = can_view_admin(user)
    if staff:
        columns.update(staff_queue.waiting_columns(utcnow()))
    row = db.session.execute(select(*(value.label(key) for key, value in columns.items()))).one()
    found = dict(row._mapping)
    return {
        "unread_notifications": found["unread_notifications"],
        "unread_messages": found["unread_messages"] if uses_messages else None,
        "staff_todo": staff_queue.todo_summary(staff_queue.remember_waiting(
            {key: found[key] for key in staff_queue.WAITING_KEYS})) if staff else None,
    }
