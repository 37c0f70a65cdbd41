"""The pseudonymised research export and its codebook (views on the admin bp).

Only for `can_export_research` (administrators, and Sciencelab partners an administrator gave
research access) — not for every moderator. Every download is written to the audit log.
"""
from flask import Response, render_template
from flask_login import current_user

from app import research
from app.blueprints.admin.routes import bp
from app.permissions import can_export_research, require
from app.timeutil import utcnow


def _download(body, filename, content_type):
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/onderzoeksexport")
@require(can_export_research)
def research_export():
    return render_template("admin/research.html", summary=research.export_summary(),
                           columns=research.columns(),
                           excluded=research.excluded_questions_by_type())


@bp.route("/onderzoeksexport/zelfscans.csv")
@require(can_export_research)
def research_csv():
    export = research.build_export()
    research.record_download(current_user, "csv", export.row_count)
    return _download(export.csv_bytes(), f"zelfscans-onderzoek-{utcnow():%Y-%m-%d}.csv",
                     "text/csv; charset=utf-8")


@bp.route("/onderzoeksexport/codeboek.md")
@require(can_export_research)
def research_codebook():
    columns = research.columns()
    text = research.codebook_markdown(columns)
    research.record_download(current_user, "codebook", len(columns))
    return _download(text.encode("utf-8"), "codeboek-zelfscans-onderzoek.md",
                     "text/markdown; charset=utf-8")
