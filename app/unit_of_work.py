"""One unit of work per request: a request's changes are committed when its view succeeds and
rolled back when it fails, so no view calls commit() or rollback().

- `register_unit_of_work(app)` adds the request hook. After the view, a response below 400 commits
  the session; a response of 400 or more (a refused form, abort(403), an error page, a crash)
  rolls it back. E-mails in the outbox, audit entries and search-index jobs are written in the
  same session, so they exist exactly when the change they describe was committed.
- `refusable(*errors)` is for a view that shows a refusal instead of failing: when the block
  raises one of `errors` (a UserError of a service, or IntegrityError when two people did the
  same thing at the same moment), the request's changes so far are rolled back and the error is
  kept on the outcome for the view to show. The block's changes are flushed at its end, so a
  constraint that a commit would break breaks inside the block.
- `after_commit(callback)` and `after_rollback(callback)` are for what lives outside the database:
  a stored upload is removed when the request's row for it is rolled back, and a deleted
  attachment's file only once the deletion is committed.

Services flush and never commit; the CLI and the worker commit their own work.
"""
import logging
from contextlib import contextmanager
from dataclasses import dataclass

from flask import g

from app.extensions import db

log = logging.getLogger(__name__)

FAILED_FROM = 400  # responses with this status or above roll back


@dataclass
class Outcome:
    """What a `refusable` block ended with: None, or the refusal it raised."""

    error: Exception | None = None

    def __bool__(self):
        return self.error is None


@contextmanager
def refusable(*errors):
    """Run a block whose listed errors are refusals to show: roll back, keep the error, go on."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.flush()
    except errors as error:
        _rollback()
        outcome.error = error


def after_commit(callback):
    """Call `callback()` once this request's changes are committed (never if they are not)."""
    g.setdefault("uow_after_commit", []).append(callback)


def after_rollback(callback):
    """Call `callback()` if this request's changes so far are rolled back."""
    g.setdefault("uow_after_rollback", []).append(callback)


def _run(callbacks):
    for callback in callbacks:
        try:
            callback()
        except Exception:  # one failed clean-up must not stop the others
            log.exception("unit of work: a callback failed")


def _rollback():
    try:
        db.session.rollback()
    except Exception:  # a dead connection cannot be rolled back; the pool discards it anyway
        log.exception("unit of work: the rollback failed")
    g.pop("uow_after_commit", None)
    _run(g.pop("uow_after_rollback", []))


def finish(response):
    """Commit the request's changes for a successful response, roll them back otherwise."""
    if response.status_code >= FAILED_FROM:
        _rollback()
        return response
    try:
        db.session.commit()
    except Exception:
        _rollback()
        raise
    g.pop("uow_after_rollback", None)
    _run(g.pop("uow_after_commit", []))
    return response


def register_unit_of_work(app):
    # Registered first, so Flask (which runs after_request hooks in reverse) runs it last, when
    # every other hook has had its say about the response.
    app.after_request(finish)
