"""The collectives directory, collective pages, joining a collective and its dashboard."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.collectives.forms import (
    DECISION_APPROVE,
    DecisionForm,
    DirectoryFilterForm,
    EditCollectiveForm,
    JoinForm,
    WithdrawForm,
)
from app.collectives import services
from app.extensions import db, limiter, login_manager
from app.models.accounts import ROLE_MEMBER
from app.pagination import page_arg
from app.permissions import (
    can_decide_join_requests,
    can_edit_collective,
    can_request_to_join,
    can_see_member_list,
    can_view_collective_dashboard,
    can_view_scan_report,
    is_member_of,
)
from app.unit_of_work import refusable

bp = Blueprint("collectives", __name__, url_prefix="/collectieven")

PER_PAGE = 20
VERIFY_FIRST = ("Bevestig eerst je e-mailadres met de link die we je stuurden. Daarna kun je "
                "lidmaatschap aanvragen.")


def _collective_or_404(slug):
    collective = services.find_collective(slug)
    if collective is None:
        abort(404)
    return collective


def _to_login(next_endpoint, slug):
    """For actions posted by a visitor: log in first, then come back to a page (not the POST)."""
    flash("Log in (of maak een account aan) om dit te doen.", "info")
    return redirect(url_for("auth.login", next=url_for(next_endpoint, slug=slug)))


def join_state(user, collective, pending):
    """Which join section the collective page shows this person."""
    if not user.is_authenticated:
        return "visitor"
    if is_member_of(user, collective):
        return "member"
    if pending is not None:
        return "pending_here" if pending.collective_id == collective.id else "pending_elsewhere"
    if can_request_to_join(user, collective):
        return "can_join"
    if user.role == ROLE_MEMBER and user.collective_id is None and not user.email_verified:
        return "unverified"
    if user.collective_id is not None and user.is_collective_member:
        return "other_collective"
    return "not_for_role"


def _render_detail(collective, join_form=None, status=200):
    members = None
    if can_see_member_list(current_user, collective):
        members = services.member_list(collective)
    pending = services.pending_request_of(current_user)
    report_scan = services.latest_report_scan(collective)
    if report_scan is not None and not can_view_scan_report(current_user, report_scan):
        report_scan = None
    return render_template(
        "collectives/detail.html",
        collective=collective,
        members=members,
        report_scan=report_scan,
        pending=pending,
        join_state=join_state(current_user, collective, pending),
        join_form=join_form or JoinForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
    ), status


@bp.route("")
def index():
    form = DirectoryFilterForm(formdata=request.args)
    filters = form.cleaned()
    pagination = db.paginate(services.directory_query(**filters), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    return render_template("collectives/index.html", form=form, pagination=pagination,
                           filtered=any(filters.values()))


@bp.route("/<slug>")
def detail(slug):
    return _render_detail(_collective_or_404(slug))


@bp.route("/<slug>/lid-worden", methods=["POST"])
@limiter.limit("10 per hour;30 per day", methods=["POST"])
def join(slug):
    collective = _collective_or_404(slug)
    if not current_user.is_authenticated:
        return _to_login("collectives.detail", slug)
    if is_member_of(current_user, collective):
        flash("Je bent al lid van dit collectief.", "info")
        return redirect(url_for(".dashboard", slug=slug))
    if not can_request_to_join(current_user, collective):
        if current_user.role == ROLE_MEMBER and current_user.collective_id is None:
            flash(VERIFY_FIRST, "warning")
            return redirect(url_for(".detail", slug=slug))
        abort(403)
    form = JoinForm()
    if not form.validate_on_submit():
        return _render_detail(collective, join_form=form, status=400)
    with refusable(services.JoinError) as outcome:
        services.request_to_join(current_user, collective, form.message.data)
    if outcome.error:
        flash(str(outcome.error), "warning")
        return redirect(url_for(".detail", slug=slug))
    flash("Je aanvraag is verstuurd. De vertegenwoordiger van het collectief beslist erover; je "
          "krijgt een e-mail zodra dat gebeurd is.", "success")
    return redirect(url_for(".detail", slug=slug))


@bp.route("/<slug>/aanvraag-intrekken", methods=["POST"])
def withdraw_join(slug):
    collective = _collective_or_404(slug)
    if not current_user.is_authenticated:
        return _to_login("collectives.detail", slug)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    if services.withdraw_request(current_user, collective):
        flash("Je aanvraag is ingetrokken.", "success")
    else:
        flash("Er was geen openstaande aanvraag om in te trekken.", "info")
    return redirect(url_for(".detail", slug=slug))


@bp.route("/<slug>/aanvragen/<id:request_id>", methods=["POST"])
@limiter.limit("120 per hour", methods=["POST"])
def decide_join(slug, request_id):
    collective = _collective_or_404(slug)
    if not current_user.is_authenticated:
        return _to_login("collectives.dashboard", slug)
    if not can_decide_join_requests(current_user, collective):
        abort(403)
    join_request = services.find_join_request(collective, request_id)
    if join_request is None:
        abort(404)
    back = redirect(url_for(".dashboard", slug=slug) + "#aanvragen")
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Kies of je de aanvraag goedkeurt of afwijst.", "danger")
        return back
    approve = form.decision.data == DECISION_APPROVE
    name = join_request.user.name
    with refusable(services.JoinError) as outcome:
        services.decide_join_request(current_user, join_request, approve=approve)
    if outcome.error:
        flash(str(outcome.error), "warning")
        return back
    if approve:
        flash(f"{name} is nu lid van {collective.name}. We hebben een e-mail gestuurd.", "success")
    else:
        flash(f"De aanvraag van {name} is afgewezen. We hebben een e-mail gestuurd.", "info")
    return back


@bp.route("/<slug>/bewerken", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def edit(slug):
    collective = _collective_or_404(slug)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_edit_collective(current_user, collective):
        abort(403)
    form = EditCollectiveForm(obj=collective)
    if form.validate_on_submit():
        services.update_collective(current_user, collective, form.description.data,
                                   form.website.data)
        flash("De gegevens van het collectief zijn opgeslagen.", "success")
        return redirect(url_for(".detail", slug=slug))
    return render_template("collectives/edit.html", collective=collective, form=form), (
        400 if form.errors else 200
    )


@bp.route("/<slug>/dashboard")
def dashboard(slug):
    collective = _collective_or_404(slug)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_view_collective_dashboard(current_user, collective):
        abort(403)
    scan = services.latest_report_scan(collective)
    report = services.dashboard_report(scan)
    join_requests = []
    if can_decide_join_requests(current_user, collective):
        join_requests = services.pending_requests(collective)
    return render_template(
        "collectives/dashboard.html",
        collective=collective,
        scan=scan,
        report=report,
        join_requests=join_requests,
    )
