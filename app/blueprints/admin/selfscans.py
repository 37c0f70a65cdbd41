"""The moderators' review queue of submitted self-scans: look, approve, reject."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.blueprints.admin.forms import ApproveScanForm, RejectScanForm
from app.blueprints.admin.routes import bp
from app.extensions import db
from app.models.selfscan import SCAN_APPROVED, SCAN_DRAFT, SCAN_REJECTED, SCAN_SUBMITTED, SelfScan
from app.pagination import page_arg
from app.permissions import can_review_scans, require
from app.selfscan import review as services
from app.timeutil import utcnow
from app.unit_of_work import refusable
from app.workdays import is_overdue, late_by

PER_PAGE = 25
ALREADY_REVIEWED = "Deze zelfscan is al beoordeeld door een andere moderator; er is niets veranderd."

# Tab (query string value) → status, heading, order.
TABS = {
    "ingediend": (SCAN_SUBMITTED, "Wachten op beoordeling"),
    "goedgekeurd": (SCAN_APPROVED, "Goedgekeurd"),
    "afgewezen": (SCAN_REJECTED, "Afgewezen"),
}


def _count(status):
    return db.session.execute(
        db.select(db.func.count()).select_from(SelfScan).where(SelfScan.status == status)
    ).scalar_one()


@bp.route("/zelfscans")
@require(can_review_scans)
def selfscans():
    tab = request.args.get("status", "ingediend")
    if tab not in TABS:
        tab = "ingediend"
    status, heading = TABS[tab]
    query = db.select(SelfScan).where(SelfScan.status == status).options(
        selectinload(SelfScan.answers), selectinload(SelfScan.reviewed_by)
    )
    if status == SCAN_SUBMITTED:
        query = query.order_by(SelfScan.submitted_at.asc(), SelfScan.id.asc())
    else:
        query = query.order_by(SelfScan.reviewed_at.desc(), SelfScan.id.desc())
    pagination = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    now = utcnow()
    rows = [
        {
            "scan": scan,
            "profile": services.scan_profile(scan),
            "overdue": status == SCAN_SUBMITTED and is_overdue(scan.due_at, now),
            "late_by": late_by(scan.due_at, now) if status == SCAN_SUBMITTED else 0,
        }
        for scan in pagination.items
    ]
    counts = {key: _count(value[0]) for key, value in TABS.items()}
    return render_template("admin/selfscans.html", rows=rows, pagination=pagination, tab=tab,
                           tabs=TABS, heading=heading, counts=counts)


def _load_scan(scan_id):
    scan = db.session.get(SelfScan, scan_id)
    if scan is None or scan.status == SCAN_DRAFT:
        abort(404)
    return scan


def _prefill(form, profile):
    form.name.data = profile["name"]
    form.slug.data = services.unique_slug(profile["name"])
    form.sector.data = profile["sector"]
    form.municipality.data = profile["municipality"]
    form.province.data = profile["province"]
    form.country.data = profile["country"]


def _display(question, value):
    """Question.display, but an answer stored in an unexpected shape is shown as it is."""
    try:
        return question.display(value)
    except (AttributeError, TypeError, ValueError):
        return str(value)


def _render_scan(scan, approve_form=None, reject_form=None, status=200):
    questionnaire = services.questionnaire_for(scan)
    answers = scan.answer_map()
    profile = services.scan_profile(scan, answers)
    if approve_form is None:
        approve_form = ApproveScanForm(formdata=None)
        _prefill(approve_form, profile)
    steps = [
        (step, [(question, _display(question, answers.get(question.key))) for question in step.questions])
        for step in questionnaire.steps
    ]
    known = {question.key for question in questionnaire.questions()}
    scores = [
        (dim.get("label", key), (scan.scores or {}).get(key))
        for key, dim in questionnaire.dimensions.items()
        if dim.get("scored") and isinstance(scan.scores, dict)
    ]
    now = utcnow()
    return render_template(
        "admin/selfscan.html",
        scan=scan, profile=profile, steps=steps,
        unknown_answers=sorted((k, v) for k, v in answers.items() if k not in known),
        scores=scores, duplicates=services.find_duplicates(scan, profile),
        overdue=scan.status == SCAN_SUBMITTED and is_overdue(scan.due_at, now),
        late_by=late_by(scan.due_at, now),
        approve_form=approve_form, reject_form=reject_form or RejectScanForm(formdata=None),
    ), status


@bp.route("/zelfscans/<id:scan_id>")
@require(can_review_scans)
def selfscan(scan_id):
    return _render_scan(_load_scan(scan_id))


@bp.route("/zelfscans/<id:scan_id>/goedkeuren", methods=["POST"])
@require(can_review_scans)
def approve_selfscan(scan_id):
    scan = _load_scan(scan_id)
    if scan.status != SCAN_SUBMITTED:
        flash(ALREADY_REVIEWED, "warning")
        return redirect(url_for("admin.selfscan", scan_id=scan.id))
    form = ApproveScanForm()
    if not form.validate_on_submit():
        return _render_scan(scan, approve_form=form)
    # Another collective may have taken this address a moment ago: then nothing is kept.
    with refusable(IntegrityError) as outcome:
        collective = services.approve_selfscan(current_user, scan, {
            "name": form.name.data, "slug": form.slug.data, "sector": form.sector.data,
            "municipality": form.municipality.data, "province": form.province.data,
            "country": form.country.data, "description": form.description.data,
        })
    if outcome.error:
        form.slug.errors = ["Dit adres is net door een ander collectief in gebruik genomen. Kies een ander."]
        return _render_scan(_load_scan(scan_id), approve_form=form)
    if collective is None:  # reviewed by someone else a moment ago: nothing was changed
        flash(ALREADY_REVIEWED, "warning")
        return redirect(url_for("admin.selfscan", scan_id=scan_id))
    if scan.contact_email:
        flash(f"De pagina van {collective.name} is gepubliceerd. {scan.contact_name or 'De contactpersoon'} "
              f"krijgt een uitnodiging per e-mail ({scan.contact_email}).", "success")
    else:
        flash(f"De pagina van {collective.name} is gepubliceerd. Er is geen e-mailadres bekend, dus "
              "er is geen uitnodiging verstuurd.", "warning")
    return redirect(url_for("admin.selfscans"))


@bp.route("/zelfscans/<id:scan_id>/afwijzen", methods=["POST"])
@require(can_review_scans)
def reject_selfscan(scan_id):
    scan = _load_scan(scan_id)
    if scan.status != SCAN_SUBMITTED:
        flash(ALREADY_REVIEWED, "warning")
        return redirect(url_for("admin.selfscan", scan_id=scan.id))
    form = RejectScanForm()
    if not form.validate_on_submit():
        return _render_scan(scan, reject_form=form)
    if not services.reject_selfscan(current_user, scan, form.reason.data):  # nothing changed
        flash(ALREADY_REVIEWED, "warning")
        return redirect(url_for("admin.selfscan", scan_id=scan_id))
    flash("De zelfscan is afgewezen en de reden is naar de contactpersoon gemaild.", "success")
    return redirect(url_for("admin.selfscans"))
