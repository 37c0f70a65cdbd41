"""The moderators' queue of reported forum posts: read each post in context, then handle it."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.admin.routes import bp
from app.blueprints.forum.moderation_forms import ResolveReportForm
from app.extensions import db
from app.forum import moderation
from app.models.forum import PostReport
from app.pagination import page_arg
from app.permissions import can_moderate_forum, require
from app.unit_of_work import refusable

PER_PAGE = 20
TABS = {"open": "Open", "afgehandeld": "Afgehandeld"}


@bp.route("/meldingen")
@require(can_moderate_forum)
def reports():
    tab = request.args.get("status", "open")
    if tab not in TABS:
        tab = "open"
    resolved = tab == "afgehandeld"
    pagination = db.paginate(moderation.report_list_query(resolved=resolved), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    previous = moderation.previous_posts([report.post for report in pagination.items])
    counts = {"open": moderation.count_reports(False), "afgehandeld": moderation.count_reports(True)}
    return render_template("admin/reports.html", pagination=pagination, previous=previous, tab=tab,
                           tabs=TABS, counts=counts, form=ResolveReportForm(formdata=None))


def _report_or_404(report_id):
    report = db.session.get(PostReport, report_id)
    if report is None:
        abort(404)
    return report


def _handle(report_id, action, success):
    report = _report_or_404(report_id)
    form = ResolveReportForm()
    if not form.validate_on_submit():
        # The only field that can be wrong is the note (the CSRF check answers 400 by itself).
        flash(" ".join(form.note.errors) or "Het formulier was niet goed ingevuld.", "danger")
        return redirect(url_for(".reports"))
    with refusable(moderation.ModerationError) as outcome:
        result = action(current_user, report, form.note.data or "")
    if outcome.error:
        flash(str(outcome.error), "warning")
    else:
        flash(success(result), "success")
    return redirect(url_for(".reports"))


@bp.route("/meldingen/<id:report_id>/afhandelen", methods=["POST"])
@require(can_moderate_forum)
def resolve_report(report_id):
    return _handle(report_id, moderation.resolve_report,
                   lambda _: "De melding is afgehandeld; het bericht is niet veranderd.")


@bp.route("/meldingen/<id:report_id>/verbergen", methods=["POST"])
@require(can_moderate_forum)
def hide_reported_post(report_id):
    return _handle(
        report_id, moderation.hide_and_resolve,
        lambda closed: "Het bericht is verborgen en "
        + ("de melding is afgehandeld." if closed == 1 else f"alle {closed} meldingen erover zijn afgehandeld."),
    )
