"""One unit of work per request: committed when the view succeeds, rolled back when it fails."""
import ast
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy.exc import IntegrityError

from app.accounts.limits import PostingLimit
from app.blueprints.common import write_or_preview
from app.errors import ConflictError
from app.extensions import db
from app.models.public import ContactMessage
from app.unit_of_work import after_commit, after_rollback, refusable
from tests.fixtures.apps import fresh_app

APP_DIR = Path(__file__).resolve().parents[2] / "app"


def _message(subject):
    return ContactMessage(name="Ans", email="ans@example.org", subject=subject, message="Hallo")


def _subjects():
    return sorted(db.session.execute(db.select(ContactMessage.subject)).scalars())


@pytest.fixture
def uow_app(app):
    """An app with views that write a row and then answer in different ways."""
    calls = []
    with fresh_app(app, WTF_CSRF_ENABLED=False) as application:

        @application.route("/test/ok")
        def ok():
            db.session.add(_message("ok"))
            after_commit(lambda: calls.append("committed"))
            after_rollback(lambda: calls.append("rolled back"))
            return "ok"

        @application.route("/test/refused-form")
        def refused_form():
            db.session.add(_message("refused-form"))
            after_commit(lambda: calls.append("committed"))
            after_rollback(lambda: calls.append("rolled back"))
            return "niet goed ingevuld", 400

        @application.route("/test/forbidden")
        def forbidden():
            db.session.add(_message("forbidden"))
            abort(403)

        @application.route("/test/crash")
        def crash():
            db.session.add(_message("crash"))
            after_rollback(lambda: calls.append("rolled back"))
            raise RuntimeError("boom")

        @application.route("/test/refusal")
        def refusal():
            db.session.add(_message("before"))
            with refusable(ConflictError) as outcome:
                db.session.add(_message("inside"))
                raise ConflictError("Dat kan nu niet.")
            db.session.add(_message("after"))
            return str(outcome.error)

        @application.route("/test/duplicate")
        def duplicate():
            # The flush at the end of the block meets the constraint inside it.
            with refusable(IntegrityError) as outcome:
                db.session.add(ContactMessage(name="x", email="x@example.org", subject="dubbel",
                                              message=None))  # NOT NULL
            return "geweigerd" if outcome.error else "opgeslagen"

        @application.route("/test/commit-fails")
        def commit_fails():
            db.session.add(_message("fine"))
            db.session.add(ContactMessage(name="x", email="x@example.org", subject="x",
                                          message=None))  # NOT NULL: the commit fails
            after_commit(lambda: calls.append("committed"))
            after_rollback(lambda: calls.append("rolled back"))
            return "ok"

        application.config["PROPAGATE_EXCEPTIONS"] = False
        yield application, calls


def test_a_successful_view_is_committed_and_its_after_commit_runs(uow_app):
    application, calls = uow_app
    response = application.test_client().get("/test/ok")
    assert response.status_code == 200
    with application.app_context():
        assert _subjects() == ["ok"]
    assert calls == ["committed"]


@pytest.mark.parametrize("path, status", [("/test/refused-form", 400), ("/test/forbidden", 403),
                                          ("/test/crash", 500)])
def test_a_failed_view_changes_nothing(uow_app, path, status):
    application, calls = uow_app
    response = application.test_client().get(path)
    assert response.status_code == status
    with application.app_context():
        assert _subjects() == []
    assert "committed" not in calls
    if path != "/test/forbidden":
        assert calls == ["rolled back"]


def test_a_commit_that_fails_rolls_back_and_is_an_error(uow_app):
    application, calls = uow_app
    response = application.test_client().get("/test/commit-fails")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.get_data(as_text=True)
    with application.app_context():
        assert _subjects() == []
    assert calls == ["rolled back"]


def test_a_refusal_rolls_back_what_came_before_and_the_view_goes_on(uow_app):
    application, _calls = uow_app
    response = application.test_client().get("/test/refusal")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Dat kan nu niet."
    with application.app_context():
        assert _subjects() == ["after"]  # "before" and "inside" were rolled back


def test_a_constraint_broken_inside_a_refusable_block_is_a_refusal(uow_app):
    application, _calls = uow_app
    response = application.test_client().get("/test/duplicate")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "geweigerd"
    with application.app_context():
        assert _subjects() == []


def test_refusable_passes_other_errors_on(app):
    with app.test_request_context():
        with pytest.raises(KeyError):
            with refusable(ConflictError):
                raise KeyError("niet van ons")


def test_outcome_is_true_without_an_error(app):
    with app.test_request_context():
        with refusable(ConflictError) as outcome:
            pass
        assert outcome and outcome.error is None


def test_no_view_commits_or_rolls_back():
    """Transactions belong to the unit of work: no commit() or rollback() in app/blueprints."""
    offenders = []
    for path in (APP_DIR / "blueprints").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("commit", "rollback")):
                offenders.append(f"{path.relative_to(APP_DIR)}:{node.lineno}")
    assert offenders == []


# -- the Markdown writing flow (app.blueprints.common.write_or_preview) ---------------------------

class _Form:
    """A stand-in with what write_or_preview reads of a form."""

    def __init__(self, valid=True, submitted=True, preview=False, body="*Hallo*"):
        self._valid, self._submitted = valid, submitted
        self.preview = type("Field", (), {"data": preview})()
        self.body = type("Field", (), {"data": body})()

    def validate_on_submit(self):
        return self._submitted and self._valid

    def is_submitted(self):
        return self._submitted


def test_writing_saves_and_keeps_the_result(app):
    with app.test_request_context(method="POST"):
        writing = write_or_preview(_Form(), lambda: "opgeslagen")
    assert writing.saved and writing.result == "opgeslagen" and writing.status == 200


def test_writing_previews_without_saving(app):
    saved = []
    with app.test_request_context(method="POST"):
        writing = write_or_preview(_Form(preview=True), lambda: saved.append(1))
    assert not writing.saved and saved == []
    assert str(writing.preview) == "<p><em>Hallo</em></p>"
    assert writing.status == 200


def test_an_invalid_post_is_a_400_and_a_get_is_a_200(app):
    with app.test_request_context(method="POST"):
        assert write_or_preview(_Form(valid=False), lambda: 1).status == 400
    with app.test_request_context():
        writing = write_or_preview(_Form(submitted=False), lambda: 1)
    assert writing.status == 200 and not writing.saved and writing.preview is None


def test_a_refused_save_is_rolled_back_and_shown_with_its_status(app):
    def save():
        db.session.add(_message("te snel"))
        raise PostingLimit("Wacht nog 15 seconden.")

    with app.test_request_context(method="POST"):
        writing = write_or_preview(_Form(), save, refusals=(PostingLimit,))
        assert _subjects() == []
    assert not writing.saved and writing.status == 429
    assert writing.message == "Wacht nog 15 seconden."
