"""Lab monitoring for moderators: questions still without an answer after 5 working days."""
from flask import abort, render_template

from app.blueprints.admin.routes import bp
from app.blueprints.common import only_known_arguments
from app.extensions import db
from app.labs import queries
from app.pagination import page_arg
from app.permissions import can_moderate, require
from app.timeutil import utcnow
from app.workdays import working_days_between

PER_PAGE = 50


@bp.route("/labvragen")
@bp.route("/labvragen/<lab_slug>")
@require(can_moderate)
def lab_questions(lab_slug=None):
    lab = None
    if lab_slug is not None:
        lab = queries.find_lab(lab_slug)
        if lab is None:
            abort(404)
    odd = only_known_arguments(".lab_questions", ("pagina",), lab_slug=lab_slug)
    if odd is not None:
        return odd
    now = utcnow()
    pagination = db.paginate(queries.unanswered_questions_query(now, lab), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    rows = [(question, working_days_between(question.created_at, now))
            for question in pagination.items]
    return render_template("admin/lab_questions.html", lab=lab, labs=queries.labs(), rows=rows,
                           pagination=pagination,
                           working_days=queries.UNANSWERED_AFTER_WORKING_DAYS)
