"""The self-scan flow: introduction, start, the steps, the resume link, sending, repeat scans.

The scan being filled in is remembered in the person's session (its id and raw resume token); the
private resume link puts it back there on any device. Report pages live in report_views.py.
"""
from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.selfscan import services
from app.blueprints.selfscan.forms import ActionForm, FinalStepForm, FirstStepForm, StepForm
from app.selfscan.questionnaire import SCALE_OPTIONS, current_questionnaire, parse_step
from app.extensions import db, limiter
from app.models.collectives import COUNTRIES, PROVINCES_BE, PROVINCES_NL
from app.models.selfscan import SCAN_DRAFT, SCAN_REJECTED, SelfScan
from app.permissions import can_start_rescan
from app.unit_of_work import refusable
from app.urls import external_url

bp = Blueprint("selfscan", __name__, url_prefix="/zelfscan")

SESSION_KEY = "selfscan"
# Echoed form values are cut to this length: enough for any valid answer, not a 100 KB page.
MAX_ECHO = 300
TOKEN_ENDPOINTS = {"selfscan.resume", "selfscan.report_by_token", "selfscan.report_pdf_by_token"}


def _limit(name, default):
    """A rate limit read from the configuration (tests of other features may raise it)."""
    return lambda: current_app.config.get(name, default)


@bp.after_request
def private_pages(response):
    # Answers and private links are on these pages: never cached, token pages never leak the
    # token through the Referer header or a search engine.
    response.headers["Cache-Control"] = "no-store"
    if request.endpoint in TOKEN_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# -- the scan in this session --------------------------------------------------------------------

def remember(scan, raw):
    session[SESSION_KEY] = {"id": scan.id, "token": raw}


def current_scan():
    """(scan, raw token) of the scan remembered in this session, or (None, None)."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None, None
    scan = db.session.get(SelfScan, data["id"])
    if scan is None or not services.token_matches(scan, data.get("token")):
        session.pop(SESSION_KEY, None)
        return None, None
    return scan, data["token"]


def link_unknown():
    return render_template("selfscan/link_unknown.html"), 404


def _rescan_collective():
    if current_user.is_authenticated and can_start_rescan(current_user, current_user.collective):
        return current_user.collective
    return None


# -- introduction and start ----------------------------------------------------------------------

@bp.route("")
def index():
    scan, raw = current_scan()
    if scan is not None and scan.status == SCAN_REJECTED:
        scan = None
    return render_template(
        "selfscan/index.html",
        scan=scan,
        raw=raw,
        questionnaire=current_questionnaire(),
        rescan_collective=_rescan_collective(),
    )


@bp.route("/starten", methods=["POST"])
@limiter.limit(_limit("SELFSCAN_START_LIMIT", "10 per hour"))
def start():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    scan, raw = services.start_scan()
    remember(scan, raw)
    return redirect(url_for("selfscan.step", number=1))


@bp.route("/opnieuw", methods=["POST"])
@limiter.limit(_limit("SELFSCAN_START_LIMIT", "10 per hour"))
def start_rescan():
    if not current_user.is_authenticated:
        # Back to the introduction after logging in (this address only takes a POST).
        flash("Log in om een nieuwe zelfscan voor jullie collectief te beginnen.", "info")
        return redirect(url_for("auth.login", next=url_for("selfscan.index")))
    collective = current_user.collective
    if not can_start_rescan(current_user, collective):
        abort(403)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    scan, raw = services.start_rescan(current_user, collective)
    services.send_resume_link(scan, raw)
    remember(scan, raw)
    if services.prefilled_from(scan) is not None:
        flash(f"Je bent een nieuwe zelfscan voor {collective.name} begonnen. De antwoorden van "
              "jullie vorige zelfscan staan al ingevuld: kijk ze na en pas aan wat veranderd is.",
              "info")
    else:
        flash(f"Je bent een nieuwe zelfscan voor {collective.name} begonnen.", "info")
    return redirect(url_for("selfscan.step", number=1))


@bp.route("/hervatten/<token>")
@limiter.limit("30 per minute")
def resume(token):
    scan = services.scan_for_token(token)
    if scan is None or scan.status == SCAN_REJECTED:
        return link_unknown()
    if scan.status != SCAN_DRAFT:
        return redirect(url_for("selfscan.report_by_token", token=token))
    remember(scan, token)
    flash("Welkom terug. Je antwoorden zijn bewaard; je gaat verder waar je gebleven was.", "info")
    return redirect(url_for("selfscan.step", number=scan.furthest_step))


# -- the steps -----------------------------------------------------------------------------------

def _load_draft(number):
    """(scan, raw, questionnaire) for step `number`, or a response that sends the person on."""
    scan, raw = current_scan()
    if scan is None:
        flash("Begin de zelfscan hier, of open je persoonlijke link om verder te gaan.", "info")
        return redirect(url_for("selfscan.index"))
    if scan.status == SCAN_REJECTED:
        session.pop(SESSION_KEY, None)
        return link_unknown()
    if scan.status != SCAN_DRAFT:
        return redirect(url_for("selfscan.report_by_token", token=raw))
    questionnaire = services.questionnaire_of(scan)
    if not 1 <= number <= questionnaire.step_count:
        abort(404)
    if number > scan.furthest_step:
        flash("Vul eerst de stappen hiervoor in. Je kunt niet vooruit springen.", "warning")
        return redirect(url_for("selfscan.step", number=scan.furthest_step))
    if number > 1 and services.refusal(scan):
        return redirect(url_for("selfscan.not_eligible"))
    return scan, raw, questionnaire


def _echo(formdata):
    """Submitted values to fill the page in again, each cut short."""
    echoed = formdata.copy()
    for key in list(echoed.keys()):
        echoed.setlist(key, [str(v)[:MAX_ECHO] for v in echoed.getlist(key)])
    return echoed


def _trim(form):
    """Cut long typed values before a form is shown again (the message says what was wrong)."""
    for field in form:
        if isinstance(field.data, str) and len(field.data) > MAX_ECHO:
            field.data = field.data[:MAX_ECHO]
    return form


def _page(template, scan, raw, questionnaire, number, **context):
    return render_template(
        template,
        scan=scan,
        questionnaire=questionnaire,
        number=number,
        resume_url=external_url("selfscan.resume", token=raw),
        belgian=services.location_country(scan) == "BE",
        scale_options=SCALE_OPTIONS,
        provinces={"NL": PROVINCES_NL, "BE": PROVINCES_BE},
        countries=COUNTRIES,
        **context,
    )


@bp.route("/stap/<int:number>", methods=["GET", "POST"])
@limiter.limit(_limit("SELFSCAN_STEP_LIMIT", "300 per hour"), methods=["POST"])
def step(number):
    loaded = _load_draft(number)
    if not isinstance(loaded, tuple):
        return loaded
    scan, raw, questionnaire = loaded
    if number == questionnaire.step_count:
        return final_page(scan, raw, questionnaire)
    this_step = questionnaire.step(number)
    form = FirstStepForm() if number == 1 else StepForm()
    errors = {}
    formdata = services.answers_as_formdata(this_step, scan.answer_map())
    if request.method == "GET" and number == 1:
        form.contact_name.data = scan.contact_name
        form.contact_email.data = scan.contact_email
    if request.method == "POST":
        # The CSRF token was checked by CSRFProtect already; this validates the contact fields.
        contact_ok = form.validate_on_submit()
        values, errors = parse_step(this_step, request.form)
        # Whatever is valid on the page is kept, also when going back or when something is wrong.
        with refusable(IntegrityError) as outcome:  # the same step saved at once in another tab
            services.save_answers(scan, {k: v for k, v in values.items() if k not in errors})
        if outcome.error:
            flash("Deze stap is tegelijk in een ander venster opgeslagen. Kijk je antwoorden na en "
                  "ga dan verder.", "warning")
            return redirect(url_for("selfscan.step", number=number))
        if number == 1 and contact_ok:
            services.set_contact(scan, form.contact_name.data, form.contact_email.data)
            services.send_resume_link(scan, raw)
        if request.form.get("actie") == "vorige" and number > 1:
            return redirect(url_for("selfscan.step", number=number - 1))
        if not errors and contact_ok:
            if number == 1 and services.refusal(scan):
                return redirect(url_for("selfscan.not_eligible"))
            services.reach_step(scan, number + 1)
            return redirect(url_for("selfscan.step", number=number + 1))
        formdata = _echo(request.form)
        _trim(form)
    return _page(
        "selfscan/step.html", scan, raw, questionnaire, number,
        form=form, step=this_step, formdata=formdata, errors=errors,
        refusal=services.refusal(scan) if number == 1 else None,
        prefilled_from=services.prefilled_from(scan),
    )


def final_page(scan, raw, questionnaire, form=None):
    if form is None:
        form = FinalStepForm()
        form.contact_name.data = scan.contact_name
        form.contact_email.data = scan.contact_email
    return _page(
        "selfscan/final.html", scan, raw, questionnaire, questionnaire.step_count,
        form=form, answers=scan.answer_map(),
    )


@bp.route("/versturen", methods=["POST"])
@limiter.limit(_limit("SELFSCAN_SUBMIT_LIMIT", "20 per hour"))
def submit():
    scan, raw = current_scan()
    if scan is not None and scan.status not in (SCAN_DRAFT, SCAN_REJECTED):
        # Sent already (a double click, a second tab): show what the first click did.
        return redirect(url_for("selfscan.report_by_token", token=raw))
    last = services.questionnaire_of(scan).step_count if scan is not None else 1
    loaded = _load_draft(last)
    if not isinstance(loaded, tuple):
        return loaded
    scan, raw, questionnaire = loaded
    form = FinalStepForm()
    if request.form.get("actie") == "vorige":
        if form.contact_name.validate(form) and form.contact_email.validate(form):
            services.set_contact(scan, form.contact_name.data, form.contact_email.data)
        return redirect(url_for("selfscan.step", number=last - 1))
    if not form.validate_on_submit():
        return final_page(scan, raw, questionnaire, form=_trim(form))
    incomplete = services.first_incomplete_step(scan)
    if incomplete is None and services.refusal(scan):
        return redirect(url_for("selfscan.not_eligible"))  # the contact details are not kept
    services.set_contact(scan, form.contact_name.data, form.contact_email.data)
    if incomplete is not None:
        number, _errors = incomplete
        title = questionnaire.step(number).title
        flash(f"Stap {number} ({title}) is nog niet helemaal ingevuld. Vul die eerst aan; daarna "
              "kun je de zelfscan versturen.", "warning")
        return redirect(url_for("selfscan.step", number=number))
    if services.submit_scan(scan, raw, form.consent_research.data):
        flash("Dank je wel! We hebben je zelfscan ontvangen. Je krijgt een bevestiging per e-mail "
              "met de link naar dit rapport.", "success")
    return redirect(url_for("selfscan.report_by_token", token=raw))


@bp.route("/niet-geschikt")
def not_eligible():
    scan, _raw = current_scan()
    if scan is None or scan.status != SCAN_DRAFT:
        return redirect(url_for("selfscan.index"))
    message = services.refusal(scan)
    if not message:
        return redirect(url_for("selfscan.step", number=scan.furthest_step))
    return render_template("selfscan/refused.html", message=message)
