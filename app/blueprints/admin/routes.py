from flask import Blueprint, render_template

from app.extensions import db
from app.models.audit import AuditLog
from app.models.public import ContactMessage
from app.pagination import page_arg
from app.permissions import can_view_admin, require

bp = Blueprint("admin", __name__, url_prefix="/beheer")

PER_PAGE = 50


@bp.route("")
@require(can_view_admin)
def index():
    open_contact = db.session.execute(
        db.select(db.func.count()).select_from(ContactMessage).where(ContactMessage.handled_at.is_(None))
    ).scalar_one()
    return render_template("admin/index.html", open_contact=open_contact)


@bp.route("/audit")
@require(can_view_admin)
def audit_log():
    pagination = db.paginate(
        db.select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc()),
        page=page_arg(), per_page=PER_PAGE, error_out=False,
    )
    return render_template("admin/audit.html", pagination=pagination)


@bp.route("/contact")
@require(can_view_admin)
def contact_messages():
    pagination = db.paginate(
        db.select(ContactMessage).order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc()),
        page=page_arg(), per_page=PER_PAGE, error_out=False,
    )
    return render_template("admin/contact.html", pagination=pagination)
