"""Report pages and PDF downloads of submitted self-scans (attached to the selfscan blueprint).

Two ways in: the private link of the person who filled in the scan (its resume token; it stops
working 90 days after approval), and the scan's id for logged-in people who may see it (members of
the collective, moderators).
"""

from flask import abort, make_response, render_template, url_for
from flask_login import current_user, login_required

from app.selfscan import services
from app.selfscan.pdf import report_pdf as render_pdf  # the view is report_pdf
from app.selfscan.report import build_report, profile_rows
from app.blueprints.selfscan.routes import bp, link_unknown
from app.extensions import db, limiter
from app.models.selfscan import SelfScan
from app.permissions import can_start_rescan, can_view_scan_report
from app.slugs import slugify


def _by_token(token):
    scan = services.scan_for_token(token)
    if scan is None or scan.status not in services.REPORTABLE:
        return None
    return scan


def _by_id(scan_id):
    scan = db.session.get(SelfScan, scan_id)
    if scan is None or scan.status not in services.REPORTABLE:
        abort(404)
    if not can_view_scan_report(current_user, scan):
        abort(403)
    return scan


def _render(scan, pdf_url):
    report = build_report(scan)
    questionnaire = services.questionnaire_of(scan)
    collective = scan.collective
    show_rescan = bool(
        collective is not None and current_user.is_authenticated
        and can_start_rescan(current_user, collective)
    )
    return render_template(
        "selfscan/report.html",
        scan=scan,
        report=report,
        questionnaire=questionnaire,
        profile=profile_rows(scan, questionnaire),
        answers=scan.answer_map(),
        pdf_url=pdf_url,
        show_rescan=show_rescan,
    )


def pdf_filename(scan):
    """An ASCII-only file name: zelfscan-<collective>-<date>.pdf."""
    name = services.questionnaire_of(scan).profile_value(scan.answer_map(), "name") or ""
    if not isinstance(name, str):
        name = ""
    slug = slugify(name, max_length=50)
    stamp = (scan.submitted_at or scan.created_at).strftime("%Y-%m-%d")
    return "-".join(part for part in ("zelfscan", slug or "rapport", stamp) if part) + ".pdf"


def _pdf(scan):
    response = make_response(bytes(render_pdf(build_report(scan))))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{pdf_filename(scan)}"'
    return response


def _link_expired(scan):
    """The page for a private link past its lifetime: the report lives on inside the platform."""
    return render_template("selfscan/link_expired.html", scan=scan,
                           expired_at=services.report_link_expires_at(scan)), 410


@bp.route("/rapport/<token>")
@limiter.limit("60 per minute")
def report_by_token(token):
    scan = _by_token(token)
    if scan is None:
        return link_unknown()
    if services.report_link_expired(scan):
        return _link_expired(scan)
    return _render(scan, url_for("selfscan.report_pdf_by_token", token=token))


@bp.route("/rapport/<token>/rapport.pdf")
@limiter.limit("20 per minute")
def report_pdf_by_token(token):
    scan = _by_token(token)
    if scan is None:
        return link_unknown()
    if services.report_link_expired(scan):
        return _link_expired(scan)
    return _pdf(scan)


@bp.route("/<id:scan_id>/rapport")
@login_required
def report(scan_id):
    scan = _by_id(scan_id)
    return _render(scan, url_for("selfscan.report_pdf", scan_id=scan.id))


@bp.route("/<id:scan_id>/rapport.pdf")
@login_required
@limiter.limit("20 per minute")
def report_pdf(scan_id):
    return _pdf(_by_id(scan_id))
